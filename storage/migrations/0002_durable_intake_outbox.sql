CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`chat_id` text NOT NULL,
	`text` text,
	`buttons` text,
	`document_name` text,
	`document` blob,
	`as_photo` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`failed_at` integer,
	`message_id` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox` (`channel`,`id`) WHERE "outbox"."sent_at" is null and "outbox"."failed_at" is null;--> statement-breakpoint
CREATE INDEX `outbox_keyboards` ON `outbox` (`channel`,`chat_id`,`id`) WHERE "outbox"."buttons" is not null;--> statement-breakpoint
CREATE INDEX `inbox_unhandled` ON `inbox` (`channel`,`id`) WHERE "inbox"."processed_at" is null;
--> statement-breakpoint
CREATE TABLE `health` (
	`id` integer PRIMARY KEY NOT NULL,
	`checked_at` integer NOT NULL
);
