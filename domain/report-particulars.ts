import { z } from 'zod';
import { formatIsoShort, IsoDateSchema, parseVietnameseDate } from './data-window';

/**
 * The particulars of one period's compiled report that change with every report and are set by the office
 * in chat (or the CLI): the request it answers, its date, "Kính gửi", footnotes, the signer, whether the
 * appendix goes with it, and the data window. What is not set falls back to the environment's defaults.
 */

const line = (max: number) => z.string().trim().min(1).max(max);

export const FootnoteSchema = z.object({
  /** A section ("II.2"), a paragraph of it ("II.2/3"), "mở đầu", or a phrase of the body in quotes. */
  at: line(300),
  text: line(2000),
});
export type Footnote = z.infer<typeof FootnoteSchema>;

export const ParticularsSchema = z.object({
  request: z.object({ number: line(100), date: IsoDateSchema, issuer: line(300), subject: line(1000) }).optional(),
  reportDate: IsoDateSchema.optional(),
  /** null: explicitly no "Kính gửi" line (over the environment's default). */
  addressee: line(300).nullable().optional(),
  footnotes: z.array(FootnoteSchema).max(30).default([]),
  signer: z.object({ authority: z.string().trim().max(100), title: line(100), name: z.string().trim().max(100) }).optional(),
  appendix: z.boolean().optional(),
  dataWindow: z.object({ from: IsoDateSchema, to: IsoDateSchema }).optional(),
});
export type Particulars = z.infer<typeof ParticularsSchema>;

export const EMPTY_PARTICULARS: Particulars = { footnotes: [] };

export function readParticulars(json: string | null | undefined): Particulars {
  if (!json) return EMPTY_PARTICULARS;
  try {
    const parsed = ParticularsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : EMPTY_PARTICULARS;
  } catch {
    return EMPTY_PARTICULARS;
  }
}

/** "Thực hiện Văn bản số 2193/… ngày 08/5/2026 của Sở … về việc …, Sở Giáo dục và Đào tạo báo cáo kết quả thực hiện như sau:" */
export function requestCitation(request: NonNullable<Particulars['request']>, agency: string): string {
  const subject = request.subject.replace(/^(?:về việc|v\/v)\s+/iu, '').replace(/[\s.;,:]+$/u, '');
  return `Thực hiện Văn bản số ${request.number} ngày ${formatIsoShort(request.date)} của ${request.issuer} về việc ${subject}, ${agency} báo cáo kết quả thực hiện như sau:`;
}

// ---------------------------------------------------------------------------------------------------
// The office's command: "/thongtinbc [kỳ] MỤC nội dung"

export const PARTICULAR_FIELDS = ['vanban', 'ngay', 'kinhgui', 'chuthich', 'xoachuthich', 'nguoiky', 'phuluc', 'chotso', 'xoa'] as const;
export type ParticularField = (typeof PARTICULAR_FIELDS)[number];

/** Fields "xoa" gives back to the defaults. */
export const RESETTABLE = { vanban: 'request', ngay: 'reportDate', kinhgui: 'addressee', chuthich: 'footnotes', nguoiky: 'signer', phuluc: 'appendix', chotso: 'dataWindow' } as const;

/** "Văn bản" → "vanban": the office types with or without diacritics, spaces or case. */
export function foldWord(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export type ParticularsChange =
  | { ok: true; next: Particulars; field: ParticularField }
  | { ok: false; problem: string };

const parts = (value: string): string[] => value.split('|').map((p) => p.trim());

const NO_WORDS = new Set(['khong', 'ko', 'k', 'bo', 'none']);
const YES_WORDS = new Set(['co', 'yes', 'gui', 'kem']);

/** Applies one change to the stored particulars; the problem is a Vietnamese sentence for the office. */
export function changeParticulars(current: Particulars, field: ParticularField, value: string): ParticularsChange {
  const v = value.trim();
  const next: Particulars = { ...current, footnotes: [...current.footnotes] };
  const done = (): ParticularsChange => {
    const parsed = ParticularsSchema.safeParse(next);
    return parsed.success ? { ok: true, next: parsed.data, field } : { ok: false, problem: 'Nội dung quá dài hoặc thiếu; vui lòng kiểm tra lại.' };
  };
  switch (field) {
    case 'vanban': {
      const [number, dateText, issuer, subject] = parts(v);
      const date = dateText ? parseVietnameseDate(dateText) : null;
      if (!number || !date || !issuer || !subject || parts(v).length !== 4) {
        return { ok: false, problem: 'Cần đủ 4 phần, cách nhau bằng dấu |: số văn bản | ngày | cơ quan ban hành | về việc. Ví dụ: /thongtinbc 2026-H1 vanban 2193/SVHTTDL-QLTTBCXB | 08/5/2026 | Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng | phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại' };
      }
      next.request = { number, date, issuer, subject };
      return done();
    }
    case 'ngay': {
      const date = parseVietnameseDate(v);
      if (!date) return { ok: false, problem: `“${v.slice(0, 30)}” không phải ngày (ngày/tháng/năm). Ví dụ: /thongtinbc 2026-H1 ngay 12/5/2026` };
      next.reportDate = date;
      return done();
    }
    case 'kinhgui':
      if (v === '') return { ok: false, problem: 'Ghi tên cơ quan nhận, ví dụ: /thongtinbc 2026-H1 kinhgui Ủy ban nhân dân tỉnh Lâm Đồng (hoặc “không” để bỏ dòng Kính gửi).' };
      next.addressee = NO_WORDS.has(foldWord(v)) ? null : v;
      return done();
    case 'chuthich': {
      const [at, ...rest] = parts(v);
      const text = rest.join(' | ').trim();
      if (!at || !text || !isFootnotePlace(at)) {
        return { ok: false, problem: 'Cần vị trí và nội dung, cách nhau bằng dấu |. Vị trí là mục (I, II.1 … V, “mở đầu”; II.2/3 là đoạn thứ 3 của mục II.2) hoặc một cụm từ trong báo cáo đặt trong ngoặc kép. Ví dụ: /thongtinbc 2026-H1 chuthich II.2 | Kế hoạch số 34/KH-SGDĐT ngày 10/02/2026 …' };
      }
      if (next.footnotes.length >= 30) return { ok: false, problem: 'Tối đa 30 chú thích cho một báo cáo.' };
      next.footnotes.push({ at, text });
      return done();
    }
    case 'xoachuthich': {
      if (foldWord(v) === 'tatca') next.footnotes = [];
      else {
        const n = /^\d{1,2}$/.test(v) ? Number(v) : 0;
        if (n < 1 || n > next.footnotes.length) return { ok: false, problem: `Không có chú thích số ${v.slice(0, 10)}; hiện có ${next.footnotes.length} chú thích.` };
        next.footnotes.splice(n - 1, 1);
      }
      return done();
    }
    case 'nguoiky': {
      const p = parts(v);
      if (p.length !== 3 || !p[1]) return { ok: false, problem: 'Cần 3 phần, cách nhau bằng dấu |: thẩm quyền ký (có thể để trống) | chức vụ | họ tên. Ví dụ: /thongtinbc 2026-H1 nguoiky KT. GIÁM ĐỐC | PHÓ GIÁM ĐỐC | Phan Đức Thái' };
      next.signer = { authority: p[0]!, title: p[1], name: p[2]! };
      return done();
    }
    case 'phuluc': {
      const w = foldWord(v);
      if (!NO_WORDS.has(w) && !YES_WORDS.has(w)) return { ok: false, problem: 'Ghi “có” để gửi kèm phụ lục số liệu các đơn vị, “không” để bỏ phụ lục.' };
      next.appendix = YES_WORDS.has(w);
      return done();
    }
    case 'chotso': {
      const [a, b] = v.split(/\s+-\s+|\s+(?:den|đến)\s+|\s*–\s*/u).map((x) => x.trim());
      const from = a ? parseVietnameseDate(a) : null;
      const to = b ? parseVietnameseDate(b) : null;
      if (!from || !to || from > to) return { ok: false, problem: 'Cần ngày bắt đầu và ngày kết thúc, ví dụ: /thongtinbc 2026-H1 chotso 15/12/2025 - 14/6/2026' };
      next.dataWindow = { from, to };
      return done();
    }
    case 'xoa': {
      const key = RESETTABLE[foldWord(v) as keyof typeof RESETTABLE];
      if (!key) return { ok: false, problem: `Ghi mục cần đưa về mặc định: ${Object.keys(RESETTABLE).join(', ')}.` };
      if (key === 'footnotes') next.footnotes = [];
      else delete next[key];
      return done();
    }
  }
}

/** "II.2", "II.2/3", "I", "V", "mở đầu", or a quoted phrase. */
export function isFootnotePlace(at: string): boolean {
  return parseFootnotePlace(at) !== null;
}

export type FootnotePlace = { kind: 'section'; section: string; paragraph: number } | { kind: 'phrase'; phrase: string };

export function parseFootnotePlace(at: string): FootnotePlace | null {
  const s = at.trim();
  const quoted = /^["“”'‘’«](.+)["“”'‘’»]$/u.exec(s);
  if (quoted) return quoted[1]!.trim().length >= 3 ? { kind: 'phrase', phrase: quoted[1]!.trim() } : null;
  if (foldWord(s) === 'modau') return { kind: 'section', section: 'mở đầu', paragraph: 1 };
  const m = /^(I|II|III|IV|V)(?:\.(\d))?\.?(?:\/(\d{1,2}))?$/i.exec(s);
  if (!m) return null;
  const section = `${m[1]!.toUpperCase()}${m[2] ? `.${m[2]}` : ''}`;
  return { kind: 'section', section, paragraph: m[3] ? Number(m[3]) : 1 };
}
