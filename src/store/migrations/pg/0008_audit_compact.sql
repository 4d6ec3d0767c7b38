-- Schema version 8 in PostgreSQL's dialect (../0008_audit_compact.sql):
-- a smaller audit entry. `prev_hash` goes (the verifier reads it from the
-- entry before; every entry keeps its hash) and `hash` is kept as its 32
-- bytes rather than 64 hex digits; the index on (entity, key) becomes one
-- on key. What differs, and why:
--
-- * SQLite cannot drop a column or change its type in place, so its file
--   builds audit_compact, copies, drops and renames. PostgreSQL can: one
--   ALTER TABLE drops prev_hash and turns hash into BYTEA. The columns end
--   in the same order (seq, at, ..., after, hash) and seq stays the key.
-- * cadre_unhex() is a function cadre defines on its SQLite connection;
--   here the same rule is written out: 64 hex digits become their 32
--   bytes, anything else is kept as its own bytes, for `audit verify` to
--   find.
-- * The triggers are dropped and made again as SQLite's file does (there
--   the old table takes them with it); cadre_refuse() is 0002's.

DROP TRIGGER audit_no_update ON audit;
DROP TRIGGER audit_no_delete ON audit;
DROP INDEX audit_entity;

ALTER TABLE audit
	DROP COLUMN prev_hash,
	ALTER COLUMN hash TYPE BYTEA USING
		CASE WHEN hash ~ '^[0-9A-Fa-f]{64}$' THEN decode(hash, 'hex')
		     ELSE convert_to(hash, 'UTF8') END;

CREATE INDEX audit_key ON audit(key);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
FOR EACH ROW EXECUTE FUNCTION cadre_refuse('the audit log is append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION cadre_refuse('the audit log is append-only');
