/* Online backup and restore with SQLite's backup API; see backup.h. */
#include "store/backup.h"
#include "store/store_int.h"
#include "store/db_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Pages per backup step: small enough for the progress to move and for
 * a restore's copy to show it, large enough not to crawl. */
#define STEP_PAGES 512

/* The files of a database named DB: itself, SQLite's and the audit's. */
static void remove_all(const char *db)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal",
					   ".key", ".head" };
	char path[AUDIT_PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, ext[i]);
		unlink(path);
	}
}

/* Copy every page of SRC's main database into DST, in steps, telling FN.
 * The source's snapshot is the one of the read transaction the caller
 * holds on it, if any (so the copy is one moment even while others
 * write); DST is written in one transaction, committed at the end. */
static int copy_pages(sqlite3 *dst, sqlite3 *src, backup_progress_fn fn,
		      void *arg, int64_t *pages, struct error *e)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc, busy = 0;

	if (!b)
		return error_set(e, ERR_STORE, "cannot start the copy: %s",
				 sqlite3_errmsg(dst));
	do {
		rc = sqlite3_backup_step(b, STEP_PAGES);
		if (fn)
			fn(arg, (uint64_t)(sqlite3_backup_pagecount(b) -
					   sqlite3_backup_remaining(b)),
			   (uint64_t)sqlite3_backup_pagecount(b));
		/* Each connection's busy timeout has waited already. */
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++busy > 50)
				break;
			sqlite3_sleep(100);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);	/* rolls DST back unless done */
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return error_set(e, ERR_BUSY, "the database is busy (another "
				 "writer holds it): nothing was copied; run it "
				 "again");
	if ((rc & 0xff) == SQLITE_FULL)
		return error_set(e, ERR_IO, "the disk is full: nothing was "
				 "copied; free space and run it again");
	return error_set(e, ERR_STORE, "copying the database failed: %s",
			 sqlite3_errstr(rc));
}

/* Does database file PATH (with its key and head beside it) verify as
 * a whole: SQLite's integrity check, then the audit chain with its MACs?
 * Opening it migrates it to this cadre's schema. R the audit's report;
 * 0, or -1 with E set (ERR_TAMPER or ERR_INPUT for a copy that fails). */
static int check_copy(const char *path, const char *name,
		      struct audit_report *r, struct error *e)
{
	struct store *c = NULL;
	sqlite3_stmt *st = NULL;
	const char *what;
	int ret = -1, rc;

	if (store_open(path, &c, e)) {
		error_set(e, ERR_INPUT, "%s is not a database cadre can read: %s",
			  name, e->message ? e->message : "");
		return -1;
	}
	if (sqlite3_prepare_v2(db_sqlite_handle(c->db), "PRAGMA integrity_check", -1, &st, NULL)) {
		store_fail(c, e, "checking the copy");
		goto out;
	}
	rc = sqlite3_step(st);
	what = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (rc != SQLITE_ROW || !what || strcmp(what, "ok")) {
		error_set(e, ERR_INPUT, "%s is damaged: %s", name,
			  what ? what : db_errmsg(c->db));
		goto out;
	}
	if (audit_check(c, r, e)) {
		error_set(e, e->code == ERR_TAMPER ? ERR_TAMPER : e->code,
			  "the audit log of %s does not verify: %s", name,
			  e->message ? e->message : "");
		goto out;
	}
	if (r->keyed == AUDIT_NO_KEY) {
		error_set(e, ERR_INPUT, "%s.key, the audit key of %s, is missing: "
			  "its audit log cannot be verified", name, name);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	store_close(c);
	return ret;
}

/* The snapshot's end: read inside the read transaction the copy is of. */
static int snapshot_tail(struct store *s, int64_t *seq, unsigned char mac[32],
			 struct error *e)
{
	int rc = audit_tail(s, seq, mac, e);

	if (rc == 0)
		return error_set(e, ERR_STORE, "the audit log is not sealed");
	return rc < 0 ? -1 : 0;
}

/* A backup is a copy of SQLite's file; PostgreSQL has its own tools. */
static int on_postgres(struct error *e)
{
	return error_set(e, ERR_USAGE, "backup and restore copy a SQLite "
			 "database; on PostgreSQL use pg_dump and pg_restore, "
			 "or cadre copy to and from a SQLite file");
}

int store_backup(struct store *s, const char *dest, int force,
		 backup_progress_fn fn, void *arg, struct backup_result *r,
		 struct error *e)
{
	char tmp[AUDIT_PATH_MAX], key[AUDIT_PATH_MAX + 8];
	unsigned char mac[32];
	sqlite3 *dst = NULL;
	int64_t seq;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!db_sqlite_handle(s->db))
		return on_postgres(e);
	if (!force && access(dest, F_OK) == 0)
		return error_set(e, ERR_CONFLICT, "%s exists: nothing was "
				 "written (--force replaces it)", dest);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", dest, (long)getpid()) >=
	    (int)sizeof(tmp) - 8)
		return error_set(e, ERR_USAGE, "the name %s is too long", dest);
	remove_all(tmp);
	if (audit_seal_now(s, e))
		return -1;
	/* One read transaction over the whole copy: in WAL mode its snapshot
	 * holds while others commit, and the backup copies from it rather
	 * than starting over at every change. */
	if (sqlite3_exec(db_sqlite_handle(s->db), "BEGIN", NULL, NULL, NULL) ||
	    snapshot_tail(s, &seq, mac, e)) {
		if (!e->message)
			store_fail(s, e, "reading the database");
		goto fail;
	}
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		error_set(e, ERR_IO, "cannot write %s: %s", tmp,
			  dst ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	if (copy_pages(dst, db_sqlite_handle(s->db), fn, arg, &r->pages, e))
		goto fail;
	sqlite3_exec(db_sqlite_handle(s->db), "COMMIT", NULL, NULL, NULL);
	if (sqlite3_close(dst) != SQLITE_OK) {
		error_set(e, ERR_IO, "cannot write %s", tmp);
		dst = NULL;
		goto fail;
	}
	dst = NULL;
	if (audit_key_copy(s, tmp, e) || audit_head_file_set(tmp, seq, mac, e) ||
	    check_copy(tmp, dest, &r->audit, e))
		goto fail;
	/* Its name last: the key and head first, so that DEST never stands
	 * without them; not over a DEST made meanwhile unless FORCE. */
	rc = force ? rename(tmp, dest) : link(tmp, dest);
	if (rc) {
		if (errno == EEXIST)
			error_set(e, ERR_CONFLICT, "%s exists: nothing was written "
				  "(--force replaces it)", dest);
		else
			error_set(e, ERR_IO, "cannot write %s: %s", dest,
				  strerror(errno));
		goto fail;
	}
	if (!force)
		unlink(tmp);
	for (int i = 0; i < 2; i++) {
		const char *ext = i ? ".head" : ".key";
		char from[AUDIT_PATH_MAX + 8];

		snprintf(from, sizeof(from), "%s%s", tmp, ext);
		snprintf(key, sizeof(key), "%s%s", dest, ext);
		if (rename(from, key) && errno != ENOENT) {
			error_set(e, ERR_IO, "cannot write %s: %s", key,
				  strerror(errno));
			unlink(dest);
			goto fail;
		}
	}
	return 0;
fail:
	if (db_in_tx(s->db) && !s->in_tx)
		sqlite3_exec(db_sqlite_handle(s->db), "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(dst);
	remove_all(tmp);
	return -1;
}

/* Copy file SRC (and SRC.key, SRC.head) to TMP for checking: SRC is read,
 * never opened as a store (which would migrate it). */
static int fetch(const char *src, const char *tmp, struct error *e)
{
	sqlite3 *from = NULL, *to = NULL;
	char a[AUDIT_PATH_MAX + 8], b[AUDIT_PATH_MAX + 8];
	int64_t pages;
	int ret = -1;

	if (access(src, R_OK))
		return error_set(e, ERR_IO, "cannot read %s: %s", src,
				 strerror(errno));
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) ||
	    sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL)) {
		error_set(e, ERR_INPUT, "%s is not a database cadre can read: %s",
			  src, sqlite3_errmsg(to ? to : from));
		goto out;
	}
	if (copy_pages(to, from, NULL, NULL, &pages, e)) {
		error_set(e, ERR_INPUT, "%s is not a database cadre can read: %s",
			  src, e->message);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		const char *ext = i ? ".head" : ".key";
		FILE *in, *out;
		char buf[256];
		size_t n;
		int fd;

		snprintf(a, sizeof(a), "%s%s", src, ext);
		snprintf(b, sizeof(b), "%s%s", tmp, ext);
		if (!(in = fopen(a, "rb")))
			continue;	/* checked as missing by check_copy() */
		n = fread(buf, 1, sizeof(buf), in);
		fclose(in);
		/* The key stays 0600 on the way too. */
		fd = open(b, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		out = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (!out || fwrite(buf, 1, n, out) != n || fclose(out)) {
			if (!out && fd >= 0)
				close(fd);
			error_set(e, ERR_IO, "cannot write %s", b);
			goto out;
		}
		sodium_memzero(buf, sizeof(buf));
	}
	ret = 0;
out:
	sqlite3_close(from);
	sqlite3_close(to);
	return ret;
}

int store_restore(struct store *s, const char *src, backup_progress_fn fn,
		  void *arg, struct backup_result *r, struct error *e)
{
	char tmp[AUDIT_PATH_MAX], head[AUDIT_PATH_MAX], *json = NULL;
	struct store *c = NULL;
	json_t *o;
	unsigned char mac[32];
	const char *base;
	int64_t seq = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!db_sqlite_handle(s->db))
		return on_postgres(e);
	if (snprintf(tmp, sizeof(tmp), "%s.restore.%ld", s->path,
		     (long)getpid()) >= (int)sizeof(tmp) - 8)
		return error_set(e, ERR_USAGE, "the name %s is too long", s->path);
	remove_all(tmp);
	if (fetch(src, tmp, e) || check_copy(tmp, src, &r->audit, e))
		goto fail;
	/* The verified copy (at this cadre's schema) into the database, in
	 * one transaction of the backup API's; then its head file and its
	 * key are the database's. */
	if (store_open(tmp, &c, e))
		goto fail;
	rc = audit_tail(c, &seq, mac, e);
	if (rc < 0 || copy_pages(db_sqlite_handle(s->db), db_sqlite_handle(c->db), fn, arg, &r->pages, e))
		goto fail;
	if (rc == 1 && (audit_key_copy(c, s->path, e) ||
			audit_head_file_set(s->path, seq, mac, e)))
		goto fail;
	/* A log no key had met: sealed by the restore's own entry, with the
	 * database's key; the head file of the chain replaced goes. */
	if (rc == 0 && !audit_file(s->path, ".head", head))
		unlink(head);
	store_close(c);
	c = NULL;
	remove_all(tmp);
	/* The restore is itself a change: on the restored chain. */
	s->key_state = KEY_UNREAD;
	base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	o = json_pack("{s:s, s:I, s:s}", "file", src, "entries",
		      (json_int_t)r->audit.entries, "head", r->audit.head);
	json = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!json)
		return error_set(e, ERR_NOMEM, "out of memory");
	rc = store_begin(s, e) || audit_append(s, "restore", "database", base,
					       NULL, json, e) ||
	     store_commit(s, e);
	free(json);
	if (rc) {
		store_rollback(s);
		return error_set(e, e->code, "%s was restored, but its audit "
				 "entry could not be written: %s", src,
				 e->message ? e->message : "");
	}
	return 0;
fail:
	store_close(c);
	remove_all(tmp);
	return -1;
}
