import { isDeepStrictEqual } from 'node:util';
import { flattenForm, type FormDefinition } from '../../domain/form';
import { formFromSheets, formToTables } from '../../domain/form-sheet';
import { inTransaction } from '../../storage/db';
import { periodFormVersions } from '../../storage/repositories/admin';
import { audit } from '../../storage/repositories/audit';
import { addFormVersion, formVersion, latestFormVersion, type FormVersion } from '../../storage/repositories/forms';
import { findPeriod, openPeriods } from '../../storage/repositories/periods';
import { readSpreadsheetFile } from '../../templates/spreadsheet/read';
import { writeSpreadsheetFile } from '../../templates/spreadsheet/write';
import { UsageError, type CliCommand, type CliContext } from './context';
import { noExtra, outputPath, parseOptions } from './options';
import { knownPeriodOption, periodOption } from './export';

const USAGE =
  'form export [--out TỆP.xlsx] [--period KỲ] | form import TỆP [--note GHI-CHÚ]   mẫu báo cáo dạng bảng tính; import tạo phiên bản mẫu mới';

/** A form has a few dozen questions; a survey sheet of thousands of rows is the wrong file. */
const FORM_MAX_ROWS = 2_000;

export type FormImportResult = { kind: 'unchanged'; version: FormVersion } | { kind: 'added'; version: FormVersion; previous: FormVersion };

export async function exportForm(ctx: CliContext, out: string, periodId?: string): Promise<FormVersion> {
  let version: FormVersion;
  if (periodId) {
    knownPeriodOption(ctx, periodId, 'form export');
    const period = findPeriod(ctx.db, periodId);
    // A known period nobody entered figures for (closed, or still to come) takes the latest form when first used.
    version = period ? formVersion(ctx.db, period.formVersionId) : latestFormVersion(ctx.db);
  } else {
    version = latestFormVersion(ctx.db);
  }
  await writeSpreadsheetFile(out, formToTables(version.form));
  return version;
}

/** Validates the file with the form schema; a valid, different form becomes the newest version. */
export async function importForm(ctx: CliContext, file: string, note: string | null, now = new Date()): Promise<FormImportResult> {
  const sheets = await readSpreadsheetFile(file, { maxDataRows: FORM_MAX_ROWS });
  return inTransaction(ctx.db, (tx) => {
    const previous = latestFormVersion(tx);
    const parsed = formFromSheets(sheets, previous.form.title);
    if (!parsed.ok) {
      throw new Error(`Mẫu báo cáo trong tệp ${file} không hợp lệ, không có gì thay đổi:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
    }
    if (isDeepStrictEqual(parsed.form, previous.form)) return { kind: 'unchanged' as const, version: previous };
    const version = addFormVersion(tx, parsed.form, note ?? `Nhập từ ${file}`, now);
    audit(tx, { at: now, actorContactId: null, action: 'form_version_added', subject: `form:${version.id}`, details: { file, previous: previous.id } });
    return { kind: 'added' as const, version, previous };
  });
}

const describe = (form: FormDefinition) => `${flattenForm(form).length} câu hỏi trong ${form.sections.length} phần`;

/**
 * What a new version drops or retypes compared with the previous one: the compiled report and the
 * period-to-period comparisons find figures by question key, so a renamed key is a lost figure.
 */
export function formChangeWarnings(previous: FormVersion, next: FormDefinition): string[] {
  const before = new Map(flattenForm(previous.form).map((q) => [q.key, q]));
  const after = new Map(flattenForm(next).map((q) => [q.key, q]));
  const removed = [...before.values()].filter((q) => !after.has(q.key));
  const retyped = [...before.values()].filter((q) => after.has(q.key) && after.get(q.key)!.type !== q.type);
  const lines: string[] = [];
  if (removed.length > 0) {
    lines.push(`Lưu ý: so với phiên bản ${previous.id}, mẫu mới không còn ${removed.length} câu hỏi (số liệu các kỳ cũ vẫn giữ; báo cáo các kỳ dùng mẫu mới sẽ không có các số liệu này):`);
    for (const q of removed) lines.push(`  ${q.key} · ${q.label}`);
  }
  for (const q of retyped) lines.push(`Lưu ý: câu hỏi ${q.key} đổi loại từ ${q.type} sang ${after.get(q.key)!.type}.`);
  return lines;
}

export const formCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, period: { type: 'string' }, note: { type: 'string' } });
    const [sub, file, ...extra] = positionals;
    if (sub === 'export') {
      noExtra(positionals.slice(1), 'form export');
      const period = values.period === undefined ? undefined : periodOption(values.period, 'form export');
      // The settings sheet (the form's title) does not fit in a CSV.
      const out = outputPath(ctx.config, values.out, { defaultName: 'mau-bao-cao.xlsx', extensions: ['.xlsx'], kind: 'bảng tính Excel' });
      const v = await exportForm(ctx, out, period);
      ctx.out(`Đã ghi ${out}: mẫu báo cáo phiên bản ${v.id} (${describe(v.form)}).`);
      return;
    }
    if (sub !== 'import') throw new UsageError(sub ? `form không có lệnh con “${sub}” (dùng form export hoặc form import)` : 'form cần lệnh con: form export hoặc form import TỆP');
    if (!file) throw new UsageError('form import cần tên tệp: form import TỆP.xlsx');
    noExtra(extra, 'form import');
    const result = await importForm(ctx, file, values.note ?? null);
    if (result.kind === 'unchanged') {
      ctx.out(`Mẫu trong tệp giống hệt phiên bản ${result.version.id} đang dùng; không tạo phiên bản mới.`);
      return;
    }
    ctx.out(`Đã tạo mẫu báo cáo phiên bản ${result.version.id} (${describe(result.version.form)}). Các kỳ báo cáo bắt đầu từ nay dùng mẫu này.`);
    for (const line of formChangeWarnings(result.previous, result.version.form)) ctx.out(line);
    const versions = periodFormVersions(ctx.db);
    const started = versions.filter((p) => p.formVersionId !== result.version.id);
    if (started.length > 0) {
      ctx.out(`Các kỳ đã bắt đầu giữ nguyên mẫu cũ: ${started.map((p) => `${p.periodId} (phiên bản ${p.formVersionId})`).join(', ')}.`);
    }
    // A period open on the calendar that nobody has touched yet takes its form when first used.
    const known = new Set(versions.map((p) => p.periodId));
    const fresh = openPeriods(ctx.db, new Date(), ctx.config.calendar).filter((p) => !known.has(p.id));
    if (fresh.length > 0) ctx.out(`Kỳ đang mở chưa có đơn vị nào nhập, sẽ dùng mẫu mới: ${fresh.map((p) => p.id).join(', ')}.`);
  },
};
