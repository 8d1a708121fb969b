import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';
import { toWall } from '../domain/periods';
import type { Db } from '../storage/db';
import { BACKUP_NAME, backupDatabase, backupFileName } from '../storage/backup';

/**
 * The optional daily backup (BACKUP_DIR, BACKUP_KEEP): once per local day a consistent copy of the
 * database is written to BACKUP_DIR (at start if today has none yet, then at the first check of each
 * new day), and only the newest BACKUP_KEEP copies are kept. A failure is logged and tried again at the
 * next hourly check; it never stops the bot.
 */

const CHECK_MS = 60 * 60_000;

export interface BackupSchedule {
  /** Resolves when a backup under way has finished. */
  stop(): Promise<void>;
}

export function startDailyBackup(opts: { db: Db; dir: string; keep: number; timeZone: string; log: Logger; clock: () => Date }): BackupSchedule {
  const { db, dir, keep, timeZone, log, clock } = opts;
  let running: Promise<void> | null = null;
  let stopped = false;
  const existing = () => {
    try {
      return readdirSync(dir).filter((f) => BACKUP_NAME.test(f)).sort();
    } catch {
      return [];
    }
  };
  const check = () => {
    if (stopped || running) return;
    const now = clock();
    const today = toWall(now, timeZone).format('YYYY-MM-DD');
    if (existing().some((f) => BACKUP_NAME.exec(f)?.[1] === today)) return;
    running = backupDatabase(db, join(dir, backupFileName(now, timeZone)))
      .then((info) => {
        const files = existing();
        for (const old of files.slice(0, Math.max(0, files.length - keep))) rmSync(join(dir, old), { force: true });
        log.info('daily backup written', { path: info.path, bytes: info.bytes, kept: Math.min(files.length, keep) });
      })
      .catch((err: unknown) => log.error('daily backup failed', { err }))
      .finally(() => {
        running = null;
      });
  };
  check();
  const timer = setInterval(check, CHECK_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
