import { loadConversation } from '../storage/repositories/conversations';
import { setReachable, touchContact } from '../storage/repositories/contacts';
import { isUpdateProcessed, markUpdateProcessed } from '../storage/repositories/updates';
import { inGroup, inTransaction, type Db } from '../storage/db';
import { looksLikeInviteCode } from '../domain/invite-code';
import { safeText } from '../domain/safe-text';
import { reply, type Reply } from '../domain/replies';
import * as t from '../templates/onboarding';
import { canUse, findCommand, type WithFollowUp } from './commands';
import { runFlow } from './flow';
import { parseCommand } from './parse-command';
import { wakeQueues } from './notify';
import { redeem } from './start';
import type { AppDeps, CommandContext, Incoming } from './types';

/**
 * Channels that send from the reply queue give the router this: it turns the replies into the queue's rows
 * (rendered for the platform) inside the transaction that handled the event.
 */
export type CommitReplies = (tx: Db, replies: Reply[]) => void;

/**
 * The channel-agnostic entry point: one incoming event in, the replies to send out. Everything an event
 * changes (its de-duplication mark, the answers, the conversation state and, with `commit`, the replies
 * to send) is committed in one transaction, so a crash or a duplicate delivery never loses or doubles
 * what a user submitted, and never leaves them without the answer.
 *
 * Commands that build a file (runAsync) run outside the transaction; their event is marked, and their
 * replies committed, only once they are built, so a crash in between handles the event again.
 */
export interface IncomingHooks {
  /** Called when a slow command starts (a report being built); the returned function when it ends. */
  onSlowWork?: () => () => void;
  /**
   * Called after replies were committed, before any follow-up is made: the channel starts sending them
   * (wakes its queue; the console prints them) so they never wait for the follow-up.
   */
  onCommitted?: (replies: Reply[]) => void;
}

export async function handleIncoming(deps: AppDeps, raw: Incoming, commit?: CommitReplies, hooks: IncomingHooks = {}): Promise<Reply[]> {
  const msg = safeIncoming(raw);
  const now = deps.clock();
  let deferred: (() => Promise<Reply[] | WithFollowUp>) | null = null;
  // An update with a key was stored in the inbox, synced, before it was acknowledged: its handling may share
  // the group commit (lost to a power cut, it is done again from there). Others commit on their own.
  const tx = msg.updateKey !== null ? inGroup : inTransaction;
  const replies = tx(deps.db, (db) => {
    if (msg.updateKey !== null && isUpdateProcessed(db, msg.channel, msg.updateKey)) {
      deps.log.info('duplicate update ignored', { channel: msg.channel, updateKey: msg.updateKey });
      return [];
    }
    const out = route(deps, db, msg, now, (run) => (deferred = run));
    if (deferred) return [];
    if (msg.updateKey !== null) markUpdateProcessed(db, msg.channel, msg.updateKey, now);
    commit?.(db, out);
    return out;
  });
  wakeQueues(deps.db);
  if (!deferred) {
    if (replies.length > 0) hooks.onCommitted?.(replies);
    return replies;
  }
  const done = hooks.onSlowWork?.();
  let result: Reply[] | WithFollowUp;
  try {
    result = await (deferred as () => Promise<Reply[] | WithFollowUp>)();
  } finally {
    done?.();
  }
  const { replies: built, followUp } = Array.isArray(result) ? { replies: result, followUp: undefined } : result;
  const committed = tx(deps.db, (db) => {
    if (msg.updateKey !== null && !markUpdateProcessed(db, msg.channel, msg.updateKey, deps.clock())) return null;
    commit?.(db, built);
    return built;
  });
  wakeQueues(deps.db);
  if (committed === null) return [];
  if (committed.length > 0) hooks.onCommitted?.(committed);
  if (!followUp) return committed;
  // The event is already marked handled: a crash from here on loses only the follow-up (the answer is
  // out), and a failure to make it is logged, never turned into an error reply after a good answer.
  let more: Reply[];
  try {
    more = await followUp();
  } catch (err) {
    deps.log.warn('follow-up failed', { channel: msg.channel, err: err instanceof Error ? err.message : String(err) });
    return committed;
  }
  if (more.length === 0) return committed;
  tx(deps.db, (db) => commit?.(db, more));
  hooks.onCommitted?.(more);
  return [...committed, ...more];
}

function route(deps: AppDeps, db: Db, msg: Incoming, now: Date, defer: (run: () => Promise<Reply[] | WithFollowUp>) => void): Reply[] {
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
  defer(() => runAsync({ ...c, deps }, cmd.arg));
  return [];
}

/** The one place where what a person typed becomes safe to store, parse and write into files. */
function safeIncoming(msg: Incoming): Incoming {
  const displayName = msg.displayName === null ? null : safeText(msg.displayName);
  const event = msg.event.kind === 'text' ? { kind: 'text' as const, text: safeText(msg.event.text) } : msg.event;
  return { ...msg, displayName, event };
}

function expectedNext(c: CommandContext): string {
  if (!c.contact.active) return t.expectedWhenUnbound();
  return loadConversation(c.deps.db, c.contact.id).mode === 'question' ? t.expectedWhenAnswering() : t.expectedWhenIdle();
}

