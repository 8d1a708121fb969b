import { changeParticulars, foldWord, PARTICULAR_FIELDS, type ParticularField } from '../../domain/report-particulars';
import { periodInfo } from '../../domain/periods';
import { dataWindowFor } from '../../handlers/office/data-window';
import { audit } from '../../storage/repositories/audit';
import { findParticulars, saveParticulars } from '../../storage/repositories/report-particulars';
import { particularsText } from '../../templates/particulars';
import { UsageError, type CliCommand } from './context';
import { knownPeriodOption } from './export';
import { parseOptions } from './options';

const USAGE = `report-settings --period KỲ [MỤC nội dung]   xem, đặt thông tin của báo cáo kỳ, như /thongtinbc (MỤC: ${PARTICULAR_FIELDS.join(', ')})`;

export const particularsCliCommand: CliCommand = {
  usage: USAGE,
  run: (args, ctx) => {
    const { values, positionals } = parseOptions(args, { period: { type: 'string' } }, USAGE);
    const id = knownPeriodOption(ctx, values.period, 'report-settings');
    const period = periodInfo(id, ctx.config.calendar);
    const now = new Date();
    const [fieldArg, ...rest] = positionals;
    let p = findParticulars(ctx.db, id);
    if (fieldArg !== undefined) {
      const field = foldWord(fieldArg) as ParticularField;
      if (!PARTICULAR_FIELDS.includes(field)) throw new UsageError(`không có mục “${fieldArg}”; ${USAGE}`);
      const change = changeParticulars(p, field, rest.join(' '));
      if (!change.ok) throw new UsageError(change.problem);
      saveParticulars(ctx.db, id, change.next, null, now);
      audit(ctx.db, { at: now, actorContactId: null, action: 'report_particulars_set', subject: `period:${id}`, details: { field, value: rest.join(' ').slice(0, 2000), before: p, after: change.next, via: 'cli' } });
      p = change.next;
    }
    ctx.out(particularsText(period, p, { config: ctx.config, dataWindow: dataWindowFor(ctx.db, ctx.config, period), issuedAt: now }));
  },
};
