-- Schema version 7 in PostgreSQL's dialect (../0007_trainee_search.sql):
-- full-text search of trainees by name and service number, diacritics
-- folded, so "Hasan" finds "Ḥasan". What differs, and why:
--
-- * SQLite's FTS5 virtual table becomes an ordinary table of the same
--   name, trainee_fts (id, document): the id is the trainee's (FTS5's
--   rowid, content_rowid = 'id') and the document a tsvector, with a GIN
--   index on it. It is kept in step by triggers of the same names, in
--   PL/pgSQL, as FTS5's external-content index is by SQLite's; the search
--   `t.id IN (SELECT rowid FROM trainee_fts WHERE trainee_fts MATCH ?)`
--   becomes `t.id IN (SELECT id FROM trainee_fts WHERE document @@ ?)`
--   in the PostgreSQL backend's own module. The trainee table keeps its
--   columns exactly (no tsvector column on it), so every SELECT, import,
--   export and `cadre copy` of trainees is the same on both engines.
-- * unaccent with tsvector rather than pg_trgm: FTS5 matches whole tokens
--   (and prefixes, "Has*"), which is what a tsvector and a tsquery do;
--   pg_trgm answers by similarity of three-letter pieces, a different set
--   of answers ("asa" would find "Hasan"), and does not fold diacritics by
--   itself either. unaccent folds them as unicode61's remove_diacritics 2
--   does (Ḥ to H, é to e, ø to o). The text search configuration is
--   'simple': lower case, no stemming and no stop words, as unicode61
--   (an 'english' one would stem names). unaccent is in Debian's
--   postgresql package (postgresql-contrib-15 is part of postgresql-15)
--   and is a trusted extension: the database's owner may create it.
-- * The tokens differ at the edges: unicode61 splits "DE-1234" into "de"
--   and "1234", PostgreSQL's parser keeps "de-1234" beside its parts. The
--   backend turns the user's words into a tsquery; the schema only keeps
--   the document.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- The document of one trainee: what FTS5 indexes, folded the same way.
CREATE FUNCTION cadre_trainee_document(service_number TEXT, name TEXT)
RETURNS tsvector LANGUAGE sql STABLE AS $$
	SELECT to_tsvector('simple', unaccent(coalesce(service_number, '')))
	    || to_tsvector('simple', unaccent(coalesce(name, '')))
$$;

CREATE TABLE trainee_fts (
	id BIGINT PRIMARY KEY,
	document tsvector NOT NULL
);
CREATE INDEX trainee_fts_document ON trainee_fts USING gin (document);
INSERT INTO trainee_fts (id, document)
	SELECT id, cadre_trainee_document(service_number, name) FROM trainee;

CREATE FUNCTION cadre_trainee_fts_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO trainee_fts (id, document)
	VALUES (NEW.id, cadre_trainee_document(NEW.service_number, NEW.name));
	RETURN NULL;
END;
$$;
CREATE FUNCTION cadre_trainee_fts_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM trainee_fts WHERE id = OLD.id;
	RETURN NULL;
END;
$$;
CREATE FUNCTION cadre_trainee_fts_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM trainee_fts WHERE id = OLD.id;
	INSERT INTO trainee_fts (id, document)
	VALUES (NEW.id, cadre_trainee_document(NEW.service_number, NEW.name));
	RETURN NULL;
END;
$$;

CREATE TRIGGER trainee_fts_insert AFTER INSERT ON trainee
FOR EACH ROW EXECUTE FUNCTION cadre_trainee_fts_insert();
CREATE TRIGGER trainee_fts_delete AFTER DELETE ON trainee
FOR EACH ROW EXECUTE FUNCTION cadre_trainee_fts_delete();
CREATE TRIGGER trainee_fts_update AFTER UPDATE OF service_number, name
ON trainee FOR EACH ROW EXECUTE FUNCTION cadre_trainee_fts_update();
