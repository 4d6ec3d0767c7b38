/* UTF-8 validation; see utf8.h. Table 3-7 of the Unicode Standard. */
#include "util/utf8.h"

#include <string.h>
#include <utf8proc.h>

int utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;

	while (s < end) {
		unsigned char c = *s;
		unsigned char lo = 0x80, hi = 0xBF;
		int more;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			more = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			more = 2;
			if (c == 0xE0)
				lo = 0xA0;	/* no overlong */
			if (c == 0xED)
				hi = 0x9F;	/* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			more = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;	/* <= U+10FFFF */
		} else {
			return 0;
		}
		if (end - s <= more)
			return 0;
		if (s[1] < lo || s[1] > hi)
			return 0;
		for (int i = 2; i <= more; i++)
			if (s[i] < 0x80 || s[i] > 0xBF)
				return 0;
		s += more + 1;
	}
	return 1;
}

/* The code point at S (into *CP) and its length; an invalid byte is
 * itself, of width 1. */
static size_t next_char(const char *s, utf8proc_int32_t *cp)
{
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, cp);

	if (n <= 0) {
		*cp = -1;
		return 1;
	}
	return (size_t)n;
}

static size_t char_width(utf8proc_int32_t cp)
{
	int w;

	if (cp < 0)
		return 1;
	w = utf8proc_charwidth(cp);
	return w < 0 ? 0 : (size_t)w;
}

size_t utf8_width(const char *s)
{
	size_t w = 0;
	utf8proc_int32_t cp;

	while (*s) {
		s += next_char(s, &cp);
		w += char_width(cp);
	}
	return w;
}

size_t utf8_fit(const char *s, size_t cols)
{
	const char *p = s;
	size_t w = 0;
	utf8proc_int32_t cp;

	while (*p) {
		size_t n = next_char(p, &cp), cw = char_width(cp);

		if (w + cw > cols)
			break;
		w += cw;
		p += n;
	}
	return (size_t)(p - s);
}

void utf8_put_cell(FILE *out, const char *s, size_t cols)
{
	size_t w = utf8_width(s);

	if (w > cols && cols > 0) {
		size_t n = utf8_fit(s, cols - 1);

		fwrite(s, 1, n, out);
		fputs("\u2026", out);
		w = utf8_width(s) - utf8_width(s + n) + 1;
	} else {
		fputs(s, out);
	}
	for (; w < cols; w++)
		fputc(' ', out);
}
