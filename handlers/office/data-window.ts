import type { Config } from '../../config';
import { dataWindowOf, dataWindowSentenceOf, type DataWindow } from '../../domain/data-window';
import type { PeriodInfo } from '../../domain/periods';
import type { Db } from '../../storage/db';
import { findParticulars } from '../../storage/repositories/report-particulars';

/** The period's data window: the office's dates for it, else the rule of its kind (DATA_WINDOW*). */
export function dataWindowFor(db: Db, config: Pick<Config, 'dataWindows'>, period: Pick<PeriodInfo, 'id' | 'kind'>): DataWindow {
  return findParticulars(db, period.id).dataWindow ?? dataWindowOf(period.id, config.dataWindows[period.kind]);
}

/** "Số liệu tính từ ngày … đến ngày …." for the contact's first question and the report. */
export function dataWindowSentence(db: Db, config: Pick<Config, 'dataWindows'>, period: Pick<PeriodInfo, 'id' | 'kind'>): string {
  return dataWindowSentenceOf(dataWindowFor(db, config, period));
}
