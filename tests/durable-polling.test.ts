import { afterEach, describe, expect, test } from 'vitest';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { tempDir } from './helpers/harness';
import { ALWAYS_OPEN_ENV, botProvince, inspectDatabase, killAllBotProcesses, startBotProcess, until } from './helpers/bot-process';
import { answers, inbox, outbox, submissions } from '../storage/schema';
import { countPendingOutbox } from '../storage/repositories/outbox';

/**
 * A burst in polling mode, then the process dies (SIGKILL) or is stopped (SIGTERM) the moment Telegram has
 * been told (by the getUpdates offset) that every update arrived: 40 people × 5 messages. After a restart
 * every update is handled exactly once, every answer is stored once, and each person has the reply to their
 * last message. The bot is the real bot/main.ts in a child process, on a real SQLite file.
 */

const USERS = 40;
const MESSAGES = ['/nhap', '10', '20', '30', '40'];
const CHAT_BASE = 810_000;

let tmp: ReturnType<typeof tempDir> | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  await killAllBotProcesses();
  await tg?.close();
  tmp?.cleanup();
  tmp = tg = undefined;
});

function botEnv(dbPath: string, fake: FakeTelegram): Record<string, string> {
  return { DATABASE_PATH: dbPath, TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', ...ALWAYS_OPEN_ENV };
}

const inspect = inspectDatabase;

async function burstThenStop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  tmp = tempDir('baocao-burst-');
  const dbPath = `${tmp.dir}/bot.db`;
  const { chats } = botProvince(dbPath, USERS, CHAT_BASE);
  // No rate limit in the fake: the bot's own throttler (30 messages/s) is the bottleneck, as with Telegram.
  tg = await startFakeTelegram({ longPollCapMs: 1000 });
  const fake = tg;
  const first = startBotProcess(botEnv(dbPath, fake));
  await first.waitFor('telegram polling started');

  for (const text of MESSAGES) for (const chat of chats) fake.pushText(chat, text);
  const total = USERS * MESSAGES.length;
  // The moment the platform counts every update as delivered (the next getUpdates confirmed them all).
  await until(() => fake.pendingUpdates === 0, 'the burst to be confirmed', 60_000, first.output);
  const t0 = Date.now();
  first.kill(signal);
  const exit = await first.exited;
  if (signal === 'SIGTERM') {
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(16_000);
  } else expect(exit.signal).toBe('SIGKILL');
  const repliesAtStop = fake.callsOf('sendMessage').length;

  // What the stopped process left: every update is in the inbox (acknowledged means stored), and the
  // replies not yet delivered wait in the outbox.
  let unsentAtStop = 0;
  inspect(dbPath, ({ db }) => {
    expect(db.select().from(inbox).where(eq(inbox.channel, 'telegram')).all()).toHaveLength(total);
    unsentAtStop = countPendingOutbox(db, 'telegram');
  });
  const unhandledAtStop = (() => {
    let n = 0;
    inspect(dbPath, ({ db }) => (n = db.select().from(inbox).where(isNull(inbox.processedAt)).all().length));
    return n;
  })();
  // A kill must leave work behind, or the test would prove nothing. A SIGTERM may drain everything within its
  // grace period on a fast machine; what it must never do is lose or double anything, checked below.
  if (signal === 'SIGKILL') expect(unsentAtStop + unhandledAtStop, `replies delivered before the stop: ${repliesAtStop}`).toBeGreaterThan(0);

  const second = startBotProcess(botEnv(dbPath, fake));
  // Stopped only once it runs: a signal during Node's own start-up (before main.ts is loaded) is not ours to handle.
  await second.waitFor('telegram polling started');
  const lastReplied = (chat: number) => fake.messagesTo(chat).some((t) => t.includes(`Câu ${MESSAGES.length}/`));
  await until(() => chats.every(lastReplied), 'every last message to be answered', 150_000, () => second.output().slice(-3000));
  second.kill('SIGTERM');
  expect((await second.exited).code, second.output()).toBe(0);

  inspect(dbPath, ({ db }) => {
    // Each update's inbox row carries its de-duplication mark: stored once (unique key), marked once.
    expect(db.select().from(inbox).where(and(eq(inbox.channel, 'telegram'), isNotNull(inbox.processedAt))).all()).toHaveLength(total);
    expect(db.select().from(inbox).where(isNull(inbox.processedAt)).all()).toHaveLength(0);
    expect(countPendingOutbox(db, 'telegram')).toBe(0);
    const subs = db.select().from(submissions).all();
    expect(subs).toHaveLength(USERS);
    for (const s of subs) {
      const rows = db.select().from(answers).where(eq(answers.submissionId, s.id)).orderBy(answers.id).all();
      expect(rows.map((r) => JSON.parse(r.value) as number)).toEqual([10, 20, 30, 40]);
    }
  });
  // Every question reached its person; a message may repeat only if it was in flight at the kill.
  for (const chat of chats) {
    const texts = fake.messagesTo(chat);
    for (let q = 1; q <= MESSAGES.length; q++) expect(texts.filter((t) => t.includes(`Câu ${q}/`)).length, `chat ${chat}, question ${q}`).toBeGreaterThanOrEqual(1);
  }
  // Deliveries beyond the queued messages are repeats: only the sends in flight at a kill may repeat.
  let queued = 0;
  inspect(dbPath, ({ db }) => (queued = db.select().from(outbox).all().length));
  const repeats = fake.callsOf('sendMessage').length - queued;
  expect(repeats).toBeGreaterThanOrEqual(0);
  expect(repeats).toBeLessThanOrEqual(signal === 'SIGKILL' ? 64 : 0);
}

describe('a burst in polling mode survives the process', () => {
  test('SIGKILL right after the burst was confirmed: nothing lost, nothing doubled', async () => {
    await burstThenStop('SIGKILL');
  }, 240_000);

  test('SIGTERM right after the burst was confirmed: exits 0 in bounded time, nothing lost', async () => {
    await burstThenStop('SIGTERM');
  }, 240_000);
});
