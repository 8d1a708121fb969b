import { loadConfig, type Config } from '../../config';
import { closeDatabase, openDatabase, type Db } from '../../storage/db';

/** What a CLI command is given: the validated configuration and the database (opened on first use). */
export interface CliContext {
  config: Config;
  db: Db;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CliCommand {
  /** One line for `help`: the synopsis, then what it does (in Vietnamese, like everything the office reads). */
  usage: string;
  /**
   * Returns nothing on success, or the exit code when the command finished but must report failure to
   * a script (e.g. an import that rejected rows: exit 1 although the rest was imported).
   */
  run: (args: string[], ctx: CliContext) => Promise<number | void> | number | void;
}

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends Error {}

/**
 * A command that could not do its work for a reason the office can act on (a missing file, a refused
 * restore): one line without a stack, exit code 1.
 */
export class CliError extends Error {}

/**
 * The database is opened (and migrated) only when a command touches `ctx.db`: `help` must work on a
 * machine without data, and `restore` must not open the file it is about to replace.
 */
export async function withCliContext<T>(
  fn: (ctx: CliContext) => Promise<T> | T,
  io: { env?: Record<string, string | undefined>; out?: (line: string) => void; err?: (line: string) => void } = {},
): Promise<T> {
  const config = loadConfig(io.env ?? process.env);
  let db: Db | undefined;
  const ctx: CliContext = {
    config,
    get db() {
      db ??= openDatabase(config.databasePath);
      return db;
    },
    out: io.out ?? ((l) => process.stdout.write(l + '\n')),
    err: io.err ?? ((l) => process.stderr.write(l + '\n')),
  };
  try {
    return await fn(ctx);
  } finally {
    if (db) closeDatabase(db);
  }
}
