import { runCli } from './bot/cli/run';

/** The office's command line: `npm run cli -- <command> [options]` (see bot/cli/run.ts). */
process.exitCode = await runCli(process.argv.slice(2));
