/*
 * Line lexer shared by the `.ctt` and solution readers: splits a buffer into
 * lines (LF or CRLF) and each line into white-space separated tokens, skips
 * blank lines and counts line numbers for error messages. Tokens point into
 * the caller's buffer, which must outlive them.
 *
 * The buffer is counted, not NUL-terminated, and may hold NUL bytes (a
 * hostile or binary file): the lexer marks the line that does (nul) and
 * the readers refuse it, so that no token ever holds a NUL and a token
 * is always compared by its length, never as a C string.
 */
#ifndef CADRE_SCHED_LEX_H
#define CADRE_SCHED_LEX_H

#include "sched/ctt.h"

#include <stddef.h>

#define CTT_LEX_MAXTOK 2048

struct ctt_tok {
	const char *s;
	size_t len;
};

struct ctt_lex {
	const char *p, *end;
	int line;		/* 1-based number of the current line */
	int ntok;
	int overflow;		/* the line had more than CTT_LEX_MAXTOK tokens */
	int nul;		/* the line holds a NUL byte */
	struct ctt_tok tok[CTT_LEX_MAXTOK];
};

void ctt_lex_init(struct ctt_lex *lx, const char *buf, size_t len);

/* Advances to the next non-blank line; returns 0 at the end of the buffer.
 * A line holding a NUL byte is never blank. */
int ctt_lex_next(struct ctt_lex *lx);

/* 0 if the current line can be read; else -1 with "line N: reason" in
 * ERR (a NUL byte, too many fields). Every reader calls it on each line. */
int ctt_lex_refuse(const struct ctt_lex *lx, char err[CTT_ERR_MAX]);

/* 1 if token T is exactly WORD. */
int ctt_tok_is(const struct ctt_tok *t, const char *word);

/* Decimal integer in [LO, HI] into *OUT; -1 if T is not one, all of it. */
int ctt_tok_int(const struct ctt_tok *t, long lo, long hi, int *out);

/* "line N: " (or "at end of file: " when LINE is 0) then the message. */
void ctt_errf(char err[CTT_ERR_MAX], int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
