/* Hand-written queries of the layers above, run and returned as JSON. */
#include "store/store_int.h"

#include <jansson.h>

static int bind_all(sqlite3_stmt *st, const char *const *params, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sqlite3_bind_text(st, (int)i + 1, params[i], -1,
				      SQLITE_TRANSIENT))
			return -1;
	return 0;
}

int store_rows(struct store *s, const char *sql, const char *const *params,
	       size_t nparams, json_t **out, struct error *e)
{
	sqlite3_stmt *st = NULL;
	json_t *rows = json_array();
	int rc;

	*out = NULL;
	if (!rows)
		return error_set(e, ERR_NOMEM, "out of memory");
	if (store_stmt(s, sql, &st, e))
		goto fail;
	if (bind_all(st, params, nparams)) {
		store_fail(s, e, "binding a query");
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		int n = sqlite3_column_count(st);

		for (int c = 0; c < n; c++) {
			json_t *v;

			switch (sqlite3_column_type(st, c)) {
			case SQLITE_INTEGER:
				v = json_integer(sqlite3_column_int64(st, c));
				break;
			case SQLITE_FLOAT:
				v = json_real(sqlite3_column_double(st, c));
				break;
			case SQLITE_NULL:
				v = json_null();
				break;
			default:
				v = json_string((const char *)
						sqlite3_column_text(st, c));
			}
			json_object_set_new(o, sqlite3_column_name(st, c), v);
		}
		json_array_append_new(rows, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_fail(s, e, "running a query");
		goto fail;
	}
	*out = rows;
	return 0;
fail:
	json_decref(rows);
	return -1;
}

int store_int(struct store *s, const char *sql, const char *const *params,
	      size_t nparams, long long *out, struct error *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_stmt(s, sql, &st, e))
		return -1;
	if (bind_all(st, params, nparams))
		return store_fail(s, e, "binding a query");
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, e, "running a query");
	return 0;
}
