/* A whole database copied to another engine or file: `cadre copy`. */
#ifndef CADRE_STORE_COPY_H
#define CADRE_STORE_COPY_H

#include <stdint.h>

#include "util/error.h"

struct store;

/* Told after each table: its name and the rows copied. */
typedef void (*copy_progress_fn)(void *arg, const char *table, int64_t rows);

struct copy_result {
	int64_t tables, rows;	/* copied, every one counted again on arrival */
	int64_t entries;	/* the audit log's, verified on arrival */
	char head[65];		/* its last entry's hash, the same at both ends */
};

/* Copy every record, account and audit entry of FROM, as one snapshot of
 * it, into TO, which must hold nothing yet, in one transaction of TO's,
 * with the same ids; then the audit key and head file of FROM are TO's,
 * and TO's audit chain is verified to end where FROM's does. 0, or -1
 * with E set: nothing written to TO when the copy itself failed; when a
 * check on arrival did (a table's count, the chain's end), TO holds what
 * arrived and E says what differs. */
int store_copy(struct store *from, struct store *to, copy_progress_fn fn,
	       void *arg, struct copy_result *r, struct error *e);

#endif
