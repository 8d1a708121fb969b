/**
 * Report build at scale: 2,000 synthetic units (1,900 reporting), aggregate + docx.
 * Run: npx tsx bench/report.bench.ts [--out file.docx]   (target: < 1 s and < 200 MB; prints, asserts nothing)
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { aggregate, type AggregateSubmission } from '../domain/aggregate';
import { DEFAULT_FORM, flattenForm } from '../domain/form';
import { periodInfo } from '../domain/periods';
import { UNIT_TYPES, type UnitRef } from '../domain/units';
import { buildReportDocx } from '../templates/report/build';
import { parseReportConfig } from '../templates/report/config';

const UNITS = 2_000;
const REPORTING = 1_900;

// Deterministic pseudo-random numbers (mulberry32).
let seed = 0x5eed;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (max: number) => Math.floor(rand() * (max + 1));

const units: UnitRef[] = Array.from({ length: UNITS }, (_, i) => ({
  id: i + 1,
  code: `U${String(i + 1).padStart(4, '0')}`,
  name: `Đơn vị số ${i + 1} - Trường học thuộc ngành Giáo dục`,
  type: UNIT_TYPES[i % UNIT_TYPES.length] ?? 'thpt',
}));

const questions = flattenForm(DEFAULT_FORM);
const sample =
  'Đơn vị đã triển khai tuyên truyền thường xuyên trên trang thông tin điện tử và fanpage; phối hợp với báo chí địa phương đưa tin về các hoạt động nổi bật <&> của nhà trường.';
const submissions: AggregateSubmission[] = units.slice(0, REPORTING).map((unit, i) => {
  const answers: Record<string, number | string> = {};
  for (const q of questions) {
    if (q.type === 'text') {
      if (q.required || i % 3 === 0) answers[q.key] = sample;
    } else if (q.type === 'money') {
      answers[q.key] = i % 50 === 0 ? int(500_000_000) : 0;
    } else {
      answers[q.key] = int(Math.min(q.max ?? 1000, q.key.startsWith('digital_') ? 50_000 : 500));
    }
  }
  return { unit, form: DEFAULT_FORM, formVersion: 1, answers, confirmedAt: new Date(Date.UTC(2026, 4, 1, 0, i)) };
});

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const rssBefore = process.resourceUsage().maxRSS * 1024;

const t0 = performance.now();
const data = aggregate({ period: periodInfo('2026-H1'), units, submissions });
const t1 = performance.now();
const buf = await buildReportDocx(data, parseReportConfig(), new Date('2026-05-08T02:00:00Z'));
const t2 = performance.now();
const rssPeak = process.resourceUsage().maxRSS * 1024;

console.log(`units: ${UNITS} (${REPORTING} reporting), unit texts: ${data.texts.reduce((n, g) => n + g.items.length, 0)}`);
console.log(`aggregate: ${(t1 - t0).toFixed(0)} ms`);
console.log(`docx build: ${(t2 - t1).toFixed(0)} ms`);
console.log(`total: ${(t2 - t0).toFixed(0)} ms (target < 1000 ms)`);
console.log(`docx size: ${mb(buf.length)} MB`);
console.log(`heap used after build: ${mb(process.memoryUsage().heapUsed)} MB`);
console.log(`peak RSS: ${mb(rssPeak)} MB (target < 200 MB); before the build (node + tsx + modules + input): ${mb(rssBefore)} MB, build added ${mb(rssPeak - rssBefore)} MB`);

const outAt = process.argv.indexOf('--out');
const outPath = outAt > 0 ? process.argv[outAt + 1] : undefined;
if (outPath) {
  writeFileSync(outPath, buf);
  console.log(`written: ${outPath}`);
}
