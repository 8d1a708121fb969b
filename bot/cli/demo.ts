import { parseArgs } from 'node:util';
import { inTransaction } from '../../storage/db';
import { seedDemo } from '../../storage/demo-seed';
import { createInvite } from '../../storage/repositories/invites';
import { findUnitByCode } from '../../storage/repositories/units';
import { displayInviteCode } from '../../domain/invite-code';
import { formatShortDate } from '../../domain/periods';
import { UsageError, type CliCommand } from './context';

export const demoCommand: CliCommand = {
  usage: 'demo                              seed the demo province (idempotent) and print the invite codes',
  run: (_args, { db, config, out }) => {
    const seed = seedDemo(db, new Date(), config.calendar);
    out('Unit code\tInvite code\tUnit name');
    for (const { unit, invite } of seed.units) out(`${unit.code}\t${displayInviteCode(invite.code)}\t${unit.name}`);
    // Not to be confused with the unit "Văn phòng Sở" above: this code makes an office account (/baocao, /tiendo…).
    out(`OFFICE\t${displayInviteCode(seed.officeInvite.code)}\tTài khoản Văn phòng Sở (office account: /baocao, /tiendo, /nhacnho)`);
    for (const p of seed.openPeriods) out(`Open period: ${p.id} (${p.title}), deadline ${formatShortDate(p.deadline, config.timeZone)}`);
  },
};

export const inviteCommand: CliCommand = {
  usage: 'invite --unit <code> [--days N] [--uses N]   print a fresh invite code for one unit',
  run: (args, { db, out }) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { unit: { type: 'string' }, days: { type: 'string' }, uses: { type: 'string' } } });
    // "invite PGD-DALAT" is what people type first: accept it like --unit.
    const unitCode = (values.unit ?? positionals[0])?.trim();
    if (!unitCode || positionals.length > (values.unit ? 0 : 1)) throw new UsageError('invite needs --unit <unit code>');
    const positive = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number`);
      return n;
    };
    const ttlDays = positive('days', values.days);
    const maxUses = positive('uses', values.uses);
    const invite = inTransaction(db, (tx) => {
      // Unit codes are stored upper case (units import), people type them in any case.
      const unit = findUnitByCode(tx, unitCode) ?? findUnitByCode(tx, unitCode.toUpperCase());
      if (!unit) throw new UsageError(`no unit with code "${unitCode}"`);
      if (!unit.active) throw new UsageError(`unit "${unit.code}" is inactive`);
      return { ...createInvite(tx, { unitId: unit.id, role: 'contact', now: new Date(), ttlDays, maxUses }), unitCode: unit.code };
    });
    out(`${invite.unitCode}\t${displayInviteCode(invite.code)}\texpires ${invite.expiresAt?.toISOString() ?? 'never'}\tuses ${invite.maxUses}`);
  },
};
