import { ConfigError } from '../../config';
import { redactSecrets } from '../../log';
import { CLI_COMMANDS } from './index';
import { UsageError, withCliContext } from './context';

/**
 * The office's command line: `npm run cli -- <command> [options]`. Exit codes: 0 done, 1 the work
 * failed or was only partly done (a rejected row, a refused restore), 2 the command was called wrongly
 * or the configuration is invalid. Every error is one line starting with "Lỗi:", never a stack trace.
 */

export interface CliIo {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

const HELP_WORDS = new Set(['help', '--help', '-h', 'trogiup']);

export function helpText(): string {
  const lines = ['Cách dùng: npm run cli -- <lệnh> [tùy chọn]', '', 'Các lệnh:'];
  for (const c of Object.values(CLI_COMMANDS)) lines.push(`  ${c.usage}`);
  lines.push(
    '',
    'Tệp được ghi vào thư mục OUTPUT_DIR (mặc định ./data/out) nếu không có --out.',
    'Xem cách dùng một lệnh: npm run cli -- <lệnh> --help',
  );
  return lines.join('\n');
}

/** The usage lines of one command (a command such as `units` may list several subcommands in one line). */
const commandHelp = (name: string) => `Cách dùng: npm run cli -- ${CLI_COMMANDS[name]!.usage}`;

export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = io.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const [name, ...rest] = argv;
  if (name === undefined) {
    err(helpText());
    return 2;
  }
  if (HELP_WORDS.has(name)) {
    const topic = rest[0];
    if (topic !== undefined && Object.hasOwn(CLI_COMMANDS, topic)) out(commandHelp(topic));
    else out(helpText());
    return 0;
  }
  if (!Object.hasOwn(CLI_COMMANDS, name)) {
    err(`Lỗi: không có lệnh “${name}”. Xem danh sách lệnh: npm run cli -- help`);
    return 2;
  }
  const cmd = CLI_COMMANDS[name]!;
  if (rest.some((a) => a === '--help' || a === '-h')) {
    out(commandHelp(name));
    return 0;
  }
  try {
    const code = await withCliContext((ctx) => cmd.run(rest, ctx), { env: io.env, out, err });
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`Lỗi: cấu hình không hợp lệ: ${e.problems.join('; ')}`);
      return 2;
    }
    if (e instanceof UsageError) {
      err(`Lỗi: ${e.message}. Xem: npm run cli -- ${name} --help`);
      return 2;
    }
    err(`Lỗi: ${redactSecrets(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
}
