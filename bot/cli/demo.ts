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
    out(`OFFICE\t${displayInviteCode(seed.officeInvite.code)}\tVăn phòng Sở (office account)`);
    for (const p of seed.openPeriods) out(`Open period: ${p.id} (${p.title}), deadline ${formatShortDate(p.deadline, config.timeZone)}`);
  },
};

export const inviteCommand: CliCommand = {
  usage: 'invite --unit <code> [--days N] [--uses N]   print a fresh invite code for one unit',
  run: (args, { db, out }) => {
    const { values } = parseArgs({ args, options: { unit: { type: 'string' }, days: { type: 'string' }, uses: { type: 'string' } } });
    if (!values.unit) throw new UsageError('invite needs --unit <unit code>');
    const positive = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number`);
      return n;
    };
    const ttlDays = positive('days', values.days);
    const maxUses = positive('uses', values.uses);
    const invite = inTransaction(db, (tx) => {
      const unit = findUnitByCode(tx, values.unit!);
      if (!unit) throw new UsageError(`no unit with code "${values.unit}"`);
      if (!unit.active) throw new UsageError(`unit "${values.unit}" is inactive`);
      return createInvite(tx, { unitId: unit.id, role: 'contact', now: new Date(), ttlDays, maxUses });
    });
    out(`${values.unit}\t${displayInviteCode(invite.code)}\texpires ${invite.expiresAt?.toISOString() ?? 'never'}\tuses ${invite.maxUses}`);
  },
};
