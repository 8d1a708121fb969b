import { sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { plainWrite } from '../plain-statements';
import { deepFreeze } from '../deep-freeze';
import { conversations } from '../schema';
import { readState, type ConversationState } from '../../domain/conversation';

const statements = perDb((db) => ({
  load: db.$client.prepare<[contactId: number], string>('select state from conversations where contact_id = ?').pluck(),
  save: plainWrite<{ contactId: number; state: string; now: Date }>(
    db,
    db
      .insert(conversations)
      .values({ contactId: sql.placeholder('contactId'), state: sql.placeholder('state'), updatedAt: sql.placeholder('now') })
      .onConflictDoUpdate({ target: conversations.contactId, set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` } }),
  ),
}));

/** Conversations kept, at most (the least recently read from the row or written go first). */
const CACHED_STATES = 2000;

/**
 * Each contact's state as last read or written, with the stored text it came from. Every message reads its
 * state; parsing and checking the JSON again was most of what that read allocated. An entry is used only
 * when the row holds that very text, so another process's write, or a write rolled back, is seen at once.
 * The states are frozen: the engine never changes a state, it returns a new one.
 */
const states = perDb(() => new Map<number, { json: string; state: ConversationState }>());

function remember(db: Db, contactId: number, json: string, state: ConversationState): void {
  const cache = states(db);
  cache.delete(contactId);
  cache.set(contactId, { json, state: deepFreeze(state) });
  if (cache.size > CACHED_STATES) cache.delete(cache.keys().next().value as number);
}

export function loadConversation(db: Db, contactId: number): ConversationState {
  const json = statements(db).load.get(contactId);
  if (json === undefined) return readState(json);
  const hit = states(db).get(contactId);
  if (hit?.json === json) return hit.state;
  const state = readState(json);
  remember(db, contactId, json, state);
  return state;
}

export function saveConversation(db: Db, contactId: number, state: ConversationState, now: Date): void {
  const json = JSON.stringify(state);
  statements(db).save({ contactId, state: json, now });
  remember(db, contactId, json, state);
}
