import { loadConversation } from '../storage/repositories/conversations';
import { setReachable, touchContact } from '../storage/repositories/contacts';
import { markUpdateProcessed } from '../storage/repositories/updates';
import { inTransaction } from '../storage/db';
import { looksLikeInviteCode } from '../domain/invite-code';
import { reply, type Reply } from '../domain/replies';
import * as t from '../templates/onboarding';
import { canUse, findCommand } from './commands';
import { runFlow } from './flow';
import { parseCommand } from './parse-command';
import { redeem } from './start';
import type { AppDeps, CommandContext, Incoming } from './types';

/**
 * The channel-agnostic entry point: one incoming event in, the replies to send out. Everything an event
 * changes (including its de-duplication mark) is committed in one transaction before any reply is sent,
 * so a crash or a duplicate delivery never loses or doubles what a user submitted.
 */
export interface IncomingHooks {
  /** Called when a slow command starts (a report being built); the returned function when it ends. */
  onSlowWork?: () => () => void;
}

export async function handleIncoming(deps: AppDeps, msg: Incoming, hooks: IncomingHooks = {}): Promise<Reply[]> {
  const now = deps.clock();
  let deferred: (() => Promise<Reply[]>) | null = null;
  const replies = inTransaction(deps.db, (db) => {
    if (msg.updateKey !== null && !markUpdateProcessed(db, msg.channel, msg.updateKey, now)) {
      deps.log.info('duplicate update ignored', { channel: msg.channel, updateKey: msg.updateKey });
      return [];
    }
    const contact = touchContact(db, msg.channel, msg.userId, msg.displayName, now);
    const c: CommandContext = { deps: { ...deps, db }, contact, now, channel: msg.channel };
    const ev = msg.event;
    if (ev.kind === 'blocked' || ev.kind === 'unblocked') {
      setReachable(db, contact.id, ev.kind === 'unblocked');
      return [];
    }
    if (ev.kind === 'unsupported') return [reply(t.unsupported(ev.what, expectedNext(c)))];

    const cmd = parseCommand(ev.text);
    if (!cmd) {
      if (!contact.active) {
        // Zalo has no deep links: a code sent as plain text links the account too.
        return looksLikeInviteCode(ev.text) ? redeem(c, ev.text) : [reply(t.notBound())];
      }
      return runFlow(c, { kind: 'text', text: ev.text });
    }
    const spec = findCommand(cmd.name);
    if (!spec) return [reply(t.unknownCommand(cmd.name))];
    if (spec.audience !== 'everyone' && !contact.active) {
      return [reply(spec.audience === 'office' ? t.notBoundOffice(spec.name, msg.channel === 'console') : t.notBound())];
    }
    if (!canUse(spec, c)) return [reply(t.officeOnly())];
    if (spec.run) return spec.run(c, cmd.arg);
    const runAsync = spec.runAsync!;
    deferred = () => runAsync({ ...c, deps }, cmd.arg);
    return [];
  });
  if (deferred) {
    const done = hooks.onSlowWork?.();
    try {
      return await (deferred as () => Promise<Reply[]>)();
    } finally {
      done?.();
    }
  }
  return replies;
}

function expectedNext(c: CommandContext): string {
  if (!c.contact.active) return t.expectedWhenUnbound();
  return loadConversation(c.deps.db, c.contact.id).mode === 'question' ? t.expectedWhenAnswering() : t.expectedWhenIdle();
}

