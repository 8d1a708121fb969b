import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { formatDateTime, periodInfo } from '../domain/periods';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: defaults', () => {
  it('gives a working configuration with no variable set', () => {
    const c = loadConfig({});
    expect(c.databasePath).toBe('./data/baocao.db');
    expect(c.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(c.telegram.token).toBeUndefined();
    expect(c.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(c.calendar).toMatchObject({
      timeZone: 'Asia/Ho_Chi_Minh',
      halfYearDeadline: { day: 5, month: 5 },
      yearDeadline: { day: 5, month: 11 },
      quarterDeadlineDay: 5,
      kinds: ['quarter', 'half', 'year'],
    });
    expect(c.logLevel).toBe('info');
  });

  it('treats an empty token as no token (console mode)', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '' }).telegram.token).toBeUndefined();
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '   ' }).telegram.token).toBeUndefined();
  });

  it('reads every variable it is given', () => {
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const c = loadConfig({
      DATABASE_PATH: '/tmp/x/bot.db',
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      TIMEZONE: 'Asia/Bangkok',
      HALF_YEAR_DEADLINE: '10/6',
      YEAR_DEADLINE: '30/11',
      QUARTER_DEADLINE_DAY: '15',
      PERIOD_KINDS: 'half, year',
      LOG_LEVEL: 'warn',
    });
    expect(c.databasePath).toBe('/tmp/x/bot.db');
    expect(c.telegram).toMatchObject({ token, apiRoot: 'http://127.0.0.1:8081' });
    expect(c.timeZone).toBe('Asia/Bangkok');
    expect(c.calendar).toMatchObject({
      timeZone: 'Asia/Bangkok',
      halfYearDeadline: { day: 10, month: 6 },
      yearDeadline: { day: 30, month: 11 },
      quarterDeadlineDay: 15,
      kinds: ['half', 'year'],
    });
    expect(c.logLevel).toBe('warn');
  });
});

describe('loadConfig: a wrong value stops with a message naming the variable', () => {
  it.each([
    ['TELEGRAM_BOT_TOKEN', 'abc'],
    ['TELEGRAM_BOT_TOKEN', '123456:short'],
    ['TELEGRAM_BOT_TOKEN', 'bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'],
    ['TELEGRAM_API_ROOT', 'not a url'],
    ['TIMEZONE', 'Mars/Olympus'],
    ['TIMEZONE', 'GMT+7 Hà Nội'],
    ['TIMEZONE', ''],
    ['HALF_YEAR_DEADLINE', '5 tháng 5'],
    ['HALF_YEAR_DEADLINE', '31/02'],
    ['HALF_YEAR_DEADLINE', '05/13'],
    ['YEAR_DEADLINE', '0/11'],
    ['YEAR_DEADLINE', '2025-11-05'],
    ['QUARTER_DEADLINE_DAY', 'abc'],
    ['QUARTER_DEADLINE_DAY', '0'],
    ['QUARTER_DEADLINE_DAY', '31'],
    ['QUARTER_DEADLINE_DAY', '5.5'],
    ['PERIOD_KINDS', 'month'],
    ['PERIOD_KINDS', 'quarter,weekly'],
    ['PERIOD_KINDS', ''],
    ['LOG_LEVEL', 'verbose'],
  ])('%s=%j', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message).toContain(name);
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.problems.every((p) => p.startsWith(name))).toBe(true);
  });

  it('reports every wrong variable at once', () => {
    const err = configError({ TIMEZONE: 'Nowhere/City', QUARTER_DEADLINE_DAY: '99', TELEGRAM_BOT_TOKEN: 'x' });
    for (const name of ['TIMEZONE', 'QUARTER_DEADLINE_DAY', 'TELEGRAM_BOT_TOKEN']) expect(err.message).toContain(name);
  });

  it('never echoes a token it refuses', () => {
    const err = configError({ TELEGRAM_BOT_TOKEN: 'secret-looking-value-1234567890' });
    expect(err.message).not.toContain('secret-looking-value');
  });
});

describe('loadConfig: the time zone does not depend on the machine', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it.each(['UTC', 'America/New_York', 'Pacific/Kiritimati'])('with TZ=%s the default is still Asia/Ho_Chi_Minh', (tz) => {
    process.env.TZ = tz;
    const c = loadConfig({ ...process.env, TIMEZONE: undefined });
    expect(c.timeZone).toBe('Asia/Ho_Chi_Minh');
    // 2026-H1 is due on 05/5/2026, 23:59 Vietnamese time, whatever the machine's zone.
    const deadline = periodInfo('2026-H1', c.calendar).deadline;
    expect(deadline.toISOString()).toBe('2026-05-05T16:59:59.999Z');
    expect(formatDateTime(deadline, c.timeZone)).toContain('05/5/2026');
  });

  it('TZ is not read as TIMEZONE', () => {
    expect(loadConfig({ TZ: 'UTC' }).timeZone).toBe('Asia/Ho_Chi_Minh');
  });
});
