-- Schema version 9: a keyed audit chain (docs/audit.md, "The key").
-- Each entry written from now on carries `mac`, HMAC-SHA512-256 under a
-- key kept outside the database over the previous entry's mac and its own
-- hash, so that an entry forged by someone without the key is found even
-- after later entries were chained on top of it. Entries written before
-- have no mac: the one row of audit_seal authenticates the chain as it
-- stood when a key first met it (its last seq and hash), and the first
-- keyed entry chains from the seal's mac.

ALTER TABLE audit ADD COLUMN mac BLOB;

CREATE TABLE audit_seal (
	one INTEGER PRIMARY KEY CHECK (one = 1),
	seq INTEGER NOT NULL,
	mac BLOB NOT NULL
);
CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
BEGIN SELECT RAISE(ABORT, 'the audit seal is written once'); END;
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
BEGIN SELECT RAISE(ABORT, 'the audit seal is written once'); END;
