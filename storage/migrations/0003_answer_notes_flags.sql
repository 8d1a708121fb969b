ALTER TABLE `answers` ADD `note` text;--> statement-breakpoint
ALTER TABLE `answers` ADD `flag` text;--> statement-breakpoint
ALTER TABLE `answers` ADD `none` integer DEFAULT 0 NOT NULL;
