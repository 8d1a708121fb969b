import { inTransaction } from '../../storage/db';
import { seedDemo } from '../../storage/demo-seed';
import { audit } from '../../storage/repositories/audit';
import { renewUnitInvite } from '../../storage/repositories/invites';
import { findUnitByCode } from '../../storage/repositories/units';
import { displayInviteCode } from '../../domain/invite-code';
import { formatNumber } from '../../domain/format';
import { formatShortDate } from '../../domain/periods';
import { CliError, UsageError, type CliCommand } from './context';
import { noExtra, parseOptions, positiveInt } from './options';

export const demoCommand: CliCommand = {
  usage: 'demo                                          tạo tỉnh mẫu để dùng thử (chạy lại không tạo trùng) và in các mã mời',
  run: (args, { db, config, out }) => {
    const { positionals } = parseOptions(args, {});
    noExtra(positionals, 'demo');
    const seed = seedDemo(db, new Date(), config.calendar);
    out('Mã đơn vị\tMã mời\tTên đơn vị');
    for (const { unit, invite } of seed.units) out(`${unit.code}\t${displayInviteCode(invite.code)}\t${unit.name}`);
    // Not to be confused with the unit "Văn phòng Sở" above: this code makes an office account (/baocao, /tiendo…).
    out(`VĂN PHÒNG SỞ\t${displayInviteCode(seed.officeInvite.code)}\tTài khoản Văn phòng Sở (các lệnh /baocao, /tiendo, /nhacnho)`);
    for (const p of seed.openPeriods) out(`Kỳ báo cáo đang mở: ${p.title}, hạn nộp ${formatShortDate(p.deadline, config.timeZone)}`);
  },
};

export const inviteCommand: CliCommand = {
  usage:
    'invite --unit MÃ [--days N] [--uses N] [--keep-old]   cấp mã mời mới cho một đơn vị, như /moi MÃ: mã cũ hết hiệu lực (--keep-old: mã cũ vẫn dùng được)',
  run: (args, { db, config, out }) => {
    const { values, positionals } = parseOptions(args, { unit: { type: 'string' }, days: { type: 'string' }, uses: { type: 'string' }, 'keep-old': { type: 'boolean' } });
    // "invite PGD-DALAT" is what people type first: accept it like --unit.
    const unitCode = (values.unit ?? positionals[0])?.trim();
    if (!unitCode) throw new UsageError('invite cần mã đơn vị: --unit MÃ, ví dụ --unit PGD-DALAT');
    noExtra(positionals.slice(values.unit ? 0 : 1), 'invite');
    const ttlDays = positiveInt('days', values.days);
    const maxUses = positiveInt('uses', values.uses);
    const keepOld = values['keep-old'] ?? false;
    const now = new Date();
    const r = inTransaction(db, (tx) => {
      // Unit codes are stored upper case (units import), people type them in any case.
      const unit = findUnitByCode(tx, unitCode) ?? findUnitByCode(tx, unitCode.toUpperCase());
      if (!unit) throw new CliError(`không có đơn vị nào có mã “${unitCode}” (xem danh sách: /donvi trong chat)`);
      if (!unit.active) throw new CliError(`đơn vị ${unit.code} đã ngừng theo dõi; nhập lại đơn vị bằng units import trước khi cấp mã`);
      const renewed = renewUnitInvite(tx, { unitId: unit.id, now, ttlDays, maxUses, keepOld });
      audit(tx, { at: now, actorContactId: null, action: 'unit_invite_renewed', subject: `unit:${unit.id}`, details: { inviteId: renewed.invite.id, revoked: renewed.revoked, via: 'cli' } });
      return { ...renewed, unit };
    });
    const code = displayInviteCode(r.invite.code);
    out(`Mã mời mới của ${r.unit.name} (${r.unit.code}): ${code}`);
    out(`Dùng được ${formatNumber(r.invite.maxUses)} lần, hết hạn ngày ${formatShortDate(r.invite.expiresAt!, config.timeZone)}. Người phụ trách gửi cho bot: /start ${code}`);
    if (keepOld) {
      out(r.stillValid > 0 ? `Các mã cũ của đơn vị vẫn dùng được (${formatNumber(r.stillValid)} mã).` : 'Đơn vị không có mã cũ nào khác còn hiệu lực.');
    } else {
      out(
        r.revoked > 0
          ? `Các mã cũ của đơn vị (${formatNumber(r.revoked)} mã) không dùng được nữa; các tài khoản đã liên kết vẫn giữ nguyên.`
          : 'Đơn vị chưa có mã cũ nào; các tài khoản đã liên kết vẫn giữ nguyên.',
      );
    }
  },
};
