-- Schema version 7: full-text search of trainees by name and service
-- number (FTS5, an external-content index over the trainee table, kept
-- in step by triggers). Diacritics are folded, so "Hasan" finds "Ḥasan".

CREATE VIRTUAL TABLE trainee_fts USING fts5(
	service_number, name,
	content = 'trainee', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO trainee_fts(trainee_fts) VALUES ('rebuild');

CREATE TRIGGER trainee_fts_insert AFTER INSERT ON trainee BEGIN
	INSERT INTO trainee_fts(rowid, service_number, name)
	VALUES (new.id, new.service_number, new.name);
END;
CREATE TRIGGER trainee_fts_delete AFTER DELETE ON trainee BEGIN
	INSERT INTO trainee_fts(trainee_fts, rowid, service_number, name)
	VALUES ('delete', old.id, old.service_number, old.name);
END;
CREATE TRIGGER trainee_fts_update AFTER UPDATE OF service_number, name
ON trainee BEGIN
	INSERT INTO trainee_fts(trainee_fts, rowid, service_number, name)
	VALUES ('delete', old.id, old.service_number, old.name);
	INSERT INTO trainee_fts(rowid, service_number, name)
	VALUES (new.id, new.service_number, new.name);
END;
