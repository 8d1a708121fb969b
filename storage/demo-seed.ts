import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from './db';
import { inTransaction } from './db';
import { inviteCodes, type InviteCodeRow, type UnitRow } from './schema';
import { createInvite, currentInviteForUnit } from './repositories/invites';
import { latestFormVersion } from './repositories/forms';
import { upsertUnit, type UnitInput } from './repositories/units';
import { openPeriods, setPeriodOverride } from './repositories/periods';
import { periodsOfYear, toWall, type CalendarConfig, type PeriodInfo } from '../domain/periods';

/** A handful of units like those in the seed documents, so a newcomer can try the bot in a minute. */
export const DEMO_UNITS: UnitInput[] = [
  { code: 'PGD-DALAT', name: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt', type: 'phong-gddt', district: 'Đà Lạt' },
  { code: 'PGD-BAOLOC', name: 'Phòng Giáo dục và Đào tạo thành phố Bảo Lộc', type: 'phong-gddt', district: 'Bảo Lộc' },
  { code: 'THPT-THANGLONG', name: 'Trường THPT Chuyên Thăng Long', type: 'thpt', district: 'Đà Lạt' },
  { code: 'THPT-BUITHIXUAN', name: 'Trường THPT Bùi Thị Xuân', type: 'thpt', district: 'Đà Lạt' },
  { code: 'GDNN-DUCTRONG', name: 'Trung tâm GDNN-GDTX huyện Đức Trọng', type: 'gdnn-gdtx', district: 'Đức Trọng' },
  { code: 'TT-HOANHAP', name: 'Trung tâm Hỗ trợ phát triển giáo dục hòa nhập tỉnh', type: 'truc-thuoc', district: null },
  { code: 'PHONG-GDTRH', name: 'Phòng Giáo dục Trung học (thuộc Sở)', type: 'phong-so', district: null },
];

export interface DemoSeed {
  units: { unit: UnitRow; invite: InviteCodeRow }[];
  officeInvite: InviteCodeRow;
  openPeriods: PeriodInfo[];
}

/** Idempotent: a second run keeps the units and hands out the same still-usable codes. */
export function seedDemo(db: Db, now: Date, calendar: CalendarConfig): DemoSeed {
  return inTransaction(db, (tx) => {
    latestFormVersion(tx);
    const units = DEMO_UNITS.map((input) => {
      const { unit } = upsertUnit(tx, input, now);
      return { unit, invite: currentInviteForUnit(tx, unit.id, now) };
    });
    // A demo must have something to fill in on any day of the year: between two periods, open the next.
    if (openPeriods(tx, now, calendar).length === 0) {
      const year = toWall(now, calendar.timeZone).year();
      const next = [...periodsOfYear(year, calendar), ...periodsOfYear(year + 1, calendar)].find((p) => p.opensAt > now);
      if (next) setPeriodOverride(tx, next.id, 'open', null, now);
    }
    return { units, officeInvite: usableOfficeInvite(tx, now), openPeriods: openPeriods(tx, now, calendar) };
  });
}

/** A usable office code for the console's banner and the demo; a new one when the last is used up or expired. */
export function usableOfficeInvite(db: Db, now: Date): InviteCodeRow {
  const existing = db
    .select()
    .from(inviteCodes)
    .where(and(eq(inviteCodes.role, 'office'), isNull(inviteCodes.unitId), isNull(inviteCodes.revokedAt)))
    .orderBy(desc(inviteCodes.id))
    .all()
    .find((r) => r.uses < r.maxUses && (!r.expiresAt || r.expiresAt > now));
  return existing ?? createInvite(db, { unitId: null, role: 'office', now, maxUses: 5, ttlDays: 30 });
}
