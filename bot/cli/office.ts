import { displayInviteCode } from '../../domain/invite-code';
import { formatShortDate } from '../../domain/periods';
import { inTransaction } from '../../storage/db';
import { audit } from '../../storage/repositories/audit';
import { createInvite } from '../../storage/repositories/invites';
import { OFFICE_INVITE_TTL_DAYS } from '../../handlers/office/units';
import { UsageError, type CliCommand } from './context';
import { noExtra, parseOptions, positiveInt } from './options';

const USAGE = 'office invite [--days N]                      mã mời dùng một lần để liên kết một tài khoản Văn phòng Sở';

export const officeCommand: CliCommand = {
  usage: USAGE,
  run: (args, { db, config, out }) => {
    const { values, positionals } = parseOptions(args, { days: { type: 'string' } });
    if (positionals[0] !== 'invite') throw new UsageError(positionals[0] ? `office không có lệnh con “${positionals[0]}” (dùng office invite)` : 'office cần lệnh con: office invite');
    noExtra(positionals.slice(1), 'office invite');
    const ttlDays = positiveInt('days', values.days) ?? OFFICE_INVITE_TTL_DAYS;
    const now = new Date();
    const invite = inTransaction(db, (tx) => {
      const row = createInvite(tx, { unitId: null, role: 'office', now, maxUses: 1, ttlDays });
      audit(tx, { at: now, actorContactId: null, action: 'office_invite_created', subject: 'office', details: { inviteId: row.id, via: 'cli' } });
      return row;
    });
    const code = displayInviteCode(invite.code);
    out(`Mã mời Văn phòng Sở: ${code}`);
    out(`Dùng một lần, hết hạn ngày ${formatShortDate(invite.expiresAt!, config.timeZone)}. Người được mời gửi cho bot: /start ${code}`);
  },
};
