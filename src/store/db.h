/*
 * The store's connection to its database engine: SQLite (db_sqlite.c) or
 * PostgreSQL (db_pg.c), behind one small interface shaped like SQLite's
 * own, so that the store's modules hold one SQL for both engines.
 *
 * What the interface fixes, whichever engine answers:
 * - Parameters are written ?1, ?2, ... (or ?) in the SQL and bound by
 *   number from 1; a text, an integer, a double, a blob or NULL.
 * - A statement is stepped: DB_ROW per row, then DB_DONE; DB_ERROR with
 *   the connection's error (db_errmsg(), db_errkind()) on failure.
 * - Columns are read by number from 0 as text (NULL for SQL NULL; a
 *   boolean reads "1" or "0", as SQLite gives it), integer, double or
 *   blob; a column's text or blob stays valid until the next step,
 *   reset or finalize of its statement.
 * - Transactions are begun by what they are for (a write, with the
 *   database's one write lock; a read, one snapshot), not by SQL.
 *
 * What differs between the engines lives in the driver and in its own
 * migrations (the PostgreSQL files define the few SQLite functions the
 * shared SQL uses); the store asks db_engine() only where a feature
 * exists on one engine alone (SQLite's backup API, its pragmas).
 */
#ifndef CADRE_STORE_DB_H
#define CADRE_STORE_DB_H

#include <stdint.h>

#include "util/error.h"

struct db;
struct db_stmt;

enum db_engine { DB_SQLITE, DB_POSTGRES };

/* db_step()'s answers. */
enum { DB_ERROR = -1, DB_ROW = 100, DB_DONE = 101 };

/* A column's type, as db_column_type() tells it. */
enum db_type { DB_NULL, DB_INTEGER, DB_FLOAT, DB_TEXT, DB_BLOB };

/* What a failure was, for what the user can do about it. */
enum db_err {
	DB_OK,
	DB_E_BUSY,		/* another connection holds the lock */
	DB_E_FULL,		/* the disk is full */
	DB_E_IO,		/* the disk or the link failed */
	DB_E_READONLY,		/* the database takes no writes (a replica) */
	DB_E_CONSTRAINT,	/* a key, a CHECK or a NOT NULL refused */
	DB_E_OTHER
};

/* How db_open() opens. */
enum {
	DB_OPEN_CREATE = 1,	/* create the database when absent (SQLite) */
	DB_OPEN_READER = 2	/* only to read, never written through */
};

/* Which engine TARGET names: a postgresql:// or postgres:// URL, or a
 * "postgresql:" connection string, is PostgreSQL; "sqlite:PATH" and any
 * other PATH are SQLite. */
enum db_engine db_engine_of(const char *target);

/* Open TARGET (a file path, sqlite:PATH, or a PostgreSQL connection URL)
 * with FLAGS. On failure *OUT is NULL and E says why. */
int db_open(const char *target, int flags, struct db **out, struct error *e);
void db_close(struct db *d);		/* accepts NULL */

enum db_engine db_engine(const struct db *d);

/* Run SQL, one statement or several, without parameters or rows. 0, or
 * -1 with the connection's error. */
int db_exec(struct db *d, const char *sql);

/* Prepare SQL; PERSISTENT when it will be kept and run many times. 0, or
 * -1 with the connection's error. */
int db_prepare(struct db *d, const char *sql, int persistent,
	       struct db_stmt **out);
int db_step(struct db_stmt *st);
void db_reset(struct db_stmt *st);	/* NULL-safe; bindings stay */
void db_clear_bindings(struct db_stmt *st);
void db_finalize(struct db_stmt *st);	/* NULL-safe */
/* Is ST between its first step and its reset (rows still to read)? */
int db_stmt_busy(struct db_stmt *st);

/* Bind parameter I (from 1). The value is copied where the engine needs
 * it to be. 0, or -1 out of memory. N < 0: TEXT up to its NUL. */
int db_bind_text(struct db_stmt *st, int i, const char *text, int n);
int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_double(struct db_stmt *st, int i, double v);
int db_bind_blob(struct db_stmt *st, int i, const void *p, int n);
int db_bind_null(struct db_stmt *st, int i);

int db_column_count(struct db_stmt *st);
/* Column I's name, once a row has been stepped to. */
const char *db_column_name(struct db_stmt *st, int i);
enum db_type db_column_type(struct db_stmt *st, int i);
const char *db_column_text(struct db_stmt *st, int i);	/* NULL: NULL */
int64_t db_column_int64(struct db_stmt *st, int i);	/* 0: NULL */
int db_column_int(struct db_stmt *st, int i);
double db_column_double(struct db_stmt *st, int i);
const void *db_column_blob(struct db_stmt *st, int i);
int db_column_bytes(struct db_stmt *st, int i);

/* Rows the last INSERT, UPDATE or DELETE of D changed. */
int db_changes(struct db *d);

/*
 * The id of an INSERT's new row, in each engine's cheapest way. The
 * INSERT ends with db_returning_id(D): " RETURNING id" on PostgreSQL,
 * whose client has no other way to hear it without a second round trip;
 * "" on SQLite, which keeps the last row id and whose RETURNING costs a
 * third of an insert. Stepped, the INSERT gives a row (its id in column
 * 0) where it returns one; where it gives none, db_inserted_id() says
 * whether it inserted one (1, *ID) or not (0: ON CONFLICT DO NOTHING).
 */
const char *db_returning_id(struct db *d);
int db_inserted_id(struct db *d, int64_t *id);

const char *db_errmsg(struct db *d);
enum db_err db_errkind(struct db *d);

/* Is a transaction open on D? */
int db_in_tx(struct db *d);

/* Begin a write: the database's write lock is taken now, not at the
 * first write (SQLite's BEGIN IMMEDIATE; on PostgreSQL a transaction
 * lock every writer of the database takes first), so that writes are one
 * after another, whichever process makes them. CHECKED: the transaction's
 * references were all checked by the store already; the engine need not
 * check them at each row again (it may check them once, at commit). */
int db_begin_write(struct db *d, int checked);
/* Begin a read: every statement until db_commit() sees one snapshot. */
int db_begin_read(struct db *d);
int db_commit(struct db *d);
void db_rollback(struct db *d);		/* safe when no transaction */
/* Reset every statement of D that is still being stepped. */
void db_reset_all(struct db *d);

/* How long a statement waits for a lock another connection holds before
 * it fails busy. */
void db_busy_timeout(struct db *d, int ms);

/* The schema version the database is at (0 for a new one), or -1. */
int db_schema_version(struct db *d);
/* Inside a migration's transaction: the database is now at V. */
int db_set_schema_version(struct db *d, int v);

struct embedded_file;
/* The engine's migrations, in order, ending with a NULL name. */
const struct embedded_file *db_migrations(const struct db *d);

struct buf;
/* Full-text search of trainees, which each engine does its own way:
 * append to B the condition that trainee t holds every word of the text
 * bound as parameter N, and make that text (malloc'd; NULL out of
 * memory) from what a user typed, read as words and never as the
 * engine's query syntax. Nothing typed matches nothing. */
void db_match_sql(struct db *d, struct buf *b, int n);
char *db_match_text(struct db *d, const char *typed);

/* A query whose rows name every table of the mission's schema that a
 * copy of the database carries over: not the engine's own, nor the
 * search index its triggers keep (trainee_fts), nor the schema's version. */
const char *db_tables_sql(struct db *d);
/* After rows were written with ids of their own (a copy): make the ids
 * the engine picks next follow them. 0, or -1 with the error. */
int db_ids_follow(struct db *d);

/* The file the database is in (SQLite), or NULL. */
const char *db_file(struct db *d);

#endif
