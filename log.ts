import { formatWithOptions } from 'node:util';
/**
 * A small structured logger: one JSON line per event on stderr, so the console channel's stdout stays
 * a clean conversation and log shippers can parse the rest. Callers pass ids, never secrets; the secrets
 * registered below are cut out anyway.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * The last guard for secrets: every text registered here (bot tokens, webhook secrets) is cut out of each
 * line before it is written, whatever a caller or a library put in a message (an error quoting a URL with
 * the token in it, say). Spellings a line may hold: raw, URL-encoded, JSON-escaped, and a token's secret
 * half (after the ":").
 */
const redacted: string[] = [];
const REDACTED = '<redacted>';

export function redactInLogs(secret: string | undefined): void {
  if (!secret || secret.length < 8) return;
  const colon = secret.indexOf(':');
  const bases = colon >= 0 && secret.length - colon - 1 >= 8 ? [secret, secret.slice(colon + 1)] : [secret];
  for (const base of bases) {
    for (const v of [base, encodeURIComponent(base), JSON.stringify(base).slice(1, -1)]) if (!redacted.includes(v)) redacted.push(v);
  }
  // Longest first, so a token is replaced whole before its secret half is looked for.
  redacted.sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const s of redacted) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const extra = fields ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v])) : {};
    write(redactSecrets(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...extra })));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = createLogger('silent');

/**
 * Makes every line the process writes on its own go through `log`: console.* calls of any library (a
 * network error quoting a URL with the token, say) become one JSON object with the secrets cut out, and so
 * do crashes, unhandled rejections and Node's own warnings. Called once at start by bot/main.ts.
 */
export function routeProcessOutput(log: Logger): void {
  const text = (args: unknown[]) => formatWithOptions({ breakLength: Infinity }, ...args);
  console.error = (...args: unknown[]) => log.error('console output', { text: text(args) });
  console.warn = (...args: unknown[]) => log.warn('console output', { text: text(args) });
  console.log = (...args: unknown[]) => log.info('console output', { text: text(args) });
  console.info = console.log;
  console.debug = (...args: unknown[]) => log.debug('console output', { text: text(args) });
  console.trace = console.debug;
  process.on('uncaughtException', (err) => {
    log.error('crash: uncaught exception', { err: describeError(err) });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    // A library's forgotten promise must not take every channel down; it is logged and the bot goes on.
    log.error('unhandled promise rejection', { err: describeError(reason) });
  });
  // Node prints warnings itself, as plain text; take over.
  process.removeAllListeners('warning');
  process.on('warning', (w) => log.warn('node warning', { name: w.name, text: w.message }));
}

/** An error with the first lines of its stack, for a log field (the logger redacts it). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return (err.stack ?? `${err.name}: ${err.message}`).split('\n').slice(0, 6).join(' | ');
  return String(err);
}
