/* Shared fixtures of the unit tests: scratch databases and small records. */
#ifndef CADRE_TEST_HELPERS_H
#define CADRE_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "model/kind.h"
#include "store/db_sqlite.h"
#include "store/store_int.h"	/* white-box: the connection */

/* The SQLite connection under the store S, to look at and tamper with. */
static inline sqlite3 *test_sqlite(struct store *s)
{
	return db_sqlite_handle(store_db(s));
}

/* A fresh database path in a new temporary directory. */
/* The integer a one-row, one-column query answers (0 when none). */
static inline long long sql_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long v = 0;

	cr_assert_eq(sqlite3_prepare_v2(test_sqlite(s), sql, -1, &st, NULL),
		     SQLITE_OK, "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#define SCRATCH_MAX 16
static char scratch_dirs[SCRATCH_MAX][64];
static int nscratch;

/* The test's scratch directories, removed as its process ends (each
 * Criterion test runs in a process of its own); one a test crashed in
 * is left to look at. Their files are flat: the database, its WAL, its
 * key and head, what a test wrote beside them. */
static inline void scratch_clean(void)
{
	while (nscratch > 0) {
		const char *dir = scratch_dirs[--nscratch];
		DIR *d = opendir(dir);
		struct dirent *de;
		char path[64 + 256 + 2];

		while (d && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
				unlink(path);
			}
		if (d)
			closedir(d);
		rmdir(dir);
	}
}

static inline char *scratch_db(void)
{
	char *dir, *path = malloc(96);

	cr_assert(path && nscratch < SCRATCH_MAX, "scratch_db");
	dir = scratch_dirs[nscratch];
	snprintf(dir, 64, "/tmp/cadre-unit-XXXXXX");
	cr_assert(mkdtemp(dir), "mkdtemp");
	if (!nscratch++)
		atexit(scratch_clean);
	snprintf(path, 96, "%s/t.db", dir);
	return path;
}

static inline struct store *open_scratch(char **path_out)
{
	struct store *s = NULL;
	struct error e;
	char *path = scratch_db();

	error_init(&e);
	cr_assert_eq(store_open(path, &s, &e), 0, "open: %s", e.message);
	store_set_actor(s, "tester");
	error_release(&e);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return s;
}

/* Put a record of KIND from NAME, VALUE pairs (NULL-terminated) in its own
 * transaction, without validation. */
static inline void put_raw(struct store *s, const char *kind, ...)
{
	const struct kind *k = kind_find(kind);
	struct record r;
	enum put_result res;
	struct error e;
	const char *name;
	va_list ap;

	error_init(&e);
	cr_assert_eq(record_init(&r, k), 0);
	va_start(ap, kind);
	while ((name = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		int i = kind_field_index(k, name);

		cr_assert_geq(i, 0, "no field %s", name);
		record_set(&r, (size_t)i, v);
	}
	va_end(ap);
	for (size_t i = 0; i < k->nfields; i++)
		if (!r.v[i] && k->fields[i].def)
			record_set(&r, i, k->fields[i].def);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_put(s, &r, &res, &e), 0, "put: %s", e.message);
	cr_assert_eq(store_commit(s, &e), 0);
	record_release(&r);
	error_release(&e);
}

/* A nation CODE (named CODE) put in the transaction open on S. */
static inline void put_in_tx(struct store *s, const char *code)
{
	const struct kind *k = kind_find("nations");
	struct record r;
	enum put_result res;
	struct error e;

	error_init(&e);
	cr_assert_eq(record_init(&r, k), 0);
	record_set(&r, (size_t)kind_field_index(k, "code"), code);
	record_set(&r, (size_t)kind_field_index(k, "name"), code);
	for (size_t i = 0; i < k->nfields; i++)
		if (!r.v[i] && k->fields[i].def)
			record_set(&r, i, k->fields[i].def);
	cr_assert_eq(store_put(s, &r, &res, &e), 0, "put: %s", e.message);
	record_release(&r);
	error_release(&e);
}

#endif
