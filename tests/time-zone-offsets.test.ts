import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runInTimeZone } from '../bot/time-zone';
import { fromWall, isValidTimeZone, toWall, useOffsetsFor, ZONES_LISTED_UNDER_ANOTHER_NAME } from '../domain/periods';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOUR = 3_600_000;
const originalTz = process.env.TZ;

/** Wall times of every half hour of 2025-2027 and the instants of every quarter-hour wall time, in `zone`. */
function sample(zone: string): { walls: string[]; instants: number[] } {
  const walls: string[] = [];
  const instants: number[] = [];
  const from = Date.UTC(2025, 0, 1);
  const to = Date.UTC(2028, 0, 1);
  for (let ms = from; ms < to; ms += HOUR / 2) walls.push(toWall(new Date(ms), zone).format('YYYY-MM-DD HH:mm:ss'));
  // Wall times on a quarter-hour grid: they fall into every gap and overlap (30- and 45-minute zones too).
  for (let ms = from; ms < to; ms += HOUR / 4) instants.push(fromWall(toWall(new Date(ms), 'UTC'), zone).getTime());
  return { walls, instants };
}

describe('zone offsets from the process time zone (bot/time-zone.ts)', () => {
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  // Whole-hour, half-hour and 45-minute offsets, with and without DST, north and south.
  for (const zone of ['Asia/Ho_Chi_Minh', 'Europe/Berlin', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC']) {
    it(`${zone}: every wall time and instant as Intl gives them, across three years of changes`, () => {
      useOffsetsFor(zone, null);
      const byIntl = sample(zone);
      try {
        runInTimeZone(zone);
        const byProcess = sample(zone);
        expect(byProcess.walls).toEqual(byIntl.walls);
        expect(byProcess.instants).toEqual(byIntl.instants);
      } finally {
        useOffsetsFor(zone, null);
      }
    });
  }

  it('a name ICU lists under another one is a zone Intl knows, and the process takes it as its TZ', () => {
    const instants = [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15), Date.UTC(2030, 3, 1)];
    for (const zone of ZONES_LISTED_UNDER_ANOTHER_NAME) {
      const intl = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      expect(isValidTimeZone(zone)).toBe(true);
      process.env.TZ = zone;
      for (const ms of instants) {
        // "GMT", "GMT+00:00", "GMT+05:45", "GMT-03:30" → minutes east of UTC.
        const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(intl.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '');
        expect(m, zone).not.toBeNull();
        const byIntl = m![1] ? (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 60 + Number(m![3])) : 0;
        expect(-new Date(ms).getTimezoneOffset() || 0, `${zone} at ${new Date(ms).toISOString()}`).toBe(byIntl);
      }
    }
  });

  it('another spelling Intl accepts is valid but left to Intl: the process stays as it was', () => {
    process.env.TZ = 'UTC';
    useOffsetsFor('asia/ho_chi_minh', null);
    expect(isValidTimeZone('asia/ho_chi_minh')).toBe(true);
    runInTimeZone('asia/ho_chi_minh');
    expect(process.env.TZ).toBe('UTC');
    expect(toWall(new Date(Date.UTC(2026, 4, 5, 17, 0)), 'asia/ho_chi_minh').format('YYYY-MM-DD HH:mm')).toBe('2026-05-06 00:00');
  });

  it('anything else is asked of Intl', () => {
    expect(isValidTimeZone('Asia/Saigon')).toBe(true);
    expect(isValidTimeZone('Europe/Kiev')).toBe(true);
    expect(isValidTimeZone('Nowhere/Atlantis')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('+07:00 nope')).toBe(false);
  });
});

describe('the bot as a process', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('never makes an Intl date formatter: starts, links a unit, asks and takes an answer, with Intl.DateTimeFormat throwing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baocao-tz-'));
    const proc = spawn(process.execPath, ['--require', join(ROOT, 'tests/fixtures/no-intl-date-format.cjs'), '--import', 'tsx', 'bot/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'warn', PERIOD_OPEN_DAYS_BEFORE: '120', PERIOD_CLOSE_DAYS_AFTER: '365' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const waitFor = async (re: RegExp) => {
      const end = Date.now() + 60_000;
      while (!re.test(out)) {
        if (Date.now() > end || proc.exitCode !== null) throw new Error(`waiting for ${re}; output:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await waitFor(/Kỳ báo cáo đang mở:/);
      await waitFor(/^ {2}[A-Z2-9]{4}-[A-Z2-9]{4} {2}Phòng Giáo dục và Đào tạo thành phố Đà Lạt/m);
      const code = /^ {2}([A-Z2-9]{4}-[A-Z2-9]{4}) {2}Phòng Giáo dục và Đào tạo thành phố Đà Lạt/m.exec(out)![1]!;
      proc.stdin.write(`/start ${code}\n/nhap\n`);
      await waitFor(/Câu 1\/\d+/);
      proc.stdin.end('12\n.thoat\n');
      expect(await exited).toBe(0);
      expect(out).not.toContain('Intl.DateTimeFormat made');
      // The deadline and the data window are dates in the province's zone; the answer was taken.
      expect(out).toMatch(/Hạn gửi: \d{2}\/\d{2}\/\d{4}/);
      expect(out).toContain('✓ 12 cơ sở');
      expect(out).toMatch(/Câu 2\/\d+/);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 90_000);
});
