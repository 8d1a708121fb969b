import { displayInviteCode } from '../../domain/invite-code';
import { IDLE } from '../../domain/conversation';
import { foldText } from '../../domain/export-layout';
import { formatNumber } from '../../domain/format';
import { formatDateTime, formatShortDate } from '../../domain/periods';
import { reply, type Reply } from '../../domain/replies';
import { UNIT_TYPES, UNIT_TYPE_LABELS, type UnitType } from '../../domain/units';
import {
  activeContactsByUnit,
  activeOfficeAccounts,
  unitsWithActivity,
  usableUnitInvite,
  type UnitActivity,
} from '../../storage/repositories/admin';
import { audit } from '../../storage/repositories/audit';
import { activeContactsOfUnit, findContactById, unbindContact } from '../../storage/repositories/contacts';
import { saveConversation } from '../../storage/repositories/conversations';
import { createInvite, renewUnitInvite as renewUnitInviteCode } from '../../storage/repositories/invites';
import { findUnitByCode, findUnitById } from '../../storage/repositories/units';
import type { ContactRow } from '../../storage/schema';
import { writeXlsx } from '../../templates/spreadsheet/write';
import type { CommandSpec } from '../commands';
import type { CommandContext } from '../types';

/** Office commands about units and accounts: /donvi, /moi, /huylienket. */

/** A list longer than this is summarised; the office searches with /donvi <từ khóa>. */
const FULL_LIST_MAX = 60;
const SEARCH_LIST_MAX = 40;
export const OFFICE_INVITE_TTL_DAYS = 7;

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', zalo: 'Zalo', console: 'màn hình thử' };

const text = {
  none: () => 'Chưa có đơn vị nào. Bộ phận CNTT nhập danh sách đơn vị từ tệp Excel bằng lệnh, ví dụ: npm run cli -- units import danh-sach-don-vi.xlsx',
  header: (n: number, withContacts: number) =>
    `DANH SÁCH ĐƠN VỊ: ${formatNumber(n)} đơn vị, ${formatNumber(withContacts)} đơn vị đã có người liên hệ, ${formatNumber(n - withContacts)} đơn vị chưa có.`,
  searchHint: () => 'Để xem người liên hệ của một đơn vị, gõ /donvi kèm mã hoặc tên đơn vị, ví dụ: /donvi Bảo Lộc.',
  notFound: (q: string) => `Không tìm thấy đơn vị nào khớp “${q.slice(0, 40)}”. Thử tìm theo mã, tên hoặc quận/huyện.`,
  more: (n: number) => `… và ${formatNumber(n)} đơn vị khác; vui lòng gõ cụ thể hơn.`,
  noContact: 'chưa có người liên hệ',
  officeAccounts: 'Tài khoản Văn phòng Sở:',
  unbindHint: (id: number) => `Để hủy liên kết một tài khoản: /huylienket ${id}`,
  inviteCreated: (code: string, until: string) =>
    `Mã mời tài khoản Văn phòng Sở: ${displayInviteCode(code)}\nDùng được một lần, hết hạn ngày ${until}. Người được mời gửi cho bot: /start ${displayInviteCode(code)}`,
  unitInvite: (code: string, usesLeft: number, until: string | null, unitCode: string) =>
    `Mã mời của đơn vị: ${displayInviteCode(code)} (còn ${formatNumber(usesLeft)} lượt${until ? `, hết hạn ngày ${until}` : ''}). Đổi mã (mã cũ hết hiệu lực): /moi ${unitCode}`,
  noUnitInvite: (code: string) => `Đơn vị chưa có mã mời còn hiệu lực. Tạo mã: /moi ${code}`,
  unitInviteCreated: (unit: string, code: string, uses: number, until: string, revoked: number) =>
    `Mã mời mới của ${unit}: ${displayInviteCode(code)}\nDùng được ${formatNumber(uses)} lần, hết hạn ngày ${until}. Người phụ trách gửi cho bot: /start ${displayInviteCode(code)}` +
    (revoked > 0 ? '\nMã cũ của đơn vị không dùng được nữa; các tài khoản đã liên kết vẫn giữ nguyên.' : ''),
  noSuchUnit: (code: string) => `Không có đơn vị mã “${code.slice(0, 40)}”. Tìm mã đơn vị bằng /donvi kèm tên đơn vị, ví dụ /donvi Bảo Lộc.`,
  inactiveUnit: (name: string) => `${name} đã ngừng theo dõi (không có trong danh sách đơn vị nhập gần nhất), nên không tạo mã mời.`,
  fileCaption: () => 'Danh sách đơn vị và người liên hệ',
  fileNote: () => 'Tệp kèm theo: danh sách đầy đủ, mỗi đơn vị một dòng (người liên hệ, lần hoạt động gần nhất), lọc được trong Excel.',
  unbindUsage: () => 'Cách dùng: gõ /huylienket và số tài khoản, ví dụ /huylienket 12. Số tài khoản xem bằng /donvi kèm tên đơn vị, ví dụ /donvi Bảo Lộc.',
  noSuchContact: (id: string) => `Không có tài khoản số ${id.slice(0, 12)} đang liên kết. Xem danh sách bằng /donvi kèm tên đơn vị, ví dụ /donvi Bảo Lộc.`,
  notSelf: () => 'Không thể tự hủy liên kết tài khoản đang dùng. Nhờ một tài khoản Văn phòng Sở khác làm việc này.',
  unbound: (who: string, from: string, unitCode: string | null) =>
    `Đã hủy liên kết tài khoản ${who} khỏi ${from}. Các báo cáo đã gửi vẫn được giữ nguyên.` +
    (unitCode
      ? `\nNgười này vẫn liên kết lại được bằng mã mời của đơn vị nếu còn giữ mã; muốn chặn, đổi mã của đơn vị bằng /moi ${unitCode} rồi gửi mã mới cho người phụ trách.`
      : ''),
};

const contactLabel = (c: ContactRow, tz: string): string =>
  `#${c.id} · ${c.displayName ?? 'không tên'} (${CHANNEL_NAMES[c.channel] ?? c.channel})${c.lastSeenAt ? ` · lần cuối ${formatDateTime(c.lastSeenAt, tz)}` : ''}${c.reachable ? '' : ' · đã chặn bot'}`;

const unitLine = (a: UnitActivity, tz: string): string => {
  const who = a.contacts > 0 ? `${formatNumber(a.contacts)} người liên hệ` : text.noContact;
  const seen = a.lastSeenAt ? ` · hoạt động ${formatShortDate(a.lastSeenAt, tz)}` : '';
  return `${a.unit.code} · ${a.unit.name} — ${who}${seen}`;
};

function grouped(list: UnitActivity[], tz: string): string[] {
  const lines: string[] = [];
  for (const type of [...UNIT_TYPES, null]) {
    const group = list.filter((a) => (type === null ? !UNIT_TYPES.includes(a.unit.type as UnitType) : a.unit.type === type));
    if (group.length === 0) continue;
    lines.push('', `${type ? UNIT_TYPE_LABELS[type] : 'Khác'} (${formatNumber(group.length)})`, ...group.map((a) => unitLine(a, tz)));
  }
  return lines;
}

function summary(list: UnitActivity[]): string[] {
  const lines = [''];
  for (const type of UNIT_TYPES) {
    const group = list.filter((a) => a.unit.type === type);
    if (group.length === 0) continue;
    const missing = group.filter((a) => a.contacts === 0).length;
    lines.push(`${UNIT_TYPE_LABELS[type]}: ${formatNumber(group.length)} đơn vị, ${formatNumber(missing)} chưa có người liên hệ`);
  }
  return lines;
}

/** Every unit in one sheet, for a province too large to read in a chat message. */
async function unitsWorkbook(c: CommandContext, all: UnitActivity[]): Promise<Uint8Array> {
  const tz = c.deps.config.timeZone;
  const people = activeContactsByUnit(c.deps.db);
  return writeXlsx([
    {
      name: 'Đơn vị',
      columns: [
        { header: 'Mã đơn vị', kind: 'text', width: 18 },
        { header: 'Tên đơn vị', kind: 'text', width: 45 },
        { header: 'Loại đơn vị', kind: 'text', width: 28 },
        { header: 'Quận/huyện', kind: 'text', width: 16 },
        { header: 'Số người liên hệ', kind: 'number', width: 12 },
        { header: 'Hoạt động gần nhất', kind: 'text', width: 20 },
        { header: 'Người liên hệ', kind: 'text', width: 60 },
      ],
      rows: all.map((a) => [
        a.unit.code,
        a.unit.name,
        UNIT_TYPE_LABELS[a.unit.type as UnitType] ?? a.unit.type,
        a.unit.district,
        a.contacts,
        a.lastSeenAt ? formatDateTime(a.lastSeenAt, tz) : null,
        (people.get(a.unit.id) ?? []).map((p) => `#${p.id} ${p.displayName ?? 'không tên'} (${CHANNEL_NAMES[p.channel] ?? p.channel})`).join('; ') || null,
      ]),
    },
  ]);
}

function inviteLine(c: CommandContext, unit: UnitActivity['unit']): string {
  const invite = usableUnitInvite(c.deps.db, unit.id, c.now);
  if (!invite) return text.noUnitInvite(unit.code);
  return text.unitInvite(invite.code, invite.maxUses - invite.uses, invite.expiresAt ? formatShortDate(invite.expiresAt, c.deps.config.timeZone) : null, unit.code);
}

/**
 * /donvi [từ khóa]: the units with their contacts' count and last activity (a province too long for a
 * message also gets the whole list as a workbook); one unit's contacts and invite code in detail.
 * Read-only, so it runs after the update's transaction (building the workbook is asynchronous).
 */
export async function listUnits(c: CommandContext, arg: string): Promise<Reply[]> {
  const tz = c.deps.config.timeZone;
  const all = unitsWithActivity(c.deps.db);
  if (all.length === 0) return [reply(text.none())];
  const query = arg.trim();
  if (query === '') {
    const withContacts = all.filter((a) => a.contacts > 0).length;
    const long = all.length > FULL_LIST_MAX;
    const lines = [text.header(all.length, withContacts), ...(long ? summary(all) : grouped(all, tz)), '', text.searchHint()];
    const office = activeOfficeAccounts(c.deps.db);
    if (office.length > 0) lines.push('', text.officeAccounts, ...office.map((o) => contactLabel(o, tz)));
    if (!long) return [reply(lines.join('\n'))];
    lines.push('', text.fileNote());
    const bytes = await unitsWorkbook(c, all);
    return [reply(lines.join('\n'), { document: { filename: 'danh-sach-don-vi.xlsx', bytes, caption: text.fileCaption() } })];
  }
  const q = foldText(query);
  const exact = all.filter((a) => a.unit.code.toUpperCase() === query.toUpperCase());
  const found = exact.length > 0 ? exact : all.filter((a) => [a.unit.code, a.unit.name, a.unit.district ?? ''].some((f) => foldText(f).includes(q)));
  if (found.length === 0) return [reply(text.notFound(query))];
  if (found.length === 1) {
    const a = found[0]!;
    const people = activeContactsOfUnit(c.deps.db, a.unit.id);
    const lines = [`${a.unit.name} (${a.unit.code})`, `${UNIT_TYPE_LABELS[a.unit.type as UnitType] ?? a.unit.type}${a.unit.district ? ` · ${a.unit.district}` : ''}`, ''];
    if (people.length === 0) lines.push(`Đơn vị ${text.noContact}.`);
    else lines.push('Người liên hệ:', ...people.map((p) => contactLabel(p, tz)), '', text.unbindHint(people[0]!.id));
    lines.push(inviteLine(c, a.unit));
    return [reply(lines.join('\n'))];
  }
  const shown = found.slice(0, SEARCH_LIST_MAX).map((a) => unitLine(a, tz));
  if (found.length > SEARCH_LIST_MAX) shown.push(text.more(found.length - SEARCH_LIST_MAX));
  return [reply([`Tìm thấy ${formatNumber(found.length)} đơn vị:`, ...shown, '', text.searchHint()].join('\n'))];
}

/**
 * /moi MÃ-ĐƠN-VỊ: a new code for one unit, the old ones revoked (a lost letter is answered by /donvi,
 * which shows the current code; a new code is for a code that leaked or a person who must not relink).
 */
export function renewUnitInvite(c: CommandContext, unitCode: string): Reply[] {
  const unit = findUnitByCode(c.deps.db, unitCode.toUpperCase()) ?? findUnitByCode(c.deps.db, unitCode);
  if (!unit) return [reply(text.noSuchUnit(unitCode))];
  if (!unit.active) return [reply(text.inactiveUnit(unit.name))];
  const { invite, revoked } = renewUnitInviteCode(c.deps.db, { unitId: unit.id, now: c.now, createdBy: c.contact.id });
  audit(c.deps.db, { at: c.now, actorContactId: c.contact.id, action: 'unit_invite_renewed', subject: `unit:${unit.id}`, details: { inviteId: invite.id, revoked } });
  return [reply(text.unitInviteCreated(unit.name, invite.code, invite.maxUses, formatShortDate(invite.expiresAt!, c.deps.config.timeZone), revoked))];
}

/** /moi: a one-time code for another office account; /moi MÃ-ĐƠN-VỊ: a new code for that unit. */
export function inviteOffice(c: CommandContext, arg = ''): Reply[] {
  if (arg.trim() !== '') return renewUnitInvite(c, arg.trim());
  const invite = createInvite(c.deps.db, { unitId: null, role: 'office', now: c.now, maxUses: 1, ttlDays: OFFICE_INVITE_TTL_DAYS, createdBy: c.contact.id });
  audit(c.deps.db, { at: c.now, actorContactId: c.contact.id, action: 'office_invite_created', subject: 'office', details: { inviteId: invite.id } });
  return [reply(text.inviteCreated(invite.code, formatShortDate(invite.expiresAt!, c.deps.config.timeZone)))];
}

/** /huylienket N: unlinks a chat account from its unit (or from the office). */
export function unbind(c: CommandContext, arg: string): Reply[] {
  const id = arg.trim().replace(/^#/, '');
  if (!/^\d{1,12}$/.test(id)) return [reply(text.unbindUsage())];
  const target = findContactById(c.deps.db, Number(id));
  if (!target?.active) return [reply(text.noSuchContact(id))];
  if (target.id === c.contact.id) return [reply(text.notSelf())];
  const unit = target.unitId !== null ? findUnitById(c.deps.db, target.unitId) : undefined;
  unbindContact(c.deps.db, target.id);
  saveConversation(c.deps.db, target.id, IDLE, c.now);
  audit(c.deps.db, {
    at: c.now,
    actorContactId: c.contact.id,
    action: 'contact_unbound',
    subject: unit ? `unit:${unit.id}` : 'office',
    details: { contactId: target.id, role: target.role },
  });
  const who = `#${target.id} (${target.displayName ?? 'không tên'})`;
  return [reply(text.unbound(who, unit ? unit.name : 'Văn phòng Sở', unit ? unit.code : null))];
}

export const UNIT_COMMANDS: CommandSpec[] = [
  { name: 'donvi', usage: '/donvi', description: 'Danh sách đơn vị, số người liên hệ và lần hoạt động gần nhất; có thể thêm mã hoặc tên đơn vị để tìm, ví dụ /donvi Bảo Lộc', audience: 'office', runAsync: listUnits },
  {
    name: 'moi',
    usage: '/moi',
    description: 'Tạo mã mời dùng một lần cho một tài khoản Văn phòng Sở khác; thêm mã đơn vị để đổi mã mời của đơn vị đó, ví dụ /moi PGD-DALAT',
    audience: 'office',
    run: inviteOffice,
  },
  { name: 'huylienket', usage: '/huylienket 12', description: 'Hủy liên kết một tài khoản khỏi đơn vị: gõ /huylienket và số tài khoản (xem bằng /donvi và tên đơn vị)', audience: 'office', run: unbind },
];
