/**
 * Cold start and idle memory of the compiled bot (`node dist/bot/main.js`, as `npm start` runs it after
 * its build), beside a bare grammY bot (bench/bare-bot.mjs) measured in the same run against the same
 * fake Bot API server. An update waits on the server before each process starts; cold start is the time
 * from spawning the process to the server receiving the answer. Idle RSS is the process's resident memory
 * 3 s after that answer, read from /proc. Each bot is started RUNS times, alternately; medians are shown.
 *
 * Run: npm run build && npx tsx bench/startup.bench.ts     (part of npm run bench; about 30 s)
 *      BENCH_RUNS (default 5); BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the bot's starts.
 * Targets: cold start ≤ 3 × the bare bot, idle RSS ≤ 100 MB. Prints a table and one JSON line; asserts nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeTelegram, type FakeTelegram } from '../tests/fakes/telegram-server';
import { cpuProfileArgs, shippedBotArgs } from './shipped';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? '5');
const IDLE_MS = 3_000;
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 100;

if (!existsSync(join(ROOT, 'dist/bot/main.js'))) throw new Error('dist/ is missing: run npm run build first');

const dir = mkdtempSync(join(tmpdir(), 'baocao-startup-'));
const fake: FakeTelegram = await startFakeTelegram({ longPollCapMs: 1_000 });

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

interface Sample {
  coldMs: number;
  rssMb: number;
}

let chat = 50_000;
async function measure(argv: string[], env: Record<string, string>, firstText: string): Promise<Sample> {
  const chatId = ++chat;
  fake.pushText(chatId, firstText);
  const t0 = Date.now();
  const proc = spawn(process.execPath, argv, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await fake.waitForMessage(chatId, () => true, 30_000);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`no answer from ${argv.join(' ')}: ${String(err)}\n${stderr}`);
  }
  const answered = fake.callsOf('sendMessage').find((c) => Number(c.body.chat_id) === chatId)!.time;
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = rssMb(proc.pid!);
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  return { coldMs: answered - t0, rssMb: rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const common = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot };

const bare: Sample[] = [];
const ours: Sample[] = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(await measure(['bench/bare-bot.mjs'], common, 'hello'));
  // Each run on its own database with an office code, made beforehand by the compiled CLI (not timed):
  // a restart of a deployed bot, whose database exists.
  const env = { ...common, DATABASE_PATH: join(dir, `run-${i}.db`), OUTPUT_DIR: join(dir, 'out'), LOG_LEVEL: 'warn', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0' };
  const invite = execFileSync(process.execPath, ['dist/cli.js', 'office', 'invite'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }).toString();
  const code = /: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(invite)![1]!;
  const prof = cpuProfileArgs();
  ours.push(await measure([...prof, ...shippedBotArgs()], env, `/start ${code}`));
}
await fake.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  bench: 'startup',
  runs: RUNS,
  bareGrammy: { coldStartMs: median(bare.map((s) => s.coldMs)), idleRssMb: Math.round(median(bare.map((s) => s.rssMb)) * 10) / 10 },
  baocaoBot: { coldStartMs: median(ours.map((s) => s.coldMs)), idleRssMb: Math.round(median(ours.map((s) => s.rssMb)) * 10) / 10 },
  coldStartRatio: 0,
  targets: { coldStartRatio: TARGET_RATIO, idleRssMb: TARGET_RSS_MB },
  withinTargets: false,
};
result.coldStartRatio = Math.round((result.baocaoBot.coldStartMs / result.bareGrammy.coldStartMs) * 100) / 100;
result.withinTargets = result.coldStartRatio <= TARGET_RATIO && result.baocaoBot.idleRssMb <= TARGET_RSS_MB;

const row = (name: string, s: { coldStartMs: number; idleRssMb: number }) => `${name.padEnd(30)} ${String(s.coldStartMs).padStart(10)} ${s.idleRssMb.toFixed(1).padStart(14)}`;
console.log(`Cold start to the first answered update, and idle RSS (median of ${RUNS} runs each)`);
console.log(`${'process'.padEnd(30)} ${'cold (ms)'.padStart(10)} ${'idle RSS (MB)'.padStart(14)}`);
console.log(row('bare grammY bot', result.bareGrammy));
console.log(row('baocao-bot (node dist/)', result.baocaoBot));
console.log(`ratio ${result.coldStartRatio} (target ≤ ${TARGET_RATIO}); idle RSS target ≤ ${TARGET_RSS_MB} MB: ${result.withinTargets ? 'met' : 'NOT met'}`);
console.log(JSON.stringify(result));
