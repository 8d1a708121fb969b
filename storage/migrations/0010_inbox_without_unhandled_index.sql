-- The partial index of unhandled inbox rows took an entry with every stored update and lost it when the
-- update was handled: a page of the log per message. Only a start (or a failed group commit) looks for
-- unhandled rows, and a scan of the week of updates the inbox keeps is as quick then.
DROP INDEX IF EXISTS `inbox_unhandled`;
