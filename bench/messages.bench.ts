/**
 * How many messages a unit sends and receives to finish the default form, through the real handlers and
 * a real SQLite file: a returning school whose profile is unchanged (the profile kept in one message,
 * each section pasted in one message) and a district office reporting for the first time. The peer,
 * measured in the same run on the same form: answering one question per message, the way the bot asked
 * before (every optional question answered or skipped in turn).
 *
 * Telegram counts one message per reply (split above 4,096 characters); Zalo renders buttons as text and
 * splits above 2,000 characters. Targets (issue 10): returning school ≤ 12 sent and ≤ 15 received;
 * first-time district office ≤ 20 sent.
 *
 * Run: npx tsx bench/messages.bench.ts     (a few seconds). Prints a table and one JSON line. Asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { closeDatabase, openDatabase } from '../storage/db';
import { seedDemo } from '../storage/demo-seed';
import { handleIncoming } from '../handlers/router';
import type { AppDeps } from '../handlers/types';
import { renderAsText, splitText } from '../bot/render-text';
import { DEFAULT_FORM } from '../domain/form';
import { displayInviteCode } from '../domain/invite-code';
import { FIRST_TIME_OFFICE, RETURNING_SCHOOL, SCHOOL_PREVIOUS, oneByOne, seedConfirmedReport, type QuickStep } from '../tests/fixtures/quick-scripts';

const NOW = new Date('2026-05-01T03:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'baocao-messages-bench-'));
const config = loadConfig({ DATABASE_PATH: join(dir, 'bench.db'), LOG_LEVEL: 'silent' });
const deps: AppDeps = { db: openDatabase(config.databasePath), config, log: createLogger('silent'), clock: () => NOW };
const demo = seedDemo(deps.db, NOW, config.calendar);
const unit = (code: string) => demo.units.find((u) => u.unit.code === code)!;

interface Row {
  scenario: string;
  sent: number;
  telegram: number;
  zalo: number;
  characters: number;
  msPerMessage: number;
}

async function play(name: string, user: string, steps: readonly QuickStep[], vars: Record<string, string>): Promise<Row> {
  let telegram = 0;
  let zalo = 0;
  let characters = 0;
  let misses = 0;
  const started = performance.now();
  for (const step of steps) {
    const text = step.send.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
    const replies = await handleIncoming(deps, { channel: 'console', updateKey: null, userId: user, displayName: null, event: { kind: 'text', text } });
    const expected = step.expect.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
    if (!replies.some((r) => r.text.includes(expected))) misses++;
    for (const r of replies) {
      telegram += splitText(r.text, 4096).length;
      zalo += splitText(renderAsText(r), 2000).length;
      characters += r.text.length;
    }
  }
  const ms = (performance.now() - started) / steps.length;
  if (misses > 0) console.error(`${name}: ${misses} step(s) did not get the expected reply`);
  return { scenario: name, sent: steps.length, telegram, zalo, characters, msPerMessage: ms };
}

seedConfirmedReport(deps.db, unit('THPT-BUITHIXUAN').unit.id, '2025-H1', SCHOOL_PREVIOUS, new Date('2025-05-04T03:00:00Z'));
await handleIncoming(deps, { channel: 'console', updateKey: null, userId: 'school', displayName: null, event: { kind: 'text', text: `/start ${unit('THPT-BUITHIXUAN').invite.code}` } });

const rows: Row[] = [];
rows.push(await play('returning school, sections pasted', 'school', RETURNING_SCHOOL, {}));
const office = unit('PGD-BAOLOC');
rows.push(await play('first-time district office, sections pasted', 'office', FIRST_TIME_OFFICE, { CODE: displayInviteCode(office.invite.code), UNIT: office.unit.name }));
// The peer: the same form, one question per message (a school with no earlier report, and a district office).
const school2 = unit('THPT-THANGLONG');
rows.push(await play('peer: school, one question per message', 'school-peer', oneByOne(DEFAULT_FORM, 'thpt', true), { CODE: displayInviteCode(school2.invite.code) }));
const office2 = unit('PGD-DALAT');
rows.push(await play('peer: district office, one question per message', 'office-peer', oneByOne(DEFAULT_FORM, 'phong-gddt', true), { CODE: displayInviteCode(office2.invite.code) }));

closeDatabase(deps.db);
rmSync(dir, { recursive: true, force: true });

const pad = (s: string | number, n: number) => String(s).padEnd(n);
console.log(`${pad('scenario', 50)}${pad('sent', 6)}${pad('Telegram', 10)}${pad('Zalo', 6)}${pad('characters', 12)}ms/message`);
for (const r of rows) console.log(`${pad(r.scenario, 50)}${pad(r.sent, 6)}${pad(r.telegram, 10)}${pad(r.zalo, 6)}${pad(r.characters, 12)}${r.msPerMessage.toFixed(2)}`);
const [school, firstTime, schoolPeer, officePeer] = rows as [Row, Row, Row, Row];
console.log('targets: returning school ≤ 12 sent, ≤ 15 received; first-time district office ≤ 20 sent');
console.log(
  JSON.stringify({
    bench: 'messages',
    returningSchool: { sent: school.sent, telegram: school.telegram, zalo: school.zalo },
    firstTimeOffice: { sent: firstTime.sent, telegram: firstTime.telegram, zalo: firstTime.zalo },
    peerOneByOne: { school: { sent: schoolPeer.sent, telegram: schoolPeer.telegram }, office: { sent: officePeer.sent, telegram: officePeer.telegram } },
    sentRatioToPeer: Number((school.sent / schoolPeer.sent).toFixed(3)),
  }),
);
