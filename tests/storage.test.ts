import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { closeDatabase, inTransaction, openDatabase, type Db } from '../storage/db';
import { contacts, inviteCodes, outbox, periods, submissions, units } from '../storage/schema';
import { upsertUnit, setUnitActive, findUnitByCode, findUnitById } from '../storage/repositories/units';
import { createInvite, currentInviteForUnit, redeemInvite } from '../storage/repositories/invites';
import { markUpdateProcessed } from '../storage/repositories/updates';
import { latestFormVersion } from '../storage/repositories/forms';
import { ensurePeriod, findPeriod, openPeriods, setPeriodOverride } from '../storage/repositories/periods';
import { appendAnswer, confirmSubmission, createSubmission, currentAnswers, findSubmission, nextRevision, submissionsOfPeriod } from '../storage/repositories/submissions';
import { loadConversation, saveConversation } from '../storage/repositories/conversations';
import { findContact, touchContact } from '../storage/repositories/contacts';
import { OUTBOX_READS, enqueueMessages, failPendingOfChat, markOutboxSent, outboxSend, outboxSettledUpTo, pendingOutbox } from '../storage/repositories/outbox';
import { conversations } from '../storage/schema';
import { INVITE_ALPHABET } from '../domain/invite-code';
import { DEFAULT_CALENDAR } from '../domain/periods';
import type { AnswerFlag } from '../domain/form';

const NOW = new Date('2026-05-01T03:00:00Z'); // inside 2026-H1's window (opens 20/4, due 05/5)
const DAY = 86_400_000;

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-storage-'));
  db = openDatabase(join(dir, 'nested', 'bot.db'));
});
afterEach(() => {
  try {
    closeDatabase(db);
  } catch {
    // already closed by the test
  }
  rmSync(dir, { recursive: true, force: true });
});

const tableNames = (d: Db) =>
  (d.$client.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[]).map((r) => r.name);

const unit = (code = 'THPT-BUITHIXUAN') => upsertUnit(db, { code, name: 'Trường THPT Bùi Thị Xuân', type: 'thpt', district: 'Đà Lạt' }, NOW).unit;

describe('openDatabase', () => {
  it('creates the folder and the file, applies the migrations, uses WAL', () => {
    const names = tableNames(db);
    for (const t of ['units', 'contacts', 'invite_codes', 'periods', 'form_versions', 'submissions', 'answers', 'audit_log', 'processed_updates', 'conversations']) {
      expect(names).toContain(t);
    }
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('reopening the same file keeps the data and applies nothing twice', () => {
    const path = join(dir, 'nested', 'bot.db');
    unit();
    const migrations = () => (db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
    const applied = migrations();
    expect(applied).toBeGreaterThan(0);
    closeDatabase(db);
    db = openDatabase(path);
    expect(migrations()).toBe(applied);
    expect(findUnitByCode(db, 'THPT-BUITHIXUAN')?.name).toBe('Trường THPT Bùi Thị Xuân');
    closeDatabase(db);
    db = openDatabase(path);
    expect(tableNames(db)).toContain('answers');
  });

  it('inTransaction rolls everything back when the function throws', () => {
    expect(() =>
      inTransaction(db, (tx) => {
        unit('A-1');
        unit('A-2');
        void tx;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(findUnitByCode(db, 'A-1')).toBeUndefined();
  });
});

describe('units', () => {
  it('upsertUnit: added, unchanged, updated', () => {
    const input = { code: 'PGD-DALAT', name: 'Phòng GD&ĐT Đà Lạt', type: 'phong-gddt' as const, district: 'Đà Lạt' };
    const a = upsertUnit(db, input, NOW);
    expect(a.outcome).toBe('added');
    expect(upsertUnit(db, input, NOW)).toEqual({ unit: a.unit, outcome: 'unchanged' });
    const renamed = upsertUnit(db, { ...input, name: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt' }, NOW);
    expect(renamed.outcome).toBe('updated');
    expect(renamed.unit.id).toBe(a.unit.id);
    expect(renamed.unit.name).toBe('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(db.select().from(units).all()).toHaveLength(1);
  });

  it('upsertUnit brings an inactive unit back', () => {
    const u = unit();
    setUnitActive(db, u.id, false, NOW);
    const again = upsertUnit(db, { code: u.code, name: u.name, type: 'thpt', district: u.district }, NOW);
    expect(again.outcome).toBe('updated');
    expect(again.unit.active).toBe(true);
  });
});

describe('invites', () => {
  const spaced = (code: string) => `${code.slice(0, 4).toLowerCase()}-${code.slice(4).toLowerCase()}`;

  it('createInvite makes an 8-character code from the unambiguous alphabet, with role defaults', () => {
    const u = unit();
    const contact = createInvite(db, { unitId: u.id, role: 'contact', now: NOW });
    expect(contact.code).toMatch(new RegExp(`^[${INVITE_ALPHABET}]{8}$`));
    expect(contact.expiresAt!.getTime() - NOW.getTime()).toBe(365 * DAY);
    expect(contact.maxUses).toBe(10);
    const office = createInvite(db, { unitId: null, role: 'office', now: NOW });
    expect(office.expiresAt!.getTime() - NOW.getTime()).toBe(7 * DAY);
    expect(office.maxUses).toBe(1);
  });

  it('redeems a code typed in lower case with a dash or spaces, counting the use', () => {
    const u = unit();
    const inv = createInvite(db, { unitId: u.id, role: 'contact', now: NOW, maxUses: 3 });
    for (const typed of [spaced(inv.code), ` ${inv.code.slice(0, 4)} ${inv.code.slice(4)} `]) {
      const r = redeemInvite(db, typed, NOW);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.invite.unitId).toBe(u.id);
    }
    expect(db.select().from(inviteCodes).where(eq(inviteCodes.id, inv.id)).get()!.uses).toBe(2);
  });

  it.each([
    ['an unknown code', 'ZZZZZZZZ', NOW, 'not_found'],
    ['an expired code', null, new Date(NOW.getTime() + 2 * DAY), 'expired'],
    ['a code at its exact expiry instant', null, new Date(NOW.getTime() + DAY), 'expired'],
  ] as const)('refuses %s', (_label, typed, at, reason) => {
    const inv = createInvite(db, { unitId: unit().id, role: 'contact', now: NOW, ttlDays: 1 });
    expect(redeemInvite(db, typed ?? inv.code, at)).toEqual({ ok: false, reason });
    expect(db.select().from(inviteCodes).where(eq(inviteCodes.id, inv.id)).get()!.uses).toBe(0);
  });

  it('refuses a code that is used up', () => {
    const inv = createInvite(db, { unitId: unit().id, role: 'contact', now: NOW, maxUses: 1 });
    expect(redeemInvite(db, inv.code, NOW).ok).toBe(true);
    expect(redeemInvite(db, inv.code, NOW)).toEqual({ ok: false, reason: 'used_up' });
  });

  it('refuses a revoked code', () => {
    const inv = createInvite(db, { unitId: unit().id, role: 'contact', now: NOW });
    db.update(inviteCodes).set({ revokedAt: NOW }).where(eq(inviteCodes.id, inv.id)).run();
    expect(redeemInvite(db, spaced(inv.code), NOW)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('refuses the code of an inactive unit, and counts no use', () => {
    const u = unit();
    const inv = createInvite(db, { unitId: u.id, role: 'contact', now: NOW });
    setUnitActive(db, u.id, false, NOW);
    expect(redeemInvite(db, inv.code, NOW)).toEqual({ ok: false, reason: 'unit_inactive' });
    expect(db.select().from(inviteCodes).where(eq(inviteCodes.id, inv.id)).get()!.uses).toBe(0);
  });

  it('an office code needs no unit', () => {
    const inv = createInvite(db, { unitId: null, role: 'office', now: NOW });
    const r = redeemInvite(db, inv.code, NOW);
    expect(r.ok && r.invite.role).toBe('office');
  });

  it('currentInviteForUnit hands out the same usable code, and a new one when it is used up', () => {
    const u = unit();
    const first = currentInviteForUnit(db, u.id, NOW);
    expect(currentInviteForUnit(db, u.id, NOW).code).toBe(first.code);
    db.update(inviteCodes).set({ uses: first.maxUses }).where(eq(inviteCodes.id, first.id)).run();
    expect(currentInviteForUnit(db, u.id, NOW).code).not.toBe(first.code);
  });
});

describe('processed updates', () => {
  it('markUpdateProcessed is true the first time only, per channel', () => {
    expect(markUpdateProcessed(db, 'telegram', '1001', NOW)).toBe(true);
    expect(markUpdateProcessed(db, 'telegram', '1001', NOW)).toBe(false);
    expect(markUpdateProcessed(db, 'zalo', '1001', NOW)).toBe(true);
  });
});

describe('submissions and answers', () => {
  function submission() {
    const u = unit();
    const period = ensurePeriod(db, '2026-H1');
    return createSubmission(db, u.id, period.id, period.formVersionId, NOW);
  }

  it('ensurePeriod pins the current form version; createSubmission is idempotent', () => {
    const form = latestFormVersion(db);
    const period = ensurePeriod(db, '2026-H1');
    expect(period.formVersionId).toBe(form.id);
    expect(ensurePeriod(db, '2026-H1')).toEqual(period);
    const s = submission();
    expect(s).toMatchObject({ status: 'draft', revision: 0, periodId: '2026-H1' });
    expect(createSubmission(db, s.unitId, '2026-H1', s.formVersionId, NOW).id).toBe(s.id);
  });

  it('currentAnswers: the newest value per key, null for a skipped question; history is kept', () => {
    const s = submission();
    const add = (key: string, value: number | string | null, raw: string | null) =>
      appendAnswer(db, { submissionId: s.id, key, value, raw, revision: 0, contactId: null, now: NOW });
    add('portal_news_events', 12, '12');
    add('digital_views', 2000, '2k');
    add('portal_news_events', 13, 'mười ba');
    add('campaign_text', null, null);
    add('assess_results_text', 'Tốt', 'Tốt');
    expect(currentAnswers(db, s.id)).toEqual({ portal_news_events: 13, digital_views: 2000, campaign_text: null, assess_results_text: 'Tốt' });
    const rows = db.$client.prepare('select question_key, raw_text from answers where submission_id = ? order by id').all(s.id);
    expect(rows).toHaveLength(5);
    expect(rows[2]).toEqual({ question_key: 'portal_news_events', raw_text: 'mười ba' });
  });

  it('submissionsOfPeriod: the newest row per key gives the value and its note, flag and "không có", through revisions', () => {
    const period = ensurePeriod(db, '2026-H1');
    const a = createSubmission(db, unit('A').id, period.id, period.formVersionId, NOW);
    const b = createSubmission(db, unit('B').id, period.id, period.formVersionId, NOW);
    const empty = createSubmission(db, unit('C').id, period.id, period.formVersionId, NOW);
    const draft = createSubmission(db, unit('D').id, period.id, period.formVersionId, NOW);
    const once = createSubmission(db, unit('E').id, period.id, period.formVersionId, NOW);
    const add = (submissionId: number, key: string, value: number | string | null, more: { note?: string; none?: boolean; flag?: AnswerFlag } = {}, revision = 0) =>
      appendAnswer(db, { submissionId, key, value, raw: value === null ? null : String(value), revision, contactId: null, now: NOW, ...more });
    add(a.id, 'portal_news_events', 12, { note: 'cũ' });
    add(b.id, 'portal_news_events', 7);
    add(a.id, 'digital_views', 2000, { flag: { kind: 'rule', message: 'Lượt xem cao bất thường' } });
    add(a.id, 'intl_foreign_students', 0, { none: true });
    add(a.id, 'campaign_text', 'Có <&> "trích dẫn"\nhai dòng');
    add(draft.id, 'portal_news_events', 1);
    // Each key answered once: its note, flag or "không có" is the current one.
    add(once.id, 'portal_news_events', 3, { note: 'ba "tin"\nmới' });
    add(once.id, 'digital_views', 90_000, { flag: { kind: 'rule', message: 'Lượt xem cao bất thường' } });
    add(once.id, 'intl_foreign_students', 0, { none: true });
    add(once.id, 'campaign_text', null);
    confirmSubmission(db, once.id, null, NOW);
    confirmSubmission(db, a.id, null, NOW);
    confirmSubmission(db, b.id, null, NOW);
    confirmSubmission(db, empty.id, null, NOW);
    // Corrections after confirmation: a newer row clears the note, a newer row adds one, a skipped question.
    add(a.id, 'portal_news_events', 13, {}, 2);
    add(a.id, 'digital_views', 2500, { note: 'mới' }, 2);
    add(a.id, 'campaign_text', null, {}, 2);
    add(b.id, 'portal_news_events', 8, { none: false, note: 'đã sửa' }, 2);
    add(b.id, 'portal_news_events', 9, { flag: { kind: 'change', previous: 7, periodId: '2025-H1' } }, 3);

    const confirmed = submissionsOfPeriod(db, '2026-H1', 'confirmed');
    const byCode = new Map(confirmed.map((s) => [s.unit.code, s]));
    expect([...byCode.keys()].sort()).toEqual(['A', 'B', 'C', 'E']);
    expect(byCode.get('E')?.answers).toEqual({ portal_news_events: 3, digital_views: 90_000, intl_foreign_students: 0, campaign_text: null });
    expect(byCode.get('E')?.meta).toEqual({
      portal_news_events: { note: 'ba "tin"\nmới' },
      digital_views: { flag: { kind: 'rule', message: 'Lượt xem cao bất thường' } },
      intl_foreign_students: { none: true },
    });
    expect(byCode.get('A')?.answers).toEqual({ portal_news_events: 13, digital_views: 2500, intl_foreign_students: 0, campaign_text: null });
    expect(byCode.get('A')?.meta).toEqual({ digital_views: { note: 'mới' }, intl_foreign_students: { none: true } });
    expect(byCode.get('B')?.answers).toEqual({ portal_news_events: 9 });
    expect(byCode.get('B')?.meta).toEqual({ portal_news_events: { flag: { kind: 'change', previous: 7, periodId: '2025-H1' } } });
    expect(byCode.get('C')).toMatchObject({ answers: {}, meta: {}, submission: { status: 'confirmed' } });
    // Without a status: the draft too, with its own answers only.
    const all = submissionsOfPeriod(db, '2026-H1');
    expect(all).toHaveLength(5);
    expect(all.find((s) => s.unit.code === 'D')?.answers).toEqual({ portal_news_events: 1 });
    expect(all.find((s) => s.unit.code === 'A')?.answers).toEqual(byCode.get('A')?.answers);
    // The text survives the round trip exactly.
    add(a.id, 'campaign_text', 'Có <&> "trích dẫn"\nhai dòng\t\u0001 ✓', {}, 3);
    expect(submissionsOfPeriod(db, '2026-H1', 'confirmed').find((s) => s.unit.code === 'A')?.answers.campaign_text).toBe('Có <&> "trích dẫn"\nhai dòng\t\u0001 ✓');
  });

  it('confirmSubmission makes revision 1; each correction takes the next revision', () => {
    const s = submission();
    const c = confirmSubmission(db, s.id, null, NOW);
    expect(c).toMatchObject({ status: 'confirmed', revision: 1 });
    expect(c.confirmedAt?.getTime()).toBe(NOW.getTime());
    expect(nextRevision(db, s.id, NOW)).toBe(2);
    expect(nextRevision(db, s.id, NOW)).toBe(3);
    expect(findSubmission(db, s.unitId, '2026-H1')).toMatchObject({ status: 'confirmed', revision: 3 });
  });
});

describe('periods', () => {
  it('openPeriods follows the calendar and the office overrides', () => {
    const ids = () => openPeriods(db, NOW, DEFAULT_CALENDAR).map((p) => p.id);
    expect(ids()).toContain('2026-H1');
    expect(ids()).not.toContain('2026-Q3');
    setPeriodOverride(db, '2026-H1', 'closed', null, NOW);
    setPeriodOverride(db, '2026-Q3', 'open', null, NOW);
    expect(ids()).not.toContain('2026-H1');
    expect(ids()).toContain('2026-Q3');
    setPeriodOverride(db, '2026-H1', 'calendar', null, NOW);
    expect(ids()).toContain('2026-H1');
    // Sorted by deadline, nearest first.
    const deadlines = openPeriods(db, NOW, DEFAULT_CALENDAR).map((p) => p.deadline.getTime());
    expect([...deadlines].sort((a, b) => a - b)).toEqual(deadlines);
  });
});

describe('conversations', () => {
  it('stores the state per contact and reads a corrupt row as idle', () => {
    const contact = touchContact(db, 'console', 'hieutruong', null, NOW);
    expect(loadConversation(db, contact.id)).toEqual({ mode: 'idle' });
    saveConversation(db, contact.id, { mode: 'question', periodId: '2026-H1', key: 'profile_pupils' }, NOW);
    saveConversation(db, contact.id, { mode: 'question', periodId: '2026-H1', key: 'profile_classes' }, NOW);
    expect(loadConversation(db, contact.id)).toEqual({ mode: 'question', periodId: '2026-H1', key: 'profile_classes' });
    db.update(conversations).set({ state: '{not json' }).where(eq(conversations.contactId, contact.id)).run();
    expect(loadConversation(db, contact.id)).toEqual({ mode: 'idle' });
  });
});

describe('invite lockout rule', () => {
  it('locks after 5 failures within 10 minutes, for 15 minutes after the last', async () => {
    const { lockedUntil } = await import('../domain/invite-code');
    const at = (m: number) => new Date(Date.UTC(2026, 4, 1, 0, m));
    const burst = [0, 1, 2, 3, 4].map(at);
    expect(lockedUntil(burst, at(5))).toEqual(at(19));
    expect(lockedUntil(burst, at(19))).toBeNull();
    expect(lockedUntil(burst.slice(0, 4), at(5))).toBeNull();
    expect(lockedUntil([0, 3, 6, 9, 12].map(at), at(13))).toBeNull();
    expect(lockedUntil([0, 3, 6, 9, 10].map(at), at(13))).toEqual(at(25));
  });
});

describe('rows read by plain statements (storage/rows.ts)', () => {
  it('are exactly the rows drizzle reads: dates, booleans, nulls and bytes decoded alike', () => {
    const u = unit();
    setUnitActive(db, u.id, false, NOW);
    const contact = touchContact(db, 'zalo', 'z-1', null, NOW);
    const period = setPeriodOverride(db, '2026-H1', 'closed', contact.id, NOW);
    const submission = createSubmission(db, u.id, '2026-H1', period.formVersionId, NOW);
    confirmSubmission(db, submission.id, contact.id, new Date(NOW.getTime() + DAY));
    enqueueMessages(db, 'telegram', '42', [{ text: 'Câu 1', buttons: [[{ text: 'Bỏ qua', callback_data: 'skip' }]] }, { document: { filename: 'bc.docx', bytes: new Uint8Array([0, 1, 255]), asPhoto: true } }], NOW);

    expect(findUnitById(db, u.id)).toEqual(db.select().from(units).where(eq(units.id, u.id)).get());
    expect(findUnitById(db, u.id)!.active).toBe(false);
    expect(findContact(db, 'zalo', 'z-1')).toEqual(db.select().from(contacts).where(eq(contacts.id, contact.id)).get());
    expect(findPeriod(db, '2026-H1')).toEqual(db.select().from(periods).where(eq(periods.id, '2026-H1')).get());
    expect(findPeriod(db, '2026-H1')!.changedAt).toEqual(NOW);
    const read = findSubmission(db, u.id, '2026-H1')!;
    expect(read).toEqual(db.select().from(submissions).where(eq(submissions.id, submission.id)).get());
    expect(read.confirmedAt).toEqual(new Date(NOW.getTime() + DAY));
    const queued = pendingOutbox(db, 'telegram', 0, 10);
    expect(queued).toEqual(db.select().from(outbox).orderBy(outbox.id).all());
    expect(queued[1]!.asPhoto).toBe(true);
    expect(Buffer.isBuffer(queued[1]!.document) && [...queued[1]!.document!]).toEqual([0, 1, 255]);
    expect(findUnitById(db, 9999)).toBeUndefined();
  });
});

describe('the reply queue and its send marks', () => {
  const plan = (sql: string, ...params: unknown[]) =>
    (db.$client.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it('a send is a small row of its own; the reply row is left as it was, except a document whose bytes are dropped', () => {
    enqueueMessages(db, 'telegram', '42', [{ text: 'Câu 1' }, { document: { filename: 'bc.docx', bytes: new Uint8Array([1, 2, 3]) } }], NOW);
    const [text, doc] = pendingOutbox(db, 'telegram', 0, 10);
    markOutboxSent(db, { id: text!.id, at: NOW, messageId: 7, hadDocument: false });
    markOutboxSent(db, { id: doc!.id, at: NOW, messageId: 8, hadDocument: true });
    expect(pendingOutbox(db, 'telegram', 0, 10)).toEqual([]);
    expect(outboxSend(db, text!.id)).toEqual({ sentAt: NOW, messageId: 7 });
    const rows = db.select().from(outbox).orderBy(outbox.id).all();
    expect(rows[0]).toEqual(text);
    expect(rows[1]).toEqual({ ...doc, document: null });
    // Marked again (it is not, but a retry after a failed commit could): nothing changes.
    markOutboxSent(db, { id: text!.id, at: new Date(NOW.getTime() + 1), messageId: 9, hadDocument: false });
    expect(outboxSend(db, text!.id)).toEqual({ sentAt: NOW, messageId: 7 });
  });

  it('a start reads from the oldest unsettled row of its channel, past the week of sent rows', () => {
    expect(outboxSettledUpTo(db, 'telegram')).toBe(0);
    enqueueMessages(db, 'telegram', '42', [{ text: 'Câu 1' }, { text: 'Câu 2' }, { text: 'Câu 3' }], NOW);
    const [a, b, c] = pendingOutbox(db, 'telegram', 0, 10);
    markOutboxSent(db, { id: a!.id, at: NOW, messageId: 1, hadDocument: false });
    expect(outboxSettledUpTo(db, 'telegram')).toBe(a!.id);
    markOutboxSent(db, { id: b!.id, at: NOW, messageId: 2, hadDocument: false });
    markOutboxSent(db, { id: c!.id, at: NOW, messageId: 3, hadDocument: false });
    // Nothing unsent: the newest row, so a new one (a higher id) is the first read.
    expect(outboxSettledUpTo(db, 'telegram')).toBe(c!.id);
    enqueueMessages(db, 'zalo', 'z', [{ text: 'Chào' }], NOW);
    const zalo = pendingOutbox(db, 'zalo', 0, 10)[0]!;
    expect(outboxSettledUpTo(db, 'telegram')).toBe(zalo.id);
    expect(outboxSettledUpTo(db, 'zalo')).toBe(zalo.id - 1);
  });

  it('a chat that refused the bot has its unsent rows marked from the refused one on, and only its own', () => {
    enqueueMessages(db, 'telegram', '42', [{ text: 'Câu 1' }], NOW);
    enqueueMessages(db, 'telegram', '43', [{ text: 'Chào' }], NOW);
    enqueueMessages(db, 'telegram', '42', [{ text: 'Câu 2' }, { text: 'Câu 3' }], NOW);
    const [first, other, second, third] = pendingOutbox(db, 'telegram', 0, 10);
    markOutboxSent(db, { id: first!.id, at: NOW, messageId: 1, hadDocument: false });
    expect(failPendingOfChat(db, 'telegram', '42', second!.id, NOW, 'Forbidden: bot was blocked by the user')).toBe(2);
    expect(pendingOutbox(db, 'telegram', 0, 10).map((r) => r.id)).toEqual([other!.id]);
    expect(db.select().from(outbox).where(eq(outbox.id, third!.id)).get()).toMatchObject({ failedAt: NOW, error: 'Forbidden: bot was blocked by the user' });
    expect(outboxSend(db, first!.id)).toEqual({ sentAt: NOW, messageId: 1 });
  });

  it('the sender reads new rows by id, and a chat’s keyboards by their index, never the whole queue', () => {
    expect(plan(OUTBOX_READS.pending.replace('$columns', '*'), 0, 'telegram', 10)).toMatch(/SEARCH outbox USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    const keyboards = plan(OUTBOX_READS.newestSentKeyboard, 'telegram', '42');
    expect(keyboards).toMatch(/SEARCH o USING (COVERING )?INDEX outbox_keyboards/);
    expect(keyboards).not.toMatch(/SCAN/);
  });
});
