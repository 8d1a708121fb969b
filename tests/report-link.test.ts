import { afterEach, describe, expect, test } from 'vitest';
import { Document, Packer, Paragraph } from 'docx';
import { reportLinks } from '../storage/schema';
import { reply } from '../domain/replies';
import { contentDisposition, periodIdOf } from '../bot/http/report-links';
import { readDocx } from './helpers/docx';
import { H1_CLOCK } from './helpers/harness';
import { startApp, zaloChat, type App } from './helpers/channels';

/**
 * Zalo cannot send files: a Reply with a document becomes a message with a download link, served by our
 * HTTP server under an unguessable token for a limited time.
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const LINK = /(http:\/\/127\.0\.0\.1:\d+\/r\/([A-Za-z0-9_-]{32}))/;
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function smallDocx(text: string): Promise<Buffer> {
  return Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph(text)] }] }));
}

/** A mutable clock: the test moves time forward to expire links. */
function movableClock(start: Date) {
  let now = start.getTime();
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms) };
}

async function sendDocument(a: App, chatId: string, filename: string, bytes: Buffer): Promise<string> {
  const before = a.zalo!.sent.length;
  await a.runtime.zalo!.channel.sendReplies(chatId, [reply('Tổng hợp: 8/10 đơn vị đã gửi.', { document: { filename, bytes, caption: 'Dự thảo báo cáo 6 tháng đầu năm 2026' } })], chatId);
  return a.zalo!.sent
    .slice(before)
    .filter((c) => c.method === 'sendMessage')
    .map((c) => String(c.body.text))
    .join('\n');
}

describe('report links on Zalo', () => {
  test('works once issued, refused after expiry and for a wrong token', async () => {
    const time = movableClock(H1_CLOCK);
    app = await startApp({ zalo: 'polling', clock: time.clock });
    const a = app;
    const bytes = await smallDocx('Báo cáo thử nghiệm công tác thông tin đối ngoại');
    const text = await sendDocument(a, 'zl-office', 'Báo cáo TTĐN 2026-H1.docx', bytes);
    expect(text).toContain('Tổng hợp: 8/10 đơn vị đã gửi.');
    expect(text).toContain('Dự thảo báo cáo 6 tháng đầu năm 2026');
    // Valid for 24 hours by default, shown in Vietnam time.
    expect(text).toContain('dùng được đến 10:00 ngày 02/5/2026');
    const [, url, token] = LINK.exec(text)!;
    expect(url!.startsWith(`${a.baseUrl}/r/`)).toBe(true);

    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(DOCX_TYPE);
    expect(res.headers.get('content-disposition')).toBe(contentDisposition('Báo cáo TTĐN 2026-H1.docx'));
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20TT%C4%90N%202026-H1.docx");
    expect(res.headers.get('cache-control')).toContain('no-store');
    const got = Buffer.from(await res.arrayBuffer());
    expect(got.equals(bytes)).toBe(true);
    expect((await readDocx(got)).paragraphs).toContain('Báo cáo thử nghiệm công tác thông tin đối ngoại');
    // Still valid a minute before the end; downloads are counted.
    time.advance(24 * 3_600_000 - 60_000);
    expect((await fetch(url!)).status).toBe(200);
    const row = a.deps.db.select().from(reportLinks).all().find((r) => r.token === token)!;
    expect(row).toMatchObject({ periodId: '2026-H1', filename: 'Báo cáo TTĐN 2026-H1.docx', downloads: 2 });

    // A wrong token (well-formed or not) is not found.
    const wrong = `${a.baseUrl}/r/${'A'.repeat(32)}`;
    const notFound = await fetch(wrong);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toContain('text/html');
    expect(await notFound.text()).toContain('Không tìm thấy tệp');
    expect((await fetch(`${a.baseUrl}/r/${token!.slice(0, 31)}`)).status).toBe(404);
    expect((await fetch(`${a.baseUrl}/r/`)).status).toBe(404);

    // Past the time to live: gone.
    time.advance(60_000);
    const expired = await fetch(url!);
    expect(expired.status).toBe(410);
    const page = await expired.text();
    expect(page).toContain('Đường dẫn đã hết hạn');
    expect(page).not.toContain('PK'); // no file bytes
  });

  test('one report per link: every document gets its own unguessable token', async () => {
    app = await startApp({ zalo: 'polling' });
    const a = app;
    const first = LINK.exec(await sendDocument(a, 'zl-office', 'bao-cao-2026-H1.docx', await smallDocx('Một')))!;
    const second = LINK.exec(await sendDocument(a, 'zl-office', 'bao-cao-2026-Q2.docx', await smallDocx('Hai')))!;
    expect(first[2]).not.toBe(second[2]);
    expect((await readDocx(Buffer.from(await (await fetch(first[1]!)).arrayBuffer()))).paragraphs).toEqual(['Một']);
    expect((await readDocx(Buffer.from(await (await fetch(second[1]!)).arrayBuffer()))).paragraphs).toEqual(['Hai']);
    const rows = a.deps.db.select().from(reportLinks).all();
    expect(rows.map((r) => r.periodId).sort()).toEqual(['2026-H1', '2026-Q2']);
    // 24 random bytes each: nothing in common beyond chance.
    expect(new Set(rows.map((r) => r.token)).size).toBe(2);
  });

  test('REPORT_LINK_TTL_HOURS sets the time to live', async () => {
    const time = movableClock(H1_CLOCK);
    app = await startApp({ zalo: 'polling', clock: time.clock, env: { REPORT_LINK_TTL_HOURS: '2' } });
    const [, url] = LINK.exec(await sendDocument(app, 'zl-office', 'bao-cao-2026-H1.docx', await smallDocx('Hai giờ')))!;
    time.advance(2 * 3_600_000 - 1);
    expect((await fetch(url!)).status).toBe(200);
    time.advance(1);
    expect((await fetch(url!)).status).toBe(410);
  });

  test('without PUBLIC_URL the message says why there is no link, and nothing is stored', async () => {
    app = await startApp({ zalo: 'polling', noPublicUrl: true });
    const text = await sendDocument(app, 'zl-office', 'bao-cao-2026-H1.docx', await smallDocx('x'));
    expect(text).toContain('chưa được cấu hình địa chỉ tải tệp');
    expect(text).not.toMatch(/\/r\//);
    expect(app.deps.db.select().from(reportLinks).all()).toHaveLength(0);
  });

  test('/baocao from an office account on Zalo answers with the summary and a working link to the .docx', async () => {
    app = await startApp({ zalo: 'webhook' });
    const a = app;
    const office = zaloChat(a, 'zl-vanphong');
    await office.send(`/start ${a.demo.officeInvite.code}`);
    await office.expectReply('Văn phòng');
    await office.settle();
    await office.send('/baocao 2026-H1');
    const text = await office.expectReply('/r/', 15_000);
    // "typing…" was shown while the draft was being built, before the link was sent.
    const typing = a.zalo!.sent.findIndex((c) => c.method === 'sendChatAction' && c.body.chat_id === 'zl-vanphong' && c.body.action === 'typing');
    const link = a.zalo!.sent.findIndex((c) => c.method === 'sendMessage' && String(c.body.text).includes('/r/'));
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(link);
    const [, url] = LINK.exec(text)!;
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(DOCX_TYPE);
    const doc = await readDocx(Buffer.from(await res.arrayBuffer()));
    expect(doc.paragraphs.join('\n')).toMatch(/BÁO CÁO/i);
  });
});

describe('periodIdOf', () => {
  test('reads the period from a report file name', () => {
    expect(periodIdOf('bao-cao-TTDN-2026-H1.docx')).toBe('2026-H1');
    expect(periodIdOf('2026-Q3.xlsx')).toBe('2026-Q3');
    expect(periodIdOf('Báo cáo năm 2025-Y.docx')).toBe('2025-Y');
    expect(periodIdOf('notes.docx')).toBe('unknown');
  });
});
