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

/* Each kind's INSERT into the reconstruction, taking the entry's JSON
 * (?1) and key (?2) and giving each field its value in the JSON, or its
 * default (?3 on) when the JSON lacks it: an entry written before the
 * field existed, whose rows the migration that added it gave the
 * default. SQLite's JSON functions take the record apart in the
 * snapshot's engine, whichever engine the log came from: booleans come
 * out 1 and 0, numbers as numbers, as the store writes them. */
struct inserts {
	struct db_stmt *st[KINDS_MAX];
};

static int prepare_insert(struct store *snap, const struct kind *k,
			  struct db_stmt **out, struct error *e)
{
	struct buf b = BUF_INIT;
	size_t n = k->nfields;
	int composite = kind_composite_key(k), rc = 0;

	buf_addf(&b, "INSERT INTO %s (", k->table);
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", k->fields[i].name);
	buf_adds(&b, composite ? ", key) SELECT " : ") SELECT ");
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%sCASE WHEN json_type(?1, '$.%s') IS NULL THEN ?%zu"
			 " ELSE json_extract(?1, '$.%s') END", i ? ", " : "",
			 k->fields[i].name, i + 3, k->fields[i].name);
	buf_addf(&b, "%s WHERE CASE WHEN json_valid(?1) THEN json_type(?1) = "
		 "'object' ELSE 0 END ON CONFLICT (%s) DO NOTHING",
		 composite ? ", ?2" : "", k->key_column);
	if (b.failed)
		rc = error_set(e, ERR_NOMEM, "out of memory");
	else if (db_prepare(snap->db, buf_str(&b), 1, out))
		rc = store_fail(snap, e, "building the mission as known then");
	buf_release(&b);
	for (size_t i = 0; !rc && i < n; i++)
		if (kind_bind_value(*out, (int)i + 3, &k->fields[i],
				    k->fields[i].def))
			rc = error_set(e, ERR_NOMEM, "out of memory");
	return rc;
}

/* Put the entry's record into SNAP. Entries of what is not a kind of the
 * catalogue (accounts, tokens, a restore) and of a record whose last
 * entry is a deletion are not records of the mission at AT; an entry
 * whose `after` is not a JSON object holds no record to put. */
static int put_entry(struct store *snap, struct inserts *ins,
		     struct db_stmt *st, struct error *e)
{
	const char *entity = db_column_text(st, 0), *key = db_column_text(st, 1);
	const char *action = db_column_text(st, 2), *after = db_column_text(st, 3);
	const struct kind *k = entity ? kind_find(entity) : NULL;
	struct db_stmt *put;
	size_t slot;
	int rc;

	if (!k || strcmp(k->table, entity) || !key || !after ||
	    (action && !strcmp(action, "delete")) ||
	    (slot = kind_index(k)) >= KINDS_MAX)
		return 0;
	if (!ins->st[slot] && prepare_insert(snap, k, &ins->st[slot], e))
		return -1;
	put = ins->st[slot];
	db_reset(put);
	if (db_bind_text(put, 1, after, -1) || db_bind_text(put, 2, key, -1))
		return error_set(e, ERR_NOMEM, "out of memory");
	while ((rc = db_step(put)) == DB_ROW)
		;
	db_reset(put);
	if (rc != DB_DONE)
		return error_set(e, ERR_STORE, "building the mission as known "
				 "then: %s %s: %s", k->label, key,
				 db_errmsg(snap->db));
	return 0;
}

static int fill(struct store *live, struct store *snap, const char *at,
		struct error *e)
{
	struct inserts ins = { { NULL } };
	struct db_stmt *st;
	int rc, ret = -1;

	if (db_prepare(live->db, last_entries_sql, 0, &st))
		return store_fail(live, e, "reading the audit log");
	if (db_bind_text(st, 1, at, -1)) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	while ((rc = db_step(st)) == DB_ROW)
		if (put_entry(snap, &ins, st, e))
			goto out;
	if (rc != DB_DONE) {
		store_fail(live, e, "reading the audit log");
		goto out;
	}
	ret = 0;
out:
	db_finalize(st);
	for (size_t i = 0; i < KINDS_MAX; i++)
		db_finalize(ins.st[i]);
	return ret;
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
	/* Nothing of it must outlive a crash: no journal, no syncing. */
	if (db_exec(snap->db, "PRAGMA journal_mode = OFF; "
		    "PRAGMA synchronous = OFF") || db_begin_write(snap->db, 1)) {
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
