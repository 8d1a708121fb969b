import { inTransaction } from '../../storage/db';
import { ensurePeriod } from '../../storage/repositories/periods';
import { appendAnswer, confirmSubmission, createSubmission } from '../../storage/repositories/submissions';
import { upsertUnit } from '../../storage/repositories/units';
import type { AppDeps } from '../../handlers/types';
import { SEED_ANSWERS, SEED_PERIOD_ID, SEED_UNITS } from '../fixtures/seed-h1';

/**
 * Stores the seed fixture through the repositories: every unit, and a confirmed submission with the
 * fixture's answers for each reporting unit. Returns unit ids by code.
 */
export function storeSeedFixture(deps: AppDeps, opts: { draftUnitCode?: string } = {}): Map<string, number> {
  const now = deps.clock();
  return inTransaction(deps.db, (db) => {
    const ids = new Map<string, number>();
    for (const u of SEED_UNITS) ids.set(u.code, upsertUnit(db, { code: u.code, name: u.name, type: u.type, district: u.district ?? null }, now).unit.id);
    const period = ensurePeriod(db, SEED_PERIOD_ID);
    for (const [code, answers] of Object.entries(SEED_ANSWERS)) {
      const sub = createSubmission(db, ids.get(code)!, SEED_PERIOD_ID, period.formVersionId, now);
      for (const [key, value] of Object.entries(answers)) appendAnswer(db, { submissionId: sub.id, key, value, raw: String(value), revision: 0, contactId: null, now });
      confirmSubmission(db, sub.id, null, now);
    }
    if (opts.draftUnitCode) {
      const sub = createSubmission(db, ids.get(opts.draftUnitCode)!, SEED_PERIOD_ID, period.formVersionId, now);
      appendAnswer(db, { submissionId: sub.id, key: 'profile_institutions', value: 12, raw: '12', revision: 0, contactId: null, now });
    }
    return ids;
  });
}
