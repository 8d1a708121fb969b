import { PeriodIdSchema } from '../../domain/periods';
import { defaultPeriod } from '../../domain/period-status';
import { reply, type Reply } from '../../domain/replies';
import { audit } from '../../storage/repositories/audit';
import { openPeriods } from '../../storage/repositories/periods';
import * as t from '../../templates/reminders';
import type { CommandSpec } from '../commands';
import { schedulerFor } from '../reminders/registry';
import type { CommandContext } from '../types';

/**
 * /nhacnho [kỳ]: a reminder round now, for the open period (the nearest deadline, or the one named), to
 * every reachable account of every unit that has not confirmed, within working hours only. It answers at
 * once; the round runs through the outgoing queue and the office gets the digest when it is done.
 */
function remindNow(c: CommandContext, arg: string): Reply[] {
  const scheduler = schedulerFor(c.deps.db);
  if (!scheduler) return [reply(t.remindersNotRunning())];
  const open = openPeriods(c.deps.db, c.now, c.deps.config.calendar);
  const wanted = arg.trim().toUpperCase();
  if (wanted !== '' && !PeriodIdSchema.safeParse(wanted).success) return [reply(t.badPeriodId(arg.trim()))];
  const period = wanted === '' ? defaultPeriod(open, c.now) : open.find((p) => p.id === wanted);
  if (!period) return [reply(t.noOpenPeriodToRemind(open.map((p) => p.id)))];

  const request = scheduler.requestManualRound(period, c.contact.id);
  if (!request.ok) {
    const { workStart, workEnd, skipSundays } = c.deps.config.reminders.plan;
    if (request.reason === 'quiet_hours') return [reply(t.outsideWorkingHours(workStart, workEnd, skipSundays))];
    return [reply(request.reason === 'busy' ? t.manualRoundBusy() : t.manualRoundNobody(period.title))];
  }
  audit(c.deps.db, {
    at: c.now,
    actorContactId: c.contact.id,
    action: 'reminder_round_manual',
    subject: `period:${period.id}`,
    details: { slotId: request.slotId, contacts: request.contacts, units: request.units },
  });
  return [reply(t.manualRoundStarted(period.title, request.contacts, request.units))];
}

export const remindCommand: CommandSpec = {
  name: 'nhacnho',
  usage: '/nhacnho',
  description: 'Gửi ngay tin nhắc tới các đơn vị chưa xác nhận báo cáo kỳ đang mở; có thể thêm kỳ báo cáo, ví dụ /nhacnho 2026-H1',
  audience: 'office',
  // After the update's transaction: the round reads committed data and runs on in the background.
  runAsync: async (c, arg) => remindNow(c, arg),
};
