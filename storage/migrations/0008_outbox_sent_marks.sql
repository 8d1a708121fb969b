-- A reply row fills most of a 1 KB page, and marking it sent rewrote it: a commit of marks wrote about ten
-- pages, plus the partial index of pending rows, written when a reply was queued and again when it was
-- sent. Sends are now small rows of their own, and the sender finds new rows by id, without that index.
CREATE TABLE `outbox_sent` (
	`id` integer PRIMARY KEY NOT NULL,
	`sent_at` integer NOT NULL,
	`message_id` integer
);
--> statement-breakpoint
INSERT INTO `outbox_sent` (`id`, `sent_at`, `message_id`) SELECT `id`, `sent_at`, `message_id` FROM `outbox` WHERE `sent_at` IS NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS `outbox_pending`;--> statement-breakpoint
ALTER TABLE `outbox` DROP COLUMN `sent_at`;--> statement-breakpoint
ALTER TABLE `outbox` DROP COLUMN `message_id`;
