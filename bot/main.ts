import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger, describeError, redactInLogs, routeProcessOutput } from '../log';
import { openDatabase, closeDatabase, inTransaction, type Db } from '../storage/db';
import { seedDemo, usableOfficeInvite, type DemoSeed } from '../storage/demo-seed';
import { activeUnits } from '../storage/repositories/units';
import { currentInviteForUnit } from '../storage/repositories/invites';
import { displayInviteCode } from '../domain/invite-code';
import { formatShortDate } from '../domain/periods';
import type { AppDeps } from '../handlers/types';
import { runConsole } from './console/console';
import { startConsolePageServer } from './console/page-server';
import { startRuntime, type Runtime } from './http/runtime';
import { startReminderScheduler } from './outbox/reminders';
import { startDailyBackup } from './backup-schedule';
import { holdRunMark } from './run-lock';
import { runInTimeZone } from './time-zone';
import type { ReminderScheduler } from '../handlers/reminders/scheduler';

/** Starts the bot: Telegram and/or Zalo when a token is configured, else the console channel on a demo province. */
/** SIGTERM: updates stored and replies queued get this long to be handled and sent; the rest waits on disk. */
const SHUTDOWN_GRACE_MS = 8_000;
/** A stop that hangs beyond this (a stuck library call) is cut short: everything acknowledged is on disk. */
const SHUTDOWN_HARD_LIMIT_MS = 15_000;

/** Before anything can fail: whatever is printed from here on has these cut out, even a config error. */
for (const name of ['TELEGRAM_BOT_TOKEN', 'ZALO_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'ZALO_WEBHOOK_SECRET']) redactInLogs(process.env[name]?.trim());
const startLog = createLogger('info');

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      startLog.error('configuration invalid, not starting', { problems: err.message.split('\n').filter(Boolean), see: 'README.md, section "Configuration"' });
      process.exit(1);
    }
    throw err;
  }
  runInTimeZone(config.timeZone);
  const log = createLogger(config.logLevel);
  const db = openDatabase(config.databasePath);
  // Tells `cli restore` that the database is in use (bot/run-lock.ts).
  const runMark = holdRunMark(config.databasePath);
  const deps: AppDeps = { db, config, log, clock: () => new Date() };

  if (config.telegram.token || config.zalo.token) {
    // Libraries that print on their own (console.error of a network error quoting the URL, say) go
    // through the logger too: one JSON object per line, secrets cut out.
    routeProcessOutput(log);
    // Listening for the signals first: a stop during start-up is a clean stop too.
    let stopping = false;
    let started: Promise<{ runtime: Runtime; reminders: ReminderScheduler | null; backups: { stop(): Promise<void> } | null }> | undefined;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      log.info('stopping');
      // A library call stuck beyond every bound must not keep the process alive: whatever was
      // acknowledged is already committed, so a forced exit loses nothing.
      setTimeout(() => {
        log.warn('shutdown took too long, exiting');
        process.exit(1);
      }, SHUTDOWN_HARD_LIMIT_MS).unref();
      const running = await started?.catch(() => undefined);
      await running?.reminders?.stop();
      await running?.runtime.stop(SHUTDOWN_GRACE_MS);
      await running?.backups?.stop();
      closeDatabase(db);
      runMark.release();
      log.info('stopped');
      process.exit(0);
    };
    // Ctrl-C under npm reaches the bot twice (from the terminal and forwarded by npm): stop once.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Telegram and/or Zalo, each by polling or webhook, plus the HTTP server (health, webhooks, report links).
    started = startRuntime(deps).then((runtime) => ({
      runtime,
      // Reminders go out through the same channels (and their outgoing queues) as the replies.
      reminders: startReminderScheduler(deps, { telegram: runtime.telegram, zalo: runtime.zalo?.channel }),
      backups: config.backup.dir
        ? startDailyBackup({ db, dir: config.backup.dir, keep: config.backup.keep, timeZone: config.timeZone, log, clock: deps.clock })
        : null,
    }));
    await started;
    return;
  }

  const firstRun = activeUnits(db).length === 0;
  const seed = firstRun ? seedDemo(db, new Date(), config.calendar) : null;
  const consoleDeps = { ...deps, log: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel) };
  const pages = await startConsolePageServer(consoleDeps, process.stdout);
  const banner = consoleBanner(config, db, seed) + (pages.url ? `\nBiểu mẫu trên một trang: sau /nhap, mở đường dẫn bot in ra (phục vụ tại ${pages.url}).` : '');
  // A signal ends the session like ".thoat": the message being handled finishes, then the database closes.
  const session = new AbortController();
  const endSession = () => session.abort();
  process.on('SIGINT', endSession);
  process.on('SIGTERM', endSession);
  await runConsole({ deps: { ...consoleDeps, pageBaseUrl: pages.url }, input: process.stdin, output: process.stdout, banner, signal: session.signal });
  await pages.close();
  closeDatabase(db);
  runMark.release();
  process.exit(0);
}

function consoleBanner(config: Config, db: Db, seed: DemoSeed | null): string {
  const lines = [
    '================================================================',
    ' baocao-bot — CONSOLE MODE (no TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN configured)',
    ' Chế độ thử trên màn hình: không có mã bot Telegram hay Zalo.',
    ' To run on Telegram: set TELEGRAM_BOT_TOKEN=<token from @BotFather>; on Zalo: ZALO_BOT_TOKEN (README.md).',
    ` Database: ${config.databasePath}`,
    ` Tệp tạo ra (báo cáo, bảng tính) được lưu vào: ${resolve(config.outputDir)}`,
    '================================================================',
  ];
  if (seed) {
    lines.push('', 'Đã tạo tỉnh mẫu (demo). Mã mời của các đơn vị:');
    for (const { unit, invite } of seed.units) lines.push(`  ${displayInviteCode(invite.code)}  ${unit.name}`);
    lines.push(`  ${displayInviteCode(seed.officeInvite.code)}  (tài khoản Văn phòng Sở)`);
    for (const p of seed.openPeriods) lines.push(`Kỳ báo cáo đang mở: ${p.title} (hạn ${formatShortDate(p.deadline, config.timeZone)})`);
  } else {
    const units = activeUnits(db);
    lines.push('', `Cơ sở dữ liệu có ${units.length} đơn vị. Mã mời của một số đơn vị:`);
    for (const unit of units.slice(0, 10)) lines.push(`  ${displayInviteCode(currentInviteForUnit(db, unit.id, new Date()).code)}  ${unit.name}`);
    // Shown at every start: without it, a second session has no way to try the office's commands.
    const office = inTransaction(db, (tx) => usableOfficeInvite(tx, new Date()));
    lines.push(`  ${displayInviteCode(office.code)}  (tài khoản Văn phòng Sở)`);
    lines.push('Xem tất cả: npm run cli -- demo (tỉnh mẫu) hoặc npm run cli -- invite --unit <mã đơn vị>');
  }
  lines.push(
    '',
    'Thử ngay: gõ /start <mã mời> để đóng vai hiệu trưởng, rồi /nhap để nhập báo cáo.',
    'Gõ ".as <tên>" để đổi sang người dùng khác (ví dụ ".as vanphong"), ".thoat" để thoát.',
  );
  return lines.join('\n');
}

main().catch((err) => {
  startLog.error('fatal error at start', { err: describeError(err) });
  process.exit(1);
});
