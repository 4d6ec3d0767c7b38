/*
 * db.h on PostgreSQL, through libpq. The store's SQL is SQLite's: this
 * driver turns its ?N parameters into $N, reads PostgreSQL's text results
 * the way SQLite gives its columns (a boolean as 1/0, a bytea as its
 * bytes), and makes SQLite's one-writer-at-a-time from a transaction lock
 * every writer takes first. The few SQLite functions the shared SQL calls
 * (instr, group_concat, json_extract, date) are defined by the PostgreSQL
 * migrations (migrations/pg/0001_mission.sql), not here.
 *
 * Statements: a persistent one is a named server-side prepared statement,
 * made at db_prepare() so that a mistake in its SQL shows there; any other
 * is sent with its parameters at its first step (PQexecParams). Either
 * way the first step runs the statement and holds every row of its answer
 * in one PGresult; the later steps only move along it.
 */
#include "store/db_int.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/embed.h"

extern const struct embedded_file store_migrations_pg[];

/* Type OIDs of pg_type.h, which libpq does not install. */
enum {
	OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21,
	OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26, OID_FLOAT4 = 700,
	OID_FLOAT8 = 701, OID_NUMERIC = 1700
};

/*
 * The database's write lock: a transaction-level advisory lock that
 * db_begin_write() takes before anything else, in every process that
 * writes. SQLite has one writer at a time by construction; PostgreSQL
 * lets writers run side by side, and the audit chain (each entry hashes
 * the one before, audit_head names the last) would then fork: two
 * writers each reading the same head and appending after it. Taking this
 * one lock first puts the writes one after another, as on SQLite.
 * Advisory locks are per database, so two cadre databases on one server
 * do not wait for each other. The key is "cadrewr\0" read as a big-endian
 * 64-bit number; any fixed value would do, as long as it never changes.
 */
#define WRITE_LOCK_KEY "7161115727245194752"	/* 0x6361647265777200 */

/* SQLite's default for cadre's connections (store.c sets it too). */
#define DEFAULT_BUSY_MS 5000

struct pg_stmt;

struct pg_db {
	struct db base;
	PGconn *conn;
	int flags;		/* DB_OPEN_* */
	int busy_ms;		/* db_busy_timeout(): the write lock's wait */
	int changes;		/* rows of the last INSERT, UPDATE or DELETE */
	int closed;		/* db_close() came with statements left */
	unsigned long next_name;	/* names the prepared statements */
	struct pg_stmt *stmts;	/* every statement, for reset_all */
	char **dead;		/* prepared names to DEALLOCATE when it can */
	size_t ndead, adead;
	char *errmsg;		/* NULL: no error */
	enum db_err errkind;
	int read_pending;	/* db_begin_read() said, no statement yet */
	int reading;		/* in a read's transaction */
	int commit_pending;	/* a read's COMMIT sent, its answer not read */
};

struct pg_stmt {
	struct db_stmt base;
	struct pg_stmt *next, **pprev;
	char *sql;		/* with $N parameters */
	char name[24];		/* the prepared statement's, "" when none */
	int nparams;
	Oid *types;		/* 0: PostgreSQL infers; 25 for unused ones */
	char **values;		/* owned copies; NULL: SQL NULL */
	int *lengths;
	int *formats;		/* 1 for a blob (binary bytea), else 0 */
	int ncols_prepared;	/* -1 until asked before the first step */
	PGresult *res;		/* the answer, from the first step to reset */
	int row;		/* the current row of RES; -1 before the first */
	int done;
	/* Bytea columns of the current row, decoded on demand. */
	unsigned char **blob;
	size_t *blob_len;
	int nblob;
	/* Floats of the current row as SQLite writes them, per column. */
	char (*ftext)[32];
	int nftext;
};

static inline struct pg_db *pdb(struct db *d)
{
	return (struct pg_db *)d;
}

static inline struct pg_stmt *pst(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

static void quiet(void *arg, const char *message)
{
	/* Notices ("there is no transaction in progress", a CREATE ... IF
	 * NOT EXISTS that found it) are not errors: SQLite has none. */
}

/* ==== Errors ============================================================ */

static enum db_err kind_of_state(const char *state)
{
	if (!state || strlen(state) != 5)
		return DB_E_OTHER;
	if (!strcmp(state, "55P03") || !strcmp(state, "40P01") ||
	    !strcmp(state, "40001"))
		return DB_E_BUSY;
	if (!strcmp(state, "53100"))
		return DB_E_FULL;
	if (!strncmp(state, "08", 2) || !strncmp(state, "58", 2) ||
	    !strncmp(state, "57P", 3))
		return DB_E_IO;
	if (!strcmp(state, "25006"))
		return DB_E_READONLY;
	if (!strncmp(state, "23", 2))
		return DB_E_CONSTRAINT;
	return DB_E_OTHER;
}

static void set_error(struct pg_db *d, enum db_err kind, const char *msg)
{
	size_t n = strlen(msg);
	char *copy;

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	copy = strndup(msg, n);
	free(d->errmsg);
	d->errmsg = copy;
	d->errkind = kind;
}

/* The error of RES (or of the connection when RES has none). The message
 * is the primary one and its detail, without libpq's "ERROR:  " prefix or
 * its line breaks, as SQLite's are one line. */
static void result_error(struct pg_db *d, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
			    NULL;
	const char *primary = res ?
			      PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
			      NULL;
	const char *detail = res ?
			     PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) :
			     NULL;
	enum db_err kind = kind_of_state(state);
	const char *hs;
	char buf[1024];

	/* 25P02: every statement after an error until the ROLLBACK. The
	 * error that aborted the transaction is the one worth telling. */
	if (state && !strcmp(state, "25P02") && d->errmsg &&
	    d->errkind != DB_OK) {
		if (strncmp(d->errmsg, "the transaction was aborted", 27)) {
			snprintf(buf, sizeof(buf), "the transaction was "
				 "aborted by an earlier error: %s", d->errmsg);
			set_error(d, d->errkind, buf);
		}
		return;
	}

	if (!state && PQstatus(d->conn) == CONNECTION_BAD)
		kind = DB_E_IO;
	/* A hot standby refuses writes with 25006 already; anything else it
	 * refuses for being a standby is the same to the user. */
	hs = PQparameterStatus(d->conn, "in_hot_standby");
	if (kind == DB_E_OTHER && hs && !strcmp(hs, "on"))
		kind = DB_E_READONLY;
	if (primary) {
		snprintf(buf, sizeof(buf), "%s%s%s", primary,
			 detail ? ": " : "", detail ? detail : "");
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		set_error(d, kind, buf);
	} else if (res && *PQresultErrorMessage(res)) {
		set_error(d, kind, PQresultErrorMessage(res));
	} else {
		set_error(d, kind, PQerrorMessage(d->conn));
	}
}

static void clear_error(struct pg_db *d)
{
	free(d->errmsg);
	d->errmsg = NULL;
	d->errkind = DB_OK;
}

/* ==== Commands ========================================================== */

/* Count the rows RES's command changed, as sqlite3_changes() does: only
 * an INSERT, UPDATE or DELETE counts (with or without RETURNING). */
static void note_command(struct pg_db *d, PGresult *res)
{
	const char *status = PQcmdStatus(res);

	if (!strncmp(status, "INSERT ", 7) || !strncmp(status, "UPDATE ", 7) ||
	    !strncmp(status, "DELETE ", 7) || !strncmp(status, "MERGE ", 6))
		d->changes = (int)strtol(PQcmdTuples(res), NULL, 10);
}

/* Was RES a success (rows or none)? Else the error is D's. */
static int result_ok(struct pg_db *d, PGresult *res)
{
	switch (res ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		if (strcmp(PQcmdStatus(res), "ROLLBACK"))
			clear_error(d);
		return 1;
	default:
		result_error(d, res);
		return 0;
	}
}

/*
 * A read's COMMIT is sent and not waited for (pg_commit): read what the
 * server answered, before anything else is sent on the connection. Every
 * function here that sends calls it first.
 */
static void settle(struct pg_db *d)
{
	PGresult *res;

	if (!d->commit_pending)
		return;
	d->commit_pending = 0;
	while ((res = PQgetResult(d->conn)))
		PQclear(res);
}

/* Run SQL (no parameters); 0, or -1 with D's error. */
static int run(struct pg_db *d, const char *sql)
{
	PGresult *res;
	int ok;

	settle(d);
	res = PQexec(d->conn, sql);
	ok = result_ok(d, res);

	if (ok)
		note_command(d, res);
	PQclear(res);
	return ok ? 0 : -1;
}

/*
 * DEALLOCATE the named statements finalized while the transaction was
 * aborted (PostgreSQL runs nothing then, not even DEALLOCATE), now that it
 * is not. Their names stay taken meanwhile; nothing reuses a name.
 */
static void flush_dead(struct pg_db *d)
{
	char sql[48];

	settle(d);
	if (!d->ndead || PQtransactionStatus(d->conn) == PQTRANS_INERROR)
		return;
	while (d->ndead) {
		char *name = d->dead[--d->ndead];

		snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
		PQclear(PQexec(d->conn, sql));
		free(name);
	}
}

/* ==== Connections ======================================================= */

/* TARGET with any password in it shown as ***: the userinfo of a URI
 * (user:secret@host) and a password= parameter or keyword. */
static void redact(const char *target, char *out, size_t size)
{
	const char *scheme = strstr(target, "://");
	size_t o = 0;
	const char *p = target;

	if (!size)
		return;
	if (scheme) {
		const char *auth = scheme + 3;
		const char *end = auth + strcspn(auth, "/?");
		const char *at = memchr(auth, '@', (size_t)(end - auth));
		const char *colon = at ? memchr(auth, ':',
						(size_t)(at - auth)) : NULL;

		if (colon) {
			o = (size_t)snprintf(out, size, "%.*s:***",
					     (int)(colon - target), target);
			p = at;
		}
	}
	while (*p && o + 1 < size) {
		if (!strncmp(p, "password=", 9) &&
		    (p == target || strchr("?& \t", p[-1]))) {
			int n = snprintf(out + o, size - o, "password=***");

			o = n < 0 ? o : o + (size_t)n >= size ? size - 1 :
			    o + (size_t)n;
			p += 9;
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					if (*p == '\\' && p[1])
						p++;
				if (*p)
					p++;
			} else {
				p += strcspn(p, "& \t");
			}
			continue;
		}
		out[o++] = *p++;
	}
	out[o < size ? o : size - 1] = '\0';
}

static void pg_close(struct db *db);

static int pg_open(const char *target, int flags, struct db **out,
		   struct error *e)
{
	/* TARGET is expanded as a URI or connection string; our
	 * client_encoding comes after it, so it wins over one in TARGET. */
	const char *keys[] = { "dbname", "client_encoding",
			       "fallback_application_name", NULL };
	const char *vals[] = { target, "UTF8", "cadre", NULL };
	struct pg_db *d;
	char shown[512];

	/* db_engine_of() takes "postgresql:KEY=VALUE ..." for a connection
	 * string, which libpq reads without the prefix. */
	if (!strncmp(target, "postgresql:", 11) && strncmp(target + 11, "//", 2))
		for (target += 11; *target == ' '; target++)
			;
	vals[0] = target;
	d = calloc(1, sizeof(*d));
	if (!d)
		return error_set(e, ERR_NOMEM, "out of memory");
	d->base.drv = &db_pg_driver;
	d->flags = flags;
	d->busy_ms = DEFAULT_BUSY_MS;
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		const char *why = d->conn ? PQerrorMessage(d->conn) :
				  "out of memory";
		size_t n = strlen(why);

		while (n && why[n - 1] == '\n')
			n--;
		redact(target, shown, sizeof(shown));
		/* 3D000 invalid_catalog_name: libpq gives no SQLSTATE for a
		 * failed connection, only the server's message. */
		if (strstr(why, "database \"") && strstr(why, "does not exist"))
			error_set(e, ERR_IO, "cannot open database %s: %.*s "
				  "(on PostgreSQL the database must exist "
				  "first: createdb it)", shown, (int)n, why);
		else
			error_set(e, ERR_IO, "cannot open database %s: %.*s",
				  shown, (int)n, why);
		PQfinish(d->conn);
		free(d);
		return -1;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	/* bytea_output: the hex form column_blob decodes, whatever the
	 * server's default; a reader takes no writes, as SQLite's
	 * SQLITE_OPEN_READONLY. */
	if (run(d, flags & DB_OPEN_READER ?
		"SET bytea_output = hex; "
		"SET default_transaction_read_only = on" :
		"SET bytea_output = hex")) {
		redact(target, shown, sizeof(shown));
		error_set(e, ERR_IO, "cannot open database %s: %s", shown,
			  d->errmsg ? d->errmsg : "out of memory");
		pg_close(&d->base);
		return -1;
	}
	*out = &d->base;
	return 0;
}

static void stmt_free(struct pg_stmt *s);

/*
 * As sqlite3_close_v2(): statements not finalized yet keep the memory of
 * the connection (not the connection) until the last of them is.
 */
static void pg_close(struct db *db)
{
	struct pg_db *d = pdb(db);

	if (d->conn) {
		settle(d);
		PQfinish(d->conn);
		d->conn = NULL;
	}
	if (d->stmts) {
		d->closed = 1;
		return;
	}
	for (size_t i = 0; i < d->ndead; i++)
		free(d->dead[i]);
	free(d->dead);
	free(d->errmsg);
	free(d);
}

static int begin_pending(struct pg_db *d);

static int pg_exec(struct db *db, const char *sql)
{
	struct pg_db *d = pdb(db);

	flush_dead(d);
	if (begin_pending(d))
		return -1;
	return run(d, sql);
}

/* ==== Parameters ======================================================== */

/* Does P, after a parameter, go on with IS [NOT] NULL? */
static int tests_null(const char *p)
{
	static const char *const words[] = { "IS", "NOT", "NULL" };

	for (int w = 0; w < 3; w++) {
		size_t n = strlen(words[w]);

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (strncasecmp(p, words[w], n)) {
			if (w == 1)	/* NOT is optional */
				continue;
			return 0;
		}
		p += n;
		if (isalnum((unsigned char)*p) || *p == '_')
			return 0;
	}
	return 1;
}

/*
 * SQL with SQLite's parameters (?N, and ? meaning one more than the
 * largest number before it, as SQLite numbers them) written as $N.
 * Quoted text ('...' with '' inside), quoted names ("...") and comments
 * (-- and C-style) are copied as they are. *NPARAMS is the largest number;
 * (*USED)[N-1], for N up to it, says whether $N appears: 0 not, 1 yes, 2
 * first in an IS [NOT] NULL test (*USED is NULL when there are none).
 * NULL out of memory.
 */
static char *translate(const char *sql, int *nparams, unsigned char **used)
{
	size_t len = strlen(sql);
	/* "?" becomes at most "$" and 10 digits: 11 bytes per byte. */
	char *out = malloc(len * 11 + 1);
	unsigned char *seen = NULL;
	size_t o = 0, nseen = 0;
	int max = 0;
	const char *p = sql;

	if (!out)
		return NULL;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			out[o++] = *p++;
			while (*p) {
				if (*p == q && p[1] == q) {
					out[o++] = *p++;
					out[o++] = *p++;
				} else if (*p == q) {
					out[o++] = *p++;
					break;
				} else {
					out[o++] = *p++;
				}
			}
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				out[o++] = *p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			size_t n = end ? (size_t)(end + 2 - p) : strlen(p);

			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else if (*p == '?') {
			long n;

			p++;
			if (*p >= '0' && *p <= '9') {
				char *end;

				errno = 0;
				n = strtol(p, &end, 10);
				if (errno || n < 1 || n > 32766)
					n = 32767;	/* PostgreSQL refuses it */
				p = end;
			} else {
				n = max + 1;
			}
			if (n > max)
				max = (int)n;
			if ((size_t)n > nseen) {
				size_t grow = (size_t)n + 16;
				unsigned char *t = realloc(seen, grow);

				if (!t) {
					free(seen);
					free(out);
					return NULL;
				}
				memset(t + nseen, 0, grow - nseen);
				seen = t;
				nseen = grow;
			}
			if (!seen[n - 1])
				seen[n - 1] = tests_null(p) ? 2 : 1;
			o += (size_t)snprintf(out + o, 12, "$%ld", n);
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	*nparams = max;
	if (used)
		*used = seen;
	else
		free(seen);
	return out;
}

/* ==== Statements ======================================================== */

static void drop_blobs(struct pg_stmt *s)
{
	for (int i = 0; i < s->nblob; i++) {
		free(s->blob[i]);
		s->blob[i] = NULL;
	}
}

static void stmt_free(struct pg_stmt *s)
{
	drop_blobs(s);
	free(s->blob);
	free(s->blob_len);
	free(s->ftext);
	PQclear(s->res);
	for (int i = 0; i < s->nparams; i++)
		free(s->values[i]);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->types);
	free(s->sql);
	free(s);
}

/*
 * The parameter types: 0 lets PostgreSQL infer each from where it stands
 * (a column it is compared with or stored in, an operator's other side).
 * Where it cannot, the whole statement fails ("could not determine data
 * type of parameter $N"): a number the SQL skips (?2 without ?1, which
 * SQLite allows), and a parameter first met in ?N IS NULL, which
 * PostgreSQL types before it meets the later uses (?1 IS NULL OR x = ?1).
 * Those are text, the type of nearly every parameter the store tests so.
 */
static int param_arrays(struct pg_stmt *s, const unsigned char *used)
{
	int n = s->nparams ? s->nparams : 1;

	s->types = calloc((size_t)n, sizeof(*s->types));
	s->values = calloc((size_t)n, sizeof(*s->values));
	s->lengths = calloc((size_t)n, sizeof(*s->lengths));
	s->formats = calloc((size_t)n, sizeof(*s->formats));
	if (!s->types || !s->values || !s->lengths || !s->formats)
		return -1;
	for (int i = 0; i < s->nparams; i++)
		s->types[i] = used[i] == 1 ? 0 : OID_TEXT;
	return 0;
}

static int pg_prepare(struct db *db, const char *sql, int persistent,
		      struct db_stmt **out)
{
	struct pg_db *d = pdb(db);
	struct pg_stmt *s = calloc(1, sizeof(*s));
	unsigned char *used = NULL;

	if (!s)
		goto nomem;
	s->base.db = db;
	s->row = -1;
	s->ncols_prepared = -1;
	s->sql = translate(sql, &s->nparams, &used);
	if (!s->sql || param_arrays(s, used))
		goto nomem;
	free(used);
	used = NULL;
	if (persistent) {
		PGresult *res;

		flush_dead(d);
		snprintf(s->name, sizeof(s->name), "c%lu", ++d->next_name);
		res = PQprepare(d->conn, s->name, s->sql, s->nparams,
				s->types);
		if (!result_ok(d, res)) {
			PQclear(res);
			stmt_free(s);
			return -1;
		}
		PQclear(res);
	}
	s->next = d->stmts;
	if (d->stmts)
		d->stmts->pprev = &s->next;
	s->pprev = &d->stmts;
	d->stmts = s;
	*out = &s->base;
	return 0;
nomem:
	free(used);
	if (s)
		stmt_free(s);
	set_error(d, DB_E_OTHER, "out of memory");
	return -1;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);

	drop_blobs(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->done = 0;
}

static void pg_clear_bindings(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);

	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
}

/*
 * A named statement is DEALLOCATEd at the next moment the connection runs
 * something and can run that too (flush_dead: not inside a transaction an
 * error aborted). A failure to DEALLOCATE is ignored: the name is never
 * used again, and it goes with the connection.
 */
static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);
	struct pg_db *d = pdb(st->db);

	/* The name is deallocated when the connection is next used (and can
	 * run it: not inside a failed transaction); a connection closed
	 * first frees them all with it, with no round trip per statement. */
	if (s->name[0] && d->conn) {
		if (d->ndead == d->adead) {
			size_t n = d->adead ? 2 * d->adead : 8;
			char **t = realloc(d->dead, n * sizeof(*t));

			if (t) {
				d->dead = t;
				d->adead = n;
			}
		}
		if (d->ndead < d->adead) {
			char *name = strdup(s->name);

			if (name)
				d->dead[d->ndead++] = name;
		}
	}
	*s->pprev = s->next;
	if (s->next)
		s->next->pprev = s->pprev;
	stmt_free(s);
	if (d->closed && !d->stmts)
		pg_close(&d->base);
}

static int pg_stmt_busy(struct db_stmt *st)
{
	return pst(st)->res != NULL;
}

/* Keep a copy of N bytes at P as parameter I, in FORMAT (0 text, 1
 * binary). */
static int bind(struct db_stmt *st, int i, const void *p, size_t n,
		int format)
{
	struct pg_stmt *s = pst(st);
	char *copy;

	if (i < 1 || i > s->nparams) {
		set_error(pdb(st->db), DB_E_OTHER, "bind index out of range");
		return -1;
	}
	if (n > INT32_MAX || !(copy = malloc(n + 1))) {
		set_error(pdb(st->db), DB_E_OTHER, "out of memory");
		return -1;
	}
	memcpy(copy, p, n);
	copy[n] = '\0';
	free(s->values[i - 1]);
	s->values[i - 1] = copy;
	s->lengths[i - 1] = (int)n;
	s->formats[i - 1] = format;
	return 0;
}

static int pg_bind_text(struct db_stmt *st, int i, const char *t, int n)
{
	return bind(st, i, t, n < 0 ? strlen(t) : (size_t)n, 0);
}

static int pg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	char buf[24];

	return bind(st, i, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRId64,
						 v), 0);
}

static int pg_bind_double(struct db_stmt *st, int i, double v)
{
	char buf[32];

	return bind(st, i, buf, (size_t)snprintf(buf, sizeof(buf), "%.17g",
						 v), 0);
}

static int pg_bind_blob(struct db_stmt *st, int i, const void *p, int n)
{
	return bind(st, i, n ? p : "", n > 0 ? (size_t)n : 0, 1);
}

static int pg_bind_null(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pst(st);

	if (i < 1 || i > s->nparams) {
		set_error(pdb(st->db), DB_E_OTHER, "bind index out of range");
		return -1;
	}
	free(s->values[i - 1]);
	s->values[i - 1] = NULL;
	s->lengths[i - 1] = 0;
	s->formats[i - 1] = 0;
	return 0;
}

/* The types S is sent with when not prepared: a blob is sent as
 * bytea's binary form, say so, or PostgreSQL could read its bytes as some
 * other type's. NULL with no parameters, or out of memory (D's error). */
static Oid *send_types(struct pg_db *d, struct pg_stmt *s, int *failed)
{
	Oid *types;

	*failed = 0;
	if (!s->nparams)
		return NULL;
	types = malloc((size_t)s->nparams * sizeof(*types));
	if (!types) {
		set_error(d, DB_E_OTHER, "out of memory");
		*failed = 1;
		return NULL;
	}
	for (int i = 0; i < s->nparams; i++)
		types[i] = s->formats[i] ? OID_BYTEA : s->types[i];
	return types;
}

#define READ_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

/*
 * A read's BEGIN and its first statement S in one round trip, in libpq's
 * pipeline mode: S's answer, or NULL with D's error (a failed BEGIN's
 * or S's own). Most of a read is one statement or two, so the BEGIN that
 * waited for its first (pg_begin_read) would be a round trip of its own.
 */
static PGresult *begin_and_send(struct pg_db *d, struct pg_stmt *s,
				const Oid *types)
{
	const char *const *values = (const char *const *)s->values;
	PGconn *c = d->conn;
	PGresult *first[2] = { NULL, NULL }, *res;
	int sent;

	if (PQenterPipelineMode(c) != 1) {	/* one after the other */
		if (run(d, READ_BEGIN))
			return NULL;
		d->reading = 1;
		return s->name[0] ?
		       PQexecPrepared(c, s->name, s->nparams, values, s->lengths,
				      s->formats, 0) :
		       PQexecParams(c, s->sql, s->nparams, types, values,
				    s->lengths, s->formats, 0);
	}
	sent = PQsendQueryParams(c, READ_BEGIN, 0, NULL, NULL, NULL, NULL, 0) &&
	       (s->name[0] ?
		PQsendQueryPrepared(c, s->name, s->nparams, values, s->lengths,
				    s->formats, 0) :
		PQsendQueryParams(c, s->sql, s->nparams, types, values,
				  s->lengths, s->formats, 0));
	if (!PQpipelineSync(c))
		sent = 0;
	/* Each query's answer, then NULL; then the sync's. */
	for (int q = 0; sent && q < 2; q++)
		while ((res = PQgetResult(c))) {
			if (!first[q])
				first[q] = res;
			else
				PQclear(res);
		}
	while (sent && (res = PQgetResult(c))) {
		ExecStatusType st = PQresultStatus(res);

		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	PQexitPipelineMode(c);
	if (!sent) {
		PQclear(first[0]);
		PQclear(first[1]);
		set_error(d, DB_E_IO, PQerrorMessage(c));
		return NULL;
	}
	d->reading = 1;
	if (!result_ok(d, first[0])) {
		PQclear(first[0]);
		PQclear(first[1]);
		return NULL;
	}
	PQclear(first[0]);
	return first[1];
}

/* Run S with its bindings: its answer is S->res, or -1 with D's error. */
static int execute(struct pg_stmt *s)
{
	struct pg_db *d = pdb(s->base.db);
	const char *const *values = (const char *const *)s->values;
	Oid *types = NULL;
	PGresult *res;
	int failed;

	flush_dead(d);
	if (!s->name[0] && (types = send_types(d, s, &failed), failed))
		return -1;
	if (d->read_pending) {
		d->read_pending = 0;
		res = begin_and_send(d, s, types);
		free(types);
		if (!res)
			return -1;
	} else if (s->name[0]) {
		res = PQexecPrepared(d->conn, s->name, s->nparams, values,
				     s->lengths, s->formats, 0);
	} else {
		res = PQexecParams(d->conn, s->sql, s->nparams, types, values,
				   s->lengths, s->formats, 0);
		free(types);
	}
	if (!result_ok(d, res)) {
		PQclear(res);
		return -1;
	}
	note_command(d, res);
	s->res = res;
	return 0;
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);

	/* After DB_DONE a step runs the statement again, as SQLite's. */
	if (s->done)
		pg_reset(st);
	if (!s->res && execute(s))
		return DB_ERROR;
	drop_blobs(s);
	if (++s->row < PQntuples(s->res))
		return DB_ROW;
	s->done = 1;
	return DB_DONE;
}

/* ==== Columns =========================================================== */

/* Is there a value at column I of the current row? */
static int have(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < PQntuples(s->res) &&
	       i >= 0 && i < PQnfields(s->res);
}

static int pg_column_count(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);
	struct pg_db *d = pdb(st->db);

	if (s->res)
		return PQnfields(s->res);
	if (s->ncols_prepared < 0 && s->name[0]) {
		PGresult *res = PQdescribePrepared(d->conn, s->name);

		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			s->ncols_prepared = PQnfields(res);
		PQclear(res);
	}
	return s->ncols_prepared > 0 ? s->ncols_prepared : 0;
}

static const char *pg_column_name(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pst(st);

	return s->res && i < PQnfields(s->res) ? PQfname(s->res, i) : NULL;
}

/* An identity does not follow the ids written into it, as a rowid does:
 * each is set past the largest id its table holds. */
static int pg_ids_follow(struct db *d)
{
	return d->drv->exec(d, "DO $$ DECLARE c record; BEGIN FOR c IN"
		" SELECT table_name AS t, column_name AS col FROM"
		" information_schema.columns WHERE table_schema = current_schema()"
		" AND is_identity = 'YES' LOOP EXECUTE format('SELECT setval("
		"pg_get_serial_sequence(%L, %L), coalesce((SELECT max(%I) FROM %I),"
		" 0) + 1, false)', c.t, c.col, c.col, c.t); END LOOP; END $$");
}

static enum db_type pg_column_type(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pst(st);

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return DB_NULL;
	switch (PQftype(s->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DB_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return DB_FLOAT;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes of bytea column I of the current row (hex output, which
 * pg_open asked for), decoded once into S's buffer; NULL out of memory. */
static const unsigned char *bytea(struct pg_stmt *s, int i, size_t *len)
{
	const char *text = PQgetvalue(s->res, s->row, i);
	size_t n = (size_t)PQgetlength(s->res, s->row, i), o = 0;
	unsigned char *out;

	if (s->nblob < PQnfields(s->res)) {
		int want = PQnfields(s->res);
		unsigned char **b = realloc(s->blob, (size_t)want * sizeof(*b));
		size_t *l;

		if (!b)
			return NULL;
		s->blob = b;
		l = realloc(s->blob_len, (size_t)want * sizeof(*l));
		if (!l)
			return NULL;
		s->blob_len = l;
		for (int k = s->nblob; k < want; k++)
			s->blob[k] = NULL;
		s->nblob = want;
	}
	if (s->blob[i]) {
		*len = s->blob_len[i];
		return s->blob[i];
	}
	if (n >= 2 && text[0] == '\\' && text[1] == 'x') {
		text += 2;
		n -= 2;
	}
	out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (size_t k = 0; k + 1 < n; k += 2) {
		int hi = unhex(text[k]), lo = unhex(text[k + 1]);

		if (hi < 0 || lo < 0)
			break;
		out[o++] = (unsigned char)(hi << 4 | lo);
	}
	out[o] = '\0';
	s->blob[i] = out;
	s->blob_len[i] = o;
	*len = o;
	return out;
}

/* Column I, a float, as SQLite gives a REAL as text ("%!.15g": 18.0,
 * not PostgreSQL's 18), so that a value reads alike on both engines. */
static const char *float_text(struct pg_stmt *s, int i)
{
	const char *v = PQgetvalue(s->res, s->row, i);
	int n = PQnfields(s->res);
	char *out;

	if (s->nftext < n) {
		char (*more)[32] = realloc(s->ftext, (size_t)n * sizeof(*more));

		if (!more)
			return v;
		s->ftext = more;
		s->nftext = n;
	}
	out = s->ftext[i];
	snprintf(out, 32, "%.15g", strtod(v, NULL));
	if (!strpbrk(out, ".eEin") && strlen(out) < 29)	/* not inf, nan */
		memcpy(out + strlen(out), ".0", 3);
	return out;
}

static const char *pg_column_text(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pst(st);
	size_t len;

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return NULL;
	switch (PQftype(s->res, i)) {
	case OID_BOOL:
		return *PQgetvalue(s->res, s->row, i) == 't' ? "1" : "0";
	case OID_BYTEA:
		return (const char *)bytea(s, i, &len);
	case OID_FLOAT4:
	case OID_FLOAT8:
		return float_text(s, i);
	default:
		return PQgetvalue(s->res, s->row, i);
	}
}

static int64_t pg_column_int64(struct db_stmt *st, int i)
{
	const char *t = pg_column_text(st, i);

	return t ? strtoll(t, NULL, 10) : 0;
}

static double pg_column_double(struct db_stmt *st, int i)
{
	const char *t = pg_column_text(st, i);

	return t ? strtod(t, NULL) : 0.0;
}

static const void *pg_column_blob(struct db_stmt *st, int i)
{
	return pg_column_text(st, i);
}

static int pg_column_bytes(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pst(st);
	size_t len = 0;

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return 0;
	switch (PQftype(s->res, i)) {
	case OID_BOOL:
		return 1;
	case OID_BYTEA:
		return bytea(s, i, &len) ? (int)len : 0;
	default:
		return PQgetlength(s->res, s->row, i);
	}
}

/* ==== The connection's state ============================================ */

/* An INSERT here says its row's id with RETURNING (db_returning_id):
 * one that gave no row inserted none. */
static int pg_inserted_id(struct db *db, int64_t *id)
{
	(void)db;
	(void)id;
	return 0;
}

static int pg_changes(struct db *db)
{
	return pdb(db)->changes;
}

static const char *pg_errmsg(struct db *db)
{
	struct pg_db *d = pdb(db);

	if (d->errmsg)
		return d->errmsg;
	return d->errkind == DB_OK ? "not an error" : "out of memory";
}

static enum db_err pg_errkind(struct db *db)
{
	return pdb(db)->errkind;
}

static int pg_in_tx(struct db *db)
{
	struct pg_db *d = pdb(db);

	return d->read_pending || (!d->commit_pending &&
				   PQtransactionStatus(d->conn) != PQTRANS_IDLE);
}

/* ==== Transactions ====================================================== */

/*
 * BEGIN, then the write lock (WRITE_LOCK_KEY), waiting for it no longer
 * than the busy timeout: a writer that holds it past that makes this one
 * fail busy, as SQLite's BEGIN IMMEDIATE does. The wait is lock_timeout,
 * SET LOCAL so that it ends with the transaction, and it bounds the
 * transaction's other lock waits too, as SQLite's busy timeout does. A
 * busy timeout of 0 is SQLite's "do not wait", and PostgreSQL's 0 would
 * be "forever": it waits 1 ms.
 *
 * READ COMMITTED, whatever the server's default, because every statement
 * after the lock must see what the writer before committed; a REPEATABLE
 * READ snapshot would be taken at the lock's own SELECT, before the wait.
 */
static int pg_begin_write(struct db *db, int checked)
{
	struct pg_db *d = pdb(db);
	int ms = d->busy_ms > 0 ? d->busy_ms : 1;
	char sql[256];

	flush_dead(d);
	d->read_pending = 0;
	d->reading = 0;
	snprintf(sql, sizeof(sql),
		 "BEGIN ISOLATION LEVEL READ COMMITTED; "
		 "SET LOCAL lock_timeout = '%dms'; "
		 "SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")%s",
		 ms, checked ? "; SET CONSTRAINTS ALL DEFERRED" : "");
	if (!run(d, sql))
		return 0;
	if (PQtransactionStatus(d->conn) != PQTRANS_IDLE)
		PQclear(PQexec(d->conn, "ROLLBACK"));
	if (d->errkind == DB_E_BUSY) {
		char msg[160];

		snprintf(msg, sizeof(msg), "the database is busy: another "
			 "connection has held its write lock for longer than "
			 "%d ms", ms);
		set_error(d, DB_E_BUSY, msg);
	}
	return -1;
}

/*
 * One snapshot, taken at the first statement, until db_commit(). The
 * BEGIN itself waits for that statement, as SQLite's deferred BEGIN does:
 * a request that reads nothing (/healthz, the interface's files) costs
 * the server no round trip, where BEGIN and COMMIT would be two.
 */
static int pg_begin_read(struct db *db)
{
	struct pg_db *d = pdb(db);

	flush_dead(d);
	d->read_pending = 1;
	return 0;
}

static int begin_pending(struct pg_db *d)
{
	if (!d->read_pending)
		return 0;
	d->read_pending = 0;
	d->reading = 1;
	return run(d, READ_BEGIN);
}

/* COMMIT of a transaction an error aborted succeeds as a ROLLBACK: that
 * is a failure here, with the error that aborted it. */
static int pg_commit(struct db *db)
{
	struct pg_db *d = pdb(db);
	PGresult *res;
	int ok;

	if (d->read_pending) {		/* a read that read nothing */
		d->read_pending = 0;
		return 0;
	}
	settle(d);
	/* A read that read without error has nothing to lose at its
	 * COMMIT: it is sent and the answer read later (settle), sparing
	 * the request the round trip. */
	if (d->reading && PQtransactionStatus(d->conn) == PQTRANS_INTRANS) {
		d->reading = 0;
		if (PQsendQuery(d->conn, "COMMIT")) {
			d->commit_pending = 1;
			return 0;
		}
	}
	d->reading = 0;
	res = PQexec(d->conn, "COMMIT");
	ok = result_ok(d, res);

	if (ok && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
		static const char aborted[] = "the transaction was aborted by "
					      "an earlier error: ";
		const char *why = d->errmsg;
		char msg[1200];

		if (why && !strncmp(why, aborted, sizeof(aborted) - 1))
			why += sizeof(aborted) - 1;
		snprintf(msg, sizeof(msg), "the transaction was rolled back, "
			 "as a statement in it had failed%s%s",
			 why ? ": " : "", why ? why : "");
		set_error(d, d->errkind == DB_OK ? DB_E_OTHER : d->errkind,
			  msg);
		ok = 0;
	}
	PQclear(res);
	flush_dead(d);
	return ok ? 0 : -1;
}

static void pg_rollback(struct db *db)
{
	struct pg_db *d = pdb(db);

	d->read_pending = 0;
	d->reading = 0;
	settle(d);
	if (PQtransactionStatus(d->conn) != PQTRANS_IDLE)
		PQclear(PQexec(d->conn, "ROLLBACK"));
	flush_dead(d);
}

static void pg_reset_all(struct db *db)
{
	for (struct pg_stmt *s = pdb(db)->stmts; s; s = s->next)
		if (s->res)
			pg_reset(&s->base);
}

static void pg_busy_timeout(struct db *db, int ms)
{
	pdb(db)->busy_ms = ms;
}

/* ==== Schema ============================================================ */

/* The one integer SQL answers, or -1 with D's error (or none, when the
 * answer is not one value). */
static int one_int(struct pg_db *d, const char *sql, long long *v)
{
	PGresult *res;
	int ok;

	settle(d);
	res = PQexec(d->conn, sql);
	ok = result_ok(d, res) && PQntuples(res) == 1 && PQnfields(res) == 1;

	if (ok)
		*v = PQgetisnull(res, 0, 0) ? 0 :
		     strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ok ? 0 : -1;
}

/* PostgreSQL has no user_version: migration 1 makes the one-row table
 * cadre_schema; before it, the version is 0. Asked so that nothing fails
 * (which would abort a transaction around it). */
static int pg_schema_version(struct db *db)
{
	struct pg_db *d = pdb(db);
	long long have = 0, v = 0;

	if (one_int(d, "SELECT (to_regclass('cadre_schema') IS NOT NULL)"
		    "::int", &have))
		return -1;
	if (!have)
		return 0;
	if (one_int(d, "SELECT version FROM cadre_schema", &v))
		return -1;
	return v < 0 || v > 1000000 ? -1 : (int)v;
}

static int pg_set_schema_version(struct db *db, int v)
{
	struct pg_db *d = pdb(db);
	char buf[16];
	const char *values[1] = { buf };
	PGresult *res;
	int ok;

	snprintf(buf, sizeof(buf), "%d", v);
	settle(d);
	res = PQexecParams(d->conn, "UPDATE cadre_schema SET version = $1",
			   1, NULL, values, NULL, NULL, 0);
	ok = result_ok(d, res);
	PQclear(res);
	return ok ? 0 : -1;
}

static const char *pg_file(struct db *db)
{
	return NULL;
}

/* Search: the tsvector document migration 7 keeps per trainee, against
 * a tsquery of the words typed, folded as the document is (unaccent, the
 * 'simple' configuration's lower case). */
static void pg_match_sql(struct buf *b, int n)
{
	buf_addf(b, "t.id IN (SELECT id FROM trainee_fts WHERE document @@"
		 " to_tsquery('simple', unaccent(?%d)))", n);
}

/* Each word a quoted prefix, all required: 'al':* & '12':*. Words are
 * split at spaces and punctuation, as FTS5's unicode61 splits them, and
 * a quote is never part of one, so nothing typed is tsquery syntax. */
static char *pg_match_text(const char *typed)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)typed;
	char *out;

	while (*p) {
		while (*p && (isspace(*p) || ispunct(*p)))
			p++;
		if (!*p)
			break;
		buf_adds(&b, b.len ? " & '" : "'");
		for (; *p && !isspace(*p) && !ispunct(*p); p++)
			buf_add(&b, (const char *)p, 1);
		buf_adds(&b, "':*");
	}
	out = b.failed ? NULL : strdup(b.len ? buf_str(&b) : "");
	buf_release(&b);
	return out;
}

const struct db_driver db_pg_driver = {
	.engine = DB_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.stmt_busy = pg_stmt_busy,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_text = pg_column_text,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.changes = pg_changes,
	.returning_id = " RETURNING id",
	.inserted_id = pg_inserted_id,
	.errmsg = pg_errmsg,
	.errkind = pg_errkind,
	.in_tx = pg_in_tx,
	.begin_write = pg_begin_write,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.reset_all = pg_reset_all,
	.busy_timeout = pg_busy_timeout,
	.schema_version = pg_schema_version,
	.set_schema_version = pg_set_schema_version,
	.migrations = store_migrations_pg,
	.file = pg_file,
	.tables_sql = "SELECT table_name FROM information_schema.tables WHERE"
		      " table_schema = current_schema() AND table_type ="
		      " 'BASE TABLE' AND table_name NOT IN ('cadre_schema',"
		      " 'trainee_fts') ORDER BY table_name",
	.ids_follow = pg_ids_follow,
	.match_sql = pg_match_sql,
	.match_text = pg_match_text,
};
