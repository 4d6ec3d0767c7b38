/* ISO 8601 calendar dates on top of the C library's timegm/gmtime_r. */
#include "util/date.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int date_parse(const char *s, int32_t *days, const char **why)
{
	struct tm tm = { 0 }, back;
	int y, mo, d;
	time_t t;

	if (!s || strlen(s) != DATE_LEN || s[4] != '-' || s[7] != '-' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d)) {
		*why = "not a date of the form YYYY-MM-DD";
		return -1;
	}
	if (y < 1900) {
		*why = "year before 1900";
		return -1;
	}
	if (mo < 1 || mo > 12) {
		*why = "no such month";
		return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	if (d < 1 || !gmtime_r(&t, &back) || back.tm_mday != d ||
	    back.tm_mon != mo - 1) {
		*why = "no such day in that month";
		return -1;
	}
	*days = (int32_t)((t - 43200) / 86400);	/* exact: t is noon */
	return 0;
}

int32_t date_days(const char *iso)
{
	const char *why;
	int32_t d;

	return iso && !date_parse(iso, &d, &why) ? d : 0;
}

/* 9999-12-31 and 1900-01-01 in days since 1970-01-01: the dates cadre
 * reads, and so the dates it writes. */
#define DAYS_LAST 2932896
#define DAYS_FIRST (-25567)

void date_format(int32_t days, char out[DATE_LEN + 1])
{
	time_t t;
	struct tm tm;

	/* Arithmetic on a date near either end must not write a year of
	 * five digits (or none) into ten characters. */
	if (days > DAYS_LAST)
		days = DAYS_LAST;
	if (days < DAYS_FIRST)
		days = DAYS_FIRST;
	t = (time_t)days * 86400 + 43200;
	if (!gmtime_r(&t, &tm) ||
	    strftime(out, DATE_LEN + 1, "%Y-%m-%d", &tm) != DATE_LEN)
		memcpy(out, "9999-12-31", DATE_LEN + 1);
}

int32_t date_today(void)
{
	const char *env = getenv("CADRE_TODAY"), *why;
	int32_t d;

	if (env && !date_parse(env, &d, &why))
		return d;
	return (int32_t)(time(NULL) / 86400);
}
