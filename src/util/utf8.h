/* UTF-8 validation (RFC 3629): no overlong forms, no surrogates, no code
 * points past U+10FFFF. */
#ifndef CADRE_UTIL_UTF8_H
#define CADRE_UTIL_UTF8_H

#include <stddef.h>

/* 1 when the N bytes at S are valid UTF-8. */
int utf8_valid(const char *s, size_t n);

#endif
