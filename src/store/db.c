/* db.h's calls, through the driver of each connection. */
#include "store/db_int.h"

#include <string.h>

#include "util/embed.h"

enum db_engine db_engine_of(const char *target)
{
	if (!strncmp(target, "postgresql://", 13) ||
	    !strncmp(target, "postgres://", 11) ||
	    !strncmp(target, "postgresql:", 11))
		return DB_POSTGRES;
	return DB_SQLITE;
}

int db_open(const char *target, int flags, struct db **out, struct error *e)
{
	const struct db_driver *drv = db_engine_of(target) == DB_POSTGRES ?
				      &db_pg_driver : &db_sqlite_driver;

	*out = NULL;
	if (drv == &db_sqlite_driver && !strncmp(target, "sqlite:", 7))
		target += 7;
	return drv->open(target, flags, out, e);
}

void db_close(struct db *d)
{
	if (d)
		d->drv->close(d);
}

enum db_engine db_engine(const struct db *d)
{
	return d->drv->engine;
}

int db_exec(struct db *d, const char *sql)
{
	return d->drv->exec(d, sql);
}

int db_prepare(struct db *d, const char *sql, int persistent,
	       struct db_stmt **out)
{
	*out = NULL;
	return d->drv->prepare(d, sql, persistent, out);
}

int db_step(struct db_stmt *st)
{
	return st->db->drv->step(st);
}

void db_reset(struct db_stmt *st)
{
	if (st)
		st->db->drv->reset(st);
}

void db_clear_bindings(struct db_stmt *st)
{
	st->db->drv->clear_bindings(st);
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->db->drv->finalize(st);
}

int db_stmt_busy(struct db_stmt *st)
{
	return st->db->drv->stmt_busy(st);
}

int db_bind_text(struct db_stmt *st, int i, const char *text, int n)
{
	if (!text)
		return st->db->drv->bind_null(st, i);
	return st->db->drv->bind_text(st, i, text, n);
}

int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return st->db->drv->bind_int64(st, i, v);
}

int db_bind_double(struct db_stmt *st, int i, double v)
{
	return st->db->drv->bind_double(st, i, v);
}

int db_bind_blob(struct db_stmt *st, int i, const void *p, int n)
{
	return st->db->drv->bind_blob(st, i, p, n);
}

int db_bind_null(struct db_stmt *st, int i)
{
	return st->db->drv->bind_null(st, i);
}

int db_column_count(struct db_stmt *st)
{
	return st->db->drv->column_count(st);
}

const char *db_column_name(struct db_stmt *st, int i)
{
	return st->db->drv->column_name(st, i);
}

enum db_type db_column_type(struct db_stmt *st, int i)
{
	return st->db->drv->column_type(st, i);
}

const char *db_column_text(struct db_stmt *st, int i)
{
	return st->db->drv->column_text(st, i);
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
	return st->db->drv->column_int64(st, i);
}

int db_column_int(struct db_stmt *st, int i)
{
	return (int)st->db->drv->column_int64(st, i);
}

double db_column_double(struct db_stmt *st, int i)
{
	return st->db->drv->column_double(st, i);
}

const void *db_column_blob(struct db_stmt *st, int i)
{
	return st->db->drv->column_blob(st, i);
}

int db_column_bytes(struct db_stmt *st, int i)
{
	return st->db->drv->column_bytes(st, i);
}

int db_changes(struct db *d)
{
	return d->drv->changes(d);
}

const char *db_returning_id(struct db *d)
{
	return d->drv->returning_id;
}

int db_inserted_id(struct db *d, int64_t *id)
{
	return d->drv->inserted_id(d, id);
}

const char *db_errmsg(struct db *d)
{
	return d ? d->drv->errmsg(d) : "no database";
}

enum db_err db_errkind(struct db *d)
{
	return d ? d->drv->errkind(d) : DB_E_OTHER;
}

int db_in_tx(struct db *d)
{
	return d->drv->in_tx(d);
}

int db_begin_write(struct db *d, int checked)
{
	return d->drv->begin_write(d, checked);
}

int db_begin_read(struct db *d)
{
	return d->drv->begin_read(d);
}

int db_commit(struct db *d)
{
	return d->drv->commit(d);
}

void db_rollback(struct db *d)
{
	d->drv->rollback(d);
}

void db_reset_all(struct db *d)
{
	d->drv->reset_all(d);
}

void db_busy_timeout(struct db *d, int ms)
{
	d->drv->busy_timeout(d, ms);
}

int db_schema_version(struct db *d)
{
	return d->drv->schema_version(d);
}

int db_set_schema_version(struct db *d, int v)
{
	return d->drv->set_schema_version(d, v);
}

const struct embedded_file *db_migrations(const struct db *d)
{
	return d->drv->migrations;
}

const char *db_file(struct db *d)
{
	return d->drv->file(d);
}

void db_match_sql(struct db *d, struct buf *b, int n)
{
	d->drv->match_sql(b, n);
}

char *db_match_text(struct db *d, const char *typed)
{
	return d->drv->match_text(typed);
}

const char *db_tables_sql(struct db *d)
{
	return d->drv->tables_sql;
}

int db_ids_follow(struct db *d)
{
	return d->drv->ids_follow(d);
}
