import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import { silentLogger } from '../../log';
import { openDatabase, closeDatabase, type Db } from '../../storage/db';
import { seedDemo, type DemoSeed } from '../../storage/demo-seed';
import type { AppDeps } from '../../handlers/types';
import { createTelegramBot, startTelegramPolling } from '../../bot/telegram/bot';
import type { FakeTelegram } from '../fakes/telegram-server';

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
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}

export function closeDeps(deps: AppDeps): void {
  closeDatabase(deps.db);
}

export type { Db };
