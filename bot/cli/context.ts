import { loadConfig, type Config } from '../../config';
import { closeDatabase, openDatabase, type Db } from '../../storage/db';

/** What a CLI command is given: the validated configuration and an open, migrated database. */
export interface CliContext {
  config: Config;
  db: Db;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CliCommand {
  /** One line: the synopsis and what it does, for `npm run cli` without arguments. */
  usage: string;
  run: (args: string[], ctx: CliContext) => Promise<void> | void;
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export async function withCliContext<T>(fn: (ctx: CliContext) => Promise<T> | T): Promise<T> {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  try {
    return await fn({ config, db, out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') });
  } finally {
    closeDatabase(db);
  }
}
