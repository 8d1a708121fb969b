import { compareUnits } from './aggregate';
import { UNIT_TYPES, UNIT_TYPE_LABELS, type UnitRef, type UnitType } from './units';

/** Where each expected unit stands in a period: the office's "who is missing" view. */
export type UnitProgressStatus = 'confirmed' | 'in_progress' | 'not_started' | 'returned';

export interface ProgressGroup {
  type: UnitType;
  label: string;
  /** Sent (confirmed), accepted by the office or not yet. */
  confirmed: UnitRef[];
  inProgress: UnitRef[];
  notStarted: UnitRef[];
  /** Sent back by the office for correction. */
  returned: UnitRef[];
  /** How many of `confirmed` the office accepted. */
  accepted: number;
}

export interface Progress {
  expected: number;
  confirmed: number;
  inProgress: number;
  notStarted: number;
  returned: number;
  accepted: number;
  groups: ProgressGroup[];
}

/** The office's review of a period: units returned, units accepted (see domain/review.ts). */
export interface ReviewSets {
  returned: ReadonlySet<number>;
  accepted: ReadonlySet<number>;
}

const NO_REVIEW: ReviewSets = { returned: new Set(), accepted: new Set() };

/**
 * `started` holds the units with a draft that has at least one answer; `confirmed` those whose
 * submission is confirmed. Units outside `units` (deactivated since) are not counted.
 */
export function computeProgress(units: readonly UnitRef[], confirmed: ReadonlySet<number>, started: ReadonlySet<number>, review: ReviewSets = NO_REVIEW): Progress {
  const statusOf = (u: UnitRef): UnitProgressStatus =>
    review.returned.has(u.id) ? 'returned' : confirmed.has(u.id) ? 'confirmed' : started.has(u.id) ? 'in_progress' : 'not_started';
  const groups: ProgressGroup[] = UNIT_TYPES.map((type) => ({ type, label: UNIT_TYPE_LABELS[type], confirmed: [], inProgress: [], notStarted: [], returned: [], accepted: 0 }));
  for (const unit of [...units].sort(compareUnits)) {
    const group = groups.find((g) => g.type === unit.type)!;
    const status = statusOf(unit);
    if (status === 'confirmed' && review.accepted.has(unit.id)) group.accepted += 1;
    (status === 'confirmed' ? group.confirmed : status === 'in_progress' ? group.inProgress : status === 'returned' ? group.returned : group.notStarted).push(unit);
  }
  const nonEmpty = groups.filter((g) => g.confirmed.length + g.inProgress.length + g.notStarted.length + g.returned.length > 0);
  const sum = (f: (g: ProgressGroup) => UnitRef[]) => nonEmpty.reduce((n, g) => n + f(g).length, 0);
  return {
    expected: units.length,
    confirmed: sum((g) => g.confirmed),
    inProgress: sum((g) => g.inProgress),
    notStarted: sum((g) => g.notStarted),
    returned: sum((g) => g.returned),
    accepted: nonEmpty.reduce((n, g) => n + g.accepted, 0),
    groups: nonEmpty,
  };
}

/** Confirmations per day (local "YYYY-MM-DD" keys, sorted), counted for the chart's cumulative line. */
export function confirmationsPerDay(days: readonly string[]): Array<{ day: string; count: number; cumulative: number }> {
  const counts = new Map<string, number>();
  for (const d of days) counts.set(d, (counts.get(d) ?? 0) + 1);
  let cumulative = 0;
  return [...counts.keys()].sort().map((day) => {
    cumulative += counts.get(day)!;
    return { day, count: counts.get(day)!, cumulative };
  });
}
