import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import { silentLogger } from '../../log';
import { openDatabase, closeDatabase, type Db } from '../../storage/db';
import { seedDemo, type DemoSeed } from '../../storage/demo-seed';
import type { AppDeps } from '../../handlers/types';
import { createTelegramBot } from '../../bot/telegram/bot';
import { startTelegramPolling } from '../../bot/telegram/channel';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server';

/** Inside the H1 2026 window (opens 20/4, due 05/5): /nhap picks 2026-H1. */
export const H1_CLOCK = new Date('2026-05-01T03:00:00Z');

export function tempDir(prefix = 'baocao-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeDeps(dbPath: string, clock: () => Date = () => H1_CLOCK, env: Record<string, string> = {}): AppDeps {
  const config = loadConfig({ DATABASE_PATH: dbPath, ...env });
  return { db: openDatabase(dbPath), config, log: silentLogger, clock };
}

export function seed(deps: AppDeps): DemoSeed {
  return seedDemo(deps.db, deps.clock(), deps.config.calendar);
}

/** The real bot, long-polling the fake Bot API server. */
export async function startTelegramApp(deps: AppDeps, fake: FakeTelegram): Promise<{ stop: () => Promise<void> }> {
  const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, deps });
  const runner = await startTelegramPolling(bot, deps);
  return {
    stop: () => runner.close(),
  };
}

export function closeDeps(deps: AppDeps): void {
  closeDatabase(deps.db);
}

export type { Db };

/** A real bot long-polling a fake Bot API server, on a fresh database in a temp folder. */
export interface TelegramTestApp {
  fake: FakeTelegram;
  deps: AppDeps;
  dbPath: string;
  /** Sends a text from `chat` and waits for the first reply containing `expected`. */
  say(chat: number, text: string, expected: string | RegExp): Promise<string>;
  /** Stops the bot and closes the database, then starts a new instance on the same file, as a restart does. */
  restart(clock?: () => Date): Promise<void>;
  close(): Promise<void>;
}

export async function startTelegramTestApp(
  opts: { clock?: () => Date; env?: Record<string, string>; botUsername?: string; prepare?: (deps: AppDeps) => void } = {},
): Promise<TelegramTestApp> {
  const tmp = tempDir();
  const dbPath = `${tmp.dir}/bot.db`;
  const fake = await startFakeTelegram(opts.botUsername ? { botUsername: opts.botUsername } : {});
  const deps = makeDeps(dbPath, opts.clock, opts.env);
  opts.prepare?.(deps);
  let app = await startTelegramApp(deps, fake);
  const self: TelegramTestApp = {
    fake,
    deps,
    dbPath,
    say: (chat, text, expected) => {
      fake.pushText(chat, text);
      return fake.waitForMessage(chat, (t) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t)));
    },
    restart: async (clock) => {
      await app.stop();
      closeDeps(self.deps);
      self.deps = makeDeps(dbPath, clock ?? opts.clock, opts.env);
      app = await startTelegramApp(self.deps, fake);
    },
    close: async () => {
      await app.stop();
      await fake.close();
      closeDeps(self.deps);
      tmp.cleanup();
    },
  };
  return self;
}
