import { existsSync } from 'node:fs';
import type { Progress } from '../domain/progress';

/**
 * The /tiendo chart, drawn on the server without a browser: a Vega-Lite spec compiled to Vega, rendered
 * to SVG by Vega's headless View, rasterised to PNG by resvg. Left: units per type by state; right: the
 * running count of confirmations per day against the deadline. vega, vega-lite and resvg are loaded on
 * first use (they are large and only the office's /tiendo needs them).
 */

export interface ChartInput {
  periodTitle: string;
  progress: Progress;
  /** Cumulative confirmations per local day ("YYYY-MM-DD"). */
  perDay: ReadonlyArray<{ day: string; cumulative: number }>;
  /** Local "YYYY-MM-DD" of the deadline. */
  deadline: string;
}

/** Fonts with Vietnamese glyphs; resvg's built-in default is used when none is installed. */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
];
const FONT = 'DejaVu Sans';

const STATE_COLORS = {
  'Đã duyệt': '#1b7837',
  'Đã gửi': '#7fbf7b',
  'Bị trả lại': '#d6604d',
  'Đang nhập': '#f4a582',
  'Chưa gửi': '#bababa',
} as const;

export function chartSpec(input: ChartInput): Record<string, unknown> {
  const bars = input.progress.groups.flatMap((g) => [
    { type: g.label, state: 'Đã duyệt', n: g.accepted, order: 0 },
    { type: g.label, state: 'Đã gửi', n: g.confirmed.length - g.accepted, order: 1 },
    { type: g.label, state: 'Bị trả lại', n: g.returned.length, order: 2 },
    { type: g.label, state: 'Đang nhập', n: g.inProgress.length, order: 3 },
    { type: g.label, state: 'Chưa gửi', n: g.notStarted.length, order: 4 },
  ]);
  const line = input.perDay.map((d) => ({ day: d.day, total: d.cumulative }));
  const expected = input.progress.expected;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 16,
    config: { font: FONT, title: { fontSize: 16 }, axis: { labelFontSize: 12, titleFontSize: 12 }, legend: { labelFontSize: 12, titleFontSize: 12 } },
    title: { text: `Tiến độ báo cáo ${input.periodTitle}`, subtitle: `${expected.toLocaleString('vi-VN')} đơn vị` },
    hconcat: [
      {
        width: 380,
        height: 260,
        title: 'Theo loại đơn vị',
        data: { values: bars },
        mark: 'bar',
        encoding: {
          y: { field: 'type', type: 'nominal', title: null, sort: null, axis: { labelLimit: 300 } },
          x: { field: 'n', type: 'quantitative', aggregate: 'sum', title: 'Số đơn vị', axis: { tickMinStep: 1, format: 'd' } },
          color: {
            field: 'state',
            type: 'nominal',
            title: 'Trạng thái',
            scale: { domain: Object.keys(STATE_COLORS), range: Object.values(STATE_COLORS) },
            legend: { orient: 'bottom', direction: 'horizontal' },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        width: 380,
        height: 260,
        title: 'Số đơn vị đã gửi theo ngày',
        layer: [
          {
            data: { values: line.length > 0 ? line : [{ day: input.deadline, total: 0 }] },
            mark: { type: 'line', point: true, interpolate: 'step-after', color: '#2166ac' },
            encoding: {
              x: { field: 'day', type: 'temporal', title: 'Ngày', axis: { format: '%d/%m', labelAngle: -45 } },
              y: { field: 'total', type: 'quantitative', title: 'Đã gửi (cộng dồn)', scale: { domain: [0, Math.max(1, expected)] }, axis: { tickMinStep: 1, format: 'd' } },
            },
          },
          {
            data: { values: [{ day: input.deadline, label: 'Hạn gửi' }] },
            mark: { type: 'rule', color: '#b2182b', strokeDash: [6, 4], strokeWidth: 2 },
            encoding: { x: { field: 'day', type: 'temporal' } },
          },
          {
            data: { values: [{ day: input.deadline, label: 'Hạn gửi' }] },
            mark: { type: 'text', color: '#b2182b', align: 'left', dx: 4, dy: -120, fontSize: 12 },
            encoding: { x: { field: 'day', type: 'temporal' }, text: { field: 'label' } },
          },
          {
            data: { values: [{ total: expected }] },
            mark: { type: 'rule', color: '#888', strokeDash: [2, 2] },
            encoding: { y: { field: 'total', type: 'quantitative' } },
          },
        ],
      },
    ],
  };
}

/** The chart as PNG bytes. */
export async function renderProgressChart(input: ChartInput): Promise<Buffer> {
  const [vega, vl, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const compiled = vl.compile(chartSpec(input) as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 1.5 },
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: fontFiles.length > 0 ? FONT : 'sans-serif' },
    background: 'white',
  });
  return Buffer.from(resvg.render().asPng());
}
