import { sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { plainWrite } from '../plain-statements';
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

export function loadConversation(db: Db, contactId: number): ConversationState {
  return readState(statements(db).load.get(contactId));
}

export function saveConversation(db: Db, contactId: number, state: ConversationState, now: Date): void {
  statements(db).save({ contactId, state: JSON.stringify(state), now });
}
