import { isListedTimeZone, useOffsetsFor } from '../domain/periods';

/**
 * Makes `timeZone` (the configured zone, validated) the process's local time and hands its offsets to the
 * period calendar, taken from Date's local-time offset. Offsets asked of Intl.DateTimeFormat would load
 * ICU's formatting data at the first message, about 7 MB that stay resident for good; Date's local time
 * needs only the zone rules (measured, bench/answers.bench.ts's peak RSS). Nothing else in the bot reads
 * local time but the dates in the .docx package, which are then those of the province rather than UTC.
 */
export function runInTimeZone(timeZone: string): void {
  // Another spelling Intl accepts ("asia/ho_chi_minh") would leave the process in UTC: Intl it is, then.
  if (!isListedTimeZone(timeZone)) return;
  process.env.TZ = timeZone;
  // Minutes, west positive; `|| 0` for UTC's -0.
  useOffsetsFor(timeZone, (ms) => -(new Date(ms).getTimezoneOffset() * 60_000) || 0);
}
