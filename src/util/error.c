/* Errors as values; see error.h. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void error_init(struct error *e)
{
	memset(e, 0, sizeof(*e));
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void error_release(struct error *e)
{
	if (!e)
		return;
	free(e->message);
	free(e->rule);
	for (size_t i = 0; i < e->nitems; i++) {
		free(e->items[i].file);
		free(e->items[i].sheet);
		free(e->items[i].field);
		free(e->items[i].value);
		free(e->items[i].reason);
	}
	free(e->items);
	free_list(e->records, e->nrecords);
	free_list(e->dates, e->ndates);
	error_init(e);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int error_set(struct error *e, enum error_code code, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(e->message);
	e->message = buf_detach(&b);
	e->code = code;
	return -1;
}

void error_add(struct error *e, const char *file, long line, long column,
	       const char *field, const char *value, const char *reason)
{
	error_add_at(e, file, NULL, line, column, 0, field, value, reason);
}

void error_add_at(struct error *e, const char *file, const char *sheet,
		  long line, long column, long element, const char *field,
		  const char *value, const char *reason)
{
	struct error_item *it;

	if (e->nitems >= ERROR_MAX_ITEMS) {
		e->dropped++;
		return;
	}
	it = realloc(e->items, (e->nitems + 1) * sizeof(*it));
	if (!it) {
		e->dropped++;
		return;
	}
	e->items = it;
	it = &e->items[e->nitems++];
	it->file = dup_or_null(file);
	it->sheet = dup_or_null(sheet);
	it->line = line;
	it->column = column;
	it->element = element;
	it->field = dup_or_null(field);
	it->value = dup_or_null(value);
	it->reason = dup_or_null(reason);
}

static void push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return;
	*v = p;
	p[*n] = strdup(s);
	if (p[*n])
		(*n)++;
}

void error_add_record(struct error *e, const char *key)
{
	push(&e->records, &e->nrecords, key);
}

void error_add_date(struct error *e, const char *date)
{
	push(&e->dates, &e->ndates, date);
}

void error_set_rule(struct error *e, const char *rule)
{
	free(e->rule);
	e->rule = dup_or_null(rule);
	e->code = ERR_RULE;
}

const char *error_code_name(enum error_code code)
{
	switch (code) {
	case ERR_OK: return "OK";
	case ERR_INPUT: return "INPUT";
	case ERR_RULE: return "RULE";
	case ERR_NOTFOUND: return "NOT_FOUND";
	case ERR_CONFLICT: return "CONFLICT";
	case ERR_USAGE: return "USAGE";
	case ERR_IO: return "IO";
	case ERR_STORE: return "STORE";
	case ERR_TAMPER: return "TAMPER";
	case ERR_NOMEM: return "NOMEM";
	case ERR_FORBIDDEN: return "FORBIDDEN";
	case ERR_BUSY: return "BUSY";
	}
	return "UNKNOWN";
}
