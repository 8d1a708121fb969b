import { afterEach, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from 'grammy';
import { createRateLimitedSender, createRateLimiter, type LimiterClock } from '../bot/outbox/rate-limiter';
import { throttlerOptions, TELEGRAM_LIMITS, TELEGRAM_RETRY } from '../bot/outbox/telegram';
import { telegramReminderSender } from '../bot/outbox/telegram-sender';
import { createTelegramBot } from '../bot/telegram/bot';
import type { AppDeps } from '../handlers/types';
import type { ContactRow } from '../storage/schema';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { closeDeps, makeDeps, tempDir } from './helpers/harness';

/**
 * The generic outgoing queue (used by Zalo): spacing overall and per chat, order per chat, bounded
 * concurrency and bounded retries. Time is virtual: a clock whose timers fire when the test advances it.
 */

class VirtualClock implements LimiterClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimer = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Runs timers in time order (letting promise callbacks settle in between) until none is left. */
  async run(limitMs = 10 * 60_000): Promise<void> {
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (!next) return;
      if (next.at > limitMs) throw new Error('virtual clock ran too long');
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
  }
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** Most starts seen in any window of `windowMs` (sliding, like the platforms count). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    // (1e-6: spacing of 1000/24 ms is not exact in floating point; the platforms count whole ms.)
    while (sorted[hi]! - sorted[lo]! >= windowMs - 1e-6) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('createRateLimiter', () => {
  test('spaces sends overall: 10 per second means one every 100 ms, and never 11 in a second', async () => {
    const clock = new VirtualClock();
    const limiter = createRateLimiter({ perSecond: 10 }, clock);
    const starts: number[] = [];
    const done = Array.from({ length: 25 }, (_, i) => limiter.schedule(`chat${i}`, async () => void starts.push(clock.t)));
    await clock.run();
    await Promise.all(done);
    expect(starts).toEqual(Array.from({ length: 25 }, (_, i) => i * 100));
    expect(maxInWindow(starts, 1000)).toBe(10);
  });

  test('one chat waits for its turn without holding back the others, and keeps its order', async () => {
    const clock = new VirtualClock();
    const limiter = createRateLimiter({ perSecond: 100, perChatPerSecond: 1 }, clock);
    const log: string[] = [];
    const jobs = ['a1', 'a2', 'b1', 'a3', 'c1', 'b2'].map((name) => limiter.schedule(name[0]!, async () => void log.push(`${name}@${clock.t}`)));
    await clock.run();
    await Promise.all(jobs);
    expect(log).toEqual(['a1@0', 'b1@10', 'c1@20', 'a2@1000', 'b2@1010', 'a3@2000']);
  });

  test('maxConcurrent bounds the sends in flight', async () => {
    const clock = new VirtualClock();
    const limiter = createRateLimiter({ perSecond: 1000, maxConcurrent: 2 }, clock);
    let inFlight = 0;
    let peak = 0;
    const jobs = Array.from({ length: 8 }, (_, i) =>
      limiter.schedule(`c${i}`, async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((r) => clock.setTimer(r, 50));
        inFlight--;
      }),
    );
    await clock.run();
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(limiter.running).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  test('a failing send rejects its own promise only', async () => {
    const clock = new VirtualClock();
    const limiter = createRateLimiter({ perSecond: 50 }, clock);
    const bad = limiter.schedule('x', async () => {
      throw new Error('refused');
    });
    const good = limiter.schedule('y', async () => 'ok');
    await clock.run();
    await expect(bad).rejects.toThrow('refused');
    await expect(good).resolves.toBe('ok');
    await limiter.idle();
  });

  test('whatever the arrival pattern, no sliding second holds more than the limits allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 3000 }), chat: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 30 }),
        async (arrivals, perSecond) => {
          const clock = new VirtualClock();
          const limiter = createRateLimiter({ perSecond, perChatPerSecond: 1 }, clock);
          const starts: { chat: number; t: number }[] = [];
          const jobs: Promise<unknown>[] = [];
          for (const a of arrivals) {
            clock.setTimer(() => {
              jobs.push(limiter.schedule(String(a.chat), async () => void starts.push({ chat: a.chat, t: clock.t })));
            }, a.delay);
          }
          await clock.run();
          await Promise.all(jobs);
          expect(starts).toHaveLength(arrivals.length);
          expect(maxInWindow(starts.map((s) => s.t), 1000)).toBeLessThanOrEqual(perSecond);
          for (let chat = 1; chat <= 5; chat++) expect(maxInWindow(starts.filter((s) => s.chat === chat).map((s) => s.t), 1000)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('however late each send arrives before its answer, no sliding second of arrivals holds more than the limits', async () => {
    // The platform counts a send when it arrives: anywhere between leaving and its answer coming back.
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            delay: fc.integer({ min: 0, max: 2000 }),
            chat: fc.integer({ min: 1, max: 4 }),
            duration: fc.integer({ min: 0, max: 400 }),
            arrival: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 30 }),
        async (sends, perSecond) => {
          const clock = new VirtualClock();
          const limiter = createRateLimiter({ perSecond, perChatPerSecond: 1 }, clock);
          const arrivals: { chat: number; t: number }[] = [];
          const jobs: Promise<unknown>[] = [];
          for (const s of sends) {
            clock.setTimer(() => {
              jobs.push(
                limiter.schedule(String(s.chat), async () => {
                  arrivals.push({ chat: s.chat, t: clock.t + Math.floor(s.arrival * s.duration) });
                  await new Promise<void>((r) => clock.setTimer(r, s.duration));
                }),
              );
            }, s.delay);
          }
          await clock.run();
          await Promise.all(jobs);
          expect(arrivals).toHaveLength(sends.length);
          expect(maxInWindow(arrivals.map((a) => a.t), 1000)).toBeLessThanOrEqual(perSecond);
          for (let chat = 1; chat <= 4; chat++) expect(maxInWindow(arrivals.filter((a) => a.chat === chat).map((a) => a.t), 1000)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('refuses limits that are not positive', () => {
    expect(() => createRateLimiter({ perSecond: 0 })).toThrow(RangeError);
    expect(() => createRateLimiter({ perSecond: 5, perChatPerSecond: -1 })).toThrow(RangeError);
    expect(() => createRateLimiter({ perSecond: 5, maxConcurrent: 0 })).toThrow(RangeError);
  });
});

describe('createRateLimitedSender', () => {
  test('sends through the queue and retries transient failures a bounded number of times', async () => {
    const calls: string[] = [];
    let failuresLeft = 2;
    const transient = new Error('busy');
    const send = createRateLimitedSender(
      { perSecond: 1000, perChatPerSecond: 1000 },
      async (chatId: string, text: string) => {
        calls.push(`${chatId}:${text}`);
        if (failuresLeft-- > 0) throw transient;
        return 'sent';
      },
      { retry: { retries: 3, retryable: (e) => e === transient }, sleep: async () => undefined },
    );
    await expect(send('u1', 'xin chào')).resolves.toBe('sent');
    expect(calls).toEqual(['u1:xin chào', 'u1:xin chào', 'u1:xin chào']);

    const never = createRateLimitedSender({ perSecond: 1000 }, async () => {
      calls.push('never');
      throw transient;
    }, { retry: { retries: 2, retryable: () => true }, sleep: async () => undefined });
    calls.length = 0;
    await expect(never('u2')).rejects.toBe(transient);
    expect(calls).toHaveLength(3);

    const permanent = createRateLimitedSender({ perSecond: 1000 }, async () => {
      calls.push('permanent');
      throw new Error('403');
    }, { retry: { retries: 5, retryable: (e) => e === transient }, sleep: async () => undefined });
    calls.length = 0;
    await expect(permanent('u3')).rejects.toThrow('403');
    expect(calls).toHaveLength(1);
  });
});

describe('Telegram throttler settings', () => {
  test('spacing keeps 30 messages per sliding second, groups 20 per minute, private chats in order', () => {
    const o = throttlerOptions(TELEGRAM_LIMITS);
    // Exactly 1/30 s: the margin for late arrivals is the arrival guard's job (tested with the limiter).
    expect(o.global.minTime).toBeCloseTo(1000 / 30, 6);
    expect(o.group).toMatchObject({ reservoir: 20, reservoirRefreshAmount: 20, reservoirRefreshInterval: 60_000, maxConcurrent: 1 });
    expect(o.out).toEqual({ maxConcurrent: 1 });
  });
});

describe('the Telegram outgoing queue against the fake Bot API server', () => {
  let fake: FakeTelegram | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  let deps: AppDeps | undefined;
  afterEach(async () => {
    await fake?.close();
    if (deps) closeDeps(deps);
    tmp?.cleanup();
    fake = tmp = deps = undefined;
  });

  async function bot() {
    tmp = tempDir();
    deps = makeDeps(`${tmp.dir}/bot.db`);
    fake = await startFakeTelegram({ rateLimit: { global: 30, perChat: 1 } });
    return createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, deps });
  }

  test('auto-retry honours retry_after, but at most 3 retries, and never a wait longer than 30 s', async () => {
    const b = await bot();
    const f = fake!;
    f.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 0', retry_after: 0 }, 2);
    await b.api.sendMessage(42, 'sau hai lần 429');
    expect(f.messagesTo(42)).toEqual(['sau hai lần 429']);

    f.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 0', retry_after: 0 }, 10);
    const before = f.rejected.length;
    await expect(b.api.sendMessage(43, 'không bao giờ tới')).rejects.toMatchObject({ error_code: 429 });
    expect(f.rejected.length - before).toBe(1 + TELEGRAM_RETRY.maxRetryAttempts);

    f.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 60', retry_after: 60 }, 1);
    const t0 = Date.now();
    await expect(b.api.sendMessage(44, 'chờ quá lâu')).rejects.toMatchObject({ error_code: 429 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(f.messagesTo(43)).toEqual([]);
    expect(f.messagesTo(44)).toEqual([]);
  });

  test('a network failure is retried twice, then reported', async () => {
    let attempts = 0;
    const dead = http.createServer((req) => {
      attempts++;
      req.socket.destroy();
    });
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    try {
      tmp = tempDir();
      deps = makeDeps(`${tmp.dir}/bot.db`);
      const b = createTelegramBot({ token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', apiRoot: `http://127.0.0.1:${(dead.address() as AddressInfo).port}`, deps });
      await expect(b.api.sendMessage(45, 'mạng hỏng')).rejects.toBeInstanceOf(HttpError);
      expect(attempts).toBe(1 + TELEGRAM_RETRY.networkRetries);
    } finally {
      await new Promise((r) => dead.close(r));
    }
  });

  test('messages the bot sends on its own: one per second to a chat, in order, other chats meanwhile', async () => {
    const b = await bot();
    const f = fake!;
    const send = telegramReminderSender(b);
    const contact = (chat: number) => ({ externalId: String(chat) }) as ContactRow;
    await Promise.all([
      send(contact(50), [{ text: 'một' }, { text: 'hai' }, { text: 'ba' }]),
      ...Array.from({ length: 20 }, (_, i) => send(contact(100 + i), [{ text: `tin ${i}` }])),
    ]);
    const delivered = f.callsOf('sendMessage');
    const times = delivered.filter((c) => Number(c.chat_id) === 50).map((c) => c.time);
    expect(f.messagesTo(50)).toEqual(['một', 'hai', 'ba']);
    // Spaced by a second (plus the margin) at the sender, so never closer than that on arrival, give or take jitter.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
    // The other chats did not queue behind chat 50's spacing: most of them arrived before its second message.
    const others = delivered.filter((c) => Number(c.chat_id) !== 50).map((c) => c.time);
    expect(others).toHaveLength(20);
    expect(others.filter((t) => t < times[1]!).length).toBeGreaterThanOrEqual(15);
    // (How many 429s a round meets is the benchmark's figure, bench/reminders.bench.ts, not a timed test's.)
  });
});
