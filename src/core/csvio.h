/*
 * Import and export of records: CSV (RFC 4180, through libcsv), Excel
 * workbooks and JSON. Columns by header name, a UTF-8 byte-order mark and
 * CRLF accepted, ',' or ';' between fields, every row validated. A file
 * is imported whole or not at all.
 */
#ifndef CADRE_CORE_CSVIO_H
#define CADRE_CORE_CSVIO_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef void (*progress_fn)(void *arg, uint64_t done, uint64_t total);

struct principal;

struct import_opts {
	/* Who imports: each row is their write (core/write.h): their role,
	 * their view of the references, their markings. NULL: the local
	 * operator. */
	const struct principal *who;
	int dry_run;		/* validate only; change nothing */
	int nested;		/* run in the caller's transaction */
	char delimiter;		/* CSV: ',' or ';' (0: the header tells) */
	const char *sheet;	/* a workbook's sheet (NULL: the first) */
	progress_fn progress;	/* may be NULL */
	void *progress_arg;
};

struct import_stats {
	long rows;
	long inserted;
	long updated;
	long unchanged;
};

/* Import FILE (NAME for messages) into kind K in one transaction.
 * On bad input returns -1 with E->code ERR_INPUT and one item per problem
 * (file, line, column, field, value, reason); the database is untouched. */
int import_csv(struct store *s, const struct kind *k, FILE *file,
	       const char *name, const struct import_opts *o,
	       struct import_stats *st, struct error *e);

/* The same for a workbook (.xlsx, see core/xlsx.h): the SIZE bytes at
 * DATA, its sheet o->sheet or the first, whose first row is the header;
 * problems name the sheet, the row and the column. */
int import_xlsx(struct store *s, const struct kind *k, const void *data,
		size_t size, const char *name, const struct import_opts *o,
		struct import_stats *st, struct error *e);

/* The same for a JSON array of objects, each a record's fields by name,
 * as `cadre export KIND --format json` writes; problems name the
 * element (its index) and the field. */
int import_json(struct store *s, const struct kind *k, FILE *file,
		const char *name, const struct import_opts *o,
		struct import_stats *st, struct error *e);

/* A JSON scalar as the text of a CSV cell: strings as they are, numbers
 * (reals to 15 digits), booleans as yes/no, null as NULL. *OUT is a new
 * string (the caller frees it) or NULL; 0, -1 for an array or an object,
 * -2 out of memory (*OUT NULL for both). */
typedef struct json_t json_t;
int json_cell_dup(json_t *v, char **out);

/* The same into the N bytes at OUT, null as empty: -2 when the text does
 * not fit, with OUT empty (never cut: a cut may split a character). */
int json_cell_text(json_t *v, char *out, size_t n);

/* Write every record of K as CSV (header of field names, CRLF lines,
 * quoting only where needed). Returns the number of rows or -1. */
long export_csv(struct store *s, const struct principal *who,
		const struct kind *k, FILE *out, progress_fn progress,
		void *progress_arg, struct error *e);

/* Write every record of K the caller may see as an Excel workbook at
 * PATH: one sheet named for the kind, a header row of field names, each
 * value typed as its field (numbers, booleans, dates as dates), which
 * import_xlsx() reads back as the same records. Rows, or -1. */
long export_xlsx(struct store *s, const struct principal *who,
		 const struct kind *k, const char *path, progress_fn progress,
		 void *progress_arg, struct error *e);

/* Write V as one CSV field (RFC 4180), quoted only where needed; NULL
 * writes an empty field. */
void csv_put_field(FILE *out, const char *v);

#endif
