import { eq, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { conversations } from '../schema';
import { readState, type ConversationState } from '../../domain/conversation';

const statements = perDb((db) => ({
  load: db.select({ state: conversations.state }).from(conversations).where(eq(conversations.contactId, sql.placeholder('contactId'))).prepare(),
  save: db
    .insert(conversations)
    .values({ contactId: sql.placeholder('contactId'), state: sql.placeholder('state'), updatedAt: sql.placeholder('now') })
    .onConflictDoUpdate({ target: conversations.contactId, set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` } })
    .prepare(),
}));

export function loadConversation(db: Db, contactId: number): ConversationState {
  return readState(statements(db).load.get({ contactId })?.state);
}

export function saveConversation(db: Db, contactId: number, state: ConversationState, now: Date): void {
  statements(db).save.run({ contactId, state: JSON.stringify(state), now });
}
