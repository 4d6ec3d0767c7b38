-- Schema version 3: a session re-planned after a suspension names the
-- postponed session it replaces, so that what was lost and when it was
-- made up can be reported.

ALTER TABLE session ADD COLUMN replaces TEXT REFERENCES session(key);
CREATE INDEX session_replaces ON session(replaces);
