-- Schema version 10 in PostgreSQL's dialect (../0010_post_concurrent.sql):
-- the same statement, BIGINT for INTEGER and the flag an integer 0/1 as
-- every flag is (0001). A post may say it is held alongside another (a
-- commander's post and a national role, say), so that the ONE-POST rule
-- lets its holder hold a second post on the same days.

ALTER TABLE post ADD COLUMN concurrent BIGINT NOT NULL DEFAULT 0;
