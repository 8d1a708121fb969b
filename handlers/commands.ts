import type { FlowCommand } from '../domain/conversation';
import { reply, type Reply } from '../domain/replies';
import * as t from '../templates/onboarding';
import { runFlow } from './flow';
import { offerFormPage } from './form-page/offer';
import { start } from './start';
import type { CommandContext } from './types';
import { OFFICE_COMMANDS } from './office';

/**
 * The one table of commands: the router dispatches from it, /trogiup and the Telegram menu are built
 * from it, so the help can never disagree with what the bot actually does.
 */
export type Audience = 'everyone' | 'contact' | 'office';

export interface CommandSpec {
  name: string;
  usage: string;
  /** One line for menus (Telegram allows 256 characters). */
  description: string;
  audience: Audience;
  /** Runs inside the update's transaction; must be synchronous so the whole update commits at once. */
  run?: (c: CommandContext, arg: string) => Reply[];
  /** For slow read-mostly work (building a report): runs after the update is recorded. */
  runAsync?: (c: CommandContext, arg: string) => Promise<Reply[] | WithFollowUp>;
}

/**
 * Replies to send at once, and slower work whose replies follow them (the /tiendo chart after its text):
 * the person reads the answer while the rest is still being made.
 */
export interface WithFollowUp {
  replies: Reply[];
  followUp: () => Promise<Reply[]>;
}

const flow = (name: FlowCommand) => (c: CommandContext, arg: string) => runFlow(c, { kind: 'command', name, arg });

const CORE_COMMANDS: CommandSpec[] = [
  { name: 'start', usage: '/start ABCD-EFGH', description: 'Liên kết tài khoản với đơn vị bằng mã mời (thay ABCD-EFGH bằng mã được cấp)', audience: 'everyone', run: start },
  { name: 'nhap', usage: '/nhap', description: 'Nhập hoặc tiếp tục nhập báo cáo kỳ đang mở', audience: 'contact', run: (c, arg) => offerFormPage(c, runFlow(c, { kind: 'command', name: 'nhap', arg })) },
  { name: 'xem', usage: '/xem', description: 'Xem lại toàn bộ câu trả lời', audience: 'contact', run: flow('xem') },
  { name: 'sua', usage: '/sua 5', description: 'Sửa một câu đã trả lời: gõ /sua và số thứ tự câu (xem bằng /xem)', audience: 'contact', run: flow('sua') },
  { name: 'boqua', usage: '/boqua', description: 'Bỏ qua câu không bắt buộc, hoặc giữ nguyên câu trả lời đã có', audience: 'contact', run: flow('boqua') },
  { name: 'quaylai', usage: '/quaylai', description: 'Quay lại câu hỏi trước', audience: 'contact', run: flow('quaylai') },
  { name: 'xacnhan', usage: '/xacnhan', description: 'Xác nhận gửi báo cáo', audience: 'contact', run: flow('xacnhan') },
  { name: 'huy', usage: '/huy', description: 'Hủy thao tác đang làm (câu trả lời đã lưu vẫn giữ)', audience: 'contact', run: flow('huy') },
  { name: 'trogiup', usage: '/trogiup', description: 'Hướng dẫn sử dụng và danh sách lệnh', audience: 'everyone', run: (c) => [help(c)] },
];

// /trogiup stays last in every listing.
const registry: CommandSpec[] = [...CORE_COMMANDS.slice(0, -1), ...OFFICE_COMMANDS, ...CORE_COMMANDS.slice(-1)];

export const allCommands = (): readonly CommandSpec[] => registry;
export const findCommand = (name: string): CommandSpec | undefined => registry.find((s) => s.name === name);

export function canUse(spec: CommandSpec, c: Pick<CommandContext, 'contact'>): boolean {
  return spec.audience !== 'office' || (c.contact.active && c.contact.role === 'office');
}

function help(c: CommandContext): Reply {
  const line = (s: CommandSpec) => `${s.usage} — ${s.description}`;
  const lines = [t.helpHeader(), '', ...registry.filter((s) => s.audience !== 'office').map(line)];
  if (c.contact.role === 'office' && c.contact.active) {
    const office = registry.filter((s) => s.audience === 'office');
    if (office.length) lines.push('', t.helpOfficeHeader(), ...office.map(line));
  }
  return reply(lines.join('\n'));
}

/** The Telegram menu: commands for everyone, with bot-command-safe names and short descriptions. */
export function menuCommands(audience: 'contact' | 'office'): { command: string; description: string }[] {
  return registry
    .filter((s) => s.audience !== 'office' || audience === 'office')
    .map((s) => ({ command: s.name, description: s.description.slice(0, 256) }));
}
