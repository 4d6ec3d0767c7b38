/* db.h on SQLite: a thin layer, as the interface is SQLite's own shape. */
#include "store/db_int.h"
#include "store/db_sqlite.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/embed.h"

extern const struct embedded_file store_migrations[];

struct sq {
	struct db base;
	sqlite3 *h;
	int fk_off;		/* keys off for a checked write */
	int writer;		/* opened to write (setup_writer) */
	sqlite3_stmt *begin_read, *commit;	/* parsed once */
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

static struct sq *sq_of(struct db *d)
{
	return (struct sq *)d;
}

static sqlite3_stmt *raw(struct db_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

sqlite3 *db_sqlite_handle(struct db *d)
{
	return d && d->drv == &db_sqlite_driver ? sq_of(d)->h : NULL;
}

/* cadre_unhex(TEXT): the bytes 64 hex digits stand for, for migration 8;
 * anything else comes back as its own bytes, for `audit verify` to find. */
static void sql_unhex(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *hex = (const char *)sqlite3_value_text(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	unsigned char bin[32];
	size_t got = 0;

	(void)argc;
	if (!hex) {
		sqlite3_result_null(cx);
		return;
	}
	if (n == 64 && !sodium_hex2bin(bin, sizeof(bin), hex, 64, NULL, &got,
				       NULL) && got == sizeof(bin))
		sqlite3_result_blob(cx, bin, sizeof(bin), SQLITE_TRANSIENT);
	else
		sqlite3_result_blob(cx, hex, n, SQLITE_TRANSIENT);
}

void db_sqlite_library_init(void)
{
	/* No count of SQLite's memory in use (nothing reads it): each of its
	 * allocations then skips a mutex, 5% of an import's CPU. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void sq_close(struct db *d)
{
	struct sq *q = sq_of(d);

	/* What SQLite asks of a connection that wrote: the statistics its
	 * planner chooses by, refreshed where the tables changed enough
	 * (sampled: milliseconds). Without them, after a large import or
	 * `generate`, training-output read a million enrolments for the
	 * ten thousand of a year's sessions (0.16 s with them, 0.85 s
	 * without). A failure (a full disk) changes nothing. */
	if (q->writer && sqlite3_get_autocommit(q->h))
		sqlite3_exec(q->h, "PRAGMA analysis_limit = 400; PRAGMA optimize",
			     NULL, NULL, NULL);
	sqlite3_finalize(q->begin_read);
	sqlite3_finalize(q->commit);
	sqlite3_close_v2(q->h);
	free(q);
}

static int sq_exec(struct db *d, const char *sql)
{
	return sqlite3_exec(sq_of(d)->h, sql, NULL, NULL, NULL) == SQLITE_OK ?
	       0 : -1;
}

/* The journal mode of H's database, into MODE ("" when unreadable). */
static void journal_mode(sqlite3 *h, char mode[16])
{
	sqlite3_stmt *st;

	mode[0] = '\0';
	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL))
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(mode, 16, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* A writer: WAL, keys on, and the function migration 8 needs. Its page
 * cache is 64 MiB, not SQLite's 2: a large import's transaction spilled
 * its pages into the WAL long before its end, a third of the time of
 * each insert (the readers keep the default; the memory is taken only as
 * a transaction needs it). */
static int setup_writer(struct sq *q, const char *path, struct error *e)
{
	q->writer = 1;
	if (sqlite3_exec(q->h, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys"
			 " = ON; PRAGMA synchronous = NORMAL;"
			 " PRAGMA cache_size = -65536;", NULL, NULL,
			 NULL) != SQLITE_OK)
		return error_set(e, ERR_IO, "cannot use database %s: %s", path,
				 sqlite3_errmsg(q->h));
	if (sqlite3_create_function(q->h, "cadre_unhex", 1, SQLITE_UTF8 |
				    SQLITE_DETERMINISTIC, NULL, sql_unhex,
				    NULL, NULL) != SQLITE_OK)
		return error_set(e, ERR_STORE, "defining cadre_unhex: %s",
				 sqlite3_errmsg(q->h));
	return 0;
}

/* A reader: query_only, nothing written through it, not even by
 * mistake; the journal mode is the writer's (WAL is kept in the file),
 * and outside WAL a reader's lock would hold every write back. */
static int setup_reader(struct sq *q, const char *path, struct error *e)
{
	char mode[16];

	if (sqlite3_exec(q->h, "PRAGMA query_only = ON", NULL, NULL, NULL))
		return error_set(e, ERR_STORE, "%s", sqlite3_errmsg(q->h));
	journal_mode(q->h, mode);
	if (strcmp(mode, "wal"))
		return error_set(e, ERR_STORE, "database %s is not in WAL mode "
				 "(%s): it cannot be read beside its writer",
				 path, mode[0] ? mode : "unknown");
	return 0;
}

static int sq_open(const char *path, int flags, struct db **out,
		   struct error *e)
{
	struct sq *q = calloc(1, sizeof(*q));
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (!q)
		return error_set(e, ERR_NOMEM, "out of memory");
	q->base.drv = &db_sqlite_driver;
	/* A reader is read-write to SQLite all the same: a WAL reader
	 * writes the shared-memory index. A connection is used by one
	 * thread at a time, so SQLite need not lock each call. */
	if (flags & DB_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &q->h, oflags, NULL) != SQLITE_OK) {
		error_set(e, ERR_IO, "cannot open database %s%s: %s", path,
			  flags & DB_OPEN_READER ? " to read" : "",
			  q->h ? sqlite3_errmsg(q->h) : "out of memory");
		sq_close(&q->base);
		return -1;
	}
	sqlite3_extended_result_codes(q->h, 1);
	sqlite3_busy_timeout(q->h, 5000);
	if (flags & DB_OPEN_READER ? setup_reader(q, path, e) :
	    setup_writer(q, path, e)) {
		sq_close(&q->base);
		return -1;
	}
	*out = &q->base;
	return 0;
}

static int sq_prepare(struct db *d, const char *sql, int persistent,
		      struct db_stmt **out)
{
	struct sq_stmt *s = malloc(sizeof(*s));

	if (!s)
		return -1;
	s->base.db = d;
	if (sqlite3_prepare_v3(sq_of(d)->h, sql, -1, persistent ?
			       SQLITE_PREPARE_PERSISTENT : 0, &s->st,
			       NULL) != SQLITE_OK) {
		free(s);
		return -1;
	}
	*out = &s->base;
	return 0;
}

static int sq_step(struct db_stmt *st)
{
	switch (sqlite3_step(raw(st))) {
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	}
	return DB_ERROR;
}

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset(raw(st));
}

static void sq_clear_bindings(struct db_stmt *st)
{
	sqlite3_clear_bindings(raw(st));
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(raw(st));
	free(st);
}

static int sq_stmt_busy(struct db_stmt *st)
{
	return sqlite3_stmt_busy(raw(st));
}

static int bound(int rc)
{
	return rc == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text(struct db_stmt *st, int i, const char *t, int n)
{
	return bound(sqlite3_bind_text(raw(st), i, t, n, SQLITE_TRANSIENT));
}

static int sq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return bound(sqlite3_bind_int64(raw(st), i, v));
}

static int sq_bind_double(struct db_stmt *st, int i, double v)
{
	return bound(sqlite3_bind_double(raw(st), i, v));
}

static int sq_bind_blob(struct db_stmt *st, int i, const void *p, int n)
{
	return bound(sqlite3_bind_blob(raw(st), i, p, n, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct db_stmt *st, int i)
{
	return bound(sqlite3_bind_null(raw(st), i));
}

static int sq_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(raw(st));
}

static const char *sq_column_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(raw(st), i);
}

/* A rowid follows the largest id written by itself. */
static int sq_ids_follow(struct db *d)
{
	(void)d;
	return 0;
}

static enum db_type sq_column_type(struct db_stmt *st, int i)
{
	switch (sqlite3_column_type(raw(st), i)) {
	case SQLITE_INTEGER:
		return DB_INTEGER;
	case SQLITE_FLOAT:
		return DB_FLOAT;
	case SQLITE_TEXT:
		return DB_TEXT;
	case SQLITE_BLOB:
		return DB_BLOB;
	}
	return DB_NULL;
}

static const char *sq_column_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(raw(st), i);
}

static int64_t sq_column_int64(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(raw(st), i);
}

static double sq_column_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(raw(st), i);
}

static const void *sq_column_blob(struct db_stmt *st, int i)
{
	return sqlite3_column_blob(raw(st), i);
}

static int sq_column_bytes(struct db_stmt *st, int i)
{
	return sqlite3_column_bytes(raw(st), i);
}

static int sq_changes(struct db *d)
{
	return sqlite3_changes(sq_of(d)->h);
}

static int sq_inserted_id(struct db *d, int64_t *id)
{
	sqlite3 *h = sq_of(d)->h;

	if (sqlite3_changes(h) != 1)
		return 0;
	*id = sqlite3_last_insert_rowid(h);
	return 1;
}

static const char *sq_errmsg(struct db *d)
{
	return sqlite3_errmsg(sq_of(d)->h);
}

static enum db_err sq_errkind(struct db *d)
{
	sqlite3 *h = sq_of(d)->h;

	switch (sqlite3_errcode(h) & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_E_BUSY;
	case SQLITE_FULL:
		return DB_E_FULL;
	case SQLITE_IOERR:
		/* A file SQLite could not grow (its WAL, its shared-memory
		 * index) is an I/O error to SQLite, a full disk to the user. */
		return sqlite3_system_errno(h) == ENOSPC ? DB_E_FULL : DB_E_IO;
	case SQLITE_READONLY:
		return DB_E_READONLY;
	case SQLITE_CONSTRAINT:
		return DB_E_CONSTRAINT;
	}
	return DB_E_OTHER;
}

static int sq_in_tx(struct db *d)
{
	return !sqlite3_get_autocommit(sq_of(d)->h);
}

static void keys_on(struct sq *q)
{
	if (q->fk_off)
		sqlite3_exec(q->h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	q->fk_off = 0;
}

static int sq_begin_write(struct db *d, int checked)
{
	struct sq *q = sq_of(d);

	/* SQLite checks no key a second time with them off; the pragma is
	 * a no-op inside a transaction, so it is set before. */
	if (checked) {
		if (sq_exec(d, "PRAGMA foreign_keys = OFF"))
			return -1;
		q->fk_off = 1;
	}
	if (sq_exec(d, "BEGIN IMMEDIATE")) {
		keys_on(q);
		return -1;
	}
	return 0;
}

/* Run one of the connection's own statements, parsed once: a read's
 * BEGIN and COMMIT are a tenth of a short read's time when parsed by
 * every sqlite3_exec(). */
static int run_own(struct sq *q, sqlite3_stmt **st, const char *sql)
{
	int rc;

	if (!*st && sqlite3_prepare_v3(q->h, sql, -1,
				       SQLITE_PREPARE_PERSISTENT, st, NULL))
		return -1;
	rc = sqlite3_step(*st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(*st);
	return rc;
}

static int sq_begin_read(struct db *d)
{
	struct sq *q = sq_of(d);

	return run_own(q, &q->begin_read, "BEGIN");
}

static int sq_commit(struct db *d)
{
	struct sq *q = sq_of(d);
	int rc = run_own(q, &q->commit, "COMMIT");

	if (!rc)
		keys_on(q);
	return rc;
}

static void sq_rollback(struct db *d)
{
	struct sq *q = sq_of(d);

	if (!sqlite3_get_autocommit(q->h))
		sqlite3_exec(q->h, "ROLLBACK", NULL, NULL, NULL);
	keys_on(q);
}

static void sq_reset_all(struct db *d)
{
	sqlite3_stmt *st = NULL;

	while ((st = sqlite3_next_stmt(sq_of(d)->h, st)))
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
}

static void sq_busy_timeout(struct db *d, int ms)
{
	sqlite3_busy_timeout(sq_of(d)->h, ms);
}

static int sq_schema_version(struct db *d)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(sq_of(d)->h, "PRAGMA user_version", -1, &st,
			       NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int sq_set_schema_version(struct db *d, int v)
{
	char sql[48];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	return sq_exec(d, sql);
}

static const char *sq_file(struct db *d)
{
	return sqlite3_db_filename(sq_of(d)->h, "main");
}

static void sq_match_sql(struct buf *b, int n)
{
	buf_addf(b, "t.id IN (SELECT rowid FROM trainee_fts WHERE trainee_fts"
		 " MATCH ?%d)", n);
}

/* What a user typed as an FTS5 expression: each word a quoted prefix
 * ("al" "12"*), all required; quotes inside a word are doubled, so
 * nothing typed is read as FTS5 syntax. A search for nothing matches
 * nothing.  */
static char *sq_match_text(const char *typed)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)typed;
	char *out;

	while (*p) {
		while (*p && (isspace(*p) || (ispunct(*p) && *p != '"')))
			p++;
		if (!*p)
			break;
		buf_adds(&b, b.len ? " \"" : "\"");
		for (; *p && !isspace(*p) && !(ispunct(*p) && *p != '"'); p++)
			buf_add(&b, *p == '"' ? "\"\"" : (const char *)p,
				*p == '"' ? 2 : 1);
		buf_adds(&b, "\"*");
	}
	out = b.failed ? NULL : strdup(b.len ? buf_str(&b) : "\"\"");
	buf_release(&b);
	return out;
}

const struct db_driver db_sqlite_driver = {
	.engine = DB_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.step = sq_step,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.finalize = sq_finalize,
	.stmt_busy = sq_stmt_busy,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.column_text = sq_column_text,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_blob = sq_column_blob,
	.column_bytes = sq_column_bytes,
	.changes = sq_changes,
	.returning_id = "",
	.inserted_id = sq_inserted_id,
	.errmsg = sq_errmsg,
	.errkind = sq_errkind,
	.in_tx = sq_in_tx,
	.begin_write = sq_begin_write,
	.begin_read = sq_begin_read,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.reset_all = sq_reset_all,
	.busy_timeout = sq_busy_timeout,
	.schema_version = sq_schema_version,
	.set_schema_version = sq_set_schema_version,
	.migrations = store_migrations,
	.file = sq_file,
	.tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
		      " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE"
		      " 'trainee_fts%' ORDER BY name",
	.ids_follow = sq_ids_follow,
	.match_sql = sq_match_sql,
	.match_text = sq_match_text,
};
