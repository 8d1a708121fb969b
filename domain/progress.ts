import { compareUnits } from './aggregate';
import { UNIT_TYPES, UNIT_TYPE_LABELS, type UnitRef, type UnitType } from './units';

/** Where each expected unit stands in a period: the office's "who is missing" view. */
export type UnitProgressStatus = 'confirmed' | 'in_progress' | 'not_started';

export interface ProgressGroup {
  type: UnitType;
  label: string;
  confirmed: UnitRef[];
  inProgress: UnitRef[];
  notStarted: UnitRef[];
}

export interface Progress {
  expected: number;
  confirmed: number;
  inProgress: number;
  notStarted: number;
  groups: ProgressGroup[];
}

/**
 * `started` holds the units with a draft that has at least one answer; `confirmed` those whose
 * submission is confirmed. Units outside `units` (deactivated since) are not counted.
 */
export function computeProgress(units: readonly UnitRef[], confirmed: ReadonlySet<number>, started: ReadonlySet<number>): Progress {
  const statusOf = (u: UnitRef): UnitProgressStatus => (confirmed.has(u.id) ? 'confirmed' : started.has(u.id) ? 'in_progress' : 'not_started');
  const groups: ProgressGroup[] = UNIT_TYPES.map((type) => ({ type, label: UNIT_TYPE_LABELS[type], confirmed: [], inProgress: [], notStarted: [] }));
  for (const unit of [...units].sort(compareUnits)) {
    const group = groups.find((g) => g.type === unit.type)!;
    const status = statusOf(unit);
    (status === 'confirmed' ? group.confirmed : status === 'in_progress' ? group.inProgress : group.notStarted).push(unit);
  }
  const nonEmpty = groups.filter((g) => g.confirmed.length + g.inProgress.length + g.notStarted.length > 0);
  const sum = (f: (g: ProgressGroup) => UnitRef[]) => nonEmpty.reduce((n, g) => n + f(g).length, 0);
  return { expected: units.length, confirmed: sum((g) => g.confirmed), inProgress: sum((g) => g.inProgress), notStarted: sum((g) => g.notStarted), groups: nonEmpty };
}
