import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleIncoming } from '../handlers/router';
import type { AppDeps } from '../handlers/types';
import type { DemoSeed } from '../storage/demo-seed';
import { answers } from '../storage/schema';
import { ensurePeriod, openPeriods, setPeriodOverride } from '../storage/repositories/periods';
import { addFormVersion, formVersion, latestFormVersion } from '../storage/repositories/forms';
import { applicableQuestions, DEFAULT_FORM, figureRunOf, flattenForm, FormDefinitionSchema, questionsByKey, requiredQuestions, type FlatQuestion } from '../domain/form';
import { DEFAULT_CALENDAR, formatShortDate, openPeriodsAt, periodInfo, toWall } from '../domain/periods';
import { loadConfig } from '../config';
import { closeDatabase, inGroup, inTransaction, openDatabase } from '../storage/db';
import { appendAnswer, createSubmission, currentAnswersWithMeta, findSubmission } from '../storage/repositories/submissions';
import { loadConversation, saveConversation } from '../storage/repositories/conversations';
import { findContact } from '../storage/repositories/contacts';
import { closeDeps, makeDeps, seed, tempDir } from './helpers/harness';

/**
 * What the hot path computes once and keeps (the period calendar, zone offsets, parsed and flattened
 * forms, prepared statements) must never hide a change: a period closed or reopened, a new day, a new form
 * version all take effect with the very next message, in the same process, with every cache warm.
 */

let tmp: ReturnType<typeof tempDir>;
let deps: AppDeps;
let demo: DemoSeed;
let clock = new Date('2026-05-01T03:00:00Z');
let update = 0;

beforeEach(() => {
  tmp = tempDir();
  clock = new Date('2026-05-01T03:00:00Z');
  deps = makeDeps(`${tmp.dir}/bot.db`, () => clock);
  demo = seed(deps);
});
afterEach(() => {
  closeDeps(deps);
  tmp.cleanup();
});

const codeOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.invite.code;

async function send(userId: string, text: string): Promise<string> {
  const replies = await handleIncoming(deps, { channel: 'zalo', updateKey: `c${++update}`, userId, displayName: 'Cô Lan', event: { kind: 'text', text } });
  return replies.map((r) => r.text).join('\n---\n');
}

const stored = () => deps.db.select().from(answers).all().length;

describe('the office closing or reopening a period', () => {
  it('takes effect with the next message, after many messages warmed every cache', async () => {
    clock = new Date('2026-05-10T03:00:00Z'); // only 2026-H1 is open
    await send('p1', codeOf('PGD-DALAT'));
    for (let i = 0; i < 5; i++) await send('p1', '/xem');
    await send('p1', '/nhap');
    await send('p1', '560');
    expect(stored()).toBe(1);

    setPeriodOverride(deps.db, '2026-H1', 'closed', null, clock);
    expect(openPeriods(deps.db, clock, deps.config.calendar).map((p) => p.id)).toEqual([]);
    expect(await send('p1', '285.000')).toContain('đã khóa');
    expect(stored()).toBe(1);

    setPeriodOverride(deps.db, '2026-H1', 'open', null, clock);
    expect(openPeriods(deps.db, clock, deps.config.calendar).map((p) => p.id)).toEqual(['2026-H1']);
    await send('p1', '/nhap');
    expect(await send('p1', '285.000')).not.toContain('đã khóa');
    expect(stored()).toBe(2);
  });

  it('a period opened by hand outside its window, then given back to the calendar', () => {
    const cfg = deps.config.calendar;
    expect(openPeriods(deps.db, clock, cfg).map((p) => p.id)).toEqual(['2026-Q1', '2026-H1']);
    setPeriodOverride(deps.db, '2025-Y', 'open', null, clock);
    expect(openPeriods(deps.db, clock, cfg).map((p) => p.id)).toEqual(['2025-Y', '2026-Q1', '2026-H1']);
    setPeriodOverride(deps.db, '2025-Y', 'calendar', null, clock);
    expect(openPeriods(deps.db, clock, cfg).map((p) => p.id)).toEqual(['2026-Q1', '2026-H1']);
  });
});

describe('a new day', () => {
  it('opens and closes periods at the exact instant, with the calendar already computed', async () => {
    const h1 = periodInfo('2026-H1', deps.config.calendar);
    // Warm everything on the day before H1 opens (Q1 is open then).
    clock = new Date(h1.opensAt.getTime() - 60_000);
    await send('p2', codeOf('PGD-DALAT'));
    for (let i = 0; i < 3; i++) await send('p2', '/xem');
    expect(openPeriods(deps.db, clock, deps.config.calendar).map((p) => p.id)).toEqual(['2026-Q1']);
    expect(openPeriods(deps.db, new Date(h1.opensAt.getTime() - 1), deps.config.calendar).map((p) => p.id)).toEqual(['2026-Q1']);

    clock = h1.opensAt; // 00:00 local on 20/4/2026
    expect(openPeriods(deps.db, clock, deps.config.calendar).map((p) => p.id)).toEqual(['2026-Q1', '2026-H1']);
    expect(await send('p2', '/nhap 2026-H1')).toContain('6 tháng đầu năm 2026');

    expect(openPeriodsAt(new Date(h1.closesAt.getTime() - 1), DEFAULT_CALENDAR).map((p) => p.id)).toContain('2026-H1');
    expect(openPeriodsAt(h1.closesAt, DEFAULT_CALENDAR).map((p) => p.id)).not.toContain('2026-H1');
  });

  it('dates roll over at local midnight, not at UTC midnight', () => {
    const tz = 'Asia/Ho_Chi_Minh';
    expect(formatShortDate(new Date('2026-05-04T16:59:59.999Z'), tz)).toBe('04/5/2026');
    expect(formatShortDate(new Date('2026-05-04T17:00:00.000Z'), tz)).toBe('05/5/2026');
    expect(formatShortDate(new Date('2026-05-04T16:59:59.999Z'), tz)).toBe('04/5/2026');
  });

  it('a frozen configuration from loadConfig and an equal one built by hand give the same calendar', () => {
    const frozen = loadConfig({}).calendar;
    const loose = { ...DEFAULT_CALENDAR, kinds: [...DEFAULT_CALENDAR.kinds] };
    const at = new Date('2026-10-25T03:00:00Z');
    expect(openPeriodsAt(at, frozen)).toEqual(openPeriodsAt(at, loose));
    // A configuration changed in place (not frozen) is read again, not taken from the cache.
    loose.kinds = ['quarter'];
    expect(openPeriodsAt(at, loose).map((p) => p.id)).toEqual(['2026-Q3']);
  });
});

describe('the open periods remembered between their openings and closings', () => {
  // Every opening and closing of three years, New Year in the zone, and the instants either side of them,
  // visited in an order that jumps back and forth so the remembered answer is asked outside its span too.
  const frozen = loadConfig({}).calendar;
  const edges = [2025, 2026, 2027].flatMap((y) => [
    ...['Q1', 'Q2', 'Q3', 'Q4', 'H1', 'Y'].flatMap((k) => {
      const p = periodInfo(`${y}-${k}`, frozen);
      return [p.opensAt.getTime(), p.closesAt.getTime()];
    }),
    new Date(`${y}-01-01T00:00:00+07:00`).getTime(),
  ]);
  const instants = edges.flatMap((e) => [e - 1, e, e + 1]);
  const shuffled = instants.map((_, i) => instants[(i * 7919) % instants.length]!);

  it('gives at every instant what the calendar computed afresh gives', () => {
    expect(Object.isFrozen(frozen) && Object.isFrozen(frozen.kinds)).toBe(true);
    for (const t of [...instants, ...shuffled, ...instants.reverse()]) {
      const fresh = { ...frozen, kinds: [...frozen.kinds] }; // not frozen: never remembered
      expect(openPeriodsAt(new Date(t), frozen).map((p) => p.id), new Date(t).toISOString()).toEqual(openPeriodsAt(new Date(t), fresh).map((p) => p.id));
    }
  });

  it('hands out a list of its own each time', () => {
    const at = new Date('2026-05-01T03:00:00Z');
    const first = openPeriodsAt(at, frozen);
    first.length = 0;
    expect(openPeriodsAt(at, frozen).map((p) => p.id)).toEqual(['2026-Q1', '2026-H1']);
  });
});

describe('questions by key', () => {
  it('one index per shared list; a new form version gets its own', () => {
    const form = latestFormVersion(deps.db).form;
    const list = applicableQuestions(form, 'thpt');
    expect(questionsByKey(list)).toBe(questionsByKey(applicableQuestions(form, 'thpt')));
    expect([...questionsByKey(list).keys()]).toEqual(list.map((q) => q.key));
    const next = addFormVersion(deps.db, { ...form, sections: form.sections.slice(1) }, 'bản 2', clock);
    const nextList = applicableQuestions(formVersion(deps.db, next.id).form, 'thpt');
    expect(questionsByKey(nextList)).not.toBe(questionsByKey(list));
    expect(questionsByKey(nextList).size).toBe(nextList.length);
    expect(nextList.length).toBeLessThan(list.length);
  });

  it('each section’s figures and the required questions: what a fresh filter gives, once per shared list, a new version its own', () => {
    const form = latestFormVersion(deps.db).form;
    const fresh = (l: readonly FlatQuestion[]) => ({
      runs: l.map((q) => l.filter((x) => x.sectionKey === q.sectionKey && x.type !== 'text')),
      required: l.filter((q) => q.required),
    });
    const cached = (l: readonly FlatQuestion[]) => ({ runs: l.map((q) => [...figureRunOf(l, q)]), required: [...requiredQuestions(l)] });
    const list = applicableQuestions(form, 'thpt');
    expect(list.some((q) => q.type === 'text') && list.some((q) => q.required) && list.some((q) => !q.required)).toBe(true);
    expect(cached(list)).toEqual(fresh(list));
    expect(requiredQuestions(list)).toBe(requiredQuestions(applicableQuestions(form, 'thpt')));
    expect(figureRunOf(list, list[0]!)).toBe(figureRunOf(applicableQuestions(form, 'thpt'), list[0]!));
    expect(Object.isFrozen(requiredQuestions(list)) && Object.isFrozen(figureRunOf(list, list[0]!))).toBe(true);
    // A new version where the first figure is no longer required and the first section is gone.
    const firstRequired = requiredQuestions(list)[0]!.key;
    const changed = { ...form, sections: form.sections.slice(1).map((s) => ({ ...s, questions: s.questions.map((q) => (q.key === firstRequired ? { ...q, required: false } : q)) })) };
    const next = addFormVersion(deps.db, changed, 'bản 3', clock);
    const nextList = applicableQuestions(formVersion(deps.db, next.id).form, 'thpt');
    expect(cached(nextList)).toEqual(fresh(nextList));
    expect(requiredQuestions(nextList)).not.toEqual(requiredQuestions(list));
    // A list built by hand (not shared) gets a fresh answer each time, never a remembered one.
    const byHand = list.slice(0, 5);
    expect(cached(byHand)).toEqual(fresh(byHand));
  });
});

describe('zone offsets remembered per hour', () => {
  const formats = new Map<string, Intl.DateTimeFormat>();
  const reference = (d: Date, timeZone: string) => {
    let f = formats.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
      formats.set(timeZone, f);
    }
    return f.format(d).replace(',', '');
  };

  // Offset changes: DST in New York and London, Lord Howe's half-hour DST, Hà Nội's changes of 1945 and 1975.
  const transitions: [string, string][] = [
    ['America/New_York', '2026-03-08T07:00:00Z'],
    ['America/New_York', '2026-11-01T06:00:00Z'],
    ['Europe/London', '2026-03-29T01:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
    ['Asia/Ho_Chi_Minh', '1975-06-12T16:00:00Z'],
    ['Asia/Ho_Chi_Minh', '1945-09-01T16:00:00Z'],
  ];
  it.each(transitions)('%s around %s agrees with Intl at every probed instant', (timeZone, iso) => {
    const t = new Date(iso).getTime();
    const probes = [-1, 0, 1, 999, 1000];
    // Every 7 min 13 s over a day either side, in both directions (the cache is filled in both orders).
    for (let dt = -86_400_000; dt <= 86_400_000; dt += 433_000) probes.push(dt);
    for (let dt = 86_400_000; dt >= -86_400_000; dt -= 433_000) probes.push(dt + 500);
    for (const dt of probes) {
      const d = new Date(t + dt);
      expect(toWall(d, timeZone).format('YYYY-MM-DD HH:mm:ss'), `${timeZone} ${d.toISOString()}`).toBe(reference(d, timeZone));
    }
  });
});

describe('form versions', () => {
  it('a new version is used by the next period that starts, at once; a started period keeps its own', async () => {
    clock = new Date('2026-05-10T03:00:00Z');
    await send('p3', codeOf('PGD-DALAT'));
    const first = await send('p3', '/nhap');
    const oldLabel = flattenForm(DEFAULT_FORM)[0]!.label;
    expect(first).toContain(oldLabel);

    const v2Input = structuredClone(DEFAULT_FORM);
    v2Input.sections[0]!.questions[0]!.label = 'Số trường, trung tâm thuộc đơn vị (tính cả đơn vị mình)';
    const v2 = addFormVersion(deps.db, FormDefinitionSchema.parse(v2Input), 'bản 2', clock);
    expect(latestFormVersion(deps.db).id).toBe(v2.id);
    expect(flattenForm(formVersion(deps.db, v2.id).form)[0]!.label).toBe('Số trường, trung tâm thuộc đơn vị (tính cả đơn vị mình)');

    // The period already started keeps version 1.
    expect(await send('p3', '/xem')).toContain(oldLabel);
    // A period that starts now takes version 2.
    setPeriodOverride(deps.db, '2026-Q2', 'open', null, clock);
    expect(await send('p3', '/nhap 2026-Q2')).toContain('Số trường, trung tâm thuộc đơn vị');
  });

  it('flattening is done once per form and shared read-only', () => {
    const a = flattenForm(DEFAULT_FORM);
    expect(flattenForm(DEFAULT_FORM)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => (a as unknown as unknown[]).push(1)).toThrow();
    const other = FormDefinitionSchema.parse(structuredClone(DEFAULT_FORM));
    expect(flattenForm(other)).not.toBe(a);
    expect(flattenForm(other)).toEqual(a);
  });
});

describe('calendar objects are shared', () => {
  it('a period is computed once and frozen, so no caller can change it for the others', () => {
    const p = periodInfo('2026-H1');
    expect(periodInfo('2026-H1')).toBe(p);
    expect(Object.isFrozen(p)).toBe(true);
    expect(toWall(p.deadline, 'Asia/Ho_Chi_Minh').format('YYYY-MM-DD HH:mm:ss.SSS')).toBe('2026-05-05 23:59:59.999');
  });
});

describe("a submission's current answers, kept between messages", () => {
  const submissionOf = (unitCode: string) => {
    const unit = demo.units.find((u) => u.unit.code === unitCode)!.unit;
    return findSubmission(deps.db, unit.id, '2026-H1')!;
  };

  it('an answer written by another process is shown by the very next message', async () => {
    clock = new Date('2026-05-10T03:00:00Z');
    await send('p4', codeOf('PGD-DALAT'));
    await send('p4', '/nhap');
    await send('p4', '560');
    await send('p4', '/xem');
    const submission = submissionOf('PGD-DALAT');
    const key = Object.keys(currentAnswersWithMeta(deps.db, submission.id).answers)[0]!;
    expect(currentAnswersWithMeta(deps.db, submission.id).answers[key]).toBe(560);

    // The handlings' group commit is done at the next turn; the other process waits for it meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    const other = openDatabase(`${tmp.dir}/bot.db`);
    try {
      inTransaction(other, (tx) => appendAnswer(tx, { submissionId: submission.id, key, value: 777, raw: '777', revision: 0, contactId: null, now: clock, note: 'sửa từ máy khác' }));
    } finally {
      closeDatabase(other);
    }
    expect(await send('p4', '/xem')).toContain('777');
    expect(currentAnswersWithMeta(deps.db, submission.id)).toEqual({ answers: { [key]: 777 }, meta: { [key]: { note: 'sửa từ máy khác' } } });
  });

  it('an answer rolled back is forgotten, even when SQLite gives its row id to another answer', async () => {
    const unit = demo.units[0]!.unit;
    const submission = createSubmission(deps.db, unit.id, '2026-H1', ensurePeriod(deps.db, '2026-H1').formVersionId, clock);
    const append = (tx: typeof deps.db, value: number, note: string | null = null) =>
      appendAnswer(tx, { submissionId: submission.id, key: 'q1', value, raw: String(value), revision: 0, contactId: null, now: clock, note });
    inTransaction(deps.db, (tx) => append(tx, 1));
    expect(currentAnswersWithMeta(deps.db, submission.id).answers).toEqual({ q1: 1 });

    // In the group commit, as a handling does: the savepoint rolls back after the answer was stored.
    expect(() =>
      inGroup(deps.db, (tx) => {
        append(tx, 2, 'bỏ');
        expect(currentAnswersWithMeta(tx, submission.id).answers).toEqual({ q1: 2 });
        throw new Error('handling failed');
      }),
    ).toThrow('handling failed');

    // Another process then stores an answer: SQLite gives it the rolled-back row's id, and the rows'
    // count and newest id are what they were inside the savepoint.
    await new Promise((resolve) => setImmediate(resolve));
    const other = openDatabase(`${tmp.dir}/bot.db`);
    try {
      inTransaction(other, (tx) => append(tx, 3));
    } finally {
      closeDatabase(other);
    }
    expect(currentAnswersWithMeta(deps.db, submission.id)).toEqual({ answers: { q1: 3 }, meta: {} });
    expect(deps.db.select({ id: answers.id }).from(answers).all().map((r) => r.id)).toEqual([1, 2]);
  });

  it('what every message of a submission shares cannot be changed by one of them', () => {
    const unit = demo.units[0]!.unit;
    const submission = createSubmission(deps.db, unit.id, '2026-H1', ensurePeriod(deps.db, '2026-H1').formVersionId, clock);
    appendAnswer(deps.db, { submissionId: submission.id, key: 'q1', value: 5, raw: '5 đoàn', revision: 0, contactId: null, now: clock, note: 'đoàn', flag: { kind: 'rule', message: 'Số đoàn lớn bất thường' } });
    const read = currentAnswersWithMeta(deps.db, submission.id);
    expect(currentAnswersWithMeta(deps.db, submission.id)).toBe(read);
    expect(Object.isFrozen(read.answers) && Object.isFrozen(read.meta) && Object.isFrozen(read.meta.q1)).toBe(true);
    expect(() => ((read.answers as Record<string, number>).q1 = 6)).toThrow();
  });
});

describe("a contact's conversation state, kept between messages", () => {
  const contactOf = (userId: string) => findContact(deps.db, 'zalo', userId)!;

  it('a state written by another process, or a write rolled back, is what the very next read gives', async () => {
    await send('p5', codeOf('PGD-DALAT'));
    await send('p5', '/nhap');
    const contact = contactOf('p5');
    const asked = loadConversation(deps.db, contact.id);
    expect(asked.mode).toBe('question');
    expect(loadConversation(deps.db, contact.id)).toBe(asked);
    expect(Object.isFrozen(asked)).toBe(true);
    expect(() => ((asked as { mode: string }).mode = 'idle')).toThrow();

    await new Promise((resolve) => setImmediate(resolve));
    const other = openDatabase(`${tmp.dir}/bot.db`);
    try {
      inTransaction(other, (tx) => saveConversation(tx, contact.id, { mode: 'review', periodId: '2026-H1' }, clock));
    } finally {
      closeDatabase(other);
    }
    expect(loadConversation(deps.db, contact.id)).toEqual({ mode: 'review', periodId: '2026-H1' });

    expect(() =>
      inGroup(deps.db, (tx) => {
        saveConversation(tx, contact.id, { mode: 'idle' }, clock);
        expect(loadConversation(tx, contact.id)).toEqual({ mode: 'idle' });
        throw new Error('handling failed');
      }),
    ).toThrow('handling failed');
    expect(loadConversation(deps.db, contact.id)).toEqual({ mode: 'review', periodId: '2026-H1' });
  });
});
