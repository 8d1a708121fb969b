/**
 * A reminder round to 2,000 contacts through the real scheduler, the real grammY client with the outgoing
 * queue (throttler + auto-retry) and the fake Bot API server enforcing 30 messages per second overall
 * (1 per second per chat), on a real SQLite file.
 *
 * Run: npx tsx bench/reminders.bench.ts            (about 70 s)
 *      BENCH_TIME_SCALE=4 npx tsx bench/reminders.bench.ts   (time runs 4× faster: both the fake server and
 *      the queue allow 4 × 30 messages per second; the ratio and the 429s mean the same thing)
 * While the round runs, 100 of the contacts also get 3 more messages each through the same queue (as a
 * digest or a multi-part message would), so the per-chat limit (1 per second) is exercised too.
 * Prints the round's duration, the rate-limit floor (messages / messages per second), their ratio
 * (target ≤ 1.05), the closest two messages to one chat came, and the number of 429 answers (target 0 in
 * every run: the queue holds the limits as the server counts them, on arrival, whatever the jitter).
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from 'grammy';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { closeDatabase, openDatabase } from '../storage/db';
import { createReminderScheduler } from '../handlers/reminders/scheduler';
import { initiatedApi, installTelegramOutbox, TELEGRAM_LIMITS } from '../bot/outbox/telegram';
import { sendThrough } from '../bot/outbox/telegram-sender';
import { startFakeTelegram } from '../tests/fakes/telegram-server';
import { populateProvince } from '../tests/fixtures/scheduler-child';
import { reply } from '../domain/replies';

const CONTACTS = 2_000;
const scale = Number(process.env.BENCH_TIME_SCALE ?? '1');
if (!(scale > 0)) throw new Error('BENCH_TIME_SCALE must be a positive number');
// Saturday 02/5/2026 10:00 in Hà Nội: before-3 of 2026-H1 is due for everyone.
const NOW = new Date('2026-05-02T03:00:00Z');

const dir = mkdtempSync(join(tmpdir(), 'baocao-bench-'));
const config = loadConfig({ DATABASE_PATH: join(dir, 'bench.db'), PERIOD_KINDS: 'half,year', LOG_LEVEL: 'info' });
const db = openDatabase(config.databasePath);
const deps = { db, config, log: createLogger('info'), clock: () => NOW };
const province = populateProvince(db, { units: CONTACTS, periodId: '2026-H1', now: NOW });

const perSecond = TELEGRAM_LIMITS.perSecond * scale;
const fake = await startFakeTelegram({ rateLimit: { global: Math.round(perSecond), perChat: Math.max(1, Math.round(scale)) } });
const limits = { ...TELEGRAM_LIMITS, perSecond, perChatPerSecond: TELEGRAM_LIMITS.perChatPerSecond * scale };
const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
installTelegramOutbox(bot.api, limits);
const send = sendThrough(initiatedApi(bot, limits));
const scheduler = createReminderScheduler(deps, { telegram: send });
const EXTRA_CHATS = 100;
const EXTRA_EACH = 3;
const extraTo = province.contacts.slice(0, EXTRA_CHATS);

const t0 = performance.now();
const [[report]] = await Promise.all([
  scheduler.tick(),
  Promise.all(extraTo.map((c) => send(c, Array.from({ length: EXTRA_EACH }, (_, i) => reply(`Tin thử số ${i + 1} gửi đơn vị.`))))),
]);
const seconds = (performance.now() - t0) / 1000;

const messages = CONTACTS + EXTRA_CHATS * EXTRA_EACH;
const floor = messages / perSecond;
const perChat = new Map<string, number>();
for (const c of fake.callsOf('sendMessage')) perChat.set(String(c.chat_id), (perChat.get(String(c.chat_id)) ?? 0) + 1);
const arrivals = fake.callsOf('sendMessage').map((c) => c.time);
const spread = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
const byChat = new Map<string, number[]>();
for (const c of fake.callsOf('sendMessage')) byChat.set(String(c.chat_id), [...(byChat.get(String(c.chat_id)) ?? []), c.time]);
let closest = Infinity;
for (const times of byChat.values()) for (let i = 1; i < times.length; i++) closest = Math.min(closest, (times[i] as number) - (times[i - 1] as number));

console.log(`reminder round: ${CONTACTS} contacts, limit ${TELEGRAM_LIMITS.perSecond} msg/s, time scale ×${scale} (${perSecond} msg/s on the wall clock)`);
console.log(`  sent ${report?.sent ?? 0}, failed ${report?.failed ?? 0}; contacts reached exactly once: ${[...perChat.values()].filter((n) => n === 1).length}`);
console.log(`  ${EXTRA_CHATS} chats got ${1 + EXTRA_EACH} messages each; closest two messages to one chat: ${closest} ms (limit ${1000 / Math.max(1, Math.round(scale))} ms)`);
console.log(`  ${messages} messages; duration ${seconds.toFixed(2)} s (first to last message ${spread.toFixed(2)} s); floor ${floor.toFixed(2)} s`);
console.log(`  duration / floor = ${(seconds / floor).toFixed(3)} (target ≤ 1.05)`);
console.log(`  429 answers: ${fake.tooManyRequests} (target 0)`);
console.log(
  JSON.stringify({
    bench: 'reminders',
    contacts: CONTACTS,
    messages,
    timeScale: scale,
    seconds,
    floorSeconds: floor,
    ratio: seconds / floor,
    closestPerChatMs: closest,
    tooManyRequests: fake.tooManyRequests,
  }),
);

await fake.close();
closeDatabase(db);
rmSync(dir, { recursive: true, force: true });
