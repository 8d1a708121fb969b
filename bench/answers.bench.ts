/**
 * Answer handling next to the framework's floor.
 *
 * Telegram (long polling): the real bot as shipped (`npm start`'s node command, bench/shipped.ts; built first by this bench) and a
 * bare grammY echo bot (bench/peers/echo-bot.mjs: same grammY, fetching with grammY's runner; the bot fetches with its own
 * getUpdates loop, which stores each batch before confirming it) each run as a child process against the fake Bot API
 * server (tests/fakes/telegram-server.ts, every call answered at once), with the outgoing throttle off
 * (OUTGOING_THROTTLE=off). N contacts are linked to N units; each contact sends `/nhap`, then answers every
 * question of the form (numbers as people type them, texts), and one in ten sends `/xem` at the end.
 *   1. burst: all but the last BENCH_PACED updates queued at once: answers per second, CPU, bytes written;
 *   2. paced: the last BENCH_PACED updates one at a time, at BENCH_PACED_RATE per second but at most half the
 *      rate the real bot reached in the burst (so below its capacity, whatever else the machine is doing):
 *      p50/p99 of the time from getUpdates handing an update out to the last reply it caused arriving, and
 *      the CPU of the process (all threads) and the bytes and write calls per paced update, what a message
 *      that comes alone costs (it shares no commit). The
 *      fake server answers in this process: a full collection here starts each paced phase, `npm run bench`
 *      runs this file with a 64 MB young generation so none is needed during the phase, and the collections
 *      that still happen are counted and printed beside the latencies.
 * The echo bot gets the same updates in the same two phases, paced at the same rate.
 *
 * Zalo (webhook): the real bot in ZALO_MODE=webhook and a bare node:http server answering 200
 * (bench/peers/bare-http.mjs) each take BENCH_ZALO_WARMUP POSTs of text updates, untimed (the real bot
 * handles and answers them all before going on), then BENCH_ZALO_REQUESTS more over BENCH_ZALO_CONNECTIONS
 * (default 16) keep-alive connections: acknowledgements per second (the real bot stores each update before its 200, and handles it
 * in the same process meanwhile). The warm-up is what a server that has been up for a while has behind
 * it: without it, the first second, at 3-4 times the steady cost per request while V8 compiles the route
 * (a bot's code path is much longer than the bare server's), made most of the timed run.
 *
 * Checked, else the bench fails: every update got a reply, no reply is an error or a refusal, every answer is
 * stored (counted in the database afterwards), the echo bot echoed every text.
 *
 * Per child process: CPU (utime+stime from /proc/<pid>/stat), bytes written (/proc/<pid>/io: wchar = bytes
 * passed to write/pwrite, write_bytes = bytes sent to the block layer, syscw = write calls), growth of the
 * database and its WAL, peak RSS (VmHWM).
 *
 * Run: npm run bench (all benchmarks) or npx tsx --max-semi-space-size=64 bench/answers.bench.ts (about 2 minutes).
 *      BENCH_QUICK=1 for a smaller run (120 contacts); BENCH_CONTACTS (default: enough for 20,000 answers,
 *      at least 500), BENCH_PACED, BENCH_PACED_RATE,
 *      BENCH_ZALO_WARMUP, BENCH_ZALO_REQUESTS, BENCH_ZALO_CONNECTIONS override the sizes; BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the children;
 *      BENCH_NODE_FLAGS passes flags to the measured processes (e.g. --max-semi-space-size=2);
 *      BENCH_ONLY=telegram or zalo runs one half; BENCH_ROUNDS=N (npm run bench: 3) measures both halves N
 *      times in turn and prints the median round's table, each round's figures and their spread.
 *      Prints a table and one JSON line; asserts nothing else.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import { Pool } from 'undici';
import { loadConfig } from '../config';
import { cpuProfileArgs, shippedBotArgs } from './shipped';
import { applicableQuestions, type FlatQuestion } from '../domain/form';
import { parseVietnameseNumber } from '../domain/numbers';
import { closeDatabase, inTransaction, openDatabase, type Db } from '../storage/db';
import { bindContact, touchContact } from '../storage/repositories/contacts';
import { latestFormVersion } from '../storage/repositories/forms';
import { setPeriodOverride } from '../storage/repositories/periods';
import { upsertUnit } from '../storage/repositories/units';
import { answers } from '../storage/schema';
import { startFakeTelegram, type FakeTelegram, type SentCall } from '../tests/fakes/telegram-server';
import { zaloTextUpdate } from '../tests/fakes/zalo-server';
import { freePort } from '../tests/helpers/free-port';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!(v > 0)) throw new Error(`${name} must be a positive number`);
  return v;
};
/** At least this many contacts, and enough of them for at least ANSWERS answers (BENCH_CONTACTS: exactly). */
const MIN_CONTACTS = quick ? 120 : 500;
const ANSWERS = quick ? 0 : 20_000;
const PACED = num('BENCH_PACED', quick ? 400 : 1_000);
const PACED_RATE = num('BENCH_PACED_RATE', 200);
/** The paced phase runs at most at this share of the rate the real bot reached in the burst. */
const PACED_SHARE = 0.5;
const ZALO_REQUESTS = num('BENCH_ZALO_REQUESTS', quick ? 2_000 : 5_000);
const ZALO_WARMUP = Math.trunc(Number(process.env.BENCH_ZALO_WARMUP ?? (quick ? 500 : 2_000)));
if (!(ZALO_WARMUP >= 0)) throw new Error('BENCH_ZALO_WARMUP must be a number, 0 or more');
const ZALO_CONNECTIONS = num('BENCH_ZALO_CONNECTIONS', 16);
/**
 * Rounds, each measuring the bot and then its peer on fresh databases: this machine's speed drifts by
 * 20-30 % within minutes, so one round's ratio is one sample; the table is that of the median round.
 */
const ROUNDS = Math.trunc(num('BENCH_ROUNDS', 1));
/** BENCH_ONLY=telegram or zalo runs one half (the other's figures print as "-"). */
const ONLY = process.env.BENCH_ONLY ?? '';
if (!['', 'telegram', 'zalo'].includes(ONLY)) throw new Error('BENCH_ONLY must be telegram or zalo');
const ZALO_TOKEN = '8172635445:Zk3fQ9xLmP2vR7tYb8nW4cJ6hD1sA5eG0uK';
const ZALO_SECRET = 'bench-webhook-secret-0123456789';
/** After the last reply, this long without any reply means the bot is done. */
const QUIET_MS = 2_000;
/** Any single wait is bounded. */
const WAIT_LIMIT_MS = 180_000;
const CHAT_BASE = 500_000;
/** District offices: every question of the default form applies to them. */
const UNIT_TYPE = 'phong-gddt';
const PERIOD_ID = `${new Date().getUTCFullYear()}-Y`;

// ------------------------------------------------------------------------------------------- the script

/** Replies that mean the bot did not take the message as intended. */
const REFUSAL = /Đã có lỗi|đang ở bước xem lại|Báo cáo còn \d+ câu bắt buộc|Không đọc được|không hợp lệ|chưa nhập|vượt quá|không quá|Lệnh không|chưa liên kết|chưa được liên kết|không có kỳ|đã khóa|Vui lòng (chỉ )?nhập/i;

const NUMBER_PHRASES = ['12', 'mười hai', '3 tin', '45', 'hai mươi lăm', '7 lượt', '1.593', '2 nghìn', 'một trăm linh năm', '15', '8 đoàn', '30'];
const MONEY_PHRASES = ['10,3 triệu', '2 triệu', '500 nghìn đồng', 'một triệu hai', '0'];
const TEXTS = [
  'Đơn vị đã tổ chức tuyên truyền thường xuyên trên trang thông tin điện tử và fanpage của trường.',
  'Phối hợp với báo địa phương đưa tin về các hoạt động nổi bật của nhà trường trong kỳ.',
  'Không có',
];

/** Phrases the parser takes for this question as they are (the bench feeds only accepted answers). */
function answersFor(q: FlatQuestion): string[] {
  if (q.type === 'text') return q.required ? TEXTS.slice(0, 2) : TEXTS;
  const phrases = q.type === 'money' ? MONEY_PHRASES : NUMBER_PHRASES;
  const ok = phrases.filter((p) => parseVietnameseNumber(p, q.type as 'count' | 'money', { min: q.min, max: q.max }).ok);
  if (ok.length === 0) throw new Error(`no bench phrase fits question ${q.key}`);
  return ok;
}

interface Step {
  chat: number;
  text: string;
  /** An answer to a question (stored), not a command. */
  answer: boolean;
}

/**
 * The questions a district office is asked in a row after /nhap: every question that applies, up to the
 * last required one (then the bot offers the review, and the optional ones left are asked only on request).
 */
function askedInARow(questions: readonly FlatQuestion[]): FlatQuestion[] {
  const lastRequired = questions.map((q) => q.required).lastIndexOf(true);
  return questions.slice(0, lastRequired + 1);
}

/**
 * Every contact's messages, in rounds: the first message of every contact, then the second of every
 * contact… Each sends /nhap and answers; one in ten then sends /xem, one in ten /xacnhan.
 */
function script(questions: FlatQuestion[], contacts: number): Step[] {
  const perContact: Step[][] = [];
  for (let i = 0; i < contacts; i++) {
    const chat = CHAT_BASE + i + 1;
    const steps: Step[] = [{ chat, text: '/nhap', answer: false }];
    questions.forEach((q, j) => {
      const choices = answersFor(q);
      steps.push({ chat, text: choices[(i + j) % choices.length] as string, answer: true });
    });
    if (i % 10 === 0) steps.push({ chat, text: '/xem', answer: false });
    if (i % 10 === 5) steps.push({ chat, text: '/xacnhan', answer: false });
    perContact.push(steps);
  }
  const out: Step[] = [];
  const rounds = Math.max(...perContact.map((s) => s.length));
  for (let r = 0; r < rounds; r++) for (const steps of perContact) if (steps[r]) out.push(steps[r] as Step);
  return out;
}

/** N units of the district-office type (asked every question), one linked contact each on `channel`. */
function province(db: Db, channel: 'telegram' | 'zalo', contacts: number, now: Date): void {
  inTransaction(db, (tx) => {
    for (let i = 0; i < contacts; i++) {
      const n = String(i + 1).padStart(4, '0');
      const { unit } = upsertUnit(tx, { code: `DV-${n}`, name: `Phòng Giáo dục và Đào tạo số ${n}`, type: UNIT_TYPE, district: null }, now);
      const c = touchContact(tx, channel, String(CHAT_BASE + i + 1), `Cán bộ ${n}`, now);
      bindContact(tx, c.id, unit.id, 'contact');
    }
    // Open whatever the date: the bench must not depend on the calendar.
    setPeriodOverride(tx, PERIOD_ID, 'open', null, now);
  });
}

// ------------------------------------------------------------------------------------------- processes

interface Proc {
  child: ChildProcess;
  pid: number;
  stderr: string[];
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>, loader: 'tsx' | 'none' = 'none'): Proc {
  const prof = cpuProfileArgs();
  // Everything measured runs as shipped: plain node, the bot from its build (npm run build), no loader.
  const child = spawn(process.execPath, [...(loader === 'tsx' ? ['--import', 'tsx'] : [...prof, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)]), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, pid: child.pid as number, stderr, exited };
}

async function stop(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

async function until(what: string, cond: () => boolean, limitMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > limitMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const CLK_TCK = 100;
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
function io(pid: number): { wchar: number; syscw: number; writeBytes: number } {
  const kv = Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(': ') as [string, string]),
  );
  return { wchar: Number(kv.wchar), syscw: Number(kv.syscw), writeBytes: Number(kv.write_bytes) };
}
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}
const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

interface Usage {
  cpuMs: number;
  wchar: number;
  syscw: number;
  writeBytes: number;
  dbBytes: number;
}
function usage(pid: number, dbPath?: string): Usage {
  const w = io(pid);
  const dbBytes = dbPath ? fileSize(dbPath) + fileSize(`${dbPath}-wal`) : 0;
  return { cpuMs: cpuMs(pid), ...w, dbBytes };
}
function perUnit(a: Usage, b: Usage, n: number) {
  return {
    cpuMsPer: (b.cpuMs - a.cpuMs) / n,
    wcharPer: (b.wchar - a.wchar) / n,
    writeCallsPer: (b.syscw - a.syscw) / n,
    blockBytesPer: (b.writeBytes - a.writeBytes) / n,
    dbGrowthPer: (b.dbBytes - a.dbBytes) / n,
  };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};

// ------------------------------------------------------------------------------------------- Telegram

interface Reply {
  chat: number;
  at: number;
  text: string;
}

interface TelegramResult {
  paced: { updates: number; rate: number; p50Ms: number; p99Ms: number; maxMs: number; cpuMsPer: number; wcharPer: number; writeCallsPer: number; slowest: string[]; harness: HarnessPauses };
  burst: { updates: number; seconds: number; perSecond: number; p50Ms: number; p99Ms: number } & ReturnType<typeof perUnit>;
  peakRssMb: number;
  replies: number;
  problems: string[];
}

/** This process's own garbage-collection pauses during a phase (ms). */
interface HarnessPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

/**
 * Counts this process's collections from now until `until` (performance.now(), the last reply of the
 * phase): the fake Bot API server answers in this process, so a pause here delays the replies it records,
 * whichever bot is measured. Shown beside the latencies.
 */
function harnessPauses(): { stop(until: number): HarnessPauses } {
  const starts: { at: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) starts.push({ at: e.startTime, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop(until) {
      observer.disconnect();
      const during = starts.filter((p) => p.at <= until).map((p) => p.ms);
      return { count: during.length, totalMs: during.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...during) };
    },
  };
}

/**
 * A full collection of this process before a paced phase, so the phase starts with an empty young
 * generation: with `npm run bench`'s 64 MB one (package.json) the phase then runs without a collection
 * here. V8's gc() without --expose-gc on the command line: the flag is set first, then the function is
 * taken from a fresh context, which has it.
 */
function collectHarnessGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * The slowest updates of a phase as "latency@time" (ms; time since the phase began): several in a row
 * point to one stall of the bot (a full collection, a checkpoint), lone ones to small pauses.
 */
function slowest(lat: { ms: number[]; servedAt: number[] }, from: number, n = 12): string[] {
  return lat.ms
    .map((ms, i) => ({ ms, at: (lat.servedAt[i] ?? from) - from }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .sort((a, b) => a.at - b.at)
    .map((x) => `${x.ms.toFixed(1)}@${x.at.toFixed(0)}`);
}

/** Latency per update: from being handed out to the last reply to its chat before the chat's next update was. */
function latencies(steps: { id: number; chat: number }[], fake: FakeTelegram, replies: Reply[]): { ms: number[]; servedAt: number[]; unanswered: number } {
  const byChat = new Map<number, { id: number; served: number }[]>();
  for (const s of steps) {
    const served = fake.servedAt.get(s.id);
    if (served === undefined) continue;
    const list = byChat.get(s.chat) ?? [];
    list.push({ id: s.id, served });
    byChat.set(s.chat, list);
  }
  const repliesByChat = new Map<number, number[]>();
  for (const r of replies) {
    const list = repliesByChat.get(r.chat) ?? [];
    list.push(r.at);
    repliesByChat.set(r.chat, list);
  }
  const ms: number[] = [];
  const servedAt: number[] = [];
  let unanswered = 0;
  for (const [chat, served] of byChat) {
    served.sort((a, b) => a.served - b.served);
    const times = (repliesByChat.get(chat) ?? []).sort((a, b) => a - b);
    served.forEach((s, i) => {
      const next = served[i + 1]?.served ?? Infinity;
      const mine = times.filter((t) => t >= s.served && t < next);
      if (mine.length === 0) {
        unanswered++;
        return;
      }
      ms.push((mine.at(-1) as number) - s.served);
      servedAt.push(s.served);
    });
  }
  return { ms, servedAt, unanswered };
}

async function runTelegram(kind: 'bot' | 'echo', steps: Step[], dbPath: string | undefined, pacedRate?: number): Promise<TelegramResult> {
  const fake = await startFakeTelegram();
  const replies: Reply[] = [];
  fake.onSent = (call: SentCall) => {
    if (call.method === 'sendMessage' || call.method === 'sendDocument') {
      replies.push({ chat: Number(call.chat_id), at: performance.now(), text: String(call.body.text ?? call.body.caption ?? '') });
    }
  };
  const env: Record<string, string> = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot };
  const proc =
    kind === 'bot'
      ? start(shippedBotArgs(), {
          ...env,
          DATABASE_PATH: dbPath as string,
          LOG_LEVEL: 'warn',
          OUTGOING_THROTTLE: 'off',
          REMINDERS_ENABLED: 'false',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: '0',
          PERIOD_KINDS: 'year',
        })
      : start(['bench/peers/echo-bot.mjs'], env);
  const problems: string[] = [];
  try {
    await until(`${kind} to poll`, () => fake.polls.length > 0);
    const burstSteps = steps.slice(0, Math.max(0, steps.length - PACED));
    const pacedSteps = steps.slice(burstSteps.length);

    // 1. Burst.
    const before = usage(proc.pid, dbPath);
    const tb = performance.now();
    const ids = fake.pushMany(burstSteps.map((s) => fake.makeTextUpdate(s.chat, s.text))).map((id, i) => ({ id, chat: (burstSteps[i] as Step).chat }));
    const last = await quiet(fake, replies);
    const after = usage(proc.pid, dbPath);
    const seconds = (last - tb) / 1000;
    const burstReplies = replies.length;
    const blat = latencies(ids, fake, replies);
    if (burstReplies < burstSteps.length) problems.push(`burst: ${burstReplies} replies to ${burstSteps.length} updates`);

    // 2. Paced.
    const rate = pacedRate ?? Math.min(PACED_RATE, (PACED_SHARE * burstSteps.length) / seconds);
    const pacedIds: { id: number; chat: number }[] = [];
    // The fake server runs in this process: its own collections would land in the measured latencies.
    collectHarnessGarbage();
    const pauses = harnessPauses();
    const pacedCpuBefore = cpuMs(proc.pid);
    const pacedIoBefore = io(proc.pid);
    const t0 = performance.now();
    for (const [i, s] of pacedSteps.entries()) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pacedIds.push({ id: fake.pushText(s.chat, s.text), chat: s.chat });
    }
    const harness = pauses.stop(await quiet(fake, replies));
    // A lone message pays what a burst shares (a commit, a read, a sync, an HTTP exchange of its own).
    const pacedCpuMsPer = (cpuMs(proc.pid) - pacedCpuBefore) / pacedSteps.length;
    const pacedIo = io(proc.pid);
    const pacedWcharPer = (pacedIo.wchar - pacedIoBefore.wchar) / pacedSteps.length;
    const pacedWriteCallsPer = (pacedIo.syscw - pacedIoBefore.syscw) / pacedSteps.length;
    const lat = latencies(pacedIds, fake, replies.slice(burstReplies));
    if (lat.unanswered > 0) problems.push(`paced: ${lat.unanswered} updates without a reply`);
    if (fake.pendingUpdates > 0) problems.push(`${fake.pendingUpdates} updates never fetched`);

    // The replies must be answers, not errors or refusals.
    const bad = replies.filter((r) => (kind === 'echo' ? false : REFUSAL.test(r.text)));
    if (bad.length > 0) problems.push(`${bad.length} replies are errors or refusals, e.g. ${JSON.stringify(bad[0]?.text.slice(0, 200))}`);
    if (kind === 'echo') {
      const got = new Map<string, number>();
      for (const r of replies) got.set(`${r.chat}|${r.text}`, (got.get(`${r.chat}|${r.text}`) ?? 0) + 1);
      const missing = steps.filter((s) => {
        const k = `${s.chat}|${s.text}`;
        const n = got.get(k) ?? 0;
        if (n > 0) got.set(k, n - 1);
        return n === 0;
      }).length;
      if (missing > 0) problems.push(`echo: ${missing} texts not echoed`);
    }
    const rss = peakRssMb(proc.pid);
    const errors = proc.stderr.join('').split('\n').filter((l) => (kind === 'bot' ? /"level":"error"/.test(l) : l.trim() !== ''));
    if (errors.length > 0) problems.push(`${errors.length} error lines in the log, e.g. ${errors[0]?.slice(0, 300)}`);
    return {
      paced: { updates: pacedSteps.length, rate, p50Ms: pct(lat.ms, 50), p99Ms: pct(lat.ms, 99), maxMs: Math.max(...lat.ms), cpuMsPer: pacedCpuMsPer, wcharPer: pacedWcharPer, writeCallsPer: pacedWriteCallsPer, slowest: slowest(lat, t0), harness },
      burst: {
        updates: burstSteps.length,
        seconds,
        perSecond: burstSteps.length / seconds,
        p50Ms: pct(blat.ms, 50),
        p99Ms: pct(blat.ms, 99),
        ...perUnit(before, after, burstSteps.length),
      },
      peakRssMb: rss,
      replies: replies.length,
      problems,
    };
  } finally {
    await stop(proc);
    await fake.close();
  }
}

/** Waits until no reply came for QUIET_MS; returns when the last one came. */
async function quiet(fake: FakeTelegram, replies: Reply[]): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const last = replies.at(-1)?.at ?? t0;
    const now = performance.now();
    if (fake.pendingUpdates === 0 && now - last >= QUIET_MS) return last;
    if (now - t0 > WAIT_LIMIT_MS) throw new Error('bench: the bot did not finish in time');
  }
}

// ------------------------------------------------------------------------------------------- Zalo

interface ZaloResult {
  /** Untimed requests before the timed ones. */
  warmup: number;
  requests: number;
  ackSeconds: number;
  acksPerSecond: number;
  handledSeconds?: number;
  /** CPU of the server process (utime+stime) over the timed requests, per request. */
  cpuMsPerAck: number;
  /** CPU of this process (the client posting the load) over the timed requests, per request. */
  clientCpuMsPerAck: number;
  peakRssMb: number;
  problems: string[];
}

async function postAll(base: string, bodies: string[], secret: string): Promise<{ seconds: number; statuses: Map<number, number> }> {
  const pool = new Pool(base, { connections: ZALO_CONNECTIONS, pipelining: 1 });
  const statuses = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: ZALO_CONNECTIONS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const res = await pool.request({
          path: '/webhook/zalo',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': secret },
          body,
        });
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return { seconds, statuses };
}

/** The timed requests, with the CPU the server and this process (the client) spent on them. */
async function timedPosts(pid: number, base: string, bodies: string[]) {
  const server0 = cpuMs(pid);
  const client0 = process.cpuUsage();
  const posted = await postAll(base, bodies, ZALO_SECRET);
  const client = process.cpuUsage(client0);
  const cpu = { cpuMsPerAck: (cpuMs(pid) - server0) / bodies.length, clientCpuMsPerAck: (client.user + client.system) / 1000 / bodies.length };
  return { ...posted, cpu };
}

/**
 * Handling goes on after the acknowledgements: waits until the replies stop coming (no new one for
 * QUIET_MS, sampled every 100 ms) and returns when the last one came.
 */
async function repliesStopped(replies: readonly Reply[]): Promise<number> {
  const t0 = performance.now();
  let lastCount = -1;
  let lastChange = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const n = replies.length;
    if (n !== lastCount) {
      lastCount = n;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > QUIET_MS) return lastChange;
    if (performance.now() - t0 > WAIT_LIMIT_MS) throw new Error('bench: Zalo handling did not finish in time');
  }
}

async function runZalo(kind: 'bot' | 'bare', steps: Step[], dbPath: string | undefined): Promise<ZaloResult> {
  const all = steps.slice(0, ZALO_WARMUP + ZALO_REQUESTS).map((s, i) => JSON.stringify(zaloTextUpdate({ chatId: String(s.chat), messageId: `bench${i}`, text: s.text })));
  if (all.length < ZALO_WARMUP + ZALO_REQUESTS) throw new Error('bench: the script is shorter than the Zalo warm-up and requests');
  const warmup = all.slice(0, ZALO_WARMUP);
  const bodies = all.slice(ZALO_WARMUP);
  const problems: string[] = [];
  const checkStatuses = (statuses: Map<number, number>, sent: number, what: string) => {
    if ((statuses.get(200) ?? 0) !== sent) problems.push(`${what}: statuses ${JSON.stringify([...statuses])}`);
  };
  if (kind === 'bare') {
    const proc = start(['bench/peers/bare-http.mjs'], {});
    try {
      let port = '';
      proc.child.stdout?.setEncoding('utf8').on('data', (d: string) => (port += d));
      await until('the bare server', () => port.includes('\n'));
      const base = `http://127.0.0.1:${port.trim()}`;
      checkStatuses((await postAll(base, warmup, ZALO_SECRET)).statuses, warmup.length, 'warm-up');
      const { seconds, statuses, cpu } = await timedPosts(proc.pid, base, bodies);
      checkStatuses(statuses, bodies.length, 'timed');
      return { warmup: warmup.length, requests: bodies.length, ackSeconds: seconds, acksPerSecond: bodies.length / seconds, ...cpu, peakRssMb: peakRssMb(proc.pid), problems };
    } finally {
      await stop(proc);
    }
  }
  // The platform's side in a process of its own (bench/peers/fake-zalo.ts): serving the bot's replies
  // must not slow down the process that posts the load, which the bare server does not have to answer.
  const fakeProc = start(['bench/peers/fake-zalo.ts'], { ZALO_BOT_TOKEN: ZALO_TOKEN }, 'tsx');
  const replies: Reply[] = [];
  const fake = { apiRoot: '', webhook: false };
  let partial = '';
  fakeProc.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = JSON.parse(line) as { apiRoot?: string; webhook?: boolean } & Partial<Reply>;
      if (m.apiRoot) fake.apiRoot = m.apiRoot;
      else if (m.webhook) fake.webhook = true;
      else replies.push({ chat: m.chat!, at: m.at!, text: m.text! });
    }
  });
  await until('the fake Zalo server', () => fake.apiRoot !== '');
  const port = await freePort();
  const proc = start(shippedBotArgs(), {
    ZALO_BOT_TOKEN: ZALO_TOKEN,
    ZALO_API_ROOT: fake.apiRoot,
    ZALO_MODE: 'webhook',
    ZALO_WEBHOOK_SECRET: ZALO_SECRET,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    DATABASE_PATH: dbPath as string,
    LOG_LEVEL: 'warn',
    OUTGOING_THROTTLE: 'off',
    REMINDERS_ENABLED: 'false',
    PERIOD_KINDS: 'year',
  });
  try {
    await until('the Zalo webhook', () => fake.webhook);
    const base = `http://127.0.0.1:${port}`;
    checkStatuses((await postAll(base, warmup, ZALO_SECRET)).statuses, warmup.length, 'warm-up');
    await repliesStopped(replies);
    if (replies.length < warmup.length) problems.push(`warm-up: ${replies.length} replies to ${warmup.length} updates`);
    const { seconds, statuses, cpu } = await timedPosts(proc.pid, base, bodies);
    checkStatuses(statuses, bodies.length, 'timed');
    const t0 = performance.now();
    const ended = await repliesStopped(replies);
    if (replies.length < all.length) problems.push(`${replies.length} replies to ${all.length} updates`);
    const bad = replies.filter((r) => REFUSAL.test(r.text));
    if (bad.length > 0) problems.push(`${bad.length} replies are errors or refusals, e.g. ${JSON.stringify(bad[0]?.text.slice(0, 200))}`);
    const rss = peakRssMb(proc.pid);
    return { warmup: warmup.length, requests: bodies.length, ackSeconds: seconds, acksPerSecond: bodies.length / seconds, handledSeconds: seconds + (ended - t0) / 1000, ...cpu, peakRssMb: rss, problems };
  } finally {
    await stop(proc);
    await stop(fakeProc);
  }
}


// ------------------------------------------------------------------------------------------- main

/** One round: both halves, each beside its peer. */
interface Round {
  bot: TelegramResult;
  echo: TelegramResult;
  zaloBot: ZaloResult;
  bare: ZaloResult;
}

/** A round's headline figures (NaN for a half that did not run). */
function summary({ bot, echo, zaloBot, bare }: Round) {
  return {
    ratio: bot.burst.perSecond / echo.burst.perSecond,
    answersPerSecond: bot.burst.perSecond,
    echoAnswersPerSecond: echo.burst.perSecond,
    p99Ms: bot.paced.p99Ms,
    echoP99Ms: echo.paced.p99Ms,
    cpuMsPer: bot.burst.cpuMsPer,
    pacedCpuMsPer: bot.paced.cpuMsPer,
    peakRssMb: bot.peakRssMb,
    zaloRatio: zaloBot.acksPerSecond / bare.acksPerSecond,
    zaloAcksPerSecond: zaloBot.acksPerSecond,
    bareAcksPerSecond: bare.acksPerSecond,
    zaloPeakRssMb: zaloBot.peakRssMb,
  };
}
type RoundSummary = ReturnType<typeof summary>;

/** The figures of a half that BENCH_ONLY left out (NaN prints as "-"). */
function skippedTelegram(): TelegramResult {
  const paced = { updates: 0, rate: PACED_RATE, p50Ms: NaN, p99Ms: NaN, maxMs: NaN, cpuMsPer: NaN, wcharPer: NaN, writeCallsPer: NaN, slowest: [], harness: { count: 0, totalMs: 0, maxMs: 0 } };
  const burst = { updates: 0, seconds: NaN, perSecond: NaN, p50Ms: NaN, p99Ms: NaN, cpuMsPer: NaN, wcharPer: NaN, writeCallsPer: NaN, blockBytesPer: NaN, dbGrowthPer: NaN };
  return { paced, burst, peakRssMb: NaN, replies: 0, problems: [] };
}

function skippedZalo(): ZaloResult {
  return { warmup: 0, requests: 0, ackSeconds: NaN, acksPerSecond: NaN, cpuMsPerAck: NaN, clientCpuMsPerAck: NaN, peakRssMb: NaN, problems: [] };
}

function prepareDb(path: string, channel: 'telegram' | 'zalo', contacts?: number): { questions: FlatQuestion[]; contacts: number } {
  const db = openDatabase(path);
  try {
    const questions = askedInARow(applicableQuestions(latestFormVersion(db).form, UNIT_TYPE));
    const n = contacts ?? (process.env.BENCH_CONTACTS ? num('BENCH_CONTACTS', 0) : Math.max(MIN_CONTACTS, Math.ceil(ANSWERS / questions.length / 10) * 10));
    province(db, channel, n, new Date());
    return { questions, contacts: n };
  } finally {
    closeDatabase(db);
  }
}

function storedAnswers(path: string): number {
  const db = openDatabase(path);
  try {
    return db.select({ n: count() }).from(answers).get()?.n ?? 0;
  } finally {
    closeDatabase(db);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'baocao-bench-answers-'));
try {
  loadConfig({}); // the bench's own sanity: the defaults parse
  // The bot is measured as it ships: compiled (npm run build), run by plain node.
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  const { questions, contacts: CONTACTS } = prepareDb(join(dir, 'telegram-1.db'), 'telegram');
  const steps = script(questions, CONTACTS);
  const answerCount = steps.filter((s) => s.answer).length;
  console.log(
    `answers bench: ${CONTACTS} contacts, ${questions.length} questions each, ${steps.length} updates (${answerCount} answers); a burst, then the last ${Math.min(PACED, steps.length)} paced${ROUNDS > 1 ? `; ${ROUNDS} rounds` : ''}`,
  );

  const rounds: Round[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    let bot = skippedTelegram();
    let echo = skippedTelegram();
    if (ONLY !== 'zalo') {
      const tgDb = join(dir, `telegram-${r}.db`);
      if (r > 1) prepareDb(tgDb, 'telegram', CONTACTS);
      bot = await runTelegram('bot', steps, tgDb);
      const stored = storedAnswers(tgDb);
      if (stored !== answerCount) bot.problems.push(`${stored} answers stored, ${answerCount} sent`);
      echo = await runTelegram('echo', steps, undefined, bot.paced.rate);
    }
    let zaloBot: ZaloResult = skippedZalo();
    let bare: ZaloResult = skippedZalo();
    if (ONLY !== 'telegram') {
      const zaloDb = join(dir, `zalo-${r}.db`);
      prepareDb(zaloDb, 'zalo', CONTACTS);
      zaloBot = await runZalo('bot', steps, zaloDb);
      const zaloStored = storedAnswers(zaloDb);
      const zaloAnswers = steps.slice(0, ZALO_WARMUP + ZALO_REQUESTS).filter((s) => s.answer).length;
      if (zaloStored !== zaloAnswers) zaloBot.problems.push(`${zaloStored} answers stored, ${zaloAnswers} sent`);
      bare = await runZalo('bare', steps, undefined);
    }
    rounds.push({ bot, echo, zaloBot, bare });
  }
  const summaries = rounds.map(summary);
  // The median round by the Telegram ratio (by the Zalo one when only Zalo ran): one real run's figures, not a mix.
  const key = (i: number) => (ONLY === 'zalo' ? summaries[i]!.zaloRatio : summaries[i]!.ratio);
  const medianIndex = rounds.map((_, i) => i).sort((a, b) => key(a) - key(b))[Math.floor((rounds.length - 1) / 2)]!;
  const median = rounds[medianIndex]!;
  const { bot, echo, zaloBot, bare } = median;

  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');
  const rows: [string, string, string, string][] = [
    ['answers handled per second (burst)', f(bot.burst.perSecond), f(echo.burst.perSecond), f(bot.burst.perSecond / echo.burst.perSecond, 3)],
    [`p50 / p99 served → last reply, paced ${f(bot.paced.rate)}/s (ms)`, `${f(bot.paced.p50Ms, 2)} / ${f(bot.paced.p99Ms, 2)}`, `${f(echo.paced.p50Ms, 2)} / ${f(echo.paced.p99Ms, 2)}`, ''],
    ['harness collections in the paced phase (count, longest ms)', `${bot.paced.harness.count}, ${f(bot.paced.harness.maxMs, 1)}`, `${echo.paced.harness.count}, ${f(echo.paced.harness.maxMs, 1)}`, ''],
    ['p50 / p99 in the burst (ms, queueing included)', `${f(bot.burst.p50Ms)} / ${f(bot.burst.p99Ms)}`, `${f(echo.burst.p50Ms)} / ${f(echo.burst.p99Ms)}`, ''],
    ['CPU per answer (ms)', f(bot.burst.cpuMsPer, 3), f(echo.burst.cpuMsPer, 3), `${f(bot.burst.cpuMsPer / echo.burst.cpuMsPer, 1)}×`],
    ['CPU per paced update, all threads (ms)', f(bot.paced.cpuMsPer, 3), f(echo.paced.cpuMsPer, 3), `${f(bot.paced.cpuMsPer / echo.paced.cpuMsPer, 1)}×`],
    ['bytes written per answer (write/pwrite)', f(bot.burst.wcharPer), f(echo.burst.wcharPer), ''],
    ['write calls per answer', f(bot.burst.writeCallsPer, 1), f(echo.burst.writeCallsPer, 1), ''],
    ['bytes written / write calls per paced update', `${f(bot.paced.wcharPer)} / ${f(bot.paced.writeCallsPer, 1)}`, `${f(echo.paced.wcharPer)} / ${f(echo.paced.writeCallsPer, 1)}`, ''],
    ['bytes to the block layer per answer', f(bot.burst.blockBytesPer), f(echo.burst.blockBytesPer), ''],
    ['database + WAL growth per answer (bytes)', f(bot.burst.dbGrowthPer), '-', ''],
    ['peak RSS (MB)', f(bot.peakRssMb, 1), f(echo.peakRssMb, 1), ''],
    [`Zalo webhook acknowledgements per second (after ${f(ZALO_WARMUP)} untimed, ${ZALO_CONNECTIONS} connections)`, f(zaloBot.acksPerSecond), f(bare.acksPerSecond), f(zaloBot.acksPerSecond / bare.acksPerSecond, 3)],
    ['Zalo: CPU per acknowledgement, server / client posting the load (ms)', `${f(zaloBot.cpuMsPerAck, 3)} / ${f(zaloBot.clientCpuMsPerAck, 3)}`, `${f(bare.cpuMsPerAck, 3)} / ${f(bare.clientCpuMsPerAck, 3)}`, `${f(zaloBot.cpuMsPerAck / bare.cpuMsPerAck, 1)}×`],
    ['Zalo: all handled and replied (s)', f(zaloBot.handledSeconds ?? NaN, 2), '-', ''],
    ['Zalo peak RSS (MB)', f(zaloBot.peakRssMb, 1), f(bare.peakRssMb, 1), ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  console.log(`| ${'figure'.padEnd(w0)} | this bot | peer (echo bot / bare node:http) | ratio |`);
  console.log(`| ${'-'.repeat(w0)} | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r[0].padEnd(w0)} | ${r[1]} | ${r[2]} | ${r[3]} |`);
  console.log(`slowest paced updates of the bot (latency ms @ ms into the phase): ${bot.paced.slowest.join(' ')}`);
  if (rounds.length > 1) {
    console.log(`the table is round ${medianIndex + 1} of ${rounds.length}, the median by ${ONLY === 'zalo' ? 'the Zalo ratio' : 'answers per second against the echo bot'}; each round:`);
    for (const [i, x] of summaries.entries()) {
      console.log(
        `  round ${i + 1}: ratio ${f(x.ratio, 3)} (${f(x.answersPerSecond)} / ${f(x.echoAnswersPerSecond)}), p99 paced ${f(x.p99Ms, 2)} ms (echo ${f(x.echoP99Ms, 2)}), CPU ${f(x.cpuMsPer, 3)} ms (paced ${f(x.pacedCpuMsPer, 3)}), peak RSS ${f(x.peakRssMb, 1)} MB; Zalo ${f(x.zaloRatio, 3)} (${f(x.zaloAcksPerSecond)} / ${f(x.bareAcksPerSecond)}), peak RSS ${f(x.zaloPeakRssMb, 1)} MB`,
      );
    }
    const spread = (pick: (x: RoundSummary) => number, d: number) => {
      const v = summaries.map(pick).filter(Number.isFinite);
      return v.length === 0 ? '-' : `${f(Math.min(...v), d)}–${f(Math.max(...v), d)}`;
    };
    console.log(
      `  spread: ratio ${spread((x) => x.ratio, 3)}, p99 paced ${spread((x) => x.p99Ms, 2)} ms (echo ${spread((x) => x.echoP99Ms, 2)}), peak RSS ${spread((x) => x.peakRssMb, 1)} MB; Zalo ${spread((x) => x.zaloRatio, 3)}, peak RSS ${spread((x) => x.zaloPeakRssMb, 1)} MB`,
    );
  }
  const problems = rounds.flatMap((x, i) => {
    const at = rounds.length > 1 ? ` (round ${i + 1})` : '';
    return [
      ...x.bot.problems.map((p) => `bot${at}: ${p}`),
      ...x.echo.problems.map((p) => `echo${at}: ${p}`),
      ...x.zaloBot.problems.map((p) => `zalo${at}: ${p}`),
      ...x.bare.problems.map((p) => `bare${at}: ${p}`),
    ];
  });
  for (const p of problems) console.log(`PROBLEM ${p}`);
  console.log(
    JSON.stringify({
      bench: 'answers',
      contacts: CONTACTS,
      updates: steps.length,
      answers: answerCount,
      telegram: { bot, echo, ratio: summaries[medianIndex]!.ratio },
      zalo: { bot: zaloBot, bare, ratio: summaries[medianIndex]!.zaloRatio },
      round: medianIndex + 1,
      rounds: summaries,
      ok: problems.length === 0,
    }),
  );
  if (problems.length > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
