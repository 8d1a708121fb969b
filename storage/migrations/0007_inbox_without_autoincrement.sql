-- AUTOINCREMENT rewrote the inbox's row in sqlite_sequence with every stored update (a page of the log per
-- message). Inbox ids only order the rows that exist and are never kept after a row is dropped, so a
-- plain rowid serves. SQLite cannot drop AUTOINCREMENT in place: the table is rebuilt, rows and ids kept.
CREATE TABLE `__new_inbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`update_key` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_inbox` (`id`, `channel`, `update_key`, `payload`, `received_at`, `processed_at`) SELECT `id`, `channel`, `update_key`, `payload`, `received_at`, `processed_at` FROM `inbox`;--> statement-breakpoint
DROP TABLE `inbox`;--> statement-breakpoint
ALTER TABLE `__new_inbox` RENAME TO `inbox`;--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_channel_key` ON `inbox` (`channel`,`update_key`);--> statement-breakpoint
CREATE INDEX `inbox_unhandled` ON `inbox` (`channel`,`id`) WHERE "inbox"."processed_at" is null;
