/* Opening the database, migrations and transactions. */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/embed.h"

extern const struct embedded_file store_migrations[];

/*==== Opening and migrations ===========================================*/

int store_fail(struct store *s, struct error *e, const char *what)
{
	int code = s && s->db ? sqlite3_errcode(s->db) & 0xff : SQLITE_OK;

	/* A file SQLite could not grow (its WAL, its shared-memory index)
	 * is an I/O error to SQLite, and a full disk to the user. */
	if (code == SQLITE_IOERR && sqlite3_system_errno(s->db) == ENOSPC)
		code = SQLITE_FULL;
	/* What the user can do about it, for the failures they can. The
	 * caller rolls back: nothing of the write is left. */
	switch (code) {
	case SQLITE_FULL:
		return error_set(e, ERR_STORE, "%s: the disk is full: nothing was "
				 "written; free space and run it again", what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return error_set(e, ERR_BUSY, "%s: the database is busy (another "
				 "writer holds it): nothing was written; run it "
				 "again", what);
	case SQLITE_IOERR:
		return error_set(e, ERR_STORE, "%s: the disk failed (%s): nothing "
				 "was written", what, sqlite3_errmsg(s->db));
	case SQLITE_READONLY:
		return error_set(e, ERR_STORE, "%s: the database is read-only: "
				 "nothing was written", what);
	}
	return error_set(e, ERR_STORE, "%s: %s", what,
			 s && s->db ? sqlite3_errmsg(s->db) : "no database");
}

int store_latest_version(void)
{
	int n = 0;

	while (store_migrations[n].name)
		n++;
	return n;
}

static int exec(struct store *s, const char *sql, struct error *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(s->db) & 0xff;

		/* A busy database or a full disk says so, as store_fail()
		 * does; any other failure, SQLite's own words. */
		if (code == SQLITE_BUSY || code == SQLITE_LOCKED ||
		    code == SQLITE_FULL || code == SQLITE_IOERR)
			store_fail(s, e, !strncmp(sql, "BEGIN", 5) ?
				   "starting a write" : !strncmp(sql, "COMMIT", 6) ?
				   "committing" : "the database");
		else
			error_set(e, ERR_STORE, "%s", msg ? msg : "SQL failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static store_note_fn upgrade_note;

void store_on_upgrade(store_note_fn fn)
{
	upgrade_note = fn;
}

void store_library_init(void)
{
	/* No count of SQLite's memory in use (nothing reads it): each of its
	 * allocations then skips a mutex, 5% of an import's CPU. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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

/* Migrations are files NNNN_name.sql applied in order, each in its own
 * transaction together with the bump of user_version. */
static int migrate(struct store *s, const char *path, int target,
		   struct error *e)
{
	int have = store_schema_version(s), latest = store_latest_version();
	char sql[64];

	if (have < 0)
		return store_fail(s, e, "reading the schema version");
	if (have > latest)
		return error_set(e, ERR_STORE, "the database has schema version "
				 "%d, newer than this cadre knows (%d)",
				 have, latest);
	if (target < 0 || target > latest)
		target = latest;
	if (upgrade_note && have > 0 && have < target) {
		char note[512];

		snprintf(note, sizeof(note), "upgrading %s from schema version "
			 "%d to %d; on a large audit log this takes a few "
			 "seconds per million entries", path, have, target);
		upgrade_note(note);
	}
	for (int v = have; v < target; v++) {
		if (exec(s, "BEGIN IMMEDIATE", e))
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(s, store_migrations[v].data, e) || exec(s, sql, e)) {
			char *why = e->message ? strdup(e->message) : NULL;

			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			error_set(e, ERR_STORE, "migration %s failed: %s",
				  store_migrations[v].name, why ? why : "");
			free(why);
			return -1;
		}
		if (exec(s, "COMMIT", e))
			return -1;
	}
	return 0;
}

int store_open_at(const char *path, int version, struct store **out,
		  struct error *e)
{
	struct store *s = NULL;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	/* A store is used by one thread at a time (the server holds its
	 * lock around every request), so SQLite need not lock each call. */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		error_set(e, ERR_IO, "cannot open database %s: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
		 " PRAGMA synchronous = NORMAL;", e)) {
		char *why = strdup(e->message ? e->message : "");

		error_set(e, ERR_IO, "cannot use database %s: %s", path,
			  why ? why : "");
		free(why);
		goto fail;
	}
	if (sqlite3_create_function(s->db, "cadre_unhex", 1, SQLITE_UTF8 |
				    SQLITE_DETERMINISTIC, NULL, sql_unhex,
				    NULL, NULL) != SQLITE_OK) {
		store_fail(s, e, "defining cadre_unhex");
		goto fail;
	}
	if (migrate(s, path, version, e))
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

int store_open(const char *path, struct store **out, struct error *e)
{
	return store_open_at(path, -1, out, e);
}

/* The journal mode of S's database, into MODE ("" when unreadable). */
static void journal_mode(struct store *s, char mode[16])
{
	sqlite3_stmt *st;

	mode[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL))
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(mode, 16, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int store_open_reader(const char *path, struct store **out, struct error *e)
{
	struct store *s = NULL;
	char mode[16];
	int v;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	/* Read-write for SQLite (a WAL reader writes the shared-memory
	 * index), never created, and query_only: nothing is written through
	 * it, not even by mistake. The journal mode is the writer's (WAL is
	 * kept in the file): a reader sets no pragma that writes. */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		error_set(e, ERR_IO, "cannot open database %s to read: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, "PRAGMA query_only = ON", e))
		goto fail;
	/* Outside WAL a reader's lock would hold every write back. */
	journal_mode(s, mode);
	if (strcmp(mode, "wal")) {
		error_set(e, ERR_STORE, "database %s is not in WAL mode (%s): it "
			  "cannot be read beside its writer", path,
			  mode[0] ? mode : "unknown");
		goto fail;
	}
	/* The writer migrates; a reader only checks it has. */
	v = store_schema_version(s);
	if (v != store_latest_version()) {
		error_set(e, ERR_STORE, "database %s has schema version %d, not "
			  "%d: open it to write first", path, v,
			  store_latest_version());
		goto fail;
	}
	s->reader = 1;
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

/* Run SQL, a statement without rows, from the statement cache: a read's
 * BEGIN and COMMIT parsed once (sqlite3_exec parses them every time, a
 * tenth of a short read's time). 0, or -1 with E set when E is given. */
static int step_once(struct store *s, const char *sql, struct error *e)
{
	struct error ignored;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (!e) {
		error_init(&ignored);
		e = &ignored;
	}
	if (!store_stmt(s, sql, &st, e))
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 :
		     store_fail(s, e, "reading");
	sqlite3_reset(st);	/* NULL-safe */
	if (e == &ignored)
		error_release(&ignored);
	return rc;
}

int store_read_begin(struct store *s, struct error *e)
{
	/* What a read remembers of visibility and of records found held
	 * for this connection's own writes; a reader's are another's. */
	store_forget_seen(s);
	store_forget_exists(s);
	return step_once(s, "BEGIN", e);
}

void store_read_end(struct store *s)
{
	sqlite3_stmt *st = NULL;

	/* A statement stepped and not reset would keep the snapshot open
	 * past COMMIT, and the next request would read the past. */
	while ((st = sqlite3_next_stmt(s->db, st)))
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
	if (!sqlite3_get_autocommit(s->db) && step_once(s, "COMMIT", NULL))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_stmt(struct store *s, const char *sql, sqlite3_stmt **st,
	       struct error *e)
{
	struct cached_stmt *c;

	for (size_t i = 0; i < s->ncache; i++) {
		if (!strcmp(s->cache[i].sql, sql)) {
			*st = s->cache[i].st;
			sqlite3_reset(*st);
			sqlite3_clear_bindings(*st);
			return 0;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK)
		return store_fail(s, e, "preparing a statement");
	if (s->ncache == sizeof(s->cache) / sizeof(s->cache[0])) {
		/* Full: drop the oldest not being stepped through — a caller's
		 * loop may run other statements between its steps (a list
		 * masking its references), and its own must outlive them. */
		size_t i = 0;

		while (i + 1 < s->ncache && sqlite3_stmt_busy(s->cache[i].st))
			i++;
		c = &s->cache[i];
		free(c->sql);
		sqlite3_finalize(c->st);
		memmove(c, c + 1, (s->ncache - 1 - i) * sizeof(*c));
		s->ncache--;
	}
	c = &s->cache[s->ncache];
	c->sql = strdup(sql);
	if (!c->sql) {
		sqlite3_finalize(*st);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	c->st = *st;
	s->ncache++;
	return 0;
}

int store_hold(const char *path, struct error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB)) {
		error_set(e, ERR_IO, "cannot hold database %s: %s", path,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int store_check_unheld(const char *path, struct error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), held;

	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	if (held)
		return error_set(e, ERR_BUSY, "a server is running on %s: stop "
				 "it first (nothing was changed)", path);
	return 0;
}

int store_wait_writable(struct store *s, int ms, struct error *e)
{
	int rc;

	if (!s->gate && sqlite3_open_v2(sqlite3_db_filename(s->db, "main"),
					&s->gate, SQLITE_OPEN_READWRITE |
					SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		/* The write itself will meet (and say) what failed here. */
		sqlite3_close(s->gate);
		s->gate = NULL;
		return 0;
	}
	sqlite3_busy_timeout(s->gate, ms);
	rc = sqlite3_exec(s->gate, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_exec(s->gate, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return error_set(e, ERR_BUSY, "the database is busy (another "
				 "writer held it for %d ms): nothing was "
				 "written; run it again", ms);
	return 0;
}

void store_set_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_close(s->gate);
	if (s->in_tx)
		store_rollback(s);
	for (size_t i = 0; i < s->ncache; i++) {
		free(s->cache[i].sql);
		sqlite3_finalize(s->cache[i].st);
	}
	for (size_t i = 0; i < KINDS_MAX; i++)
		for (size_t j = 0; j < 4; j++)
			sqlite3_finalize(s->kst[i][j]);
	sqlite3_finalize(s->audit_insert);
	buf_release(&s->audit_before);
	buf_release(&s->audit_after);
	buf_release(&s->audit_hashed);
	for (size_t i = 0; i < KINDS_MAX; i++)
		buf_release(&s->exists_last[i]);
	sqlite3_close_v2(s->db);
	sodium_memzero(s->key, sizeof(s->key));
	free(s->path);
	free(s->actor);
	free(s);
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

void store_set_actor(struct store *s, const char *actor)
{
	free(s->actor);
	s->actor = actor ? strdup(actor) : NULL;
}

const char *store_actor(const struct store *s)
{
	return s->actor ? s->actor : "unknown";
}

/*==== Transactions =====================================================*/

void store_forget_exists(struct store *s)
{
	for (size_t i = 0; i < KINDS_MAX; i++)
		buf_reset(&s->exists_last[i]);
}

static void keys_on(struct store *s)
{
	if (s->fk_off)
		sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	s->fk_off = 0;
}

int store_begin(struct store *s, struct error *e)
{
	if (s->in_tx)
		return error_set(e, ERR_STORE, "transaction already open");
	if (s->reader)
		return error_set(e, ERR_STORE, "a write through a connection "
				 "that only reads");
	if (exec(s, "BEGIN IMMEDIATE", e))
		return -1;
	s->in_tx = 1;
	s->head_loaded = 0;
	s->head_dirty = 0;
	store_forget_exists(s);
	return 0;
}

int store_begin_checked(struct store *s, struct error *e)
{
	if (s->in_tx)
		return error_set(e, ERR_STORE, "transaction already open");
	/* The pragma is a no-op inside a transaction: set it before. */
	if (exec(s, "PRAGMA foreign_keys = OFF", e))
		return -1;
	s->fk_off = 1;
	if (store_begin(s, e)) {
		keys_on(s);
		return -1;
	}
	return 0;
}

int store_commit(struct store *s, struct error *e)
{
	if (audit_write_head(s, e) || exec(s, "COMMIT", e)) {
		store_rollback(s);
		return -1;
	}
	s->in_tx = 0;
	s->head_loaded = 0;
	keys_on(s);
	audit_publish_head(s);
	return 0;
}

int store_savepoint(struct store *s, struct error *e)
{
	return exec(s, "SAVEPOINT part", e);
}

int store_savepoint_release(struct store *s, struct error *e)
{
	return exec(s, "RELEASE part", e);
}

void store_savepoint_rollback(struct store *s)
{
	store_forget_seen(s);
	sqlite3_exec(s->db, "ROLLBACK TO part; RELEASE part", NULL, NULL, NULL);
	s->head_loaded = 0;	/* the audit head may have moved back */
	store_forget_exists(s);	/* and records found may be gone */
}

void store_rollback(struct store *s)
{
	store_forget_seen(s);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
	store_forget_exists(s);
	s->head_loaded = 0;
	s->head_dirty = 0;
	s->head_due = 0;
	keys_on(s);
}
