/* Growable byte buffer with a size cap; see buf.h for the contract. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct buf *b, size_t extra)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
	size_t want, cap;
	char *p;

	if (b->failed)
		return -1;
	if (extra > max || b->len > max - extra) {
		b->failed = 1;
		return -1;
	}
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/* buf_add() when the buffer must grow first (or has failed). */
int buf_add_grow(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n))
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || grow(b, (size_t)n)) {
		b->failed = 1;
		return -1;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* How jansson writes C in a JSON string: U is room for \u00XX. */
static const char *json_escape(unsigned char c, char u[8])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	snprintf(u, 8, "\\u%04X", c);
	return u;
}

int buf_addjson(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	char u[8];

	buf_addc(b, '"');
	for (; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		buf_add(b, run, (size_t)(p - run));
		buf_adds(b, json_escape(*p, u));
		run = p + 1;
	}
	buf_add(b, run, (size_t)(p - run));
	return buf_addc(b, '"');
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

char *buf_detach(struct buf *b)
{
	char *s = b->data;

	if (!s)
		s = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return s;
}
