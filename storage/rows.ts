import { getTableColumns, type InferSelectModel } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Statement } from 'better-sqlite3';
import { perDb, type Db } from './db';

/** Columns whose stored value is the value (no Date, boolean or JSON to make of it). */
const AS_STORED = new Set(['SQLiteInteger', 'SQLiteText', 'SQLiteReal', 'SQLiteBlobBuffer']);

interface WholeRows<T extends SQLiteTable> {
  /** The select list, every column of the table in drizzle's order. */
  columns: string;
  /** One row read with `.raw()` as drizzle's select() gives it (dates, booleans, JSON columns decoded). */
  decode: (raw: unknown[]) => InferSelectModel<T>;
}

/**
 * Whole rows of a table read by plain better-sqlite3 statements, decoded as drizzle decodes them but with
 * the decoding of each column worked out once: drizzle's generic mapping of a row (type checks at every
 * field) cost more than SQLite finding the row, for the few queries every message runs.
 */
function wholeRows<T extends SQLiteTable>(table: T): WholeRows<T> {
  const fields = Object.entries(getTableColumns(table));
  const keys = fields.map(([key]) => key);
  const decoders = fields.map(([, column]) => (AS_STORED.has(column.columnType) ? null : (v: unknown) => column.mapFromDriverValue(v)));
  return {
    columns: fields.map(([, column]) => `"${column.name}"`).join(', '),
    decode: (raw) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const v = raw[i];
        const decode = decoders[i];
        row[keys[i]!] = v === null || v === undefined || !decode ? v : decode(v);
      }
      return row as InferSelectModel<T>;
    },
  };
}

/**
 * A statement reading whole rows of `table`, prepared once per database: `sql` gets the table's select
 * list as `$columns`. `get` and `all` return decoded rows.
 */
export function rowStatement<T extends SQLiteTable, P extends unknown[]>(
  table: T,
  sql: string,
): (db: Db) => { get: (...params: P) => InferSelectModel<T> | undefined; all: (...params: P) => InferSelectModel<T>[] } {
  const rows = wholeRows(table);
  const text = sql.replace('$columns', rows.columns);
  return perDb((db) => {
    const statement = db.$client.prepare(text).raw(true) as Statement<P, unknown[]>;
    return {
      get: (...params) => {
        const raw = statement.get(...params);
        return raw === undefined ? undefined : rows.decode(raw);
      },
      all: (...params) => statement.all(...params).map(rows.decode),
    };
  });
}
