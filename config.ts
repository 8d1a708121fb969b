import { z } from 'zod';
import { CalendarConfigSchema, isValidTimeZone, type CalendarConfig, type PeriodKind } from './domain/periods';

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
  });

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const EnvSchema = z.object({
  DATABASE_PATH: z.string().trim().min(1).default('./data/baocao.db'),
  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected the token from @BotFather, like 123456:ABC-DEF…').optional(),
  ),
  TELEGRAM_API_ROOT: z.string().trim().url().default('https://api.telegram.org'),
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
  /** Where the console channel and the CLI write generated files. */
  OUTPUT_DIR: z.string().trim().min(1).default('./data/out'),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  databasePath: string;
  telegram: { token: string | undefined; apiRoot: string };
  timeZone: string;
  calendar: CalendarConfig;
  logLevel: Env['LOG_LEVEL'];
  outputDir: string;
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
  return {
    databasePath: e.DATABASE_PATH,
    telegram: { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, '') },
    timeZone: e.TIMEZONE,
    calendar: CalendarConfigSchema.parse({
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
  };
}
