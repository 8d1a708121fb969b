import { is, Param, Placeholder, type Query } from 'drizzle-orm';
import type { RunResult } from 'better-sqlite3';
import type { Db } from './db';

type Slot = { name: string; encode?: (value: unknown) => unknown } | { constant: unknown };

/**
 * Statements that drizzle builds once (their SQL and placeholders, typed from the tables) and
 * better-sqlite3 runs. drizzle's own prepared statements fill the placeholders by asking `is()` of every
 * parameter at every call, which walks the class chain, and map each row to an object: for the few
 * statements each answer runs that cost more than SQLite running them (2–3 % of the bot's time in a
 * burst). Here what each parameter is, and its column's encoder (a Date to epoch ms, a boolean to 0/1), is
 * worked out once; the values are filled exactly as drizzle fills them.
 */
function placeholderFiller<V extends Record<string, unknown>>(params: unknown[]): (values: V) => unknown[] {
  const slots: Slot[] = params.map((p) => {
    if (is(p, Placeholder)) return { name: p.name };
    if (is(p, Param) && is(p.value, Placeholder)) {
      const encoder = p.encoder;
      return { name: p.value.name, encode: (v: unknown) => encoder.mapToDriverValue(v) };
    }
    return { constant: p };
  });
  return (values) => {
    const args = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if ('constant' in slot) {
        args[i] = slot.constant;
        continue;
      }
      if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
      const value = values[slot.name];
      args[i] = slot.encode ? slot.encode(value) : value;
    }
    return args;
  };
}

/** A write (insert, update, upsert): `run` as better-sqlite3 runs it. */
export function plainWrite<V extends Record<string, unknown>>(db: Db, built: { toSQL(): Query }): (values: V) => RunResult {
  const { sql, params } = built.toSQL();
  const fill = placeholderFiller<V>(params);
  const statement = db.$client.prepare(sql);
  return (values) => statement.run(fill(values));
}

/** A read whose rows come as plain arrays, the columns in the select's order, as SQLite stores them. */
export function plainRead<V extends Record<string, unknown>, R extends unknown[]>(db: Db, built: { toSQL(): Query }): (values: V) => R[] {
  const { sql, params } = built.toSQL();
  const fill = placeholderFiller<V>(params);
  const statement = db.$client.prepare(sql).raw(true);
  return (values) => statement.all(fill(values)) as R[];
}
