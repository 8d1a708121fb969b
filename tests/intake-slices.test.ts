import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Intake } from '../bot/http/intake';
import { silentLogger } from '../log';
import { inbox } from '../storage/schema';
import { closeDatabase, openDatabase, type Db } from '../storage/db';

/**
 * The intake's scheduling, on a real SQLite file: one person's updates never overlap and keep their order,
 * people take turns, a poller is held back (the rest waits at the platform) while 1,000 stored updates
 * wait for handling in memory, and while webhook deliveries keep coming their acknowledgements come first
 * without stopping the handling.
 */

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-intake-'));
  db = openDatabase(join(dir, 'bot.db'));
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

interface U {
  user: string;
  n: number;
}

function intake(handle: (u: U) => Promise<void>): Intake<U> {
  const i = new Intake<U>({ db, channel: 'telegram', log: silentLogger, clock: () => new Date(), handle, orderKey: (u) => u.user, decode: (j) => JSON.parse(j) as U });
  i.recover();
  return i;
}

describe('intake', () => {
  it('keeps each person in order, never two of one person at once, and lets people take turns', async () => {
    const log: string[] = [];
    const running = new Set<string>();
    const i = intake(async (u) => {
      expect(running.has(u.user)).toBe(false);
      running.add(u.user);
      await new Promise((r) => setImmediate(r));
      log.push(`${u.user}${u.n}`);
      running.delete(u.user);
    });
    await i.acceptBatch([1, 2, 3].flatMap((n) => ['a', 'b'].map((user) => ({ updateKey: `${user}${n}`, payload: { user, n } }))));
    await i.idle();
    expect(log.filter((x) => x.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(log.filter((x) => x.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    // Turns: b's first update is handled before a's second.
    expect(log.indexOf('b1')).toBeLessThan(log.indexOf('a2'));
    expect(db.select().from(inbox).all().every((r) => r.processedAt !== null)).toBe(true);
  });

  it('holds a poller back while 1,000 updates wait, and lets it go on once handling catches up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const i = intake(() => gate);
    await i.acceptBatch(Array.from({ length: 999 }, (_, n) => ({ updateKey: `u${n}`, payload: { user: `p${n}`, n } })));
    let roomGiven = false;
    await i.room();
    await i.acceptBatch([{ updateKey: 'u999', payload: { user: 'p999', n: 999 } }]);
    void i.room().then(() => (roomGiven = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(i.pending).toBe(1000);
    expect(roomGiven).toBe(false);
    // Stopping never waits for the room.
    const stopping = new AbortController();
    const stopped = i.room(stopping.signal);
    stopping.abort();
    await stopped;
    release();
    await i.idle();
    expect(roomGiven).toBe(true);
    expect(db.select().from(inbox).all().filter((r) => r.processedAt === null)).toEqual([]);
  });

  it('in a flood of webhook deliveries (over 1,000 a second), starts an update only every 20 ms, then catches up', async () => {
    let handled = 0;
    const i = intake(async () => {
      handled++;
    });
    // Twenty deliveries per turn of the timers for 200 ms (over 2,000 a second even if a turn takes 10 ms),
    // each a different person (nothing holds handling back but the deliveries): every one is stored and may
    // be acknowledged at once.
    const outcomes: Promise<'stored' | 'duplicate'>[] = [];
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 200) {
      for (let k = 0; k < 20; k++, n++) outcomes.push(i.acceptSoon(`w${n}`, { user: `p${n}`, n }));
      await new Promise((r) => setTimeout(r, 1));
    }
    const duringFlood = handled;
    const elapsed = performance.now() - t0;
    expect(await Promise.all(outcomes)).toEqual(outcomes.map(() => 'stored'));
    // Handling went on, far behind the deliveries: small slices until the first 100 deliveries made it a
    // flood, then at most one update every 20 ms.
    expect(duringFlood).toBeGreaterThan(0);
    expect(duringFlood).toBeLessThanOrEqual(100 + Math.ceil(elapsed / 20) + 1);
    expect(duringFlood).toBeLessThan(n / 4);
    await i.idle();
    expect(handled).toBe(n);
    expect(db.select().from(inbox).all().filter((r) => r.processedAt === null)).toEqual([]);
  });

  it('keeps up with a steady stream of deliveries below a flood (here about 400 a second), between their acknowledgements', async () => {
    let handled = 0;
    let running = 0;
    let mostAtOnce = 0;
    const i = intake(async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((r) => setImmediate(r));
      running--;
      handled++;
    });
    const outcomes: Promise<'stored' | 'duplicate'>[] = [];
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 400) {
      outcomes.push(i.acceptSoon(`s${n}`, { user: `p${n}`, n }));
      n++;
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(outcomes);
    // Waiting for the last acknowledgements gave the last few their turn; none of the stream is left behind
    // (one update every 5 ms, as before, would have left about half of it).
    expect(n).toBeGreaterThan(20);
    expect(handled).toBeGreaterThanOrEqual(n - 4);
    // Between deliveries a slice starts at most four updates, so a delivery never waits behind more.
    expect(mostAtOnce).toBeLessThanOrEqual(4);
    await i.idle();
    expect(handled).toBe(n);
  });
});
