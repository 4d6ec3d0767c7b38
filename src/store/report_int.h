/* Running the hand-written queries of store/report.c and
 * store/calendar.c: SQL built per caller, rows handed on one by one.
 * Internal to the store. */
#ifndef CADRE_STORE_REPORT_INT_H
#define CADRE_STORE_REPORT_INT_H

#include "store/store_int.h"

struct principal;

/* Append " AND (…)": alias ALIAS of TABLE as WHO sees it. */
void rq_vis(struct buf *b, const struct principal *who, const char *table,
	    const char *alias);

/* Called per row; non-zero stops the walk and is returned by rq_run. */
typedef int (*rq_row_fn)(sqlite3_stmt *st, void *ctx);

/* Run SQL (released here, whatever happens) with text PARAMS bound to
 * ?1.. (NULL binds NULL). 0, ROW's non-zero, or -1 with E set. */
int rq_run(struct store *s, struct buf *sql, const char *const *params,
	   size_t n, rq_row_fn row, void *ctx, struct error *e);

const char *rq_text(sqlite3_stmt *st, int i);	/* NULL for NULL */
long rq_long(sqlite3_stmt *st, int i);

#endif
