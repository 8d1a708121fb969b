import { ConfigError } from './config';
import { CLI_COMMANDS } from './bot/cli';
import { UsageError, withCliContext } from './bot/cli/context';

/** The office's command line: `npm run cli -- <command> [options]`. */
function usage(): string {
  return ['Usage: npm run cli -- <command> [options]', '', 'Commands:', ...Object.values(CLI_COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? CLI_COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(`${name ? `Unknown command "${name}".\n\n` : ''}${usage()}\n`);
    return 2;
  }
  try {
    await withCliContext((ctx) => cmd.run(rest, ctx));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
