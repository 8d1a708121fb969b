import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { handleIncoming } from '../handlers/router';
import type { AppDeps } from '../handlers/types';
import type { DemoSeed } from '../storage/demo-seed';
import { answers, contacts, inviteCodes, submissions } from '../storage/schema';
import { setPeriodOverride } from '../storage/repositories/periods';
import { setUnitActive } from '../storage/repositories/units';
import { closeDeps, makeDeps, seed, tempDir } from './helpers/harness';

/**
 * Audit of the router with a real SQLite file: a period closed by the office while a contact is in it,
 * a unit disabled after its contact linked, a deadline already past, a move confirmed by typing.
 */

let tmp: ReturnType<typeof tempDir>;
let deps: AppDeps;
let demo: DemoSeed;
let clock = new Date('2026-05-01T03:00:00Z'); // 2026-H1 open, due 05/5
let update = 0;

beforeEach(() => {
  tmp = tempDir();
  clock = new Date('2026-05-01T03:00:00Z');
  deps = makeDeps(`${tmp.dir}/bot.db`, () => clock);
  demo = seed(deps);
});
afterEach(() => {
  closeDeps(deps);
  tmp.cleanup();
});

const codeOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.invite.code;
const unitIdOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.unit.id;

async function send(userId: string, text: string): Promise<string> {
  const replies = await handleIncoming(deps, { channel: 'zalo', updateKey: `u${++update}`, userId, displayName: 'Thầy Minh', event: { kind: 'text', text } });
  return replies.map((r) => r.text).join('\n---\n');
}

describe('a period closed by the office while a contact is in it', () => {
  it('an answer is told the period is closed and stored nowhere; /xem still shows what was sent', async () => {
    clock = new Date('2026-05-10T03:00:00Z'); // only 2026-H1 is open (Q1 closed on 05/5)
    await send('p1', codeOf('PGD-DALAT'));
    await send('p1', '/nhap');
    await send('p1', '560');
    setPeriodOverride(deps.db, '2026-H1', 'closed', null, clock);
    const before = deps.db.select().from(answers).all();

    expect(await send('p1', '285.000')).toContain('Kỳ báo cáo 6 tháng đầu năm 2026 đã khóa');
    expect(deps.db.select().from(answers).all()).toEqual(before);
    const review = await send('p1', '/xem');
    expect(review).toContain('1. Số cơ sở giáo dục trực thuộc (tính cả đơn vị mình): 560 cơ sở');
    expect(review).toContain('Kỳ báo cáo đã khóa.');
    expect(await send('p1', '/sua 1')).toContain('đã khóa');
    expect(deps.db.select().from(answers).all()).toEqual(before);
    expect(await send('p1', '/nhap')).toBe('Kỳ báo cáo 6 tháng đầu năm 2026 đã khóa. Hiện chưa có kỳ báo cáo nào đang mở. Bot sẽ nhắc khi đến kỳ báo cáo.');
  });

  it('a contact who never started is simply told no period is open', async () => {
    clock = new Date('2026-05-10T03:00:00Z');
    await send('p2', codeOf('PGD-BAOLOC'));
    setPeriodOverride(deps.db, '2026-H1', 'closed', null, clock);
    expect(await send('p2', '/xem')).toContain('Hiện chưa có kỳ báo cáo nào đang mở');
  });

  it('with another period still open, an answer is not taken for it: told "đã khóa", then /nhap moves on', async () => {
    // 01/5/2026: 2026-Q1 (due 05/4) is still open for late reports, 2026-H1 is the default.
    await send('p7', codeOf('TT-HOANHAP'));
    expect(await send('p7', '/nhap')).toContain('6 tháng đầu năm 2026');
    await send('p7', '12');
    setPeriodOverride(deps.db, '2026-H1', 'closed', null, clock);
    const before = deps.db.select().from(answers).all();
    const refused = await send('p7', '1.593');
    expect(refused).toContain('Kỳ báo cáo 6 tháng đầu năm 2026 đã khóa');
    expect(refused).not.toContain('Quý I');
    expect(deps.db.select().from(answers).all()).toEqual(before);
    const next = await send('p7', '/nhap');
    expect(next).toContain('Báo cáo công tác thông tin đối ngoại Quý I năm 2026');
    expect(next).toContain('Câu 1/32');
  });
});

describe('linking', () => {
  it('a unit disabled after its contact linked: /nhap names the unit, and nothing is created', async () => {
    await send('p3', `/start ${codeOf('GDNN-DUCTRONG')}`);
    setUnitActive(deps.db, unitIdOf('GDNN-DUCTRONG'), false, clock);
    const text = await send('p3', '/nhap');
    expect(text).toContain('Trung tâm GDNN-GDTX huyện Đức Trọng đang tạm ngừng báo cáo');
    expect(text).not.toContain('mã mời');
    expect(deps.db.select().from(submissions).all()).toHaveLength(0);
  });

  it('after the deadline the welcome and the intro say the deadline has passed', async () => {
    clock = new Date('2026-05-12T03:00:00Z'); // H1 still open (closes 30 days after 05/5)
    const bound = await send('p4', `/start ${codeOf('THPT-BUITHIXUAN')}`);
    expect(bound).toContain('Kỳ báo cáo đang mở: 6 tháng đầu năm 2026 (hạn 05/5/2026, đã quá hạn)');
    expect(await send('p4', '/nhap')).toContain('Hạn gửi: 05/5/2026, đã quá hạn, đề nghị hoàn thành sớm');
  });

  it('a move typed with the accented word ("chuyển") works like the button; a wrong code with it is refused', async () => {
    await send('p5', codeOf('PGD-DALAT'));
    const other = codeOf('THPT-THANGLONG');
    expect(await send('p5', `/start ${other.toLowerCase()} chuyển`)).toContain('Đã chuyển tài khoản từ Phòng Giáo dục và Đào tạo thành phố Đà Lạt sang Trường THPT Chuyên Thăng Long');
    const contact = deps.db.select().from(contacts).where(eq(contacts.externalId, 'p5')).get()!;
    expect(contact.unitId).toBe(unitIdOf('THPT-THANGLONG'));
    expect(deps.db.select().from(inviteCodes).where(eq(inviteCodes.code, other)).get()!.uses).toBe(1);
    expect(await send('p5', '/start ZZZZ-ZZZZ chuyen')).toContain('Mã “ZZZZ-ZZZZ” không đúng');
    expect(deps.db.select().from(contacts).where(eq(contacts.externalId, 'p5')).get()!.unitId).toBe(unitIdOf('THPT-THANGLONG'));
  });

  it('on Zalo a bound account sending its own code again as plain text changes nothing and uses nothing up', async () => {
    const code = codeOf('PGD-BAOLOC');
    await send('p6', code);
    expect(await send('p6', code)).toContain('Gõ /nhap để nhập báo cáo 6 tháng đầu năm 2026');
    expect(await send('p6', `/start ${code}`)).toContain('không cần nhập lại mã');
    expect(deps.db.select().from(inviteCodes).where(eq(inviteCodes.code, code)).get()!.uses).toBe(1);
    expect(deps.db.select().from(answers).all()).toHaveLength(0);
  });
});
