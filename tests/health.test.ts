import { afterEach, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inbox } from '../storage/schema';
import { startApp, telegramChat, type App } from './helpers/channels';

/**
 * /healthz tells the monitoring when nothing can be stored, and nothing is acknowledged then: the
 * full disk (root only: a small tmpfs; otherwise skipped with the reason printed), the database file made
 * read-only (root only, with the immutable flag; otherwise skipped likewise), deleted or replaced under the running bot. Webhook deliveries
 * during the trouble get no 200 unless the update really is in the inbox; once the trouble is gone, the
 * platform's redelivery is accepted and answered.
 */

let app: App | undefined;
let mounted: string | undefined;
let undo: (() => void) | undefined;
afterEach(async () => {
  try {
    undo?.();
  } catch {
    // already undone
  }
  undo = undefined;
  await app?.close().catch(() => undefined);
  app = undefined;
  if (mounted) {
    try {
      execFileSync('umount', ['-l', mounted]);
    } catch {
      // already gone
    }
    rmSync(mounted, { recursive: true, force: true });
    mounted = undefined;
  }
});

/** A small tmpfs of our own, or the reason there cannot be one. */
function smallDisk(): string | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: 'not running as root: cannot mount a small tmpfs' };
  const dir = mkdtempSync(join(tmpdir(), 'baocao-health-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir], { stdio: 'pipe' });
    return (mounted = dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount not permitted here (${String(err).split('\n')[0]})` };
  }
}

const health = async (a: App) => {
  const res = await fetch(`${a.baseUrl}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; problem?: string } };
};

/** Delivers one update as Telegram does; returns the status and the update id. */
async function deliver(a: App, chat: number, text: string): Promise<{ status: number; updateId: number }> {
  const u = a.tg!.makeTextUpdate(chat, text);
  const res = await a.tg!.postUpdateToWebhook(a.tg!.webhook!.url, u, a.tg!.webhook!.secret_token).catch(() => ({ status: 0 }));
  return { status: res.status, updateId: u.update_id };
}

interface Trouble {
  name: string;
  needsDisk: boolean;
  /** Makes the trouble; returns how to end it (null: it cannot be undone, the bot must be restarted). */
  start: (a: App, dir: string) => (() => void) | null;
  problem: string;
}

const TROUBLES: Trouble[] = [
  {
    name: 'the disk is full',
    needsDisk: true,
    start: (_a, dir) => {
      const filler = join(dir, 'filler');
      const fd = openSync(filler, 'w');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch {
        // ENOSPC: full
      } finally {
        closeSync(fd);
      }
      return () => unlinkSync(filler);
    },
    problem: 'disk-full',
  },
  {
    // Root may write any file whatever its mode bits, and an open descriptor keeps its rights: only the
    // immutable flag (ext4, xfs, btrfs) makes a running SQLite's writes fail as a read-only mount would.
    name: 'the database file is made read-only',
    needsDisk: false,
    start: (a) => {
      const files = [a.dbPath, `${a.dbPath}-wal`].filter((f) => existsSync(f));
      for (const f of files) execFileSync('chattr', ['+i', f], { stdio: 'pipe' });
      return () => {
        for (const f of files) execFileSync('chattr', ['-i', f], { stdio: 'pipe' });
      };
    },
    problem: 'not-writable',
  },
  {
    name: 'the database file is deleted',
    needsDisk: false,
    start: (a) => {
      unlinkSync(a.dbPath);
      return null;
    },
    problem: 'file-replaced',
  },
  {
    name: 'the database file is replaced by another one',
    needsDisk: false,
    start: (a) => {
      writeFileSync(`${a.dbPath}.other`, 'not our database');
      renameSync(`${a.dbPath}.other`, a.dbPath);
      return null;
    },
    problem: 'file-replaced',
  },
];

describe('/healthz and acknowledgements when nothing can be stored', () => {
  test.each(TROUBLES)('$name', async (t) => {
    let dir: string | undefined;
    if (t.needsDisk) {
      const disk = smallDisk();
      if (typeof disk !== 'string') {
        console.log(`skipped "${t.name}": ${disk.reason}`);
        return;
      }
      dir = disk;
    }
    app = await startApp({ telegram: 'webhook', ...(dir ? { dbDir: dir } : {}) });
    const a = app;
    expect((await health(a)).status).toBe(200);
    const chat = telegramChat(a, 6161);
    await chat.send(`/start ${a.codeOf('PGD-DALAT')}`);
    await chat.expectReply('Đã liên kết');
    await chat.settle();

    let end: (() => void) | null;
    try {
      end = t.start(a, dir ?? '');
    } catch (err) {
      // chattr needs root and a file system that has the flag (ext4, xfs…).
      console.log(`skipped "${t.name}": ${String(err).split('\n')[0]}`);
      return;
    }
    if (end) undo = end;
    const h = await health(a);
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ ok: false, problem: t.problem });

    // Deliveries during the trouble: a 200 only for what is really stored.
    const during = [await deliver(a, 6161, '/nhap'), await deliver(a, 6162, '/trogiup')];
    if (t.problem === 'file-replaced') expect(during.map((d) => d.status)).toEqual([500, 500]);
    if (t.problem === 'not-writable') expect(during.map((d) => d.status)).toEqual([500, 500]);
    if (!end) return;

    end();
    undo = undefined;
    expect((await health(a)).status).toBe(200);
    const stored = new Set(a.deps.db.select().from(inbox).all().map((r) => Number(r.updateKey)));
    for (const d of during) if (d.status === 200) expect(stored.has(d.updateId), `update ${d.updateId} acknowledged`).toBe(true);
    // The platform delivers again what was not acknowledged; now it is taken and answered.
    const again = await deliver(a, 6161, '/nhap');
    expect(again.status).toBe(200);
    await chat.expectReply('Câu 1/33', 15_000);
  }, 60_000);
});
