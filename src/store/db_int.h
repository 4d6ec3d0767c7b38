/*
 * Inside db.h: what an engine's driver provides. db.c calls through the
 * driver of the connection; each driver's struct db and struct db_stmt
 * begin with the common parts below, so the pointers convert.
 */
#ifndef CADRE_STORE_DB_INT_H
#define CADRE_STORE_DB_INT_H

#include "store/db.h"

struct db_driver {
	enum db_engine engine;
	int (*open)(const char *target, int flags, struct db **out,
		    struct error *e);
	void (*close)(struct db *d);
	int (*exec)(struct db *d, const char *sql);
	int (*prepare)(struct db *d, const char *sql, int persistent,
		       struct db_stmt **out);
	int (*step)(struct db_stmt *st);
	void (*reset)(struct db_stmt *st);
	void (*clear_bindings)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	int (*stmt_busy)(struct db_stmt *st);
	int (*bind_text)(struct db_stmt *st, int i, const char *t, int n);
	int (*bind_int64)(struct db_stmt *st, int i, int64_t v);
	int (*bind_double)(struct db_stmt *st, int i, double v);
	int (*bind_blob)(struct db_stmt *st, int i, const void *p, int n);
	int (*bind_null)(struct db_stmt *st, int i);
	int (*column_count)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int i);
	enum db_type (*column_type)(struct db_stmt *st, int i);
	const char *(*column_text)(struct db_stmt *st, int i);
	int64_t (*column_int64)(struct db_stmt *st, int i);
	double (*column_double)(struct db_stmt *st, int i);
	const void *(*column_blob)(struct db_stmt *st, int i);
	int (*column_bytes)(struct db_stmt *st, int i);
	int (*changes)(struct db *d);
	const char *returning_id;	/* db_returning_id() */
	int (*inserted_id)(struct db *d, int64_t *id);
	const char *(*errmsg)(struct db *d);
	enum db_err (*errkind)(struct db *d);
	int (*in_tx)(struct db *d);
	int (*begin_write)(struct db *d, int checked);
	int (*begin_read)(struct db *d);
	int (*commit)(struct db *d);
	void (*rollback)(struct db *d);
	void (*reset_all)(struct db *d);
	void (*busy_timeout)(struct db *d, int ms);
	int (*schema_version)(struct db *d);
	int (*set_schema_version)(struct db *d, int v);
	const struct embedded_file *migrations;
	const char *(*file)(struct db *d);
	const char *tables_sql;
	int (*ids_follow)(struct db *d);
	void (*match_sql)(struct buf *b, int n);
	char *(*match_text)(const char *typed);
};

/* The first member of every driver's connection. */
struct db {
	const struct db_driver *drv;
};

/* The first member of every driver's statement. */
struct db_stmt {
	struct db *db;
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

#endif
