import { describe, expect, it } from 'vitest';
import { allCommands } from '../handlers/commands';
import { unknownPeriodMessage } from '../handlers/office/period-arg';
import * as review from '../templates/review';
import * as reminders from '../templates/reminders';
import { particularsHelp } from '../templates/particulars';

/**
 * House rule for what people read: no programmer notation. A usage shows a real example
 * ("/tralai PGD-DALAT 12,13 Số lượt xem chưa khớp") and says in words what may be added or left out;
 * never bracket pairs ("[kỳ]", "<tên đơn vị>", "‹…›") nor placeholder words ("MÃ-ĐƠN-VỊ", "CÂU", "N").
 */

const BRACKETS = /[[\]<>‹›]/g;

/** ASCII-only placeholders (Vietnamese words typed without their accents). */
const ASCII_PLACEHOLDERS = new Set(['MA', 'CAU', 'KY', 'MUC', 'TEP', 'SO', 'LY', 'ID', 'CODE', 'NAME']);

/**
 * The words written in capitals standing for something to fill in: a single capital ("N"), a capital
 * word with Vietnamese letters ("CÂU", "MÃ-ĐƠN-VỊ", "KỲ") or a known unaccented one ("MA-KY"), standing
 * alone among ordinary words. Allowed: real codes (unit "PGD-DALAT", invite "ABCD-EFGH", period
 * "2026-H1", document "34/KH-SGDĐT"), Roman numerals ("mục II"), and headings or titles, where capital
 * words come in a row ("CÁC KỲ BÁO CÁO", "KT. GIÁM ĐỐC").
 */
function placeholderWords(text: string): string[] {
  const CAPITAL = /^\p{Lu}+(?:-\p{Lu}+)*$/u;
  const cores = text.split(/[\s.]+/).map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
  const capital = (w: string | undefined): w is string => w !== undefined && CAPITAL.test(w);
  // Vietnamese is never written with hyphens: "MÃ-ĐƠN-VỊ" is a placeholder wherever it stands.
  const joined = (w: string) => w.includes('-') && /[^\x00-\x7F]/.test(w);
  const inRow = (i: number) => [cores[i - 1], cores[i + 1]].some((n) => capital(n) && !joined(n));
  const placeholder = (w: string) =>
    !/^[IVXL]+$/.test(w) && (w.length === 1 || /[^\x00-\x7F]/.test(w) || w.split('-').some((p) => ASCII_PLACEHOLDERS.has(p)));
  return cores.filter((w, i) => capital(w) && placeholder(w) && (joined(w) || !inRow(i)));
}

function notation(text: string): string[] {
  return [...(text.match(BRACKETS) ?? []), ...placeholderWords(text)];
}

describe('the notation check', () => {
  it.each([
    ['/tralai MÃ-ĐƠN-VỊ [kỳ] CÂU Lý do', ['[', ']', 'MÃ-ĐƠN-VỊ', 'CÂU']],
    ['/huylienket N', ['N']],
    ['/donvi <tên đơn vị>', ['<', '>']],
    ['/ky dong ‹mã kỳ›', ['‹', '›']],
    ['/ky dong MÃ-KỲ', ['MÃ-KỲ']],
    ['/ky dong MA-KY', ['MA-KY']],
    ['/baocao KỲ', ['KỲ']],
    ['Duyệt: /duyet MÃ-ĐƠN-VỊ · Trả lại: /tralai MÃ-ĐƠN-VỊ CÂU Lý do', ['MÃ-ĐƠN-VỊ', 'MÃ-ĐƠN-VỊ', 'CÂU']],
    ['Sửa bằng /thongtinbc 2026-H1 MỤC nội dung', ['MỤC']],
    ['npm run cli -- units import TỆP.xlsx', ['TỆP']],
  ])('%j is caught', (text, expected) => {
    expect(notation(text)).toEqual(expected);
  });

  it.each([
    '/tralai PGD-DALAT 12,13 Số lượt xem chưa khớp',
    '/start ABCD-EFGH',
    '/xuat 2026-H1',
    'Tạo dự thảo báo cáo tổng hợp (.docx); có thể thêm kỳ báo cáo, ví dụ /baocao 2026-H1',
    'Liên kết tài khoản với đơn vị bằng mã mời (thay ABCD-EFGH bằng mã được cấp)',
    '/duyet THPT-BUITHIXUAN 2026-Q1',
    'CÁC KỲ BÁO CÁO',
    'BÁO CÁO QUÝ I NĂM 2026 CHỜ DUYỆT: 3',
    '/thongtinbc 2026-H1 nguoiky KT. GIÁM ĐỐC | PHÓ GIÁM ĐỐC | Phan Đức Thái',
    'chú thích cuối mục II.2, theo Kế hoạch số 34/KH-SGDĐT; mục V',
    'Ví dụ: 2026-Q1, 2026-H1, 2026-Y.',
  ])('%j passes', (text) => {
    expect(notation(text)).toEqual([]);
  });
});

describe('the command table has no programmer notation (it feeds /trogiup and the menus)', () => {
  const rows = allCommands().flatMap((s) => [
    [s.name, 'usage', s.usage] as const,
    [s.name, 'description', s.description] as const,
  ]);

  it('covers every command', () => {
    expect(rows.length).toBe(allCommands().length * 2);
    expect(allCommands().some((s) => s.audience === 'office')).toBe(true);
  });

  it.each(rows)('/%s %s: %s', (_name, _field, text) => {
    expect(notation(text)).toEqual([]);
  });
});

describe('the office replies that explain a command have no programmer notation', () => {
  const TZ = 'Asia/Ho_Chi_Minh';
  const counts = { not_started: 1, in_progress: 0, submitted: 1, returned: 0, accepted: 0 };
  const texts: [string, string][] = [
    ['reviewUsage', review.reviewUsage()],
    ['noSuchUnit', review.noSuchUnit('PGD-XYZ')],
    ['returnProblem no_reason', review.returnProblem('no_reason', 40)],
    ['returnProblem no_questions', review.returnProblem('no_questions', 40)],
    ['awaitingList', review.awaitingList('6 tháng đầu năm 2026', [], counts, TZ)],
    ['periodUsage', reminders.periodUsage()],
    ['badPeriodId', reminders.badPeriodId('abc')],
    ['periodListText', reminders.periodListText([{ id: '2026-H1', title: '6 tháng đầu năm 2026', deadline: new Date('2026-06-15T10:00:00Z'), state: 'open', override: 'calendar', confirmed: 1, expected: 2 }], TZ)],
    ['particularsHelp', particularsHelp('2026-H1')],
    ['unknownPeriodMessage', unknownPeriodMessage('2099-Q1', [])],
  ];

  it.each(texts)('%s', (_name, text) => {
    expect(notation(text)).toEqual([]);
  });
});
