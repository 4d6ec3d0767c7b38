/*
 * Errors as values. A function that can fail takes a `struct error *` and
 * fills it; the ways in (CLI, API) decide how to render it. An error holds
 * a code, a message, and for input errors a list of items naming the file,
 * line, column, field, value and reason — every item up to a cap.
 *
 * error_init() before use, error_release() after; both idempotent. Strings
 * given to error_* are copied.
 */
#ifndef CADRE_UTIL_ERROR_H
#define CADRE_UTIL_ERROR_H

#include <stddef.h>

enum error_code {
	ERR_OK = 0,
	ERR_INPUT,	/* bad input: nothing was changed */
	ERR_RULE,	/* a mission rule refused the write */
	ERR_NOTFOUND,	/* no such record */
	ERR_CONFLICT,	/* a concurrent or stale change */
	ERR_USAGE,	/* bad command line */
	ERR_IO,		/* a file could not be read or written */
	ERR_STORE,	/* the database failed */
	ERR_TAMPER,	/* the audit chain does not verify */
	ERR_NOMEM,
	ERR_FORBIDDEN,	/* the caller's role or clearance does not allow it */
	ERR_BUSY,	/* the database is held by another writer: try again */
};

#define ERROR_MAX_ITEMS 100

struct error_item {
	char *file;
	char *sheet;	/* a workbook's sheet, or NULL: line is then its row */
	long line;	/* 0 when not applicable */
	long column;	/* 0 when not applicable */
	long element;	/* a JSON array's index + 1; 0 when not applicable */
	char *field;
	char *value;
	char *reason;
};

struct error {
	enum error_code code;
	char *message;
	char *rule;		/* ERR_RULE: the rule id */
	struct error_item *items;
	size_t nitems;
	size_t dropped;		/* items past ERROR_MAX_ITEMS */
	char **records;		/* ERR_RULE: offending record keys */
	size_t nrecords;
	char **dates;		/* ERR_RULE: offending dates */
	size_t ndates;
};

void error_init(struct error *e);
void error_release(struct error *e);

/* Set code and message (printf-style); replaces an earlier message.
 * Returns -1 so that `return error_set(e, ...)` reads naturally. */
int error_set(struct error *e, enum error_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append an item; past the cap only counts it. Any string may be NULL. */
void error_add(struct error *e, const char *file, long line, long column,
	       const char *field, const char *value, const char *reason);

/* The same for a position in a workbook's SHEET (ROW, COLUMN: 1-based)
 * or a JSON array's ELEMENT (its index + 1); 0 and NULL not applicable. */
void error_add_at(struct error *e, const char *file, const char *sheet,
		  long row, long column, long element, const char *field,
		  const char *value, const char *reason);

void error_add_record(struct error *e, const char *key);
void error_add_date(struct error *e, const char *date);
void error_set_rule(struct error *e, const char *rule);

/* Stable upper-case name of a code, e.g. "INPUT". */
const char *error_code_name(enum error_code code);

#endif
