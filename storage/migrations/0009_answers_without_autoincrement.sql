-- Every answer stored rewrote the answers' row in sqlite_sequence (a page of the log per answer). Answers are
-- never deleted, so a plain rowid already grows for ever: AUTOINCREMENT added nothing but that write. The
-- table is rebuilt (SQLite cannot drop AUTOINCREMENT in place), rows and ids kept.
CREATE TABLE `__new_answers` (
	`id` integer PRIMARY KEY NOT NULL,
	`submission_id` integer NOT NULL,
	`question_key` text NOT NULL,
	`value` text NOT NULL,
	`raw_text` text,
	`revision` integer NOT NULL,
	`contact_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`note` text,
	`flag` text,
	`none` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `submissions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_answers` (`id`, `submission_id`, `question_key`, `value`, `raw_text`, `revision`, `contact_id`, `created_at`, `note`, `flag`, `none`) SELECT `id`, `submission_id`, `question_key`, `value`, `raw_text`, `revision`, `contact_id`, `created_at`, `note`, `flag`, `none` FROM `answers`;--> statement-breakpoint
DROP TABLE `answers`;--> statement-breakpoint
ALTER TABLE `__new_answers` RENAME TO `answers`;--> statement-breakpoint
CREATE INDEX `answers_submission_key` ON `answers` (`submission_id`,`question_key`,`id`);
