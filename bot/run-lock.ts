import { mkdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * A running bot marks its database with `<DATABASE_PATH>.pid` (its pid, host and start) so that
 * `cli restore` can refuse to replace the file under it. The mark is refreshed every half minute:
 * on the same host a live pid decides; from another host or container (which cannot see the pid) a mark
 * refreshed within the last 90 seconds does. A crash leaves a stale mark, which is then ignored.
 */

const REFRESH_MS = 30_000;
const FRESH_MS = 90_000;

export interface RunMark {
  pid: number;
  host: string;
  startedAt: string;
}

export const runMarkPath = (databasePath: string) => `${databasePath}.pid`;

export function holdRunMark(databasePath: string, now = new Date()): { release(): void } {
  const path = runMarkPath(databasePath);
  if (databasePath === ':memory:') return { release: () => undefined };
  mkdirSync(dirname(path), { recursive: true });
  const mark: RunMark = { pid: process.pid, host: hostname(), startedAt: now.toISOString() };
  writeFileSync(path, JSON.stringify(mark) + '\n');
  const timer = setInterval(() => {
    try {
      utimesSync(path, new Date(), new Date());
    } catch {
      // Deleted by hand: write it again, a restore must still see us.
      writeFileSync(path, JSON.stringify(mark) + '\n');
    }
  }, REFRESH_MS);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      // Another bot started on the same file since: its mark is not ours to remove.
      if (readMark(path)?.pid === process.pid) unlinkSync(path);
    },
  };
}

function readMark(path: string): RunMark | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunMark;
  } catch {
    return null;
  }
}

/** The bot running on this database, if any. */
export function runningBot(databasePath: string, now = Date.now()): RunMark | null {
  const path = runMarkPath(databasePath);
  const mark = readMark(path);
  if (!mark) return null;
  if (mark.host === hostname()) {
    if (mark.pid === process.pid) return null;
    try {
      process.kill(mark.pid, 0);
      return mark;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? mark : null;
    }
  }
  try {
    return now - statSync(path).mtimeMs < FRESH_MS ? mark : null;
  } catch {
    return null;
  }
}
