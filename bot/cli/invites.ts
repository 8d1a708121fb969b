import { Api } from 'grammy';
import type { Config } from '../../config';
import type { Cell, TableSpec } from '../../domain/export-layout';
import { formatNumber } from '../../domain/format';
import { displayInviteCode } from '../../domain/invite-code';
import { formatShortDate } from '../../domain/periods';
import { inTransaction } from '../../storage/db';
import { audit } from '../../storage/repositories/audit';
import { currentInviteForUnit } from '../../storage/repositories/invites';
import { activeUnits } from '../../storage/repositories/units';
import { writeSpreadsheetFile } from '../../templates/spreadsheet/write';
import { CliError, UsageError, type CliCommand, type CliContext } from './context';
import { noExtra, outputPath, parseOptions } from './options';
import { startProgress, stderrSink } from './progress';

const USAGE = 'invites export [--out TỆP.xlsx] [--bot-username TÊN]   mỗi đơn vị một dòng: mã mời (và đường link Telegram), để trộn thư';

/** Telegram usernames: 5-32 characters, letters, digits and underscores, starting with a letter. */
const USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

/**
 * The bot's username for deep links: asked from Telegram (getMe) when a token is configured, so the
 * links always point at the bot that will answer them; otherwise the --bot-username option; null when
 * the province has no Telegram bot (Zalo only): the codes are exported without links.
 */
export async function resolveBotUsername(config: Config, option: string | undefined, warn: (line: string) => void): Promise<string | null> {
  const given = option?.replace(/^@/, '');
  if (given !== undefined && !USERNAME.test(given)) throw new UsageError(`--bot-username “${option}” không phải tên bot Telegram (5-32 chữ cái, chữ số, dấu _)`);
  if (config.telegram.token) {
    try {
      const me = await new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot }).getMe();
      if (given && given.toLowerCase() !== me.username.toLowerCase()) warn(`Cảnh báo: --bot-username ${given} khác tên bot theo Telegram (${me.username}); dùng ${me.username}.`);
      return me.username;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!given) throw new CliError(`không hỏi được tên bot từ Telegram (getMe: ${why}). Kiểm tra TELEGRAM_BOT_TOKEN hoặc dùng --bot-username TÊN_BOT.`);
      warn(`Cảnh báo: không hỏi được tên bot từ Telegram (${why}); dùng --bot-username ${given}.`);
      return given;
    }
  }
  return given ?? null;
}

export const deepLink = (username: string, code: string) => `https://t.me/${username}?start=${code}`;

export async function exportInvites(ctx: CliContext, out: string, username: string | null, now = new Date()): Promise<number> {
  const sink = stderrSink(ctx.err);
  const rows: Cell[][] = inTransaction(ctx.db, (tx) => {
    const units = activeUnits(tx);
    const progress = startProgress(sink, 'Đang chuẩn bị mã mời', units.length);
    const list = units.map((u, i) => {
      const invite = currentInviteForUnit(tx, u.id, now);
      progress.update(i + 1);
      return [
        u.code,
        u.name,
        u.type,
        u.district,
        displayInviteCode(invite.code),
        ...(username ? [deepLink(username, invite.code)] : []),
        invite.expiresAt ? formatShortDate(invite.expiresAt, ctx.config.timeZone) : null,
      ];
    });
    progress.finish();
    audit(tx, { at: now, actorContactId: null, action: 'invites_exported', details: { file: out, units: units.length } });
    return list;
  });
  const table: TableSpec = {
    name: 'invites',
    columns: [
      { header: 'code', kind: 'text', width: 18 },
      { header: 'name', kind: 'text', width: 45 },
      { header: 'type', kind: 'text', width: 12 },
      { header: 'district', kind: 'text', width: 16 },
      { header: 'invite_code', kind: 'text', width: 12 },
      // A Zalo-only province has no link to give: Zalo bots have no deep link, the code is typed.
      ...(username ? [{ header: 'link', kind: 'text', width: 48 } as const] : []),
      { header: 'expires', kind: 'text', width: 12 },
    ],
    rows,
  };
  await writeSpreadsheetFile(out, [table]);
  return rows.length;
}

export const invitesCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, 'bot-username': { type: 'string' } });
    if (positionals[0] !== 'export') throw new UsageError(positionals[0] ? `invites không có lệnh con “${positionals[0]}” (dùng invites export)` : 'invites cần lệnh con: invites export');
    noExtra(positionals.slice(1), 'invites export');
    const out = outputPath(ctx.config, values.out, { defaultName: 'ma-moi.xlsx', extensions: ['.xlsx', '.csv'], kind: 'bảng tính Excel hoặc CSV' });
    const username = await resolveBotUsername(ctx.config, values['bot-username'], ctx.err);
    const n = await exportInvites(ctx, out, username);
    if (username) {
      ctx.out(`Đã ghi ${out}: ${formatNumber(n)} đơn vị, mỗi đơn vị một mã mời và đường link https://t.me/${username}?start=…`);
    } else {
      ctx.out(`Đã ghi ${out}: ${formatNumber(n)} đơn vị, mỗi đơn vị một mã mời (không có đường link Telegram: chưa cấu hình TELEGRAM_BOT_TOKEN hay --bot-username).`);
      if (ctx.config.zalo.token) ctx.out('Trên Zalo, người phụ trách mở bot và gửi mã mời (có hoặc không có /start).');
    }
  },
};
