import { join, resolve } from 'node:path';
import { formatNumber } from '../../domain/format';
import { formatDateTime, toWall } from '../../domain/periods';
import { backupDatabase, backupFileName, BackupError, restoreDatabase } from '../../storage/backup';
import { runningBot } from '../run-lock';
import { CliError, UsageError, type CliCommand } from './context';
import { noExtra, outputPath, parseOptions } from './options';

const sizeText = (bytes: number) => `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} KB`;

export const backupCommand: CliCommand = {
  usage: 'backup [--out TỆP.db]                         sao lưu cơ sở dữ liệu (được cả khi bot đang chạy) vào BACKUP_DIR, OUTPUT_DIR hoặc --out',
  run: async (args, { db, config, out }) => {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' } });
    noExtra(positionals, 'backup');
    const now = new Date();
    const defaultName = backupFileName(now, config.timeZone);
    const dest = values.out === undefined && config.backup.dir
      ? resolve(join(config.backup.dir, defaultName))
      : outputPath(config, values.out, { defaultName, extensions: ['.db', '.sqlite', '.sqlite3'], kind: 'cơ sở dữ liệu SQLite' });
    if (resolve(dest) === resolve(config.databasePath)) throw new UsageError('--out không được trùng với tệp cơ sở dữ liệu đang dùng');
    const info = await backupDatabase(db, dest).catch((err: unknown) => {
      throw err instanceof BackupError ? new CliError(err.message) : err;
    });
    out(`Đã sao lưu lúc ${formatDateTime(now, config.timeZone)}: ${info.path} (${sizeText(info.bytes)}; ${formatNumber(info.units)} đơn vị, ${formatNumber(info.submissions)} báo cáo).`);
    out(`Khôi phục (khi bot đã dừng): npm run cli -- restore ${info.path}`);
  },
};

export const restoreCommand: CliCommand = {
  usage: 'restore TỆP.db                                khôi phục cơ sở dữ liệu từ một bản sao lưu (chỉ khi bot đã dừng; tệp hiện tại được giữ lại bên cạnh)',
  run: (args, { config, out }) => {
    const { positionals } = parseOptions(args, {});
    const [file, ...extra] = positionals;
    if (!file) throw new UsageError('restore cần tệp sao lưu: restore TỆP.db');
    noExtra(extra, 'restore');
    const running = runningBot(config.databasePath);
    if (running) {
      const since = formatDateTime(new Date(running.startedAt), config.timeZone);
      throw new CliError(
        `bot đang chạy trên cơ sở dữ liệu này (tiến trình ${running.pid} trên máy ${running.host}, từ ${since}); dừng bot trước rồi chạy lại restore. Không có gì thay đổi.`,
      );
    }
    if (resolve(file) === resolve(config.databasePath)) throw new UsageError('tệp sao lưu trùng với tệp cơ sở dữ liệu đang dùng');
    const aside = `${config.databasePath}.truoc-khoi-phuc-${toWall(new Date(), config.timeZone).format('YYYY-MM-DD-HHmmss')}`;
    let info;
    try {
      info = restoreDatabase(file, config.databasePath, aside);
    } catch (err) {
      if (err instanceof BackupError) throw new CliError(`${err.message}. Không có gì thay đổi.`);
      throw err;
    }
    out(`Đã khôi phục ${resolve(config.databasePath)} từ ${resolve(file)} (${formatNumber(info.units)} đơn vị, ${formatNumber(info.submissions)} báo cáo).`);
    out(`Tệp cũ được giữ lại: ${resolve(aside)} (xóa khi không cần nữa). Khởi động lại bot để dùng dữ liệu đã khôi phục.`);
  },
};
