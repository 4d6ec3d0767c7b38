-- Schema version 2: remember the head of the audit chain so that cutting
-- entries off its end is detected, and forbid changing entries through
-- cadre's own connection by accident.

CREATE TABLE audit_head (
	one INTEGER PRIMARY KEY CHECK (one = 1),
	seq INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, hash)
	SELECT 1, COALESCE(MAX(seq), 0),
	       COALESCE((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '')
	FROM audit;

CREATE INDEX audit_entity ON audit(entity, key);
CREATE INDEX status_event_scope ON status_event(scope, valid_from);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
