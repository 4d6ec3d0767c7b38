/* UTF-8 validation; see utf8.h. Table 3-7 of the Unicode Standard. */
#include "util/utf8.h"

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
