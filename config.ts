import { z } from 'zod';
import { CalendarConfigSchema, isValidTimeZone, MonthDaySchema, type CalendarConfig, type PeriodKind } from './domain/periods';
import { ReportConfigSchema, type ReportConfig } from './templates/report/config';
import { ReminderConfigSchema, type ReminderConfig } from './domain/reminders';
import { DATA_WINDOW_PRESETS, parseWindowRule, type DataWindowRules } from './domain/data-window';

/**
 * All configuration comes from environment variables, validated once at start. A wrong value stops
 * the bot with a message naming the variable, instead of failing later in the middle of a conversation.
 */

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const dayMonth = z
  .string()
  .trim()
  .regex(/^\d{1,2}\/\d{1,2}$/, 'expected DD/MM, e.g. 05/5')
  .transform((s) => {
    const [d, m] = s.split('/').map(Number) as [number, number];
    return { day: d, month: m };
  })
  // Checked here, not only by the calendar schema, so "31/02" is reported under the variable's name.
  .pipe(MonthDaySchema);

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], 'expected true or false'))
  .transform((s) => ['true', '1', 'yes', 'on'].includes(s));

export const EnvSchema = z.object({
  DATABASE_PATH: z.string().trim().min(1).default('./data/baocao.db'),
  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected the token from @BotFather, like 123456:ABC-DEF…').optional(),
  ),
  TELEGRAM_API_ROOT: z.string().trim().url().default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  /** Echoed by Telegram in X-Telegram-Bot-Api-Secret-Token; a random one is made at each start when unset. */
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16 to 256 characters: letters, digits, "_" and "-"').optional(),
  ),
  ZALO_BOT_TOKEN: optionalString.pipe(
    z.string().regex(/^\d+:[^\s/?#]{8,}$/, 'expected the token from Zalo Bot Creator, like 1234567890:AbC…').optional(),
  ),
  ZALO_API_ROOT: z.string().trim().url().default('https://bot-api.zaloplatforms.com'),
  ZALO_MODE: z.enum(['polling', 'webhook']).default('polling'),
  /** Echoed by Zalo in X-Bot-Api-Secret-Token; a random one is made at each start when unset. */
  ZALO_WEBHOOK_SECRET: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16 to 256 characters: letters, digits, "_" and "-"').optional(),
  ),
  /** The address the HTTP server is reached at from outside (https, behind a reverse proxy). */
  PUBLIC_URL: optionalString.pipe(
    z
      .string()
      .url()
      .refine(isAcceptablePublicUrl, 'must be https:// (plain http:// only for localhost)')
      .transform((s) => s.replace(/\/+$/, ''))
      .optional(),
  ),
  HTTP_HOST: z.string().trim().min(1).default('0.0.0.0'),
  HTTP_PORT: intFrom(0, 65_535).default(8080),
  REPORT_LINK_TTL_HOURS: intFrom(1, 24 * 30).default(24),
  /** Personal links to the form page (Zalo, console): how long one works. */
  FORM_LINK_TTL_HOURS: intFrom(1, 24 * 30).default(24),
  /** Telegram Mini App: initData signed longer ago than this is refused (replayed or stale). */
  WEBAPP_AUTH_MAX_AGE_SECONDS: intFrom(60, 7 * 86_400).default(3600),
  TIMEZONE: z
    .string()
    .trim()
    .default('Asia/Ho_Chi_Minh')
    .refine(isValidTimeZone, 'unknown IANA time zone, e.g. Asia/Ho_Chi_Minh'),
  HALF_YEAR_DEADLINE: dayMonth.default({ day: 5, month: 5 }),
  YEAR_DEADLINE: dayMonth.default({ day: 5, month: 11 }),
  QUARTER_DEADLINE_DAY: intFrom(1, 28).default(5),
  PERIOD_OPEN_DAYS_BEFORE: intFrom(0, 120).default(15),
  PERIOD_CLOSE_DAYS_AFTER: intFrom(0, 365).default(30),
  PERIOD_KINDS: z
    .string()
    .trim()
    .default('quarter,half,year')
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(['quarter', 'half', 'year'])).min(1)),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Who issues and signs the compiled report (defaults: the seed report's Lâm Đồng department). */
  REPORT_PARENT_BODY: optionalString,
  REPORT_AGENCY_NAME: optionalString,
  REPORT_AGENCY_SHORT_NAME: optionalString,
  REPORT_PROVINCE: optionalString,
  REPORT_PLACE: optionalString,
  REPORT_SYMBOL: optionalString,
  REPORT_SECTOR_NAME: optionalString,
  REPORT_SIGNER_AUTHORITY: z.string().trim().optional(),
  REPORT_SIGNER_TITLE: optionalString,
  REPORT_SIGNER_NAME: z.string().trim().optional(),
  /** Recipients of the report, separated by ";" ("Lưu: VT, VP." is always added last). */
  REPORT_RECIPIENTS: optionalString,
  REPORT_REQUEST_CITATION: optionalString,
  REPORT_ADDRESSEE: optionalString,
  REPORT_PROPOSAL_ADDRESSEE: optionalString,
  /** Facts about the Sở itself for section I ("có Ban Giám đốc và 09 phòng … với 113 công chức"). */
  REPORT_AGENCY_DIVISIONS: optionalString.pipe(z.string().regex(/^\d{1,4}$/, 'expected a whole number, e.g. 9').transform(Number).optional()),
  REPORT_AGENCY_STAFF: optionalString.pipe(z.string().regex(/^\d{1,6}$/, 'expected a whole number, e.g. 113').transform(Number).optional()),
  /** Send the appendix (submission states, per-unit figures) with the report; the office can change it per period. */
  REPORT_APPENDIX: flag.default(true),
  /**
   * The data window (thời gian chốt số liệu): "period" (the period's own dates) or "nd09" (Nghị định
   * 09/2019/NĐ-CP, Điều 12); DATA_WINDOW_<KIND> overrides one kind with "15@-1..14@0" (README).
   */
  DATA_WINDOW: z.enum(['period', 'nd09']).default('period'),
  DATA_WINDOW_QUARTER: optionalString,
  DATA_WINDOW_HALF: optionalString,
  DATA_WINDOW_YEAR: optionalString,
  /** Where the console channel and the CLI write generated files. */
  OUTPUT_DIR: z.string().trim().min(1).default('./data/out'),
  /** A daily copy of the database goes here (unset: no automatic backup); the newest BACKUP_KEEP are kept. */
  BACKUP_DIR: optionalString,
  BACKUP_KEEP: intFrom(1, 3650).default(14),
  /** Reminders (README, "Reminders"): when they go out, and how the scheduler sends them. */
  REMINDERS_ENABLED: flag.default(true),
  REMINDER_BEFORE_DAYS: z
    .string()
    .trim()
    .default('7,3,1')
    .transform((s) => (s === '' ? [] : s.split(',').map((d) => Number(d.trim()))))
    .pipe(z.array(z.number().int().min(1).max(90)).max(20)),
  REMINDER_ON_DEADLINE_DAY: flag.default(true),
  REMINDER_AFTER_EVERY_DAYS: intFrom(1, 60).default(2),
  REMINDER_AFTER_MAX_TIMES: intFrom(0, 20).default(3),
  REMINDER_WORK_START: z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm, e.g. 07:30').default('07:30'),
  REMINDER_WORK_END: z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm, e.g. 20:00').default('20:00'),
  REMINDER_SKIP_SUNDAYS: flag.default(true),
  REMINDER_TICK_SECONDS: intFrom(1, 3600).default(60),
  REMINDER_CONCURRENCY: intFrom(1, 100).default(10),
  REMINDER_SENDING_LEASE_SECONDS: intFrom(1, 86_400).default(600),
  REMINDER_MAX_ATTEMPTS: intFrom(1, 100).default(5),
  /** Zalo publishes no limits: conservative defaults, configurable. */
  ZALO_MAX_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  ZALO_PER_CHAT_PER_SECOND: z.coerce.number().positive().max(100).default(1),
  /**
   * For benchmarks only: `off` sends every message as soon as it is ready, with no spacing (Telegram's and
   * Zalo's limits are then not respected). Lets bench/answers.bench.ts measure the handling, not the send rate.
   */
  OUTGOING_THROTTLE: flag.default(true),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  databasePath: string;
  telegram: { token: string | undefined; apiRoot: string; mode: ChannelMode; webhookSecret: string | undefined };
  zalo: { token: string | undefined; apiRoot: string; mode: ChannelMode; webhookSecret: string | undefined };
  http: { host: string; port: number; publicUrl: string | undefined };
  reportLinkTtlHours: number;
  /** The form page: personal link lifetime, and the oldest Telegram initData accepted. */
  formPage: { linkTtlHours: number; initDataMaxAgeSeconds: number };
  timeZone: string;
  calendar: CalendarConfig;
  logLevel: Env['LOG_LEVEL'];
  outputDir: string;
  backup: { dir: string | undefined; keep: number };
  report: ReportConfig;
  /** Send the appendix by default. */
  reportAppendix: boolean;
  dataWindows: DataWindowRules;
  reminders: {
    enabled: boolean;
    plan: ReminderConfig;
    tickSeconds: number;
    concurrency: number;
    sendingLeaseSeconds: number;
    maxAttempts: number;
  };
  zaloRateLimit: { perSecond: number; perChatPerSecond: number };
  /** False only in benchmarks (OUTGOING_THROTTLE=off): no outgoing spacing on any channel. */
  outgoingThrottle: boolean;
}

export type ChannelMode = 'polling' | 'webhook';

/** Chat platforms only call https webhooks; plain http is tolerated for a local test set-up. */
function isAcceptablePublicUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && isLoopbackUrl(s);
}

function isLoopbackUrl(s: string): boolean {
  return URL.canParse(s) && ['localhost', '127.0.0.1', '[::1]'].includes(new URL(s).hostname);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const webhookModes = [
    e.TELEGRAM_BOT_TOKEN && e.TELEGRAM_MODE === 'webhook' ? { mode: 'TELEGRAM_MODE', platform: 'Telegram', apiRoot: e.TELEGRAM_API_ROOT } : null,
    e.ZALO_BOT_TOKEN && e.ZALO_MODE === 'webhook' ? { mode: 'ZALO_MODE', platform: 'Zalo', apiRoot: e.ZALO_API_ROOT } : null,
  ].filter((v) => v !== null);
  if (e.PUBLIC_URL === undefined && webhookModes.length > 0) {
    throw new ConfigError(webhookModes.map((v) => `PUBLIC_URL: required when ${v.mode}=webhook (the https address the platform calls)`));
  }
  if (e.PUBLIC_URL?.startsWith('http://')) {
    // The platforms only call https webhooks, and never a loopback address: plain http can only work
    // against a Bot API on this machine (the fake servers of the tests).
    const refused = webhookModes.filter((v) => !isLoopbackUrl(v.apiRoot));
    if (refused.length > 0) {
      throw new ConfigError(
        refused.map((v) => `PUBLIC_URL: ${v.mode}=webhook needs an https:// address (${v.platform} only calls https webhooks), not ${e.PUBLIC_URL}`),
      );
    }
  }
  return {
    databasePath: e.DATABASE_PATH,
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
      mode: e.TELEGRAM_MODE,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    },
    zalo: { token: e.ZALO_BOT_TOKEN, apiRoot: e.ZALO_API_ROOT.replace(/\/+$/, ''), mode: e.ZALO_MODE, webhookSecret: e.ZALO_WEBHOOK_SECRET },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, publicUrl: e.PUBLIC_URL },
    reportLinkTtlHours: e.REPORT_LINK_TTL_HOURS,
    formPage: { linkTtlHours: e.FORM_LINK_TTL_HOURS, initDataMaxAgeSeconds: e.WEBAPP_AUTH_MAX_AGE_SECONDS },
    timeZone: e.TIMEZONE,
    // Frozen: the period calendar is computed once per configuration and recognises a frozen one by identity.
    calendar: frozenCalendar({
      timeZone: e.TIMEZONE,
      halfYearDeadline: e.HALF_YEAR_DEADLINE,
      yearDeadline: e.YEAR_DEADLINE,
      quarterDeadlineDay: e.QUARTER_DEADLINE_DAY,
      openDaysBeforeEnd: e.PERIOD_OPEN_DAYS_BEFORE,
      closeDaysAfterDeadline: e.PERIOD_CLOSE_DAYS_AFTER,
      kinds: e.PERIOD_KINDS as PeriodKind[],
    }),
    logLevel: e.LOG_LEVEL,
    outputDir: e.OUTPUT_DIR,
    backup: { dir: e.BACKUP_DIR, keep: e.BACKUP_KEEP },
    report: reportConfigFrom(e),
    reportAppendix: e.REPORT_APPENDIX,
    dataWindows: dataWindowsFrom(e),
    reminders: remindersFrom(e),
    zaloRateLimit: e.OUTGOING_THROTTLE
      ? { perSecond: e.ZALO_MAX_PER_SECOND, perChatPerSecond: e.ZALO_PER_CHAT_PER_SECOND }
      : { perSecond: Infinity, perChatPerSecond: Infinity },
    outgoingThrottle: e.OUTGOING_THROTTLE,
  };
}

function frozenCalendar(input: unknown): CalendarConfig {
  const c = CalendarConfigSchema.parse(input);
  Object.freeze(c.halfYearDeadline);
  Object.freeze(c.yearDeadline);
  Object.freeze(c.kinds);
  return Object.freeze(c);
}

function dataWindowsFrom(e: Env): DataWindowRules {
  const rules: DataWindowRules = { ...DATA_WINDOW_PRESETS[e.DATA_WINDOW] };
  const problems: string[] = [];
  for (const [kind, name] of [['quarter', 'DATA_WINDOW_QUARTER'], ['half', 'DATA_WINDOW_HALF'], ['year', 'DATA_WINDOW_YEAR']] as const) {
    const text = e[name];
    if (text === undefined) continue;
    const preset = DATA_WINDOW_PRESETS[text as keyof typeof DATA_WINDOW_PRESETS];
    const rule = preset ? preset[kind] : parseWindowRule(text);
    if (rule) rules[kind] = rule;
    else problems.push(`${name}: expected "period", "nd09" or a rule like 15@-1..14@0`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return rules;
}

function remindersFrom(e: Env): Config['reminders'] {
  const plan = ReminderConfigSchema.safeParse({
    beforeDays: e.REMINDER_BEFORE_DAYS,
    onDeadlineDay: e.REMINDER_ON_DEADLINE_DAY,
    afterEveryDays: e.REMINDER_AFTER_EVERY_DAYS,
    afterMaxTimes: e.REMINDER_AFTER_MAX_TIMES,
    workStart: e.REMINDER_WORK_START,
    workEnd: e.REMINDER_WORK_END,
    skipSundays: e.REMINDER_SKIP_SUNDAYS,
    timeZone: e.TIMEZONE,
  });
  if (!plan.success) throw new ConfigError(plan.error.issues.map((i) => `REMINDER_${i.path.join('_').replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase()}: ${i.message}`));
  return {
    enabled: e.REMINDERS_ENABLED,
    plan: plan.data,
    tickSeconds: e.REMINDER_TICK_SECONDS,
    concurrency: e.REMINDER_CONCURRENCY,
    sendingLeaseSeconds: e.REMINDER_SENDING_LEASE_SECONDS,
    maxAttempts: e.REMINDER_MAX_ATTEMPTS,
  };
}

/** Report setting ← environment variable, so an invalid value is reported under the name the operator set. */
const REPORT_ENV = {
  parentBody: 'REPORT_PARENT_BODY',
  agencyName: 'REPORT_AGENCY_NAME',
  agencyShortName: 'REPORT_AGENCY_SHORT_NAME',
  provinceName: 'REPORT_PROVINCE',
  place: 'REPORT_PLACE',
  symbol: 'REPORT_SYMBOL',
  sectorName: 'REPORT_SECTOR_NAME',
  signerAuthority: 'REPORT_SIGNER_AUTHORITY',
  signerTitle: 'REPORT_SIGNER_TITLE',
  signerName: 'REPORT_SIGNER_NAME',
  recipients: 'REPORT_RECIPIENTS',
  requestCitation: 'REPORT_REQUEST_CITATION',
  addressee: 'REPORT_ADDRESSEE',
  proposalAddressee: 'REPORT_PROPOSAL_ADDRESSEE',
  agencyDivisions: 'REPORT_AGENCY_DIVISIONS',
  agencyStaff: 'REPORT_AGENCY_STAFF',
  timeZone: 'TIMEZONE',
} as const satisfies Partial<Record<keyof ReportConfig, keyof Env>>;

function reportConfigFrom(e: Env): ReportConfig {
  const input: Record<string, unknown> = Object.fromEntries(Object.entries(REPORT_ENV).map(([field, env]) => [field, e[env]]));
  if (e.REPORT_RECIPIENTS !== undefined) input.recipients = e.REPORT_RECIPIENTS.split(';').map((r) => r.trim()).filter(Boolean);
  const parsed = ReportConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${REPORT_ENV[i.path[0] as keyof typeof REPORT_ENV] ?? 'REPORT_*'}: ${i.message}`));
  }
  return parsed.data;
}
