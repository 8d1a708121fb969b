import { sql } from 'drizzle-orm';
import { blob, integer, primaryKey, sqliteTable, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core';

/**
 * The single source of the table types. Timestamps are stored as milliseconds since the epoch
 * (timestamp_ms) so that ordering and comparisons stay exact and time-zone free.
 */

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const units = sqliteTable('units', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  type: text('type').notNull(),
  district: text('district'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
});

export const contacts = sqliteTable(
  'contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channel: text('channel').notNull(),
    externalId: text('external_id').notNull(),
    /** Office accounts may have no unit. */
    unitId: integer('unit_id').references(() => units.id),
    role: text('role', { enum: ['contact', 'office'] }).notNull().default('contact'),
    displayName: text('display_name'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** False once the user blocked the bot; reminders skip them until they write again. */
    reachable: integer('reachable', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('contacts_channel_external').on(t.channel, t.externalId), index('contacts_unit').on(t.unitId)],
);

export const inviteCodes = sqliteTable('invite_codes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  unitId: integer('unit_id').references(() => units.id),
  role: text('role', { enum: ['contact', 'office'] }).notNull().default('contact'),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
  maxUses: integer('max_uses').notNull().default(10),
  uses: integer('uses').notNull().default(0),
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  createdBy: integer('created_by'),
  createdAt: createdAt(),
});

export const formVersions = sqliteTable('form_versions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** JSON of a FormDefinition, validated with FormDefinitionSchema on every read. */
  definition: text('definition').notNull(),
  note: text('note'),
  createdAt: createdAt(),
});

export const periods = sqliteTable('periods', {
  id: text('id').primaryKey(),
  /** 'calendar': open and close follow the calendar; 'open'/'closed': the office decided. */
  status: text('status', { enum: ['calendar', 'open', 'closed'] }).notNull().default('calendar'),
  formVersionId: integer('form_version_id')
    .notNull()
    .references(() => formVersions.id),
  createdAt: createdAt(),
  changedAt: integer('changed_at', { mode: 'timestamp_ms' }),
  changedBy: integer('changed_by'),
});

export const submissions = sqliteTable(
  'submissions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    periodId: text('period_id')
      .notNull()
      .references(() => periods.id),
    formVersionId: integer('form_version_id')
      .notNull()
      .references(() => formVersions.id),
    /** 'returned': the office sent it back for correction; the unit answers it like a draft. */
    status: text('status', { enum: ['draft', 'confirmed', 'returned'] }).notNull().default('draft'),
    /** 0 while a draft; 1 at the first confirmation; +1 for every correction after that. */
    revision: integer('revision').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
    confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
    confirmedBy: integer('confirmed_by'),
    /** 'chat' or 'office-import' for figures sent on paper or by email. */
    source: text('source').notNull().default('chat'),
    /** The office's review: accepted (cleared by any later change), or returned with a reason and the questions to redo. */
    acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
    acceptedBy: integer('accepted_by'),
    returnedAt: integer('returned_at', { mode: 'timestamp_ms' }),
    returnedBy: integer('returned_by'),
    returnReason: text('return_reason'),
    /** JSON array of question keys the office named when returning it. */
    returnKeys: text('return_keys'),
  },
  (t) => [uniqueIndex('submissions_unit_period').on(t.unitId, t.periodId), index('submissions_period').on(t.periodId)],
);

/** Append-only: every answer given is kept; the current answer is the newest row per key. */
export const answers = sqliteTable(
  'answers',
  {
    // No AUTOINCREMENT (migration 0009): answers are never deleted, so the rowid only grows, one write less per answer.
    id: integer('id').primaryKey(),
    submissionId: integer('submission_id')
      .notNull()
      .references(() => submissions.id),
    questionKey: text('question_key').notNull(),
    /** JSON: a number, a string, or null for an explicitly skipped question. */
    value: text('value').notNull(),
    rawText: text('raw_text'),
    /** Words typed after a number ("2 đoàn (Hàn Quốc và Nhật Bản)"), kept and shown back. */
    note: text('note'),
    /** JSON of an AnswerFlag: an unlikely figure the contact confirmed when asked back. */
    flag: text('flag'),
    /** "không có": nothing to report, as opposed to a skipped question (value null, none false). */
    none: integer('none', { mode: 'boolean' }).notNull().default(false),
    revision: integer('revision').notNull(),
    contactId: integer('contact_id'),
    createdAt: createdAt(),
  },
  (t) => [index('answers_submission_key').on(t.submissionId, t.questionKey, t.id)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorContactId: integer('actor_contact_id'),
    action: text('action').notNull(),
    subject: text('subject'),
    details: text('details'),
  },
  (t) => [index('audit_subject').on(t.subject)],
);

export const processedUpdates = sqliteTable(
  'processed_updates',
  {
    channel: text('channel').notNull(),
    updateKey: text('update_key').notNull(),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.updateKey] })],
);

export const conversations = sqliteTable('conversations', {
  contactId: integer('contact_id')
    .primaryKey()
    .references(() => contacts.id),
  /** JSON of the engine's ConversationState. */
  state: text('state').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export type UnitRow = typeof units.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type InviteCodeRow = typeof inviteCodes.$inferSelect;
export type PeriodRow = typeof periods.$inferSelect;
export type SubmissionRow = typeof submissions.$inferSelect;
export type AnswerRow = typeof answers.$inferSelect;
export type Channel = 'telegram' | 'zalo' | 'console';
export type Role = ContactRow['role'];

/**
 * Reminders: one row per (contact, period, slot), written before the send and updated after it, so a
 * restart or a second process never sends the same reminder twice.
 */
export const reminderSends = sqliteTable(
  'reminder_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id),
    periodId: text('period_id').notNull(),
    slotId: text('slot_id').notNull(),
    status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull().default('sending'),
    createdAt: createdAt(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    error: text('error'),
  },
  (t) => [uniqueIndex('reminder_sends_key').on(t.contactId, t.periodId, t.slotId)],
);

/** Download links for generated reports (Zalo cannot send files): unguessable token, limited life. */
export const reportLinks = sqliteTable('report_links', {
  token: text('token').primaryKey(),
  periodId: text('period_id').notNull(),
  filename: text('filename').notNull(),
  bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  createdBy: integer('created_by'),
  createdAt: createdAt(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  downloads: integer('downloads').notNull().default(0),
});

/**
 * Webhook inbox: an update is stored here before the webhook request is acknowledged, then processed;
 * a crash between the two leaves it here to be processed at the next start.
 */
export const inbox = sqliteTable(
  'inbox',
  {
    // No AUTOINCREMENT (migration 0007): ids only order the rows that exist, and the counter was a write per update.
    id: integer('id').primaryKey(),
    channel: text('channel').notNull(),
    updateKey: text('update_key').notNull(),
    payload: text('payload').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
  },
  // No index of unhandled rows (migration 0010): only a start looks for them, and scans the week the inbox keeps.
  (t) => [uniqueIndex('inbox_channel_key').on(t.channel, t.updateKey)],
);

/**
 * The reply queue: one row per message to send, written in the transaction that handled the update (with
 * its answers and state), sent by the channel's sender and marked sent in `outbox_sent`. A row not marked at
 * a stop or crash is sent at the next start. Text messages carry at most a small inline keyboard; a
 * document (the .docx report on Telegram) carries its bytes, so the message can be sent again after a crash
 * without rebuilding it.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    // No AUTOINCREMENT: a plain rowid is one write less per row, and ids only need to grow while rows exist.
    id: integer('id').primaryKey(),
    channel: text('channel').notNull(),
    chatId: text('chat_id').notNull(),
    text: text('text'),
    /** JSON of the inline keyboard rows ([[{"text","callback_data"}]]), Telegram only. */
    buttons: text('buttons'),
    documentName: text('document_name'),
    document: blob('document', { mode: 'buffer' }),
    /** The file is a picture (a chart): sent as a photo, not as a file to download. */
    asPhoto: integer('as_photo', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Refused for good (a 400, the user blocked the bot): never retried. */
    failedAt: integer('failed_at', { mode: 'timestamp_ms' }),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
  },
  // No index of pending rows: the sender reads the rows above the last one it read, by id (migration 0008).
  (t) => [index('outbox_keyboards').on(t.channel, t.chatId, t.id).where(sql`${t.buttons} is not null`)],
);

/**
 * The sends of the reply queue, one small row per sent message (migration 0008). A reply fills most of a
 * 1 KB page: marking it sent in its own row rewrote that page, about ten pages per commit of marks; here
 * forty marks share a page.
 */
export const outboxSent = sqliteTable('outbox_sent', {
  /** The outbox row's id. */
  id: integer('id').primaryKey(),
  sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  /** The platform's message id (Telegram), for recognising presses on old buttons. */
  messageId: integer('message_id'),
});

/** One row, rewritten by every /healthz call: the check that the database can really be written. */
export const health = sqliteTable('health', {
  id: integer('id').primaryKey(),
  checkedAt: integer('checked_at', { mode: 'timestamp_ms' }).notNull(),
});

export type ReminderSendRow = typeof reminderSends.$inferSelect;
export type ReportLinkRow = typeof reportLinks.$inferSelect;
export type InboxRow = typeof inbox.$inferSelect;

/**
 * Personal links to the form page (Zalo and the console have no Mini Apps): one contact, one period.
 * Only the sha256 of the token is stored, so a copy of the database opens no one's form.
 */
export const formLinks = sqliteTable(
  'form_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull(),
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id),
    periodId: text('period_id').notNull(),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('form_links_token_hash').on(t.tokenHash), index('form_links_contact').on(t.contactId)],
);

export type FormLinkRow = typeof formLinks.$inferSelect;

/** The particulars of one period's compiled report set by the office (JSON, see domain/report-particulars.ts). */
export const reportParticulars = sqliteTable('report_particulars', {
  periodId: text('period_id').primaryKey(),
  settings: text('settings').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  updatedBy: integer('updated_by'),
});

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;
