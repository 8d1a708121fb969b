import { extname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../../config';
import { UsageError } from './context';

/**
 * Option parsing shared by the CLI commands. node:util's parseArgs does the work; its English messages
 * are replaced by Vietnamese ones naming the option, and `--days -3` reaches our own check (which says
 * what is wrong with -3) instead of Node's "ambiguous argument" refusal.
 */
export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, _usage?: string) {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const spec = a.startsWith('--') && !a.includes('=') ? options[a.slice(2)] : undefined;
    const next = args[i + 1];
    // A string option followed by anything (even "-3" or "--x") takes it as its value.
    if (spec?.type === 'string' && next !== undefined && !(next.startsWith('--') && next.slice(2) in options)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(translateParseError(err));
  }
}

function translateParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `lệnh này không có tùy chọn ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take an argument/.test(message) ? `tùy chọn ${option} không nhận giá trị` : `tùy chọn ${option} cần một giá trị`;
  }
  return `không hiểu các tham số (${message})`;
}

/** A whole number ≥ 1 (or ≥ `min`), refused in words otherwise. */
export function positiveInt(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} phải là một số nguyên${min >= 1 ? ' dương' : ' không âm'}${min > 1 ? ` từ ${min} trở lên` : ''}, không phải “${value}”`);
  }
  return n;
}

/** No more positionals than the command takes: a stray word is a mistake, not something to ignore. */
export function noExtra(extra: readonly string[], command: string): void {
  if (extra.length > 0) throw new UsageError(`${command}: thừa tham số “${extra.join(' ')}”`);
}

export interface OutputSpec {
  /** File name under OUTPUT_DIR when --out is not given. */
  defaultName: string;
  /** Accepted extensions, lower case with the dot; the first is the one named in the refusal. */
  extensions: readonly string[];
  /** What the file is, for the refusal: "tệp Word", "bảng tính Excel". */
  kind: string;
}

/**
 * Where a command writes its file: `--out` as given (relative to the working directory), otherwise
 * under OUTPUT_DIR. A wrong extension is refused before any work, so a .csv is never written as .xlsx bytes.
 */
export function outputPath(config: Config, out: string | undefined, spec: OutputSpec): string {
  const path = out === undefined ? join(config.outputDir, spec.defaultName) : out;
  if (out !== undefined && out.trim() === '') throw new UsageError('--out cần tên tệp');
  const ext = extname(path).toLowerCase();
  if (!spec.extensions.includes(ext)) {
    const wanted = spec.extensions.join(' hoặc ');
    throw new UsageError(`--out ${out}: lệnh này ghi ${spec.kind}, tên tệp phải có đuôi ${wanted}`);
  }
  return isAbsolute(path) ? path : resolve(path);
}
