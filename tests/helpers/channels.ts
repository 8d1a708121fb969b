import { freePort } from './free-port';
import { expect } from 'vitest';
import { startRuntime, type Runtime } from '../../bot/http/runtime';
import type { AppDeps } from '../../handlers/types';
import type { DemoSeed } from '../../storage/demo-seed';
import { currentAnswers, findSubmission } from '../../storage/repositories/submissions';
import type { AnswerValue } from '../../domain/form';
import { displayInviteCode } from '../../domain/invite-code';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server';
import { startFakeZalo, zaloTextUpdate, type FakeZalo } from '../fakes/zalo-server';
import { closeDeps, H1_CLOCK, makeDeps, seed, tempDir } from './harness';

/**
 * Shared by the channel tests: a whole app (runtime + fakes + temp SQLite file), chat drivers that speak
 * to it through the fake platforms, and the submission conversation as data.
 */

export const ZALO_TOKEN = '8172635445:Zk3fQ9xLmP2vR7tYb8nW4cJ6hD1sA5eG0uK';
export const PERIOD_ID = '2026-H1';

export { freePort } from './free-port';

export interface AppOptions {
  telegram?: 'polling' | 'webhook';
  zalo?: 'polling' | 'webhook';
  /** No PUBLIC_URL at all (Zalo polling without report links). */
  noPublicUrl?: boolean;
  env?: Record<string, string>;
  clock?: () => Date;
  /** Where the database file lives (default: a fresh temp folder), e.g. a small tmpfs. */
  dbDir?: string;
  /** Called with the open database before the runtime starts (e.g. to leave rows in the inbox). */
  beforeStart?: (deps: AppDeps, demo: DemoSeed) => void;
}

export interface App {
  deps: AppDeps;
  demo: DemoSeed;
  runtime: Runtime;
  tg: FakeTelegram | undefined;
  zalo: FakeZalo | undefined;
  baseUrl: string;
  dbPath: string;
  codeOf(unitCode: string): string;
  unitIdOf(unitCode: string): number;
  answersOf(unitCode: string): Record<string, AnswerValue | null>;
  close(): Promise<void>;
}

export async function startApp(opts: AppOptions): Promise<App> {
  const tmp = tempDir('baocao-channels-');
  const dbPath = `${opts.dbDir ?? tmp.dir}/bot.db`;
  const tg = opts.telegram ? await startFakeTelegram() : undefined;
  const zalo = opts.zalo ? await startFakeZalo({ token: ZALO_TOKEN, requireHttpsWebhook: false, maxPollMs: 500 }) : undefined;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), LOG_LEVEL: 'silent', ...(opts.noPublicUrl ? {} : { PUBLIC_URL: baseUrl }) };
  if (tg) Object.assign(env, { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: opts.telegram });
  // A scripted conversation answers in milliseconds; the 1-per-second per-chat default (tested with the
  // limiter itself) would only make these tests slow.
  if (zalo) Object.assign(env, { ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_API_ROOT: zalo.apiRoot, ZALO_MODE: opts.zalo, ZALO_PER_CHAT_PER_SECOND: '100' });
  Object.assign(env, opts.env);
  const deps = makeDeps(dbPath, opts.clock ?? (() => H1_CLOCK), env);
  const demo = seed(deps);
  opts.beforeStart?.(deps, demo);
  const runtime = await startRuntime(deps);
  await runtime.ready;
  const unitIdOf = (code: string) => demo.units.find((u) => u.unit.code === code)!.unit.id;
  return {
    deps,
    demo,
    runtime,
    tg,
    zalo,
    baseUrl,
    dbPath,
    codeOf: (code) => displayInviteCode(demo.units.find((u) => u.unit.code === code)!.invite.code),
    unitIdOf,
    answersOf(code) {
      const sub = findSubmission(deps.db, unitIdOf(code), PERIOD_ID);
      return sub ? currentAnswers(deps.db, sub.id) : {};
    },
    async close() {
      await runtime.stop();
      await tg?.close();
      await zalo?.close();
      closeDeps(deps);
      tmp.cleanup();
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Chat drivers: one person typing in one chat, reading the bot's replies in order.
// ------------------------------------------------------------------------------------------------

export interface Chat {
  send(text: string): Promise<void>;
  /** Waits for the next reply (after those already read) containing `expected`; returns it. */
  expectReply(expected: string, timeoutMs?: number): Promise<string>;
  /** Waits until the bot finished with everything sent so far, and marks all replies read. */
  settle(): Promise<void>;
}

/** A Zalo user; updates arrive by getUpdates (polling) or by the fake's webhook call. */
export function zaloChat(app: App, chatId: string, fromName = 'Nguyễn Thị Lan'): Chat {
  const fake = app.zalo!;
  let cursor = 0;
  const isMine = (c: { method: string; body: Record<string, unknown> }) => c.method === 'sendMessage' && c.body.chat_id === chatId;
  return {
    async send(text) {
      const update = zaloTextUpdate({ chatId, text, fromName });
      if (fake.webhook.url) {
        const res = await fake.deliverWebhook(update);
        expect(res.status).toBe(200);
      } else {
        fake.pushUpdate(update);
      }
    },
    async expectReply(expected, timeoutMs = 5000) {
      const from = cursor;
      const call = await fake
        .waitFor((c) => isMine(c) && fake.sent.indexOf(c) >= from && String(c.body.text).includes(expected), timeoutMs)
        .catch(() => {
          const unread = fake.sent.slice(from).filter(isMine).map((c) => String(c.body.text).slice(0, 120));
          throw new Error(`Zalo ${chatId}: no reply containing ${JSON.stringify(expected)}; unread: ${JSON.stringify(unread)}`);
        });
      cursor = fake.sent.indexOf(call) + 1;
      return String(call.body.text);
    },
    async settle() {
      await app.runtime.idle();
      cursor = fake.sent.length;
    },
  };
}

/** A Telegram user; updates arrive by getUpdates (polling) or are POSTed to our webhook. */
export function telegramChat(app: App, chatId: number): Chat {
  const tg = app.tg!;
  return {
    async send(text) {
      if (tg.webhook) {
        const res = await tg.postUpdateToWebhook(tg.webhook.url, tg.makeTextUpdate(chatId, text), tg.webhook.secret_token);
        expect(res.status).toBe(200);
      } else {
        tg.pushText(chatId, text);
      }
    },
    expectReply(expected, timeoutMs = 5000) {
      return tg.waitForMessage(chatId, (t) => t.includes(expected), timeoutMs);
    },
    async settle() {
      await app.runtime.idle();
      await tg.waitForIdle(30);
      tg.skipMessages(chatId);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// The submission conversation of the first slice, as data: "send X, expect a reply containing Y".
// {CODE} and {UNIT} are filled in per run. Bad inputs are in it on purpose: each gets a clear message
// and changes nothing.
// ------------------------------------------------------------------------------------------------

export interface Step {
  send: string;
  expect: string;
}

export const SUBMISSION_SCRIPT: readonly Step[] = [
  { send: '/start {CODE}', expect: 'Đã liên kết tài khoản với {UNIT}' },
  { send: '/nhap', expect: 'Câu 1/33' },
  { send: '560', expect: 'Câu 2/33' },
  { send: '285 nghìn', expect: 'Câu 3/33' },
  { send: 'nhiều lắm', expect: 'Vui lòng nhập lại câu 3' },
  { send: '8.500', expect: 'Câu 4/33' },
  { send: '/quaylai', expect: 'Câu trả lời hiện tại: 8.500 lớp' },
  { send: '8.600', expect: 'Câu 4/33' },
  { send: '17,5 nghìn', expect: 'Câu 5/33' },
  { send: '40', expect: 'Câu 6/33' },
  { send: '12 hoặc 13', expect: 'Đơn vị muốn ghi số nào' },
  { send: '2', expect: 'Câu 7/33' },
  { send: 'không', expect: 'Câu 8/33' },
  { send: '14 tin, bài', expect: 'Câu 9/33' },
  { send: '10', expect: 'Câu 10/33' },
  { send: '7', expect: 'Câu 11/33' },
  { send: '6', expect: 'Câu 12/33' },
  { send: '5', expect: 'Câu 13/33' },
  { send: '3', expect: 'Câu 14/33' },
  { send: '1.048', expect: 'Câu 15/33' },
  { send: '2,1 triệu', expect: 'Câu 16/33' },
  { send: '1tr9', expect: 'Câu 17/33' },
  { send: '3', expect: 'Câu 18/33' },
  { send: '6', expect: 'Câu 19/33' },
  { send: '1', expect: 'Câu 20/33' },
  { send: '2', expect: 'Câu 21/33' },
  { send: '120 lượt người', expect: 'Câu 22/33' },
  { send: 'không', expect: 'Câu 23/33' },
  { send: '0', expect: 'Câu 24/33' },
  { send: 'ko', expect: 'Câu 25/33' },
  { send: '6', expect: 'Câu 26/33' },
  { send: '1 triệu rưỡi', expect: 'Câu 27/33' },
  { send: '/boqua', expect: 'Câu 28/33' },
  // The last required answer (no text is required): the review offers to confirm, or to go on with the
  // optional questions ("3").
  { send: '5', expect: 'Kiểm tra kỹ rồi xác nhận' },
  { send: '3', expect: 'Câu 29/33' },
  { send: 'Tổ chức cuộc thi tìm hiểu về biển, đảo Việt Nam cho học sinh.', expect: 'Câu 30/33' },
  { send: '👍', expect: 'cần có chữ hoặc số' },
  { send: 'Duy trì chuyên mục gương điển hình trên trang thông tin điện tử.', expect: 'Câu 31/33' },
  { send: '/boqua', expect: 'Câu 32/33' },
  { send: '/boqua', expect: 'Câu 33/33' },
  { send: 'Đề nghị Sở tổ chức tập huấn kỹ năng sản xuất video ngắn.', expect: 'Kiểm tra kỹ rồi xác nhận' },
  { send: '/xem', expect: 'Kiểm tra kỹ rồi xác nhận' },
  { send: '2', expect: 'Đơn vị muốn sửa câu nào' },
  { send: '5', expect: 'Câu 5/33' },
  { send: '45', expect: 'Câu 5 · Tin tức - Sự kiện: 45 tin, bài' },
  { send: '/sua 14', expect: 'Câu 14/33' },
  { send: '1.080', expect: 'video đã đăng: 1.080' },
  { send: '1', expect: 'Đã xác nhận báo cáo' },
];

/** What the script stores, whatever the channel. */
export const SCRIPT_ANSWERS: Record<string, AnswerValue | null> = {
  profile_institutions: 560,
  profile_pupils: 285_000,
  profile_classes: 8600,
  profile_staff: 17_500,
  portal_news_events: 45,
  portal_party_ideology: 13,
  portal_role_models: 0,
  portal_admin_reform: 14,
  portal_grassroots: 10,
  portal_legal_education: 7,
  portal_education_reform: 6,
  portal_exams: 5,
  portal_other: 3,
  digital_posts: 1080,
  digital_views: 2_100_000,
  digital_interactions: 1_900_000,
  press_info_provided: 3,
  press_articles: 6,
  press_false_info_handled: 1,
  training_sessions: 2,
  training_participants: 120,
  intl_delegations_received: 0,
  intl_delegations_sent: 0,
  intl_agreements: 0,
  intl_foreign_students: 6,
  intl_support_money: 1_500_000,
  intl_activities_text: null,
  campaign_activities: 5,
  campaign_text: 'Tổ chức cuộc thi tìm hiểu về biển, đảo Việt Nam cho học sinh.',
  assess_results_text: 'Duy trì chuyên mục gương điển hình trên trang thông tin điện tử.',
  assess_shortcomings_text: null,
  assess_causes_text: null,
  assess_proposals_text: 'Đề nghị Sở tổ chức tập huấn kỹ năng sản xuất video ngắn.',
};

/** Plays the script in one chat; every step waits for its reply, then for the bot to finish. */
export async function playScript(chat: Chat, vars: { CODE: string; UNIT: string }, script: readonly Step[] = SUBMISSION_SCRIPT): Promise<string[]> {
  const fill = (s: string) => s.replaceAll('{CODE}', vars.CODE).replaceAll('{UNIT}', vars.UNIT);
  const seen: string[] = [];
  for (const step of script) {
    await chat.send(fill(step.send));
    seen.push(await chat.expectReply(fill(step.expect)));
    await chat.settle();
  }
  return seen;
}
