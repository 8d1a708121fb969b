import { displayInviteCode } from '../../domain/invite-code';
import { IDLE } from '../../domain/conversation';
import { foldText } from '../../domain/export-layout';
import { formatNumber } from '../../domain/format';
import { formatDateTime, formatShortDate } from '../../domain/periods';
import { reply, type Reply } from '../../domain/replies';
import { UNIT_TYPES, UNIT_TYPE_LABELS, type UnitType } from '../../domain/units';
import { activeOfficeAccounts, unitsWithActivity, type UnitActivity } from '../../storage/repositories/admin';
import { audit } from '../../storage/repositories/audit';
import { activeContactsOfUnit, findContactById, unbindContact } from '../../storage/repositories/contacts';
import { saveConversation } from '../../storage/repositories/conversations';
import { createInvite } from '../../storage/repositories/invites';
import { findUnitById } from '../../storage/repositories/units';
import type { ContactRow } from '../../storage/schema';
import type { CommandSpec } from '../commands';
import type { CommandContext } from '../types';

/** Office commands about units and accounts: /donvi, /moi, /huylienket. */

/** A list longer than this is summarised; the office searches with /donvi <từ khóa>. */
const FULL_LIST_MAX = 60;
const SEARCH_LIST_MAX = 40;
export const OFFICE_INVITE_TTL_DAYS = 7;

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', zalo: 'Zalo', console: 'màn hình thử' };

const text = {
  none: () => 'Chưa có đơn vị nào. Văn phòng nhập danh sách đơn vị bằng lệnh: npm run cli -- units import TỆP.xlsx',
  header: (n: number, withContacts: number) =>
    `DANH SÁCH ĐƠN VỊ: ${formatNumber(n)} đơn vị, ${formatNumber(withContacts)} đơn vị đã có người liên hệ, ${formatNumber(n - withContacts)} đơn vị chưa có.`,
  searchHint: () => 'Gõ /donvi <mã hoặc tên đơn vị> để xem người liên hệ của một đơn vị (ví dụ: /donvi Bảo Lộc).',
  notFound: (q: string) => `Không tìm thấy đơn vị nào khớp “${q.slice(0, 40)}”. Thử tìm theo mã, tên hoặc quận/huyện.`,
  more: (n: number) => `… và ${formatNumber(n)} đơn vị khác; vui lòng gõ cụ thể hơn.`,
  noContact: 'chưa có người liên hệ',
  officeAccounts: 'Tài khoản Văn phòng Sở:',
  unbindHint: (id: number) => `Để hủy liên kết một tài khoản: /huylienket ${id}`,
  inviteCreated: (code: string, until: string) =>
    `Mã mời tài khoản Văn phòng Sở: ${displayInviteCode(code)}\nDùng được một lần, hết hạn ngày ${until}. Người được mời gửi cho bot: /start ${displayInviteCode(code)}`,
  unbindUsage: () => 'Cách dùng: /huylienket <số tài khoản>, ví dụ /huylienket 12. Số tài khoản xem bằng /donvi <tên đơn vị>.',
  noSuchContact: (id: string) => `Không có tài khoản số ${id.slice(0, 12)} đang liên kết. Xem danh sách bằng /donvi <tên đơn vị>.`,
  notSelf: () => 'Không thể tự hủy liên kết tài khoản đang dùng. Nhờ một tài khoản Văn phòng Sở khác làm việc này.',
  unbound: (who: string, from: string) => `Đã hủy liên kết tài khoản ${who} khỏi ${from}. Người này cần mã mời mới để liên kết lại; các báo cáo đã gửi vẫn được giữ nguyên.`,
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

/** /donvi [từ khóa]: the units with their contacts' count and last activity; one unit's contacts in detail. */
export function listUnits(c: CommandContext, arg: string): Reply[] {
  const tz = c.deps.config.timeZone;
  const all = unitsWithActivity(c.deps.db);
  if (all.length === 0) return [reply(text.none())];
  const query = arg.trim();
  if (query === '') {
    const withContacts = all.filter((a) => a.contacts > 0).length;
    const lines = [text.header(all.length, withContacts), ...(all.length <= FULL_LIST_MAX ? grouped(all, tz) : summary(all)), '', text.searchHint()];
    const office = activeOfficeAccounts(c.deps.db);
    if (office.length > 0) lines.push('', text.officeAccounts, ...office.map((o) => contactLabel(o, tz)));
    return [reply(lines.join('\n'))];
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
    return [reply(lines.join('\n'))];
  }
  const shown = found.slice(0, SEARCH_LIST_MAX).map((a) => unitLine(a, tz));
  if (found.length > SEARCH_LIST_MAX) shown.push(text.more(found.length - SEARCH_LIST_MAX));
  return [reply([`Tìm thấy ${formatNumber(found.length)} đơn vị:`, ...shown, '', text.searchHint()].join('\n'))];
}

/** /moi: a one-time code for another office account. */
export function inviteOffice(c: CommandContext): Reply[] {
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
  return [reply(text.unbound(who, unit ? unit.name : 'Văn phòng Sở'))];
}

export const UNIT_COMMANDS: CommandSpec[] = [
  { name: 'donvi', usage: '/donvi [từ khóa]', description: 'Danh sách đơn vị, số người liên hệ và lần hoạt động gần nhất', audience: 'office', run: listUnits },
  { name: 'moi', usage: '/moi', description: 'Tạo mã mời dùng một lần cho một tài khoản Văn phòng Sở khác', audience: 'office', run: (c) => inviteOffice(c) },
  { name: 'huylienket', usage: '/huylienket N', description: 'Hủy liên kết tài khoản số N khỏi đơn vị', audience: 'office', run: unbind },
];
