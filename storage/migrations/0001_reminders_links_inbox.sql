CREATE TABLE `inbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`update_key` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_channel_key` ON `inbox` (`channel`,`update_key`);--> statement-breakpoint
CREATE INDEX `inbox_pending` ON `inbox` (`processed_at`);--> statement-breakpoint
CREATE TABLE `reminder_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contact_id` integer NOT NULL,
	`period_id` text NOT NULL,
	`slot_id` text NOT NULL,
	`status` text DEFAULT 'sending' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`sent_at` integer,
	`error` text,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_sends_key` ON `reminder_sends` (`contact_id`,`period_id`,`slot_id`);--> statement-breakpoint
CREATE TABLE `report_links` (
	`token` text PRIMARY KEY NOT NULL,
	`period_id` text NOT NULL,
	`filename` text NOT NULL,
	`bytes` blob NOT NULL,
	`created_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL
);
