import { afterEach, describe, expect, test } from 'vitest';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Update } from 'grammy/types';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { freePort } from './helpers/channels';
import { tempDir } from './helpers/harness';
import { ALWAYS_OPEN_ENV, botProvince, inspectDatabase, killAllBotProcesses, startBotProcess, type BotProcess } from './helpers/bot-process';
import { answers, inbox, submissions } from '../storage/schema';

/**
 * 30 people fill in the first questions of the form, each waiting for the bot's answer before typing the
 * next one, while the bot process (the real bot/main.ts) is SIGKILLed 8 times at random moments and
 * started again. Telegram redelivers what was not acknowledged: by polling, the fake Bot API keeps every
 * update until a getUpdates offset confirms it; by webhook, this test posts each update until it gets a
 * 200, as Telegram does. In the end no answer is lost or doubled and every person has the reply to their
 * last message (a reply may repeat only when it was on its way at a kill).
 */

const PEOPLE = 30;
const KILLS = 8;
const SCRIPT = ['/nhap', '11', '12', '13'];
const SECRET = 'random-kills-webhook-secret-0123456789';

let tmp: ReturnType<typeof tempDir> | undefined;
let tg: FakeTelegram | undefined;
let stopDelivering = false;

afterEach(async () => {
  stopDelivering = true;
  await killAllBotProcesses();
  await tg?.close();
  tmp?.cleanup();
  tmp = tg = undefined;
});

/** A seeded pseudo-random sequence, so a failing run can be replayed (the seed is in the test name). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function conversationsUnderKills(mode: 'polling' | 'webhook', seed: number): Promise<void> {
  stopDelivering = false;
  tmp = tempDir(`baocao-kills-${mode}-`);
  const dbPath = `${tmp.dir}/bot.db`;
  const { chats } = botProvince(dbPath, PEOPLE, mode === 'polling' ? 830_000 : 840_000);
  tg = await startFakeTelegram({ longPollCapMs: 1000 });
  const fake = tg;
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_PATH: dbPath,
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_MODE: mode,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    ...(mode === 'webhook' ? { PUBLIC_URL: `http://127.0.0.1:${port}`, TELEGRAM_WEBHOOK_SECRET: SECRET } : {}),
    ...ALWAYS_OPEN_ENV,
  };
  const ready = mode === 'polling' ? 'telegram polling started' : 'telegram webhook set';
  let bot: BotProcess = startBotProcess(env);
  const outputs: string[] = [];

  /** Telegram's side of a webhook: the same update again until our server acknowledges it. */
  async function deliver(update: Update): Promise<void> {
    while (!stopDelivering) {
      const url = fake.webhook?.url;
      if (url) {
        const ok = await fake.postUpdateToWebhook(url, update, SECRET).then((r) => r.status === 200, () => false);
        if (ok) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function converse(chat: number): Promise<void> {
    for (const [i, text] of SCRIPT.entries()) {
      if (mode === 'polling') fake.pushText(chat, text);
      else await deliver(fake.makeTextUpdate(chat, text));
      await fake.waitForMessage(chat, (t) => t.includes(`Câu ${i + 1}/`), 280_000).catch((err: unknown) => {
        throw new Error(`${String(err)}\nbot output:\n${bot.output().slice(-6000)}`);
      });
    }
  }

  const next = random(seed);
  const killer = (async () => {
    for (let k = 0; k < KILLS; k++) {
      await bot.waitFor(ready, 60_000);
      // A random moment while the people are typing and the replies are going out.
      await new Promise((r) => setTimeout(r, 150 + next() * 1200));
      bot.kill('SIGKILL');
      await bot.exited;
      outputs.push(bot.output());
      bot = startBotProcess(env);
    }
  })();
  await Promise.all([killer, ...chats.map(converse)]);
  await bot.waitFor(ready, 60_000);
  bot.kill('SIGTERM');
  expect((await bot.exited).code, bot.output()).toBe(0);

  inspectDatabase(dbPath, ({ db }) => {
    // Every update handled exactly once; every answer stored once, in order.
    expect(db.select().from(inbox).where(and(eq(inbox.channel, 'telegram'), isNotNull(inbox.processedAt))).all()).toHaveLength(PEOPLE * SCRIPT.length);
    const subs = db.select().from(submissions).all();
    expect(subs).toHaveLength(PEOPLE);
    for (const s of subs) {
      const values = db.select().from(answers).where(eq(answers.submissionId, s.id)).orderBy(answers.id).all().map((r) => JSON.parse(r.value) as number);
      expect(values).toEqual(SCRIPT.slice(1).map(Number));
    }
  });
  // The kills happened while there was work: not every process got to the end of its life quietly.
  expect(outputs).toHaveLength(KILLS);
  for (const chat of chats) expect(fake.messagesTo(chat).some((t) => t.includes(`Câu ${SCRIPT.length}/`))).toBe(true);
}

describe(`${PEOPLE} conversations while the bot is killed ${KILLS} times`, () => {
  test('polling (seed 9001)', async () => {
    await conversationsUnderKills('polling', 9001);
  }, 400_000);

  test('webhook (seed 9002)', async () => {
    await conversationsUnderKills('webhook', 9002);
  }, 400_000);
});
