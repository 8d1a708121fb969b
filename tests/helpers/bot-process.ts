import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultPeriod } from '../../domain/period-status';
import type { AppDeps } from '../../handlers/types';
import { openPeriods } from '../../storage/repositories/periods';
import { populateProvince } from '../fixtures/scheduler-child';
import { closeDeps, makeDeps } from './harness';

/**
 * bot/main.ts as a real child process (node with the tsx loader, as a service manager starts it), for the
 * crash, stop and log tests. Output (stdout and stderr) is collected; `kill` sends a real signal.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BotProcess {
  readonly proc: ChildProcess;
  output(): string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `text` appears in the output (rejects after `timeoutMs`, quoting the output). */
  waitFor(text: string | ((out: string) => boolean), timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

export function startBotProcess(env: Record<string, string>): BotProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', REMINDERS_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let out = '';
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => {
      running.delete(proc);
      r({ code, signal });
    }),
  );
  return {
    proc,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitFor(text, timeoutMs = 60_000) {
      const ok = typeof text === 'string' ? (o: string) => o.includes(text) : text;
      const end = Date.now() + timeoutMs;
      while (!ok(out)) {
        if (Date.now() > end) throw new Error(`bot process: timed out waiting for ${String(text)}; output:\n${out.slice(-4000)}`);
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`bot process exited (${proc.exitCode ?? proc.signalCode}) while waiting for ${String(text)}; output:\n${out.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

/** For afterEach: no child outlives its test. */
export async function killAllBotProcesses(): Promise<void> {
  const waits = [...running].map((p) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r()))));
  for (const p of running) p.kill('SIGKILL');
  await Promise.all(waits);
}

export async function until(cond: () => boolean, what: string, timeoutMs = 30_000, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail() ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Some period is always open with these, whatever the date the suite runs on (the child runs on the real clock). */
export const ALWAYS_OPEN_ENV = { PERIOD_OPEN_DAYS_BEFORE: '120', PERIOD_CLOSE_DAYS_AFTER: '365' };

/** A database with `units` units, each with one bound Telegram contact (chat ids chatBase + 1, + 2, …). */
export function botProvince(dbPath: string, units: number, chatBase: number): { chats: number[] } {
  const deps = makeDeps(dbPath, () => new Date(), ALWAYS_OPEN_ENV);
  const now = new Date();
  const period = defaultPeriod(openPeriods(deps.db, now, deps.config.calendar), now)!;
  const p = populateProvince(deps.db, { units, periodId: period.id, chatBase, now });
  closeDeps(deps);
  return { chats: p.contacts.map((c) => Number(c.externalId)) };
}

/** Reads the file a bot process wrote (with the process stopped or killed). */
export function inspectDatabase<T>(dbPath: string, f: (deps: AppDeps) => T): T {
  const deps = makeDeps(dbPath, () => new Date(), ALWAYS_OPEN_ENV);
  try {
    return f(deps);
  } finally {
    closeDeps(deps);
  }
}
