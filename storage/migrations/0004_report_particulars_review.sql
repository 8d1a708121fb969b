CREATE TABLE `report_particulars` (
	`period_id` text PRIMARY KEY NOT NULL,
	`settings` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` integer
);
--> statement-breakpoint
ALTER TABLE `submissions` ADD `accepted_at` integer;--> statement-breakpoint
ALTER TABLE `submissions` ADD `accepted_by` integer;--> statement-breakpoint
ALTER TABLE `submissions` ADD `returned_at` integer;--> statement-breakpoint
ALTER TABLE `submissions` ADD `returned_by` integer;--> statement-breakpoint
ALTER TABLE `submissions` ADD `return_reason` text;--> statement-breakpoint
ALTER TABLE `submissions` ADD `return_keys` text;
