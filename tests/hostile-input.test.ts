import { afterEach, describe, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import { unzipSync, strFromU8 } from 'fflate';
import { DEFAULT_FORM, flattenForm } from '../domain/form';
import { hasUnsafeChars, safeText } from '../domain/safe-text';
import type { TableSpec } from '../domain/export-layout';
import { createInvite, currentInviteForUnit } from '../storage/repositories/invites';
import { findSubmission } from '../storage/repositories/submissions';
import { findUnitByCode, upsertUnit } from '../storage/repositories/units';
import { answers, contacts, inbox, processedUpdates, units } from '../storage/schema';
import { readSpreadsheet, readWorkbook, SpreadsheetError } from '../templates/spreadsheet/read';
import { writeCsv, writeXlsx } from '../templates/spreadsheet/write';
import { appDeps, say, workspace } from './fixtures/admin-helpers';
import { startApp, type App } from './helpers/channels';
import { H1_CLOCK, seed, startTelegramTestApp, type TelegramTestApp } from './helpers/harness';
import { openDatabase, closeDatabase } from '../storage/db';
import { seedDemo } from '../storage/demo-seed';
import type { Reply } from '../domain/replies';

/**
 * Hostile and odd input, as data: each case sends what a real platform or person could send and checks
 * that nothing leaks or breaks: group events and buttons never touch private state or show unit data,
 * characters a file format forbids never reach a file, webhooks refuse updates of the wrong shape, and
 * spreadsheet programs never see a formula in what a person typed.
 */

const PRINCIPAL = 4101;
const GROUP = -100_777;

let tgApp: TelegramTestApp | undefined;
let app: App | undefined;
afterEach(async () => {
  await tgApp?.close();
  await app?.close();
  tgApp = app = undefined;
});

// ------------------------------------------------------------------------------------------------
// Group chats (Telegram, a real bot polling the fake Bot API)
// ------------------------------------------------------------------------------------------------

interface GroupCase {
  name: string;
  /** Sends the hostile update(s) after the principal linked the account and started the form. */
  act: (a: TelegramTestApp) => void;
  /** A hint may be shown, but never any unit data. */
  hintIn?: 'group' | 'button';
}

const groupUser = { id: PRINCIPAL, first_name: 'Lan', is_bot: false };

const GROUP_CASES: GroupCase[] = [
  {
    name: 'the bot removed from a group (my_chat_member kicked) leaves the private chat reachable',
    act: (a) =>
      void a.fake.pushRaw({
        my_chat_member: {
          chat: { id: GROUP, type: 'group', title: 'Tổ văn phòng' },
          from: groupUser,
          date: 1,
          old_chat_member: { status: 'member', user: a.fake.botUser },
          new_chat_member: { status: 'kicked', user: a.fake.botUser, until_date: 0 },
        },
      }),
  },
  {
    name: 'the bot leaving a supergroup (my_chat_member left) changes nothing either',
    act: (a) =>
      void a.fake.pushRaw({
        my_chat_member: {
          chat: { id: GROUP - 1, type: 'supergroup', title: 'Liên trường' },
          from: groupUser,
          date: 1,
          old_chat_member: { status: 'member', user: a.fake.botUser },
          new_chat_member: { status: 'left', user: a.fake.botUser },
        },
      }),
  },
  {
    name: 'a button pressed on a group message ("/xem") gets the short hint on the button and no review',
    act: (a) => void a.fake.pushRaw(a.fake.makeCallbackUpdate(GROUP, '/xem', 42, groupUser)),
    hintIn: 'button',
  },
  {
    name: 'a digit button pressed on a group message does not answer the private question',
    act: (a) => void a.fake.pushRaw(a.fake.makeCallbackUpdate(GROUP, '1', 43, groupUser)),
    hintIn: 'button',
  },
  {
    name: 'a command typed in a group gets the short hint in the group and no data',
    act: (a) => void a.fake.pushRaw({ message: { message_id: 9, date: 1, chat: { id: GROUP, type: 'group', title: 'Tổ văn phòng' }, from: groupUser, text: '/xem' } }),
    hintIn: 'group',
  },
];

describe('group chats never reach private state or unit data', () => {
  test.each(GROUP_CASES)('$name', async (c) => {
    tgApp = await startTelegramTestApp({ prepare: (d) => seed(d) });
    const a = tgApp;
    const code = currentInviteForUnit(a.deps.db, findUnitByCode(a.deps.db, 'PGD-DALAT')!.id, H1_CLOCK).code;
    await a.say(PRINCIPAL, `/start ${code}`, 'Đã liên kết');
    await a.say(PRINCIPAL, '/nhap', 'Câu 1/33');
    await a.fake.waitForIdle(200);
    const before = { answers: a.deps.db.select().from(answers).all().length, privateMessages: a.fake.messagesTo(PRINCIPAL).length };

    c.act(a);
    await a.fake.waitForIdle(300, 15_000);

    const contact = a.deps.db.select().from(contacts).where(eq(contacts.externalId, String(PRINCIPAL))).get()!;
    expect(contact.reachable).toBe(true);
    expect(a.deps.db.select().from(answers).all()).toHaveLength(before.answers);
    // Nothing new in the private chat; in the group at most the hint.
    expect(a.fake.messagesTo(PRINCIPAL)).toHaveLength(before.privateMessages);
    const groupTexts = [...a.fake.messagesTo(GROUP), ...a.fake.messagesTo(GROUP - 1)];
    expect(groupTexts).toEqual(c.hintIn === 'group' ? ['Vui lòng nhắn riêng cho bot để báo cáo.'] : []);
    const buttonAnswers = a.fake.callbackQueries.map((q) => q.answer?.text);
    if (c.hintIn === 'button') expect(buttonAnswers).toEqual(['Vui lòng nhắn riêng cho bot để báo cáo.']);
    expect(JSON.stringify([groupTexts, buttonAnswers])).not.toMatch(/Câu \d|BÁO CÁO|Phòng Giáo dục/);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// Characters nobody can type on purpose (the router's entry, then the files written)
// ------------------------------------------------------------------------------------------------

const NOW = H1_CLOCK;
const questions = flattenForm(DEFAULT_FORM);

interface TextCase {
  name: string;
  typed: string;
  /** What the same person would type without the odd characters: it must be stored the same way. */
  plain: string;
}

const TEXT_CASES: TextCase[] = [
  { name: 'U+0001 (the number parser\'s internal marker) between a number and its unit', typed: '12\u0001tr', plain: '12 tr' },
  { name: 'U+FFFE and U+FFFF inside a figure', typed: '1\uFFFE593', plain: '1 593' },
  { name: 'a lone surrogate and a NUL around a figure', typed: '\uD800450\u0000', plain: '450' },
  { name: 'noncharacters of other planes and U+FDD0', typed: '7\u{1FFFF}\uFDD0', plain: '7' },
];

describe('odd characters are dropped where text enters', () => {
  test.each(TEXT_CASES)('$name', async (c) => {
    const ws = workspace();
    const db = openDatabase(ws.path('bot.db'));
    try {
      const deps = appDeps(db, () => NOW);
      const demo = seedDemo(db, NOW, deps.config.calendar);
      const [a, b] = demo.units;
      await say(deps, 'typed', `/start ${a!.invite.code}`);
      await say(deps, 'plain', `/start ${b!.invite.code}`);
      for (const user of ['typed', 'plain']) await say(deps, user, '/nhap');
      const replyTyped = (await say(deps, 'typed', c.typed)).map((r) => r.text).join('\n');
      const replyPlain = (await say(deps, 'plain', c.plain)).map((r) => r.text).join('\n');
      expect(replyTyped).toBe(replyPlain);
      const stored = (unitCode: string) => {
        const sub = findSubmission(db, findUnitByCode(db, unitCode)!.id, '2026-H1');
        return sub ? db.select().from(answers).where(eq(answers.submissionId, sub.id)).all().map((r) => [r.value, r.rawText]) : [];
      };
      expect(stored(a!.unit.code)).toEqual(stored(b!.unit.code).map(([v]) => [v, safeText(c.typed)]));
      expect(hasUnsafeChars(JSON.stringify(stored(a!.unit.code)))).toBe(false);
    } finally {
      closeDatabase(db);
      ws.cleanup();
    }
  });

  test('U+FFFE in a text answer and U+FFFF in a unit name: /xuat is a valid workbook, read back intact', async () => {
    const ws = workspace();
    const db = openDatabase(ws.path('bot.db'));
    try {
      const deps = appDeps(db, () => NOW);
      const demo = seedDemo(db, NOW, deps.config.calendar);
      const unit = demo.units[0]!.unit;
      // A name stored before the rule existed (imports wrote what the file held).
      upsertUnit(db, { code: unit.code, name: `${unit.name}\uFFFF`, type: unit.type as 'phong-gddt', district: unit.district }, NOW);
      await say(deps, 'p', `/start ${demo.units[0]!.invite.code}`);
      await say(deps, 'p', '/nhap');
      for (const q of questions) await say(deps, 'p', q.type === 'text' ? 'Tổ chức\uFFFEtốt\uFFFF cuộc thi.' : '3');
      await say(deps, 'p', '/xacnhan');
      const office = createInvite(db, { role: 'office', unitId: null, now: NOW });
      await say(deps, 'office', `/start ${office.code}`);
      const replies: Reply[] = await say(deps, 'office', '/xuat 2026-H1');
      const doc = replies.find((r) => r.document)?.document;
      expect(doc, JSON.stringify(replies.map((r) => r.text))).toBeDefined();
      // Every XML part is free of characters XML 1.0 forbids (Excel would call the workbook damaged).
      const parts = unzipSync(doc!.bytes);
      for (const [name, bytes] of Object.entries(parts)) if (name.endsWith('.xml')) expect(hasUnsafeChars(strFromU8(bytes)), name).toBe(false);
      // And our own importer reads it back.
      const book = await readWorkbook(doc!.bytes, 'so-lieu.xlsx');
      const cells = JSON.stringify(book.sheets.flatMap((s) => s.rows.flatMap((r) => r.cells)));
      expect(cells).toContain('Tổ chức tốt cuộc thi.');
      expect(cells).toContain(unit.name);
      expect(db.select().from(units).where(eq(units.code, unit.code)).get()!.name).toContain('\uFFFF');
    } finally {
      closeDatabase(db);
      ws.cleanup();
    }
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// Webhook updates of the wrong shape (both platforms): 400, nothing stored
// ------------------------------------------------------------------------------------------------

const TG_USER = { id: 4201, is_bot: false, first_name: 'Lan' };
const TG_CHAT = { id: 4201, type: 'private', first_name: 'Lan' };

const WRONG_SHAPES: { name: string; platform: 'telegram' | 'zalo'; body: unknown }[] = [
  { name: 'Telegram: "message" is a string', platform: 'telegram', body: { update_id: 9001, message: 'x' } },
  { name: 'Telegram: from.id is an object', platform: 'telegram', body: { update_id: 9002, message: { message_id: 1, date: 1, chat: TG_CHAT, from: { ...TG_USER, id: { n: 1 } }, text: '/nhap' } } },
  { name: 'Telegram: update_id is a string', platform: 'telegram', body: { update_id: '9003', message: { message_id: 1, date: 1, chat: TG_CHAT, from: TG_USER, text: '/nhap' } } },
  { name: 'Telegram: text is a number', platform: 'telegram', body: { update_id: 9004, message: { message_id: 1, date: 1, chat: TG_CHAT, from: TG_USER, text: 12 } } },
  { name: 'Telegram: a callback without its sender', platform: 'telegram', body: { update_id: 9005, callback_query: { id: 'q', data: '/xem' } } },
  { name: 'Telegram: an array', platform: 'telegram', body: [{ update_id: 9006 }] },
  { name: 'Zalo: "message" is a string', platform: 'zalo', body: { event_name: 'message.text.received', message: 'x' } },
  { name: 'Zalo: from.id is an object', platform: 'zalo', body: { event_name: 'message.text.received', message: { message_id: 'm1', date: 1, text: 'hi', chat: { id: 'c1', chat_type: 'PRIVATE' }, from: { id: { n: 1 } } } } },
  { name: 'Zalo: no message id', platform: 'zalo', body: { event_name: 'message.text.received', message: { date: 1, text: 'hi', chat: { id: 'c1', chat_type: 'PRIVATE' }, from: { id: 'u1' } } } },
];

describe('webhook updates of the wrong shape are refused before they are stored', () => {
  test.each(WRONG_SHAPES)('$name', async (c) => {
    app = await startApp(c.platform === 'telegram' ? { telegram: 'webhook' } : { zalo: 'webhook' });
    const a = app;
    const secret = c.platform === 'telegram' ? a.tg!.webhook!.secret_token! : a.zalo!.webhook.secret_token!;
    const header = c.platform === 'telegram' ? 'x-telegram-bot-api-secret-token' : 'x-bot-api-secret-token';
    const res = await fetch(`${a.baseUrl}/webhook/${c.platform}`, { method: 'POST', headers: { 'content-type': 'application/json', [header]: secret }, body: JSON.stringify(c.body) });
    expect(res.status).toBe(400);
    expect(a.deps.db.select().from(inbox).all()).toHaveLength(0);
    expect(a.deps.db.select().from(processedUpdates).all()).toHaveLength(0);
  }, 30_000);
});

// ------------------------------------------------------------------------------------------------
// Formula prefixes in the spreadsheets and CSV files we write
// ------------------------------------------------------------------------------------------------

const TYPED = ['=HYPERLINK("http://x.invalid","bấm")', '+84 901 234 567', '- Tổ chức hội thi', '@SUM(A1)', '\tthụt đầu dòng', '\rxuống dòng', 'Bình thường', '=1+1\uFFFE'];

describe('formula prefixes are neutralised, numbers are not', () => {
  const table: TableSpec = {
    name: 'Dữ liệu',
    columns: [
      { header: 'Nội dung', kind: 'text' },
      { header: 'Số', kind: 'number' },
    ],
    rows: TYPED.map((t, i) => [t, -(i + 1)]),
  };

  test('CSV: text that would start a formula gets an apostrophe; read back it is the text again', async () => {
    const csv = writeCsv(table).toString('utf8');
    const fields = csv.replace(/^\uFEFF/, '').split('\r\n').slice(1, -1).map((l) => l.replace(/^"/, ''));
    for (const line of fields) expect(line).not.toMatch(/^[=+\-@\t\r]/);
    expect(csv).toContain(',-1\r\n');
    const [sheet] = await readSpreadsheet(writeCsv(table), 'x.csv');
    expect(sheet!.rows.slice(1).map((r) => r.cells[0])).toEqual(TYPED.map((t) => safeText(t)));
  });

  test('xlsx cut short: refused in Vietnamese, with what the reader threw kept as the cause', async () => {
    const bytes = await writeXlsx([table]);
    const err = await readWorkbook(bytes.subarray(0, Math.floor(bytes.length / 2)), 'cat-ngang.xlsx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpreadsheetError);
    expect((err as SpreadsheetError).problem).toBe('not_spreadsheet');
    expect((err as SpreadsheetError).message).toMatch(/“cat-ngang.xlsx” không phải bảng tính/);
    expect((err as SpreadsheetError).cause).toBeInstanceOf(Error);
  });

  test('xlsx: every text cell has the Text format (Excel keeps an edited "=…" as text), numbers stay numbers', async () => {
    const bytes = await writeXlsx([table]);
    const sheetXml = strFromU8(unzipSync(bytes)['xl/worksheets/sheet1.xml']!);
    expect(sheetXml).not.toContain('<f>');
    const book = await readWorkbook(bytes, 'x.xlsx');
    const rows = book.sheets[0]!.rows.slice(1);
    // XML reads a carriage return as a line feed.
    expect(rows.map((r) => r.cells[0])).toEqual(TYPED.map((t) => safeText(t).replace(/\r/g, '\n')));
    expect(rows.map((r) => r.cells[1])).toEqual(TYPED.map((_, i) => -(i + 1)));
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    wb.worksheets[0]!.eachRow((row, n) => {
      if (n > 1) expect(row.getCell(1).numFmt).toBe('@');
    });
  });
});
