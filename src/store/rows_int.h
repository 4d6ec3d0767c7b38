/*
 * Internals of the store's hand-written queries: run a statement, read
 * every row, then hand each row's columns to a callback; and the SQL of
 * "what this caller may see" as an expression. Not for the layers above.
 */
#ifndef CADRE_STORE_ROWS_INT_H
#define CADRE_STORE_ROWS_INT_H

#include <stddef.h>

#include "store/store_int.h"

struct buf;
struct kind;
struct principal;

/* A row's columns as text (NULL for SQL NULL), valid during the call.
 * Return non-zero to stop; rows_each returns it. */
typedef int (*rows_fn)(void *arg, const char *const *col, size_t ncol);

/* Run SQL with text parameters PARAMS[0..N) bound to ?1… (NULL binds
 * NULL). Every row is read and the statement reset before FN is first
 * called, so FN may write, or run this same query again. */
int rows_each(struct store *s, const char *sql, const char *const *params,
	      size_t n, rows_fn fn, void *arg, struct error *e);

/* As rows_each for one row and one column: its integer (0 when none). */
int rows_int(struct store *s, const char *sql, const char *const *params,
	     size_t n, long long *out, struct error *e);

/* A caller's typed row callback, kept as a generic function pointer and
 * cast back to its own type by the row function that calls it. */
struct rows_ctx {
	void (*fn)(void);
	void *arg;
};

/* A rows_fn for one text column, calling the rows_ctx's function as a
 * store_text_fn (store/rules.h): int (*)(void *arg, const char *text). */
int rows_text_row(void *arg, const char *const *col, size_t ncol);

/* As rows_each() and rows_int() for SQL built in a buffer, released
 * here whatever happens (a buffer whose allocation failed: ERR_NOMEM). */
int rows_each_sql(struct store *s, struct buf *sql, const char *const *params,
		  size_t n, rows_fn fn, void *arg, struct error *e);
int rows_int_sql(struct store *s, struct buf *sql, const char *const *params,
		 size_t n, long long *out, struct error *e);

/* Append to SQL a boolean expression: alias A of kind K is visible to
 * WHO ("(1)" for the system or NULL). */
void rows_visible(struct buf *sql, const struct principal *who,
		  const struct kind *k, const char *a);

/* Column text as a long; 0 for NULL. */
long rows_long(const char *v);

/* Streaming a statement instead (the reports: no copy of every row),
 * for callbacks that neither write nor re-run the query. */
/* Append " AND (…)": alias ALIAS of TABLE as WHO sees it. */
void rq_vis(struct buf *b, const struct principal *who, const char *table,
	    const char *alias);

/* Called per row; non-zero stops the walk and is returned by rq_run. */
typedef int (*rq_row_fn)(struct db_stmt *st, void *ctx);

/* Run SQL (released here, whatever happens) with text PARAMS bound to
 * ?1.. (NULL binds NULL). 0, ROW's non-zero, or -1 with E set. */
int rq_run(struct store *s, struct buf *sql, const char *const *params,
	   size_t n, rq_row_fn row, void *ctx, struct error *e);

const char *rq_text(struct db_stmt *st, int i);	/* NULL for NULL */
const char *rq_str(struct db_stmt *st, int i);	/* "" for NULL */
long rq_long(struct db_stmt *st, int i);

/* Keep in *V (one key, or a ';'-list of keys) only the records of kind
 * REF that WHO may see: a record shows the keys it names (*V is replaced,
 * NULL when nothing is left). 0, or -1 with E set. */
int rows_mask_list(struct store *s, const struct principal *who,
		   const struct kind *ref, char **v, struct error *e);

/* Append EXPR, a reference to a record of KIND, as WHO may read it: NULL
 * where WHO may not see that record (a post at a site above the reader's
 * clearance is a post at no site they know of). MANY: the statement
 * masks many rows (a list, a report), not one record. */
void rows_seen_ref(struct buf *b, const struct principal *who,
		   const char *kind, const char *expr, int many);

/* Append a common table `mission(code)`: the mission's organisations
 * WHO may see (a hidden one hides its parts too; &principal_system: all). */
void rows_mission_cte(struct buf *b, const struct principal *who);

/* The last day of an open interval, as the queries write it. */
#ifndef OPEN_END
#define OPEN_END "9999-12-31"
#endif

/* Session s, of an activity a, is the mission's on the day it starts
 * (the coalition's before a transfer is not). Needs rows_mission_cte(). */
#define SQL_SESSION_OF_MISSION \
	" (CASE WHEN a.previous_owner IS NOT NULL AND s.valid_from < a.owner_from" \
	" THEN a.previous_owner ELSE a.owner END) IN (SELECT code FROM mission) "

#endif
