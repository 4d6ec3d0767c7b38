/*
 * A growable, length-carrying byte buffer with a size cap, used for all
 * string and JSON building.
 *
 * Invariants: data is NULL or NUL-terminated at data[len]; len < cap; len
 * never exceeds max. When an append would pass max or malloc fails, the
 * buffer is left as it was, `failed` is set and the call returns -1; later
 * appends keep failing until buf_reset(), so a caller may check once at
 * the end.
 */
#ifndef CADRE_UTIL_BUF_H
#define CADRE_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#define BUF_DEFAULT_MAX ((size_t)256 << 20)

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* 0 means BUF_DEFAULT_MAX */
	int failed;
};

#define BUF_INIT { 0 }

int buf_add_grow(struct buf *b, const void *p, size_t n);

/* Append N bytes at P. Inline for the common case of room to spare, as
 * JSON and hash input are built a few bytes at a time. */
static inline int buf_add(struct buf *b, const void *p, size_t n)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;

	if (b->failed || b->cap - b->len <= n || n > max - b->len)
		return buf_add_grow(b, p, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static inline int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

static inline int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Append the C string S as a JSON string: quoted, with '"', '\\' and
 * the control characters escaped as jansson's json_dumps() escapes them
 * without flags (\b \f \n \r \t, others \u00XX in upper case), every
 * other byte as it is. S must be valid UTF-8 for the result to be JSON. */
int buf_addjson(struct buf *b, const char *s);

/* The contents as a C string; "" for an empty buffer. Owned by b. */
const char *buf_str(const struct buf *b);

/* Empty the buffer and clear `failed`, keeping the allocation. */
void buf_reset(struct buf *b);

/* Free the memory; the buffer may be reused as if new. Accepts NULL. */
void buf_release(struct buf *b);

/* Hand the string to the caller (free() it); the buffer becomes empty.
 * Never NULL unless allocation fails. */
char *buf_detach(struct buf *b);

#endif
