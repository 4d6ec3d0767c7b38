/* UTF-8 validation (RFC 3629): no overlong forms, no surrogates, no code
 * points past U+10FFFF. */
#ifndef CADRE_UTIL_UTF8_H
#define CADRE_UTIL_UTF8_H

#include <stddef.h>
#include <stdio.h>

/* 1 when the N bytes at S are valid UTF-8. */
int utf8_valid(const char *s, size_t n);

/* The columns S takes on a terminal (utf8proc's widths of Unicode's
 * East Asian Width: "Türkiye" 7, a CJK character 2, a combining accent
 * 0); a byte that is not UTF-8 counts 1. */
size_t utf8_width(const char *s);

/* The bytes of S's longest start, in whole characters, that takes at
 * most COLS columns. */
size_t utf8_fit(const char *s, size_t cols);

/* Write S to OUT padded with spaces to COLS columns; one wider is cut
 * to COLS - 1 columns and "…". */
void utf8_put_cell(FILE *out, const char *s, size_t cols);

#endif
