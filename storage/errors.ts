import Database from 'better-sqlite3';

/** An error of SQLite itself (disk full, read-only file, I/O error, closed connection), not of our logic. */
export function isDatabaseError(err: unknown): err is Error {
  if (err instanceof Database.SqliteError) return true;
  // better-sqlite3 throws a TypeError for a closed connection.
  return err instanceof TypeError && /database connection is not open/i.test(err.message);
}
