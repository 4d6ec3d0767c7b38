-- Schema version 10: a post may say it is held alongside another (a
-- commander's post and a national role, say), so that the ONE-POST
-- rule lets its holder hold a second post on the same days.

ALTER TABLE post ADD COLUMN concurrent INTEGER NOT NULL DEFAULT 0;
