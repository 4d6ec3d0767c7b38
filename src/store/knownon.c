/*
 * "As known on": the mission as cadre held it at a moment, rebuilt from
 * the audit log into a private SQLite database (store.h, docs/audit.md).
 *
 * Every change of a record is an audit entry holding the whole record
 * after it, so the record as held at T is the `after` of its last entry
 * stamped at or before T. The records are inserted in the order they
 * were first written, which is the order the live database gave them
 * ids in: a list without a sort reads in the same order as it did then.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each record's last entry at or before ?1, in the order of its first.
 * The same SQL on both engines; the group is small (seq, not the JSON),
 * the JSON read once per record by the primary key. */
static const char last_entries_sql[] =
	"SELECT a.entity, a.key, a.action, a.after FROM audit a"
	" JOIN (SELECT max(seq) AS last, min(seq) AS first FROM audit"
	"       WHERE at <= ?1 GROUP BY entity, key) w ON a.seq = w.last"
	" ORDER BY w.first";

/* Field I of R from V, a value of the record's JSON (record_json()'s
 * types): NULL for null. 0, or -1 out of memory. */
static int set_from_json(struct record *r, size_t i, json_t *v)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return record_set(r, i, json_string_value(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return record_set(r, i, num);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return record_set(r, i, num);
	case JSON_TRUE:
		return record_set(r, i, "yes");
	case JSON_FALSE:
		return record_set(r, i, "no");
	default:
		return record_set(r, i, NULL);
	}
}

/* The record of kind K and key KEY whose entry's JSON is AFTER, into R
 * (initialised). A field the JSON lacks (an entry written before the
 * field existed) takes the field's default, as the migration that added
 * it gave the rows then. 0; 1 when AFTER is not a JSON object (an entry
 * the log holds but no record can come from); -1 out of memory. */
static int record_of_entry(struct record *r, const char *key,
			   const char *after)
{
	const struct kind *k = r->kind;
	json_t *o = json_loads(after, JSON_DECODE_ANY, NULL);
	int rc = 0;

	if (!json_is_object(o)) {
		json_decref(o);
		return 1;
	}
	for (size_t i = 0; i < k->nfields && !rc; i++) {
		json_t *v = json_object_get(o, k->fields[i].name);

		rc = v ? set_from_json(r, i, v) :
			 record_set(r, i, k->fields[i].def);
	}
	free(r->key);
	if (!rc && !(r->key = strdup(key)))
		rc = -1;
	json_decref(o);
	return rc;
}

/* Put the entry's record into SNAP. Entries of what is not a kind of the
 * catalogue (accounts, tokens, a restore) and of a record whose last
 * entry is a deletion are not records of the mission at AT. */
static int put_entry(struct store *snap, struct db_stmt *st, int64_t *n,
		     struct error *e)
{
	const char *entity = db_column_text(st, 0), *key = db_column_text(st, 1);
	const char *action = db_column_text(st, 2), *after = db_column_text(st, 3);
	const struct kind *k = entity ? kind_find(entity) : NULL;
	struct record r;
	int rc;

	if (!k || strcmp(k->table, entity) || !key || !after ||
	    (action && !strcmp(action, "delete")))
		return 0;
	if (record_init(&r, k))
		return error_set(e, ERR_NOMEM, "out of memory");
	rc = record_of_entry(&r, key, after);
	if (rc < 0)
		error_set(e, ERR_NOMEM, "out of memory");
	else if (!rc && !(rc = record_insert_unaudited(snap, &r, e)))
		(*n)++;
	else if (rc > 0)
		rc = 0;
	record_release(&r);
	return rc;
}

static int fill(struct store *live, struct store *snap, const char *at,
		struct error *e)
{
	struct db_stmt *st;
	int64_t n = 0;
	int rc;

	if (db_prepare(live->db, last_entries_sql, 0, &st))
		return store_fail(live, e, "reading the audit log");
	if (db_bind_text(st, 1, at, -1)) {
		db_finalize(st);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	while ((rc = db_step(st)) == DB_ROW)
		if (put_entry(snap, st, &n, e)) {
			db_finalize(st);
			return -1;
		}
	if (rc != DB_DONE)
		store_fail(live, e, "reading the audit log");
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

int store_known_on(struct store *live, const char *at, struct store **out,
		   struct error *e)
{
	struct store *snap;

	*out = NULL;
	/* SQLite's "" is a private temporary database: on disk as it grows
	 * past its cache, never named, deleted on close. */
	if (store_open("", &snap, e))
		return -1;
	if (db_begin_write(snap->db, 1)) {
		store_fail(snap, e, "building the mission as known then");
		goto fail;
	}
	if (fill(live, snap, at, e)) {
		db_rollback(snap->db);
		goto fail;
	}
	if (db_commit(snap->db)) {
		store_fail(snap, e, "building the mission as known then");
		goto fail;
	}
	/* The past is read, never written: a write through it fails. */
	if (db_exec(snap->db, "PRAGMA query_only = ON")) {
		store_fail(snap, e, "building the mission as known then");
		goto fail;
	}
	snap->reader = 1;
	*out = snap;
	return 0;
fail:
	store_close(snap);
	return -1;
}
