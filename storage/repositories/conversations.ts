import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { conversations } from '../schema';
import { readState, type ConversationState } from '../../domain/conversation';

export function loadConversation(db: Db, contactId: number): ConversationState {
  const row = db.select().from(conversations).where(eq(conversations.contactId, contactId)).get();
  return readState(row?.state);
}

export function saveConversation(db: Db, contactId: number, state: ConversationState, now: Date): void {
  const json = JSON.stringify(state);
  db.insert(conversations)
    .values({ contactId, state: json, updatedAt: now })
    .onConflictDoUpdate({ target: conversations.contactId, set: { state: json, updatedAt: now } })
    .run();
}
