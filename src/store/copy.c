/* `cadre copy`: one database into another, table by table (copy.h). */
#include "store/copy.h"
#include "store/audit.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* The names of the tables S's engine says the schema has, into a list
 * (each malloc'd), *N of them. 0, or -1 with E set. */
static int table_names(struct store *s, char ***names, size_t *n,
		       struct error *e)
{
	struct db_stmt *st;
	int rc;

	*names = NULL;
	*n = 0;
	if (db_prepare(s->db, db_tables_sql(s->db), 0, &st))
		return store_fail(s, e, "listing the tables");
	while ((rc = db_step(st)) == DB_ROW) {
		char **more = realloc(*names, (*n + 1) * sizeof(**names));

		if (!more || !(more[*n] = strdup(db_column_text(st, 0)))) {
			*names = more ? more : *names;
			db_finalize(st);
			return error_set(e, ERR_NOMEM, "out of memory");
		}
		*names = more;
		(*n)++;
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(s, e, "listing the tables");
}

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int count_rows(struct store *s, const char *table, int64_t *out,
		      struct error *e)
{
	struct buf sql = BUF_INIT;
	struct db_stmt *st;
	int rc = -1;

	buf_addf(&sql, "SELECT count(*) FROM %s", table);
	if (sql.failed)
		return error_set(e, ERR_NOMEM, "out of memory");
	if (db_prepare(s->db, buf_str(&sql), 0, &st)) {
		store_fail(s, e, "counting rows");
	} else {
		if (db_step(st) == DB_ROW) {
			*out = db_column_int64(st, 0);
			rc = 0;
		} else {
			store_fail(s, e, "counting rows");
		}
		db_finalize(st);
	}
	buf_release(&sql);
	return rc;
}

/* The one row a new database's audit_head has, its chain's start,
 * stands for nothing yet: every other table must be empty. */
static int check_empty(struct store *to, char **names, size_t n,
		       struct error *e)
{
	for (size_t i = 0; i < n; i++) {
		int64_t rows;

		if (count_rows(to, names[i], &rows, e))
			return -1;
		if (rows > (strcmp(names[i], "audit_head") ? 0 : 1))
			return error_set(e, ERR_CONFLICT, "%s holds a database "
					 "already (table %s has %lld rows): "
					 "nothing was copied; copy into a new, "
					 "empty one", to->path, names[i],
					 (long long)rows);
	}
	return 0;
}

/* Bind column I of SRC's row as parameter I + 1 of DST, by its type. */
static int bind_like(struct db_stmt *dst, struct db_stmt *src, int i)
{
	switch (db_column_type(src, i)) {
	case DB_NULL:
		return db_bind_null(dst, i + 1);
	case DB_INTEGER:
		return db_bind_int64(dst, i + 1, db_column_int64(src, i));
	case DB_FLOAT:
		return db_bind_double(dst, i + 1, db_column_double(src, i));
	case DB_BLOB:
		return db_bind_blob(dst, i + 1, db_column_blob(src, i),
				    db_column_bytes(src, i));
	default:
		return db_bind_text(dst, i + 1, db_column_text(src, i), -1);
	}
}

/* The INSERT of SRC's columns into TABLE, prepared on TO. */
static int prepare_insert(struct store *to, const char *table,
			  struct db_stmt *src, struct db_stmt **ins,
			  struct error *e)
{
	struct buf sql = BUF_INIT;
	int ncol = db_column_count(src), rc = 0;

	buf_addf(&sql, "INSERT INTO %s (", table);
	for (int i = 0; i < ncol; i++)
		buf_addf(&sql, "%s%s", i ? ", " : "", db_column_name(src, i));
	buf_adds(&sql, ") VALUES (");
	for (int i = 0; i < ncol; i++)
		buf_addf(&sql, "%s?%d", i ? ", " : "", i + 1);
	buf_adds(&sql, ")");
	if (sql.failed)
		rc = error_set(e, ERR_NOMEM, "out of memory");
	else if (db_prepare(to->db, buf_str(&sql), 0, ins))
		rc = error_set(e, ERR_STORE, "copying table %s: %s", table,
			       db_errmsg(to->db));
	buf_release(&sql);
	return rc;
}

static int copy_table(struct store *from, struct store *to, const char *table,
		      int64_t *rows, struct error *e)
{
	struct buf sql = BUF_INIT;
	struct db_stmt *src = NULL, *ins = NULL;
	int rc, ncol = 0, ret = -1;

	*rows = 0;
	buf_addf(&sql, "SELECT * FROM %s", table);
	if (sql.failed) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_prepare(from->db, buf_str(&sql), 0, &src)) {
		store_fail(from, e, "reading a table to copy");
		goto out;
	}
	while ((rc = db_step(src)) == DB_ROW) {
		if (!ins) {
			if (prepare_insert(to, table, src, &ins, e))
				goto out;
			ncol = db_column_count(src);
		}
		db_reset(ins);
		for (int i = 0; i < ncol; i++)
			if (bind_like(ins, src, i)) {
				error_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
		if (db_step(ins) != DB_DONE) {
			error_set(e, ERR_STORE, "copying row %lld of table %s: "
				  "%s", (long long)*rows + 1, table,
				  db_errmsg(to->db));
			goto out;
		}
		(*rows)++;
	}
	if (rc != DB_DONE) {
		store_fail(from, e, "reading a table to copy");
		goto out;
	}
	ret = 0;
out:
	db_finalize(ins);
	db_finalize(src);
	buf_release(&sql);
	return ret;
}

/* Every table of FROM into TO, inside TO's transaction: ROWS[i] rows of
 * table NAMES[i]. */
static int copy_tables(struct store *from, struct store *to, char **names,
		       int64_t *rows, size_t n, copy_progress_fn fn, void *arg,
		       struct copy_result *r, struct error *e)
{
	if (db_exec(to->db, "DELETE FROM audit_head"))
		return store_fail(to, e, "clearing the new chain's start");
	for (size_t i = 0; i < n; i++) {
		if (copy_table(from, to, names[i], &rows[i], e))
			return -1;
		r->tables++;
		r->rows += rows[i];
		if (fn)
			fn(arg, names[i], rows[i]);
	}
	if (db_ids_follow(to->db))
		return store_fail(to, e, "setting the ids to come");
	return 0;
}

/* Each table counted again in TO, once TO has committed, against the
 * ROWS read from FROM's snapshot. */
static int recount(struct store *to, char **names, const int64_t *rows,
		   size_t n, struct error *e)
{
	for (size_t i = 0; i < n; i++) {
		int64_t b;

		if (count_rows(to, names[i], &b, e))
			return -1;
		if (b != rows[i])
			return error_set(e, ERR_STORE, "table %s: %lld rows "
					 "arrived of %lld copied", names[i],
					 (long long)b, (long long)rows[i]);
	}
	return 0;
}

/* The chain's key and head file follow it (its end SEQ and MAC as in
 * FROM's snapshot, whatever FROM wrote since), and on arrival it must
 * verify, MACs and all, through every one of the ENTRIES copied: the
 * entries are FROM's byte for byte, so its head is FROM's too. */
static int carry_audit(struct store *from, struct store *to, int sealed,
		       int64_t seq, const unsigned char mac[32],
		       int64_t entries, struct copy_result *r,
		       struct error *e)
{
	int64_t broken;

	if (sealed && (audit_key_copy(from, to->files, e) ||
		       audit_head_file_set(to->files, seq, mac, e)))
		return -1;
	if (audit_verify(to, &r->entries, &broken, r->head, e))
		return -1;
	if (r->entries != entries)
		return error_set(e, ERR_TAMPER, "the copy's audit chain verifies "
				 "through entry %lld of the %lld copied",
				 (long long)r->entries, (long long)entries);
	return 0;
}

static int64_t rows_of(char **names, const int64_t *rows, size_t n,
		       const char *table)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], table))
			return rows[i];
	return 0;
}

int store_copy(struct store *from, struct store *to, copy_progress_fn fn,
	       void *arg, struct copy_result *r, struct error *e)
{
	char **names = NULL, **have = NULL;
	size_t n = 0, nhave = 0;
	int64_t *rows = NULL, seq = 0;
	unsigned char mac[32] = { 0 };
	int rc = -1, sealed;

	memset(r, 0, sizeof(*r));
	if (audit_seal_now(from, e) || table_names(from, &names, &n, e) ||
	    table_names(to, &have, &nhave, e) ||
	    check_empty(to, have, nhave, e))
		goto out;
	if (!(rows = calloc(n ? n : 1, sizeof(*rows)))) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* One snapshot of FROM, however long the copy takes and whatever
	 * is written to FROM meanwhile: the rows and the chain's end. */
	if (db_begin_read(from->db)) {
		store_fail(from, e, "reading");
		goto out;
	}
	if ((sealed = audit_tail(from, &seq, mac, e)) < 0 ||
	    store_begin_checked(to, e)) {
		db_rollback(from->db);
		goto out;
	}
	rc = copy_tables(from, to, names, rows, n, fn, arg, r, e);
	if (rc)
		store_rollback(to);
	else
		rc = store_commit(to, e);
	db_rollback(from->db);
	if (!rc && (recount(to, names, rows, n, e) ||
		    carry_audit(from, to, sealed, seq, mac,
				rows_of(names, rows, n, "audit"), r, e)))
		rc = -1;
	/* A database just filled has no statistics for PostgreSQL's planner
	 * and no visibility map (autovacuum comes to it later, if at all): a
	 * suspension on a copied mission of scale 1 took 190 s before
	 * ANALYZE and 16 s after, and a count read from an index alone
	 * (schema 12) must still visit every row until VACUUM has marked
	 * the pages all visible. SQLite's writer refreshes its statistics
	 * as it closes. A failure here is no failure of the copy. */
	if (!rc && db_engine(to->db) == DB_POSTGRES)
		db_exec(to->db, "VACUUM (ANALYZE)");
out:
	free(rows);
	names_free(names, n);
	names_free(have, nhave);
	return rc;
}
