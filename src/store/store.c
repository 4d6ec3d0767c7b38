/* Opening the database, migrations and transactions. */
#include "store/store_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db_sqlite.h"
#include "util/buf.h"
#include "util/embed.h"

/*==== Opening and migrations ===========================================*/

int store_fail(struct store *s, struct error *e, const char *what)
{
	struct db *d = s ? s->db : NULL;

	/* What the user can do about it, for the failures they can. The
	 * caller rolls back: nothing of the write is left. */
	switch (db_errkind(d)) {
	case DB_E_FULL:
		return error_set(e, ERR_STORE, "%s: the disk is full: nothing was "
				 "written; free space and run it again", what);
	case DB_E_BUSY:
		return error_set(e, ERR_BUSY, "%s: the database is busy (another "
				 "writer holds it): nothing was written; run it "
				 "again", what);
	case DB_E_IO:
		return error_set(e, ERR_STORE, "%s: the disk failed (%s): nothing "
				 "was written", what, db_errmsg(d));
	case DB_E_READONLY:
		return error_set(e, ERR_STORE, "%s: the database is read-only: "
				 "nothing was written", what);
	default:
		break;
	}
	return error_set(e, ERR_STORE, "%s: %s", what, db_errmsg(d));
}

/* The SQLite migrations; the PostgreSQL ones are numbered alike
 * (tests/store/test_schema_pg.py holds them to it). */
extern const struct embedded_file store_migrations[];

int store_latest_version(void)
{
	int n = 0;

	while (store_migrations[n].name)
		n++;
	return n;
}

/* A busy database or a full disk says so, as store_fail() does; any
 * other failure, the engine's own words. */
static int exec_failed(struct store *s, const char *sql, struct error *e)
{
	switch (db_errkind(s->db)) {
	case DB_E_BUSY:
	case DB_E_FULL:
	case DB_E_IO:
		return store_fail(s, e, !strncmp(sql, "BEGIN", 5) ?
				  "starting a write" : !strncmp(sql, "COMMIT", 6) ?
				  "committing" : "the database");
	default:
		return error_set(e, ERR_STORE, "%s", db_errmsg(s->db));
	}
}

static int exec(struct store *s, const char *sql, struct error *e)
{
	return db_exec(s->db, sql) ? exec_failed(s, sql, e) : 0;
}

int store_schema_version(struct store *s)
{
	return db_schema_version(s->db);
}

static store_note_fn upgrade_note;

void store_on_upgrade(store_note_fn fn)
{
	upgrade_note = fn;
}

void store_library_init(void)
{
	db_sqlite_library_init();
}

/* Migrations are files NNNN_name.sql applied in order, each in its own
 * transaction together with the bump of the schema version. The write
 * lock is the database's: two servers starting on one PostgreSQL
 * database apply each migration once, the second finding it done. */
static int migrate(struct store *s, const char *path, int target,
		   struct error *e)
{
	const struct embedded_file *m = db_migrations(s->db);
	int have = store_schema_version(s), latest = store_latest_version();

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
		if (db_begin_write(s->db, 0))
			return exec_failed(s, "BEGIN", e);
		if (store_schema_version(s) > v) {	/* another did it */
			db_rollback(s->db);
			continue;
		}
		if (db_exec(s->db, m[v].data) ||
		    db_set_schema_version(s->db, v + 1)) {
			error_set(e, ERR_STORE, "migration %s failed: %s",
				  m[v].name, db_errmsg(s->db));
			db_rollback(s->db);
			return -1;
		}
		if (db_commit(s->db))
			return exec_failed(s, "COMMIT", e);
	}
	return 0;
}

/* The folder of the audit keys and heads of PostgreSQL databases, into
 * B: CADRE_STATE_DIR, else ~/.local/state/cadre (made, 0700, when
 * missing: the key is a secret), else the working folder. */
static void state_dir(struct buf *b)
{
	const char *dir = getenv("CADRE_STATE_DIR"), *home = getenv("HOME");
	static const char *const parts[] = { "/.local", "/.local/state",
					     "/.local/state/cadre" };

	if (dir && *dir) {
		buf_adds(b, dir);
		return;
	}
	if (!home || !*home) {
		buf_adds(b, ".");
		return;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		buf_reset(b);
		buf_addf(b, "%s%s", home, parts[i]);
		if (!b->failed)
			mkdir(buf_str(b), 0700);	/* EEXIST is fine */
	}
}

/* Where the audit key and head of database TARGET are kept: beside a
 * SQLite file; for a PostgreSQL database, in the state folder under the
 * database's name, for they must not be in the database itself
 * (docs/audit.md). NULL out of memory. */
static char *files_of(const char *target)
{
	const char *p, *end;
	struct buf b = BUF_INIT;
	char *out;

	if (db_engine_of(target) == DB_SQLITE)
		return strdup(strncmp(target, "sqlite:", 7) ? target : target + 7);
	/* postgresql://[user@]host[:port]/NAME?...: the NAME; "cadre" for
	 * a connection string without one. */
	p = strstr(target, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	p = p ? p + 1 : "";
	end = p + strcspn(p, "?");
	state_dir(&b);
	buf_adds(&b, "/cadre-pg-");
	if (end == p)
		buf_adds(&b, "cadre");
	for (; p < end; p++)
		buf_add(&b, isalnum((unsigned char)*p) || *p == '-' ||
			*p == '_' ? p : "_", 1);
	out = b.failed ? NULL : strdup(buf_str(&b));
	buf_release(&b);
	return out;
}

static struct store *store_new(const char *path, struct error *e)
{
	struct store *s = calloc(1, sizeof(*s));

	if (!s || !(s->path = strdup(path)) || !(s->files = files_of(path))) {
		if (s)
			free(s->path);
		free(s);
		error_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	return s;
}

int store_open_at(const char *path, int version, struct store **out,
		  struct error *e)
{
	struct store *s;

	*out = NULL;
	if (!(s = store_new(path, e)))
		return -1;
	if (db_open(path, DB_OPEN_CREATE, &s->db, e) ||
	    migrate(s, path, version, e)) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int store_open(const char *path, struct store **out, struct error *e)
{
	return store_open_at(path, -1, out, e);
}

int store_open_reader(const char *path, struct store **out, struct error *e)
{
	struct store *s;
	int v;

	*out = NULL;
	if (!(s = store_new(path, e)))
		return -1;
	if (db_open(path, DB_OPEN_READER, &s->db, e))
		goto fail;
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

int store_read_begin(struct store *s, struct error *e)
{
	/* What a read remembers of visibility and of records found held
	 * for this connection's own writes; a reader's are another's. */
	store_forget_seen(s);
	store_forget_exists(s);
	if (db_begin_read(s->db))
		return e ? store_fail(s, e, "reading") : -1;
	return 0;
}

void store_read_end(struct store *s)
{
	/* A statement stepped and not reset would keep the snapshot open
	 * past COMMIT, and the next request would read the past. */
	db_reset_all(s->db);
	if (db_in_tx(s->db) && db_commit(s->db))
		db_rollback(s->db);
}

int store_stmt(struct store *s, const char *sql, struct db_stmt **st,
	       struct error *e)
{
	struct cached_stmt *c;

	for (size_t i = 0; i < s->ncache; i++) {
		if (!strcmp(s->cache[i].sql, sql)) {
			*st = s->cache[i].st;
			db_reset(*st);
			db_clear_bindings(*st);
			return 0;
		}
	}
	if (db_prepare(s->db, sql, 1, st))
		return store_fail(s, e, "preparing a statement");
	if (s->ncache == sizeof(s->cache) / sizeof(s->cache[0])) {
		/* Full: drop the oldest not being stepped through — a caller's
		 * loop may run other statements between its steps (a list
		 * masking its references), and its own must outlive them. */
		size_t i = 0;

		while (i + 1 < s->ncache && db_stmt_busy(s->cache[i].st))
			i++;
		c = &s->cache[i];
		free(c->sql);
		db_finalize(c->st);
		memmove(c, c + 1, (s->ncache - 1 - i) * sizeof(*c));
		s->ncache--;
	}
	c = &s->cache[s->ncache];
	c->sql = strdup(sql);
	if (!c->sql) {
		db_finalize(*st);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	c->st = *st;
	s->ncache++;
	return 0;
}

int store_hold(const char *path, struct error *e)
{
	int fd;

	/* What replaces a database whole works on SQLite's files alone. */
	if (db_engine_of(path) != DB_SQLITE)
		return STORE_HELD_NOTHING;
	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB)) {
		error_set(e, ERR_IO, "cannot hold database %s: %s", path,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int store_target_is_file(const char *target)
{
	return db_engine_of(target) == DB_SQLITE;
}

int store_check_unheld(const char *path, struct error *e)
{
	int fd, held;

	if (db_engine_of(path) != DB_SQLITE)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);

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
	if (!s->gate && db_open(s->path, 0, &s->gate, NULL))
		return 0;	/* the write itself will meet (and say) it */
	db_busy_timeout(s->gate, ms);
	if (!db_begin_write(s->gate, 0)) {
		db_rollback(s->gate);
		return 0;
	}
	if (db_errkind(s->gate) == DB_E_BUSY)
		return error_set(e, ERR_BUSY, "the database is busy (another "
				 "writer held it for %d ms): nothing was "
				 "written; run it again", ms);
	return 0;
}

void store_set_busy_timeout(struct store *s, int ms)
{
	db_busy_timeout(s->db, ms);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	db_close(s->gate);
	if (s->in_tx)
		store_rollback(s);
	for (size_t i = 0; i < s->ncache; i++) {
		free(s->cache[i].sql);
		db_finalize(s->cache[i].st);
	}
	for (size_t i = 0; i < KINDS_MAX; i++)
		for (size_t j = 0; j < 4; j++)
			db_finalize(s->kst[i][j]);
	db_finalize(s->audit_insert);
	db_finalize(s->audit_insert_many);
	buf_release(&s->audit_text);
	buf_release(&s->audit_before);
	buf_release(&s->audit_after);
	buf_release(&s->audit_hashed);
	for (size_t i = 0; i < KINDS_MAX; i++)
		buf_release(&s->exists_last[i]);
	db_close(s->db);
	sodium_memzero(s->key, sizeof(s->key));
	sodium_memzero(&s->mac, sizeof(s->mac));
	free(s->path);
	free(s->files);
	free(s->actor);
	free(s);
}

struct db *store_db(struct store *s)
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

static int store_begin_as(struct store *s, int checked, struct error *e)
{
	if (s->in_tx)
		return error_set(e, ERR_STORE, "transaction already open");
	if (s->reader)
		return error_set(e, ERR_STORE, "a write through a connection "
				 "that only reads");
	if (db_begin_write(s->db, checked))
		return exec_failed(s, "BEGIN", e);
	s->in_tx = 1;
	s->head_loaded = 0;
	s->head_dirty = 0;
	s->host_known = 0;
	store_forget_exists(s);
	return 0;
}

int store_begin(struct store *s, struct error *e)
{
	return store_begin_as(s, 0, e);
}

int store_begin_checked(struct store *s, struct error *e)
{
	return store_begin_as(s, 1, e);
}

int store_commit(struct store *s, struct error *e)
{
	if (audit_write_head(s, e))
		goto fail;
	if (db_commit(s->db)) {
		exec_failed(s, "COMMIT", e);
		goto fail;
	}
	s->in_tx = 0;
	s->head_loaded = 0;
	s->host_known = 0;
	audit_publish_head(s);
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int store_savepoint(struct store *s, struct error *e)
{
	/* What is kept back is before the savepoint, and stays. */
	if (audit_flush(s, e))
		return -1;
	return exec(s, "SAVEPOINT part", e);
}

int store_savepoint_release(struct store *s, struct error *e)
{
	return exec(s, "RELEASE part", e);
}

void store_savepoint_rollback(struct store *s)
{
	store_forget_seen(s);
	audit_discard(s);
	db_exec(s->db, "ROLLBACK TO part");
	db_exec(s->db, "RELEASE part");
	s->head_loaded = 0;	/* the audit head may have moved back */
	s->host_known = 0;
	store_forget_exists(s);	/* and records found may be gone */
}

void store_rollback(struct store *s)
{
	store_forget_seen(s);
	audit_discard(s);
	db_rollback(s->db);
	s->in_tx = 0;
	s->host_known = 0;
	store_forget_exists(s);
	s->head_loaded = 0;
	s->head_dirty = 0;
	s->head_due = 0;
}
