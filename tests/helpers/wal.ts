import { readFileSync } from 'node:fs';

/**
 * Transactions committed in a database's write-ahead log: frames of the current log (its salts) whose
 * header marks a commit. What a test reads to count commits for real, without hooking our code.
 */
export function walCommits(databasePath: string): number {
  const wal = readFileSync(`${databasePath}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}
