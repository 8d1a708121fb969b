import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeProgress } from '../domain/progress';
import { UNIT_TYPES, type UnitRef } from '../domain/units';
import { PROGRESS_MAX_NAMES, progressText, shareNames } from '../templates/progress';

/** /tiendo for a province of any size: one readable chat message, not a wall of 1,600 names. */

const province = (n: number): UnitRef[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    code: `U${i + 1}`,
    name: `Trường Tiểu học số ${i + 1} xã Lộc Thành`,
    type: i < n * 0.8 ? 'phong-gddt' : UNIT_TYPES[i % UNIT_TYPES.length]!,
  }));

describe('/tiendo text', () => {
  it('1,600 units: counts per group, a fair sample of names, and where the full list is', () => {
    const units = province(1600);
    const confirmed = new Set(units.filter((u) => u.id % 3 === 0).map((u) => u.id));
    const started = new Set(units.filter((u) => u.id % 5 === 0).map((u) => u.id));
    const p = computeProgress(units, confirmed, started);
    const text = progressText('6 tháng đầu năm 2026', '05/5/2026', p, { fullListCommand: '/xuat 2026-H1' });
    expect(text.length).toBeLessThan(4096); // one Telegram message
    const names = text.split('\n').filter((l) => l.startsWith('   - '));
    expect(names.length).toBeLessThanOrEqual(PROGRESS_MAX_NAMES);
    expect(names.length).toBeGreaterThan(PROGRESS_MAX_NAMES - 10);
    expect(text).toContain(`Đã gửi: ${p.confirmed.toLocaleString('vi-VN')}/1.600 đơn vị (đã duyệt 0) · Bị trả lại: 0 · Đang nhập: ${p.inProgress} · Chưa gửi: ${p.notStarted}`);
    const pgd = p.groups.find((g) => g.type === 'phong-gddt')!;
    const pgdTotal = pgd.confirmed.length + pgd.inProgress.length + pgd.notStarted.length;
    expect(pgdTotal).toBeGreaterThan(1000);
    expect(text).toContain(`Phòng Giáo dục và Đào tạo: đã gửi ${pgd.confirmed.length}/${pgdTotal.toLocaleString('vi-VN')}`);
    expect(text).toContain(` Đang nhập (chưa gửi): ${pgd.inProgress.length}\n   - Trường Tiểu học số 5 xã Lộc Thành`);
    expect(text).toMatch(/ Chưa gửi: \d+\n {3}- Trường Tiểu học số 1 xã Lộc Thành/);
    // Every group shows some names, the rest counted.
    for (const g of p.groups) expect(text).toContain(`${g.label}: đã gửi`);
    expect(text.match(/… và [\d.]+ đơn vị khác/g)?.length).toBeGreaterThanOrEqual(p.groups.length);
    expect(text.trim().endsWith('Danh sách đầy đủ, có trạng thái của từng đơn vị: /xuat 2026-H1 (tệp Excel).')).toBe(true);
  });

  it('a small province: every name, no pointer', () => {
    const units = province(20);
    const p = computeProgress(units, new Set([1, 2, 3]), new Set([4]));
    const text = progressText('Quý I năm 2026', '05/4/2026', p, { fullListCommand: '/xuat 2026-Q1' });
    expect(text.startsWith('TIẾN ĐỘ BÁO CÁO QUÝ I NĂM 2026 (hạn 05/4/2026)')).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('   - '))).toHaveLength(17);
    expect(text).not.toContain('/xuat');
    expect(text).not.toContain('đơn vị khác');
  });

  it('everyone confirmed, and nobody expected', () => {
    const units = province(3);
    expect(progressText('năm 2026', '05/11/2026', computeProgress(units, new Set([1, 2, 3]), new Set()))).toContain(
      'Tất cả các đơn vị đã gửi báo cáo.',
    );
    expect(progressText('năm 2026', '05/11/2026', computeProgress([], new Set(), new Set()))).toContain(
      'Chưa có đơn vị nào trong danh sách báo cáo.',
    );
  });

  it('shares the names fairly: within the budget, never more than a list holds, all when they fit', () => {
    expect(shareNames([1, 100, 3], 60)).toEqual([1, 56, 3]);
    expect(shareNames([100, 100], 60)).toEqual([30, 30]);
    expect(shareNames([], 60)).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.nat(500), { maxLength: 12 }), fc.nat(200), (sizes, budget) => {
        const caps = shareNames(sizes, budget);
        const total = sizes.reduce((a, b) => a + b, 0);
        const shown = caps.reduce((a, b) => a + b, 0);
        caps.forEach((c, i) => expect(c).toBeLessThanOrEqual(sizes[i]!));
        expect(shown).toBeLessThanOrEqual(budget);
        if (total <= budget) expect(caps).toEqual(sizes);
        // Names left unshown only by rounding the shares: fewer than one per list.
        else expect(budget - shown).toBeLessThan(Math.max(1, sizes.length));
      }),
    );
  });
});
