import { appliesTo, flattenForm, type AnswerFlag, type AnswerMeta, type FormDefinition, type QuestionType } from './form';
import type { PeriodInfo } from './periods';
import { UNIT_TYPES, UNIT_TYPE_LABELS, type UnitRef, type UnitType } from './units';

/**
 * Compiles the confirmed submissions of one period into the figures and texts of the report.
 *
 * Pure. Works for any mix of form versions: a key is summed over the submissions whose form has it
 * (a question added or dropped between versions is simply not counted where it is missing), and its
 * label comes from the newest form version that has it. Sections the report does not know by name are
 * aggregated like any other (totals, labels, per-unit values, texts).
 */

export interface AggregateSubmission {
  unit: UnitRef;
  form: FormDefinition;
  formVersion: number;
  answers: Readonly<Record<string, number | string>>;
  /** Notes and flags of the answers (absent for figures typed in by the office). */
  meta?: Readonly<Record<string, AnswerMeta>>;
  confirmedAt: Date;
}

export interface AggregateInput {
  period: PeriodInfo;
  /** All active units expected to report. */
  units: readonly UnitRef[];
  /** Confirmed submissions only. */
  submissions: readonly AggregateSubmission[];
}

export interface QuestionMeta {
  label: string;
  unit?: string;
  sectionKey: string;
  sectionTitle: string;
  type: QuestionType;
  /** The newest form version that has the key. */
  formVersion: number;
}

export interface PortalCategory {
  key: string;
  label: string;
  total: number;
}

export interface TextItem {
  unitName: string;
  unitCode: string;
  text: string;
}

export interface TextGroup {
  key: string;
  label: string;
  sectionKey: string;
  items: TextItem[];
}

export interface UnitRow {
  unit: UnitRef;
  formVersion: number;
  confirmedAt: Date;
  /** Numeric answers of the unit (only keys its form has). */
  values: Record<string, number>;
  /** Keys its form has that do not apply to its unit type: neither missing nor zero. */
  notApplicable: string[];
}

/** A figure the unit confirmed when asked back about it, or one it added a note to: the office sees both. */
export interface AnnotatedFigure {
  unit: UnitRef;
  key: string;
  label: string;
  unitOfMeasure?: string;
  value: number | string | null;
  note?: string;
  flag?: AnswerFlag;
}

export interface UnitTypeCount {
  type: UnitType;
  label: string;
  expected: number;
  reported: number;
  missing: UnitRef[];
}

export interface SectionSummary {
  key: string;
  title: string;
  /** Keys in form order (newest version first, then keys only older versions have). */
  keys: string[];
}

export interface ReportData {
  period: PeriodInfo;
  counts: {
    expected: number;
    /** Expected units with a confirmed submission. */
    reported: number;
    /** Expected units without one, sorted by unit type then name. */
    missing: UnitRef[];
    /** Units that submitted but are not in the expected list (e.g. deactivated since); their figures count. */
    extra: UnitRef[];
  };
  /** Sum of numeric answers per key, over the submissions whose form has that key. */
  totals: Record<string, number>;
  /** How many submissions' forms asked the key of their unit (0 ⇒ never asked; not-applicable ones are not counted). */
  answeredBy: Record<string, number>;
  labels: Record<string, QuestionMeta>;
  /** Every key in form order. */
  keyOrder: string[];
  sections: SectionSummary[];
  /** Portal categories except `*_other`, by total desc then form order, zeros removed. */
  portalBreakdown: PortalCategory[];
  /** All portal count keys, including the "other" ones. */
  portalTotal: number;
  portalOtherTotal: number;
  digital: { posts: number; views: number; interactions: number };
  profile: { institutions: number; pupils: number; classes: number; staff: number };
  press: { infoProvided: number; articles: number; falseInfoHandled: number };
  training: { sessions: number; participants: number };
  international: {
    delegationsReceived: number;
    delegationsSent: number;
    agreements: number;
    foreignStudents: number;
    supportMoney: number;
  };
  campaigns: { activities: number };
  /** Non-empty text answers per text key, in form order; units sorted by type then name. */
  texts: TextGroup[];
  /** One row per reporting unit, sorted by type then name. */
  unitRows: UnitRow[];
  byType: UnitTypeCount[];
  /** Flagged figures and answers with a note, units in report order then form order. */
  annotated: AnnotatedFigure[];
}

export const PORTAL_SECTION_KEY = 'portal';

// Made on first use: a collator loads ICU's collation data (3.4 MB resident in a bare node), which only the office's
// lists and reports need, not a bot answering units.
let collator: Intl.Collator | undefined;
const unitCollator = (): Intl.Collator => (collator ??= new Intl.Collator('vi', { sensitivity: 'base', numeric: true }));

function typeRank(t: UnitType): number {
  const i = UNIT_TYPES.indexOf(t);
  return i < 0 ? UNIT_TYPES.length : i;
}

/** Sort order of the report: unit type (UNIT_TYPES order), then name (Vietnamese collation), then code. */
export function compareUnits(a: UnitRef, b: UnitRef): number {
  return (
    typeRank(a.type) - typeRank(b.type) ||
    unitCollator().compare(a.name, b.name) ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

function isNumericType(t: QuestionType): boolean {
  return t === 'count' || t === 'money';
}

function isUsableNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function unitKey(u: UnitRef): string {
  return `${u.id}\u0000${u.code}`;
}

/** Keeps one submission per unit: the latest confirmed (then the highest form version). */
function latestPerUnit(subs: readonly AggregateSubmission[]): AggregateSubmission[] {
  const byUnit = new Map<string, AggregateSubmission>();
  for (const s of subs) {
    const k = unitKey(s.unit);
    const prev = byUnit.get(k);
    if (
      !prev ||
      s.confirmedAt.getTime() > prev.confirmedAt.getTime() ||
      (s.confirmedAt.getTime() === prev.confirmedAt.getTime() && s.formVersion > prev.formVersion)
    ) {
      byUnit.set(k, s);
    }
  }
  return [...byUnit.values()];
}

export function aggregate(input: AggregateInput): ReportData {
  const expectedUnits = [...input.units].sort(compareUnits);
  // The report order of the expected units, from the one sort above: the submissions of expected units
  // (same name and type) are ordered by it (integer compares instead of thousands of collations again),
  // the others by compareUnits, which orders the same.
  const rank = new Map(expectedUnits.map((u, i) => [unitKey(u), { u, i }]));
  const rankOf = (u: UnitRef): number | undefined => {
    const known = rank.get(unitKey(u));
    return known && known.u.name === u.name && known.u.type === u.type ? known.i : undefined;
  };
  const subs = latestPerUnit(input.submissions)
    .map((s) => ({ s, r: rankOf(s.unit) }))
    .sort((a, b) => (a.r !== undefined && b.r !== undefined ? a.r - b.r : compareUnits(a.s.unit, b.s.unit)))
    .map((x) => x.s);

  // Labels from the newest form version having each key; key order newest form first.
  const labels: Record<string, QuestionMeta> = {};
  const keyOrder: string[] = [];
  const sectionOrder: string[] = [];
  const sectionTitles = new Map<string, string>();
  const flatByForm = new Map<FormDefinition, ReturnType<typeof flattenForm>>();
  const flatOf = (f: FormDefinition) => {
    let flat = flatByForm.get(f);
    if (!flat) {
      flat = flattenForm(f);
      flatByForm.set(f, flat);
    }
    return flat;
  };
  const formsNewestFirst = [...subs].sort((a, b) => b.formVersion - a.formVersion);
  for (const s of formsNewestFirst) {
    for (const q of flatOf(s.form)) {
      if (!sectionTitles.has(q.sectionKey)) {
        sectionTitles.set(q.sectionKey, q.sectionTitle);
        sectionOrder.push(q.sectionKey);
      }
      if (labels[q.key] !== undefined) continue;
      labels[q.key] = {
        label: q.label,
        ...(q.unit !== undefined ? { unit: q.unit } : {}),
        sectionKey: q.sectionKey,
        sectionTitle: q.sectionTitle,
        type: q.type,
        formVersion: s.formVersion,
      };
      keyOrder.push(q.key);
    }
  }

  // Counted in Maps (thousands of submissions × dozens of keys), returned as objects with the same keys
  // in the same order (first counted first).
  const totalsByKey = new Map<string, number>();
  const answeredByKey = new Map<string, number>();
  const textItems = new Map<string, TextItem[]>();
  const unitRows: UnitRow[] = [];

  const annotated: AnnotatedFigure[] = [];
  for (const s of subs) {
    const values: Record<string, number> = {};
    const notApplicable: string[] = [];
    for (const q of flatOf(s.form)) {
      const v = s.answers[q.key];
      // A figure given anyway (typed in by the office, an older form) is counted: nothing sent is dropped.
      if (!appliesTo(q, s.unit.type) && v === undefined) {
        notApplicable.push(q.key);
        continue;
      }
      const meta = s.meta?.[q.key];
      if (meta?.flag || meta?.note) {
        annotated.push({
          unit: s.unit,
          key: q.key,
          label: q.label,
          ...(q.unit !== undefined ? { unitOfMeasure: q.unit } : {}),
          value: v ?? null,
          ...(meta.note ? { note: meta.note } : {}),
          ...(meta.flag ? { flag: meta.flag } : {}),
        });
      }
      if (isNumericType(q.type)) {
        answeredByKey.set(q.key, (answeredByKey.get(q.key) ?? 0) + 1);
        const usable = isUsableNumber(v);
        totalsByKey.set(q.key, (totalsByKey.get(q.key) ?? 0) + (usable ? v : 0));
        if (usable) values[q.key] = v;
      } else if (q.type === 'text') {
        answeredByKey.set(q.key, (answeredByKey.get(q.key) ?? 0) + 1);
        if (typeof v === 'string' && v.trim() !== '') {
          let list = textItems.get(q.key);
          if (!list) textItems.set(q.key, (list = []));
          list.push({ unitName: s.unit.name, unitCode: s.unit.code, text: v.trim() });
        }
      }
    }
    unitRows.push({ unit: s.unit, formVersion: s.formVersion, confirmedAt: s.confirmedAt, values, notApplicable });
  }

  const totals: Record<string, number> = Object.fromEntries(totalsByKey);
  const answeredBy: Record<string, number> = Object.fromEntries(answeredByKey);
  const sum = (key: string): number => totals[key] ?? 0;
  const numericKeysOfSection = (sectionKey: string): string[] =>
    keyOrder.filter((k) => {
      const m = labels[k];
      return m !== undefined && m.sectionKey === sectionKey && isNumericType(m.type);
    });

  const portalKeys = numericKeysOfSection(PORTAL_SECTION_KEY).filter((k) => labels[k]?.type === 'count');
  const isOther = (k: string) => k.endsWith('_other');
  const portalBreakdown: PortalCategory[] = portalKeys
    .filter((k) => !isOther(k))
    .map((k, i) => ({ key: k, label: labels[k]?.label ?? k, total: sum(k), i }))
    .filter((c) => c.total > 0)
    .sort((a, b) => b.total - a.total || a.i - b.i)
    .map(({ key, label, total }) => ({ key, label, total }));
  const portalTotal = portalKeys.reduce((acc, k) => acc + sum(k), 0);
  const portalOtherTotal = portalKeys.filter(isOther).reduce((acc, k) => acc + sum(k), 0);

  const texts: TextGroup[] = keyOrder
    .filter((k) => labels[k]?.type === 'text' && (textItems.get(k)?.length ?? 0) > 0)
    .map((k) => ({
      key: k,
      label: labels[k]?.label ?? k,
      sectionKey: labels[k]?.sectionKey ?? '',
      items: textItems.get(k) ?? [],
    }));

  // Expected / reported / missing.
  const reportedKeys = new Set(subs.map((s) => unitKey(s.unit)));
  const expectedKeys = new Set(expectedUnits.map(unitKey));
  const missing = expectedUnits.filter((u) => !reportedKeys.has(unitKey(u)));
  const extra = subs.map((s) => s.unit).filter((u) => !expectedKeys.has(unitKey(u)));

  const byType: UnitTypeCount[] = [];
  const types = [...UNIT_TYPES] as UnitType[];
  for (const u of [...expectedUnits, ...extra]) if (!types.includes(u.type)) types.push(u.type);
  for (const type of types) {
    const expected = expectedUnits.filter((u) => u.type === type);
    const reported = expected.filter((u) => reportedKeys.has(unitKey(u))).length;
    if (expected.length === 0) continue;
    byType.push({
      type,
      label: UNIT_TYPE_LABELS[type] ?? type,
      expected: expected.length,
      reported,
      missing: expected.filter((u) => !reportedKeys.has(unitKey(u))),
    });
  }

  const sections: SectionSummary[] = sectionOrder.map((key) => ({
    key,
    title: sectionTitles.get(key) ?? key,
    keys: keyOrder.filter((k) => labels[k]?.sectionKey === key),
  }));

  return {
    period: input.period,
    counts: {
      expected: expectedUnits.length,
      reported: expectedUnits.length - missing.length,
      missing,
      extra,
    },
    totals,
    answeredBy,
    labels,
    keyOrder,
    sections,
    portalBreakdown,
    portalTotal,
    portalOtherTotal,
    digital: { posts: sum('digital_posts'), views: sum('digital_views'), interactions: sum('digital_interactions') },
    profile: {
      institutions: sum('profile_institutions'),
      pupils: sum('profile_pupils'),
      classes: sum('profile_classes'),
      staff: sum('profile_staff'),
    },
    press: {
      infoProvided: sum('press_info_provided'),
      articles: sum('press_articles'),
      falseInfoHandled: sum('press_false_info_handled'),
    },
    training: { sessions: sum('training_sessions'), participants: sum('training_participants') },
    international: {
      delegationsReceived: sum('intl_delegations_received'),
      delegationsSent: sum('intl_delegations_sent'),
      agreements: sum('intl_agreements'),
      foreignStudents: sum('intl_foreign_students'),
      supportMoney: sum('intl_support_money'),
    },
    campaigns: { activities: sum('campaign_activities') },
    texts,
    unitRows,
    byType,
    annotated,
  };
}

/** Sum of a unit row's values over the count keys of a section (e.g. all portal categories). */
export function rowSectionTotal(data: ReportData, row: UnitRow, sectionKey: string): number {
  let total = 0;
  // for…in, not Object.entries: the appendix calls this for every unit row.
  for (const k in row.values) {
    const m = data.labels[k];
    if (m && m.sectionKey === sectionKey && m.type === 'count') total += row.values[k] ?? 0;
  }
  return total;
}
