-- Schema version 3 in PostgreSQL's dialect (../0003_session_replaces.sql):
-- the same statements; the new key is DEFERRABLE as every key is (0001).
-- A session re-planned after a suspension names the postponed session it
-- replaces, so that what was lost and when it was made up can be reported.

ALTER TABLE session ADD COLUMN replaces TEXT REFERENCES session(key) DEFERRABLE;
CREATE INDEX session_replaces ON session(replaces);
