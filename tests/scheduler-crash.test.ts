import { afterEach, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { closeDeps, makeDeps, tempDir } from './helpers/harness';
import { populateProvince } from './fixtures/scheduler-child';
import { reminderSends } from '../storage/schema';
import type { AppDeps } from '../handlers/types';

/**
 * Crash safety with a real process: a scheduler child is SIGKILLed in the middle of a round, a second
 * one is started on the same database. No due reminder may be missed, and the only repeats allowed are
 * the sends that were in flight at the kill (rows still 'sending'), at most the scheduler's concurrency.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONCURRENCY = 5;
const LEASE_SECONDS = 2;
// Saturday 02/5/2026 10:00 in Hà Nội: before-3 of 2026-H1 is due.
const BASE_NOW = '2026-05-02T03:00:00.000Z';

let tmp: ReturnType<typeof tempDir>;
let fake: FakeTelegram;
let deps: AppDeps;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) killGroup(c, 'SIGKILL');
  await fake?.close();
  closeDeps(deps);
  tmp.cleanup();
});

/** The child runs under npx → tsx → node: it leads its own process group, so the kill reaches all of them. */
function killGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    // already gone
  }
}

function startChild(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn('npx', ['tsx', 'tests/fixtures/scheduler-child.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

test('a scheduler killed mid-round and started again misses nobody and repeats only in-flight sends', async () => {
  tmp = tempDir();
  const dbPath = `${tmp.dir}/bot.db`;
  fake = await startFakeTelegram({ rateLimit: { global: 30, perChat: 1 } });
  deps = makeDeps(dbPath, () => new Date(BASE_NOW), { PERIOD_KINDS: 'half,year' });
  const p = populateProvince(deps.db, { units: 150, confirmed: (i) => i % 6 === 0, periodId: '2026-H1', now: new Date(BASE_NOW) });
  const due = p.contacts.filter((c) => !p.confirmedUnitIds.has(c.unitId!));

  const env = {
    DATABASE_PATH: dbPath,
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    PERIOD_KINDS: 'half,year',
    REMINDER_CONCURRENCY: String(CONCURRENCY),
    REMINDER_SENDING_LEASE_SECONDS: String(LEASE_SECONDS),
    REMINDER_TICK_SECONDS: '1',
    LOG_LEVEL: 'warn',
    CHILD_BASE_NOW: BASE_NOW,
    CHILD_REAL_BASE: String(Date.now()),
  };

  // First process: killed once 40 reminders have arrived.
  const first = startChild(env);
  await fake.waitForCall('sendMessage', () => fake.callsOf('sendMessage').length >= 40, 25_000).catch((err: unknown) => {
    throw new Error(`${String(err)}\nchild output:\n${first.output()}`);
  });
  killGroup(first.child, 'SIGKILL');
  await first.exited;
  await new Promise((r) => setTimeout(r, 300)); // requests already on the wire land (or not)
  const deliveredAtKill = fake.callsOf('sendMessage').length;
  const rows = deps.db.select().from(reminderSends).all();
  const inFlight = rows.filter((r) => r.status === 'sending');
  expect(deliveredAtKill).toBeLessThan(due.length); // killed mid-round, really
  expect(inFlight.length).toBeGreaterThan(0);
  expect(inFlight.length).toBeLessThanOrEqual(CONCURRENCY);

  // Second process on the same database: finishes the round, re-sending only claims older than the lease.
  const second = startChild(env);
  const code = await Promise.race([second.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 40_000))]);
  expect(code, second.output()).toBe(0);

  const received = new Map<number, number>();
  for (const call of fake.callsOf('sendMessage')) received.set(Number(call.chat_id), (received.get(Number(call.chat_id)) ?? 0) + 1);
  // Nobody missed, nobody of a confirmed unit reminded.
  for (const c of due) expect(received.get(Number(c.externalId)) ?? 0, `contact ${c.id}`).toBeGreaterThanOrEqual(1);
  for (const c of p.contacts.filter((x) => p.confirmedUnitIds.has(x.unitId!))) expect(received.has(Number(c.externalId))).toBe(false);
  // Repeats: only contacts whose send was in flight at the kill, once more at most.
  const inFlightChats = new Set(inFlight.map((r) => Number(p.contacts.find((c) => c.id === r.contactId)!.externalId)));
  const repeated = [...received].filter(([, n]) => n > 1);
  expect(repeated.every(([chat, n]) => n === 2 && inFlightChats.has(chat))).toBe(true);
  expect(repeated.length).toBeLessThanOrEqual(CONCURRENCY);
  // The database ends with every due reminder delivered.
  const final = deps.db.select().from(reminderSends).all();
  expect(final.filter((r) => r.status === 'sent')).toHaveLength(due.length);
  expect(final.every((r) => r.status === 'sent')).toBe(true);
}, 90_000);
