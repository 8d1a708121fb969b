import { toWall } from './periods';

/**
 * What the office reads after a reminder round (pure: the caller loads units, confirmations and contacts).
 */

export interface DigestUnit {
  id: number;
  name: string;
}

export interface DigestContact {
  displayName: string | null;
  unitName: string;
  channel: string;
}

export interface RoundCounts {
  kind: 'scheduled' | 'manual';
  sent: number;
  failed: number;
  /** Contacts found blocked during this round. */
  unreachable: number;
  /** Reminders left for later because working hours ended during the round. */
  deferred?: number;
}

export interface Digest {
  periodTitle: string;
  deadline: Date;
  now: Date;
  expected: number;
  confirmed: number;
  /** Units not confirmed, by name; `reachable` false when no account of the unit can receive a reminder. */
  missing: { name: string; reachable: boolean }[];
  unreachable: DigestContact[];
  round: RoundCounts;
}

export function buildDigest(input: {
  periodTitle: string;
  deadline: Date;
  now: Date;
  units: readonly DigestUnit[];
  confirmedUnitIds: ReadonlySet<number>;
  /** Units with at least one bound, reachable contact account. */
  reachableUnitIds: ReadonlySet<number>;
  unreachable: DigestContact[];
  round: RoundCounts;
}): Digest {
  const missing = input.units
    .filter((u) => !input.confirmedUnitIds.has(u.id))
    .map((u) => ({ name: u.name, reachable: input.reachableUnitIds.has(u.id) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  return {
    periodTitle: input.periodTitle,
    deadline: input.deadline,
    now: input.now,
    expected: input.units.length,
    confirmed: input.units.filter((u) => input.confirmedUnitIds.has(u.id)).length,
    missing,
    unreachable: input.unreachable,
    round: input.round,
  };
}

/** Whole local calendar days from `now`'s day to `deadline`'s day: 0 on the deadline day, negative after it. */
export function daysToDeadline(now: Date, deadline: Date, timeZone: string): number {
  const a = toWall(now, timeZone).startOf('day');
  const b = toWall(deadline, timeZone).startOf('day');
  return Math.round(b.diff(a, 'day', true));
}
