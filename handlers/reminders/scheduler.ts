import { randomBytes } from 'node:crypto';
import { countRemaining } from '../../domain/conversation';
import { applicableQuestions } from '../../domain/form';
import type { PeriodInfo } from '../../domain/periods';
import { buildDigest, type RoundCounts } from '../../domain/reminder-digest';
import { dueReminders, reminderKey, withinWorkingHours } from '../../domain/reminders';
import { inTransaction } from '../../storage/db';
import { findContactById, officeContacts, setReachable } from '../../storage/repositories/contacts';
import { formVersion } from '../../storage/repositories/forms';
import { ensurePeriod, openPeriods } from '../../storage/repositories/periods';
import {
  claimReminder,
  confirmedUnitIds,
  isUnitConfirmed,
  markReminderFailed,
  markReminderSent,
  reminderRecipients,
  settledReminderKeys,
  unreachableContacts,
  type ReminderRecipient,
} from '../../storage/repositories/reminders';
import { currentAnswers, findSubmission } from '../../storage/repositories/submissions';
import { activeUnits, findUnitById } from '../../storage/repositories/units';
import type { Channel, ContactRow } from '../../storage/schema';
import { digestText, reminderReply } from '../../templates/reminders';
import type { AppDeps } from '../types';
import { RecipientUnreachableError, type ChannelSenders } from './send';

/**
 * The reminder loop, channel-agnostic: every tick it plans the due reminders of each open period (pure
 * planning in domain/reminders.ts), claims each one in the database, sends it through the contact's
 * channel and records the outcome; after a round that sent anything, the office accounts get a digest.
 *
 * Exactly-once: a reminder is claimed (row 'sending', unique per contact+period+slot) in a transaction
 * that also re-checks that the unit has not confirmed meanwhile, then sent, then marked 'sent' or
 * 'failed'. A second tick, a manual round or a second process finds the row and skips it. Only the sends
 * in flight when a process dies can repeat: their rows stay 'sending', and once older than the lease they
 * count as not delivered and go out again. At most `concurrency` rows are in flight at any moment.
 *
 * Working hours hold for every round: a manual round is refused outside them, and a round still running
 * when they end stops taking reminders (the scheduled ones are planned again at the next tick inside them).
 */

export interface SchedulerSettings {
  /** Time between two ticks of the loop. */
  tickMs: number;
  /** Reminders being sent at the same time, at most (also the bound on repeats after a crash). */
  concurrency: number;
  /** A 'sending' row older than this is taken as left behind by a dead process, and sent again. */
  leaseMs: number;
  /** Attempts per reminder and process before giving up on it (until the next slot or a restart). */
  maxAttempts: number;
}

export interface RoundReport {
  periodId: string;
  kind: 'scheduled' | 'manual';
  planned: number;
  sent: number;
  failed: number;
  unreachable: number;
  /** Claimed elsewhere, confirmed or blocked meanwhile. */
  skipped: number;
  /** Not attempted because working hours ended during the round (a scheduled round plans them again at the next tick in working hours). */
  deferred: number;
}

export type ManualRoundRequest =
  | { ok: true; slotId: string; contacts: number; units: number; done: Promise<RoundReport> }
  | { ok: false; reason: 'busy' | 'nobody' | 'quiet_hours' };

export interface ReminderScheduler {
  /** One scheduled round over every open period (what the loop runs). */
  tick(): Promise<RoundReport[]>;
  /** /nhacnho: a reminder now to every reachable contact of every unit that has not confirmed `period`. */
  requestManualRound(period: PeriodInfo, actorContactId: number | null): ManualRoundRequest;
  /** Starts the loop: a tick now, then one every tickMs (never two rounds at once). */
  start(): void;
  /** Stops the loop; the round under way stops taking new reminders and its in-flight sends finish. */
  stop(): Promise<void>;
}

interface Item {
  contactId: number;
  unitId: number;
  unitName: string;
  slotId: string;
}

export function schedulerSettings(deps: AppDeps): SchedulerSettings {
  const r = deps.config.reminders;
  return { tickMs: r.tickSeconds * 1000, concurrency: r.concurrency, leaseMs: r.sendingLeaseSeconds * 1000, maxAttempts: r.maxAttempts };
}

export function createReminderScheduler(deps: AppDeps, senders: ChannelSenders, overrides: Partial<SchedulerSettings> = {}): ReminderScheduler {
  const settings: SchedulerSettings = { ...schedulerSettings(deps), ...overrides };
  const { db, log, clock } = deps;
  const plan = deps.config.reminders.plan;
  const timeZone = deps.config.timeZone;
  // Failed attempts per reminder key in this process (the row only keeps the last error).
  const failures = new Map<string, number>();
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let manualBusy = false;

  const canSend = (contact: Pick<ContactRow, 'channel'>) => senders[contact.channel as Channel] !== undefined;

  /** Rounds run one after the other, whoever asks. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  }

  function planScheduled(period: PeriodInfo, recipients: ReminderRecipient[], now: Date): Item[] {
    const sendable = recipients.filter((r) => canSend(r.contact));
    const sent = settledReminderKeys(db, period.id, now, settings.leaseMs);
    for (const [key, n] of failures) if (n >= settings.maxAttempts) sent.add(key);
    const due = dueReminders({
      now,
      period,
      targets: sendable.map((r) => ({ contactId: r.contact.id, unitId: r.unit.id, periodId: period.id, reachable: r.contact.reachable })),
      confirmedUnitIds: confirmedUnitIds(db, period.id),
      sent,
      cfg: plan,
    });
    const names = new Map(sendable.map((r) => [r.unit.id, r.unit.name]));
    return due.map((d) => ({ contactId: d.contactId, unitId: d.unitId, unitName: names.get(d.unitId) ?? '', slotId: d.slotId }));
  }

  function planManual(period: PeriodInfo, slotId: string): Item[] {
    const confirmed = confirmedUnitIds(db, period.id);
    return reminderRecipients(db)
      .filter((r) => r.contact.reachable && canSend(r.contact) && !confirmed.has(r.unit.id))
      .map((r) => ({ contactId: r.contact.id, unitId: r.unit.id, unitName: r.unit.name, slotId }));
  }

  async function runRound(period: PeriodInfo, kind: RoundReport['kind'], items: Item[]): Promise<RoundReport> {
    const report: RoundReport = { periodId: period.id, kind, planned: items.length, sent: 0, failed: 0, unreachable: 0, skipped: 0, deferred: 0 };
    if (items.length === 0) return report;
    log.info('reminder round started', { periodId: period.id, kind, planned: items.length });
    const progress = (msg: string) => {
      const done = report.sent + report.failed + report.unreachable + report.skipped + report.deferred;
      log.info(msg, { periodId: period.id, kind, sent: report.sent, failed: report.failed, unreachable: report.unreachable, skipped: report.skipped, deferred: report.deferred, remaining: report.planned - done });
    };
    const progressEvery = Math.max(1, Math.ceil(items.length / 10));
    const unitProgress = new Map<number, { remaining: number; total: number }>();
    let next = 0;
    let finished = 0;
    const worker = async () => {
      while (!stopped && next < items.length) {
        // A round that runs into the evening stops there: nobody gets a reminder at night.
        if (!withinWorkingHours(clock(), plan)) {
          report.deferred += items.length - next;
          next = items.length;
          break;
        }
        const item = items[next++]!;
        await sendOne(period, item, report, unitProgress);
        if (++finished % progressEvery === 0 && finished < items.length) progress('reminder round progress');
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, items.length) }, worker));
    progress(stopped ? 'reminder round interrupted' : report.deferred > 0 ? 'reminder round paused: working hours are over' : 'reminder round finished');
    if (!stopped && report.sent + report.failed + report.unreachable > 0) await sendDigest(period, report);
    return report;
  }

  function progressOfUnit(period: PeriodInfo, unitId: number, cache: Map<number, { remaining: number; total: number }>) {
    let p = cache.get(unitId);
    if (!p) {
      const submission = findSubmission(db, unitId, period.id);
      const form = formVersion(db, submission?.formVersionId ?? ensurePeriod(db, period.id).formVersionId).form;
      // Only the questions that apply to the unit's type count: a school is never reminded of a district office's.
      const unitType = findUnitById(db, unitId)?.type ?? null;
      const total = applicableQuestions(form, unitType).length;
      p = { total, remaining: submission ? countRemaining(form, currentAnswers(db, submission.id), unitType) : total };
      cache.set(unitId, p);
    }
    return p;
  }

  async function sendOne(period: PeriodInfo, item: Item, report: RoundReport, cache: Map<number, { remaining: number; total: number }>): Promise<void> {
    const claimedAt = clock();
    // Re-checked at the claim: the unit may have confirmed, or the contact blocked the bot, since planning.
    const contact = inTransaction(db, (tx) => {
      const c = findContactById(tx, item.contactId);
      if (!c || !c.active || !c.reachable || c.unitId !== item.unitId) return null;
      if (isUnitConfirmed(tx, item.unitId, period.id)) return null;
      const claimed = claimReminder(tx, { contactId: c.id, periodId: period.id, slotId: item.slotId, now: claimedAt, leaseMs: settings.leaseMs });
      return claimed ? c : null;
    });
    const send = contact ? senders[contact.channel as Channel] : undefined;
    if (!contact || !send) {
      report.skipped++;
      return;
    }
    const key = reminderKey(contact.id, period.id, item.slotId);
    const { remaining, total } = progressOfUnit(period, item.unitId, cache);
    const message = reminderReply({ unitName: item.unitName, periodTitle: period.title, deadline: period.deadline, now: claimedAt, timeZone, remaining, total });
    try {
      await send(contact, [message]);
      markReminderSent(db, contact.id, period.id, item.slotId, clock());
      failures.delete(key);
      report.sent++;
    } catch (err) {
      if (err instanceof RecipientUnreachableError) {
        setReachable(db, contact.id, false);
        markReminderFailed(db, contact.id, period.id, item.slotId, `unreachable: ${err.reason}`);
        report.unreachable++;
        log.info('contact unreachable', { channel: contact.channel, contactId: contact.id, reason: err.reason });
      } else {
        failures.set(key, (failures.get(key) ?? 0) + 1);
        markReminderFailed(db, contact.id, period.id, item.slotId, err instanceof Error ? err.message : String(err));
        report.failed++;
        log.warn('reminder not sent', { contactId: contact.id, periodId: period.id, slotId: item.slotId, err: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  async function sendDigest(period: PeriodInfo, report: RoundReport): Promise<void> {
    const now = clock();
    const units = activeUnits(db);
    const confirmed = confirmedUnitIds(db, period.id);
    const reachableUnitIds = new Set(reminderRecipients(db).filter((r) => r.contact.reachable && canSend(r.contact)).map((r) => r.unit.id));
    const missingIds = units.filter((u) => !confirmed.has(u.id)).map((u) => u.id);
    const round: RoundCounts = { kind: report.kind, sent: report.sent, failed: report.failed, unreachable: report.unreachable, deferred: report.deferred };
    const digest = buildDigest({
      periodTitle: period.title,
      deadline: period.deadline,
      now,
      units: units.map((u) => ({ id: u.id, name: u.name })),
      confirmedUnitIds: confirmed,
      reachableUnitIds,
      unreachable: unreachableContacts(db, missingIds).map((r) => ({ displayName: r.contact.displayName, unitName: r.unit.name, channel: r.contact.channel })),
      round,
    });
    const text = digestText(digest, timeZone);
    for (const office of officeContacts(db)) {
      const send = senders[office.channel as Channel];
      if (!office.reachable || !send) continue;
      try {
        await send(office, [{ text }]);
      } catch (err) {
        if (err instanceof RecipientUnreachableError) setReachable(db, office.id, false);
        log.warn('reminder digest not sent', { contactId: office.id, err: err instanceof Error ? err.message : String(err) });
      }
    }
    log.info('reminder digest sent', { periodId: period.id, confirmed: digest.confirmed, expected: digest.expected, missing: digest.missing.length, unreachable: digest.unreachable.length });
  }

  async function scheduledRounds(): Promise<RoundReport[]> {
    const now = clock();
    if (!withinWorkingHours(now, plan)) return [];
    const periods = openPeriods(db, now, deps.config.calendar);
    if (periods.length === 0) return [];
    const recipients = reminderRecipients(db);
    const reports: RoundReport[] = [];
    for (const period of periods) {
      if (stopped) break;
      reports.push(await runRound(period, 'scheduled', planScheduled(period, recipients, now)));
    }
    return reports;
  }

  const scheduler: ReminderScheduler = {
    tick: () => exclusive(scheduledRounds),

    requestManualRound(period, actorContactId) {
      if (manualBusy) return { ok: false, reason: 'busy' };
      const now = clock();
      if (!withinWorkingHours(now, plan)) return { ok: false, reason: 'quiet_hours' };
      // The time names the round; the suffix keeps two rounds apart even under a clock that stands still.
      const slotId = `manual-${now.getTime()}-${randomBytes(3).toString('hex')}`;
      const items = planManual(period, slotId);
      if (items.length === 0) return { ok: false, reason: 'nobody' };
      manualBusy = true;
      log.info('manual reminder round requested', { periodId: period.id, by: actorContactId, contacts: items.length });
      const done = exclusive(() => runRound(period, 'manual', items)).finally(() => {
        manualBusy = false;
      });
      done.catch((err: unknown) => log.error('manual reminder round failed', { periodId: period.id, err: err instanceof Error ? err.message : String(err) }));
      return { ok: true, slotId, contacts: items.length, units: new Set(items.map((i) => i.unitId)).size, done };
    },

    start() {
      if (timer !== null || stopped) return;
      const loop = async () => {
        try {
          await scheduler.tick();
        } catch (err) {
          log.error('reminder tick failed', { err: err instanceof Error ? err.message : String(err) });
        }
        if (!stopped) timer = setTimeout(() => void loop(), settings.tickMs);
      };
      timer = setTimeout(() => void loop(), 0);
      log.info('reminder scheduler started', { tickMs: settings.tickMs, concurrency: settings.concurrency, channels: Object.keys(senders) });
    },

    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await chain;
    },
  };
  return scheduler;
}
