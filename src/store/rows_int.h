/*
 * Internals of the store's hand-written queries: run a statement, read
 * every row, then hand each row's columns to a callback; and the SQL of
 * "what this caller may see" as an expression. Not for the layers above.
 */
#ifndef CADRE_STORE_ROWS_INT_H
#define CADRE_STORE_ROWS_INT_H

#include <stddef.h>

#include "store/store.h"

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

/* Append to SQL a boolean expression: alias A of kind K is visible to
 * WHO ("(1)" for the system or NULL). */
void rows_visible(struct buf *sql, const struct principal *who,
		  const struct kind *k, const char *a);

/* Column text as a long; 0 for NULL. */
long rows_long(const char *v);

#endif
