import { resolve } from 'node:path';
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
import { UsageError, type CliCommand, type CliContext } from './context';
import { parseOptions, startProgress, stderrSink } from './progress';

const USAGE = 'invites export --out FILE.xlsx [--bot-username NAME]   one row per unit: invite code and Telegram link, for mail merge';

/** Telegram usernames: 5-32 characters, letters, digits and underscores, starting with a letter. */
const USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

/**
 * The bot's username for deep links: asked from Telegram (getMe) when a token is configured, so the
 * links always point at the bot that will answer them; otherwise the --bot-username option.
 */
export async function resolveBotUsername(config: Config, option: string | undefined, warn: (line: string) => void): Promise<string> {
  const given = option?.replace(/^@/, '');
  if (given !== undefined && !USERNAME.test(given)) throw new UsageError(`--bot-username “${option}” is not a Telegram bot username (5-32 letters, digits, _)`);
  if (config.telegram.token) {
    try {
      const me = await new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot }).getMe();
      if (given && given.toLowerCase() !== me.username.toLowerCase()) warn(`Cảnh báo: --bot-username ${given} khác tên bot theo Telegram (${me.username}); dùng ${me.username}.`);
      return me.username;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!given) throw new Error(`Không hỏi được tên bot từ Telegram (getMe: ${why}). Kiểm tra TELEGRAM_BOT_TOKEN hoặc dùng --bot-username TÊN_BOT.`);
      warn(`Cảnh báo: không hỏi được tên bot từ Telegram (${why}); dùng --bot-username ${given}.`);
      return given;
    }
  }
  if (given) return given;
  throw new UsageError('invites export needs the bot username for the links: set TELEGRAM_BOT_TOKEN (read with getMe) or pass --bot-username NAME');
}

export const deepLink = (username: string, code: string) => `https://t.me/${username}?start=${code}`;

export async function exportInvites(ctx: CliContext, out: string, username: string, now = new Date()): Promise<number> {
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
        deepLink(username, invite.code),
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
      { header: 'link', kind: 'text', width: 48 },
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
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, 'bot-username': { type: 'string' } }, USAGE);
    if (positionals[0] !== 'export' || positionals.length > 1) throw new UsageError(`Usage: ${USAGE}`);
    if (!values.out) throw new UsageError('invites export needs --out FILE.xlsx');
    const username = await resolveBotUsername(ctx.config, values['bot-username'], ctx.err);
    const n = await exportInvites(ctx, values.out, username);
    ctx.out(`Đã ghi ${resolve(values.out)}: ${formatNumber(n)} đơn vị, mỗi đơn vị một mã mời và đường link https://t.me/${username}?start=…`);
  },
};
