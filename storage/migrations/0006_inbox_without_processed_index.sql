-- The index on processed_at was rewritten with every handled update (a page or two written per message)
-- and served only the weekly clean-up at start, which scans the small inbox as fast without it.
DROP INDEX IF EXISTS `inbox_pending`;
