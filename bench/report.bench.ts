/**
 * The compiled report at scale, timed as the office waits for it: 2,000 units (1,900 confirmed, every
 * question answered, texts from a third of them) stored in a real SQLite file.
 *
 *   1. in process: loading the data from the database, aggregating, building the .docx (each timed);
 *   2. through the chat: the real bot as shipped (`npm start`'s node command, built first) long-polling the fake Bot API
 *      server; an office account sends `/baocao 2026-H1` twice; timed from the update being handed out to
 *      the document arriving at the server, with the bot's peak RSS (VmHWM). The first request also loads
 *      the Word builder (it is loaded on first use).
 * The peer, measured in the same run: the same bot answering `/trogiup` (a reply with no data behind it).
 *
 * Run: npx tsx bench/report.bench.ts [--out file.docx]   (targets: ≤ 0.5 s and ≤ 200 MB through the chat)
 *      BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the bot, for finding what to cut next.
 * Prints a table and one JSON line; asserts nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config';
import { cpuProfileArgs, shippedBotArgs } from './shipped';
import { aggregate } from '../domain/aggregate';
import { flattenForm } from '../domain/form';
import { periodInfo } from '../domain/periods';
import { UNIT_TYPES } from '../domain/units';
import { compileReport } from '../handlers/office/report';
import { closeDatabase, inTransaction, openDatabase } from '../storage/db';
import { bindContact, touchContact } from '../storage/repositories/contacts';
import { latestFormVersion } from '../storage/repositories/forms';
import { ensurePeriod } from '../storage/repositories/periods';
import { loadAggregateInput } from '../storage/repositories/report-data';
import { appendAnswer, confirmSubmission, createSubmission } from '../storage/repositories/submissions';
import { upsertUnit } from '../storage/repositories/units';
import { buildReportDocx } from '../templates/report/build';
import { startFakeTelegram } from '../tests/fakes/telegram-server';

const UNITS = 2_000;
const REPORTING = 1_900;
const PERIOD_ID = '2026-H1';
const OFFICE_CHAT = 900_001;
const root = fileURLToPath(new URL('..', import.meta.url));

// Deterministic pseudo-random numbers (mulberry32).
let seed = 0x5eed;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (max: number) => Math.floor(rand() * (max + 1));
const sample =
  'Đơn vị đã triển khai tuyên truyền thường xuyên trên trang thông tin điện tử và fanpage; phối hợp với báo chí địa phương đưa tin về các hoạt động nổi bật <&> của nhà trường.';

const dir = mkdtempSync(join(tmpdir(), 'baocao-bench-report-'));
const dbPath = join(dir, 'report.db');
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);

try {
  // ------------------------------------------------------------------ the province, in a real database
  const now = new Date('2026-05-06T02:00:00Z');
  const db = openDatabase(dbPath);
  inTransaction(db, (tx) => {
    const questions = flattenForm(latestFormVersion(tx).form);
    const period = ensurePeriod(tx, PERIOD_ID);
    for (let i = 0; i < UNITS; i++) {
      const { unit } = upsertUnit(tx, { code: `U${String(i + 1).padStart(4, '0')}`, name: `Đơn vị số ${i + 1} - Trường học thuộc ngành Giáo dục`, type: UNIT_TYPES[i % UNIT_TYPES.length] ?? 'thpt', district: null }, now);
      if (i >= REPORTING) continue;
      const sub = createSubmission(tx, unit.id, PERIOD_ID, period.formVersionId, now);
      for (const q of questions) {
        let value: number | string | null;
        if (q.type === 'text') value = q.required || i % 3 === 0 ? sample : null;
        else if (q.type === 'money') value = i % 50 === 0 ? int(500_000_000) : 0;
        else value = int(Math.min(q.max ?? 1000, q.key.startsWith('digital_') ? 50_000 : 500));
        appendAnswer(tx, { submissionId: sub.id, key: q.key, value, raw: value === null ? null : String(value), revision: 0, contactId: null, now });
      }
      confirmSubmission(tx, sub.id, null, now);
    }
    const office = touchContact(tx, 'telegram', String(OFFICE_CHAT), 'Văn phòng Sở', now);
    bindContact(tx, office.id, null, 'office');
  });
  const config = loadConfig({ DATABASE_PATH: dbPath });
  const period = periodInfo(PERIOD_ID, config.calendar);

  // ------------------------------------------------------------------ 1. in process
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  const input = loadAggregateInput(db, period);
  const t1 = performance.now();
  const data = aggregate(input);
  const t2 = performance.now();
  const buf = await buildReportDocx(data, config.report, new Date('2026-05-08T02:00:00Z'));
  const t3 = performance.now();
  const rssPeak = process.resourceUsage().maxRSS * 1024;
  const again0 = performance.now();
  await compileReport(db, config, period, new Date('2026-05-08T02:00:00Z'));
  const again = performance.now() - again0;
  closeDatabase(db);

  // ------------------------------------------------------------------ 2. through the chat
  const fake = await startFakeTelegram();
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const prof = cpuProfileArgs();
  const child = spawn(process.execPath, [...prof, ...shippedBotArgs()], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'warn',
      REMINDERS_ENABLED: 'false',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const timed = async (text: string, done: () => Promise<unknown>): Promise<number> => {
    const id = fake.pushText(OFFICE_CHAT, text);
    await done();
    const end = performance.now();
    return end - (fake.servedAt.get(id) ?? end);
  };
  let chat: { report: number[]; help: number[]; rssMb: number };
  try {
    const deadline = Date.now() + 60_000;
    while (fake.polls.length === 0) {
      if (Date.now() > deadline) throw new Error('bench: the bot did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    const help = [await timed('/trogiup', () => fake.waitForMessage(OFFICE_CHAT, () => true, 60_000))];
    help.push(await timed('/trogiup', () => fake.waitForMessage(OFFICE_CHAT, () => true, 60_000)));
    const report: number[] = [];
    for (let i = 0; i < 2; i++) report.push(await timed(`/baocao ${PERIOD_ID}`, () => fake.waitForDocument(OFFICE_CHAT, () => true, 60_000)));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    chat = { report, help, rssMb: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024 };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    await fake.close();
  }

  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`report: ${UNITS} units (${REPORTING} confirmed), ${data.texts.reduce((n, g) => n + g.items.length, 0)} unit texts, docx ${mb(buf.length)} MB`);
  console.log('| step | time |');
  console.log('| --- | --- |');
  console.log(`| load from the database (${input.submissions.length} submissions) | ${ms(t1 - t0)} |`);
  console.log(`| aggregate | ${ms(t2 - t1)} |`);
  console.log(`| build the .docx | ${ms(t3 - t2)} |`);
  console.log(`| total in process (first / again) | ${ms(t3 - t0)} / ${ms(again)} |`);
  console.log(`| /baocao through the chat, first (Word builder loaded) / second | ${ms(chat.report[0]!)} / ${ms(chat.report[1]!)} (target ≤ 500 ms) |`);
  console.log(`| peer: /trogiup through the chat, first / second | ${ms(chat.help[0]!)} / ${ms(chat.help[1]!)} |`);
  console.log(`| bot peak RSS through the chat | ${chat.rssMb.toFixed(1)} MB (target ≤ 200 MB) |`);
  console.log(`| bench process peak RSS (database, input and build in one process) | ${mb(rssPeak)} MB (before the build ${mb(rssBefore)} MB) |`);
  console.log(
    JSON.stringify({
      bench: 'report',
      units: UNITS,
      confirmed: REPORTING,
      loadMs: t1 - t0,
      aggregateMs: t2 - t1,
      docxMs: t3 - t2,
      inProcessMs: t3 - t0,
      inProcessAgainMs: again,
      chatReportMs: chat.report,
      chatHelpMs: chat.help,
      chatPeakRssMb: chat.rssMb,
      docxBytes: buf.length,
    }),
  );
  const outAt = process.argv.indexOf('--out');
  const outPath = outAt > 0 ? process.argv[outAt + 1] : undefined;
  if (outPath) {
    writeFileSync(outPath, buf);
    console.log(`written: ${outPath}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
