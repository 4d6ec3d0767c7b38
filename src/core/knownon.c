/* "As known on": the moment a read asks for, and the mission then. */
#include "core/knownon.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/date.h"

/* The two digits at S as a number from 0 to MAX; -1 otherwise. */
static int two_digits(const char *s, int max)
{
	int v;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	v = (s[0] - '0') * 10 + (s[1] - '0');
	return v <= max ? v : -1;
}

static const char shape[] = "an RFC 3339 date-time in UTC, "
	"YYYY-MM-DDTHH:MM:SSZ, or a date, YYYY-MM-DD";

/* The time of day after a date: "THH:MM:SS[.fff](Z|+00:00)". 0, or -1
 * with *WHY. */
static int time_of_day(const char *t, int *h, int *m, int *sec,
		       const char **why)
{
	*why = shape;
	if (strlen(t) < 10 || (*t != 'T' && *t != 't') || t[3] != ':' ||
	    t[6] != ':')
		return -1;
	*h = two_digits(t + 1, 23);
	*m = two_digits(t + 4, 59);
	*sec = two_digits(t + 7, 60);	/* a leap second, 60, is allowed */
	if (*h < 0 || *m < 0 || *sec < 0) {
		*why = "the hour, minute or second is out of range (HH 00-23, "
		       "MM 00-59, SS 00-60)";
		return -1;
	}
	if (*sec == 60)
		*sec = 59;
	t += 9;
	if (*t == '.') {
		if (!isdigit((unsigned char)t[1]))
			return -1;
		while (isdigit((unsigned char)*++t))
			;
	}
	if ((!strcmp(t, "Z") || !strcmp(t, "z") || !strcmp(t, "+00:00")))
		return 0;
	if (*t == '+' || *t == '-')
		*why = "only UTC is taken (Z or +00:00): the audit log's times "
		       "are UTC";
	return -1;
}

int known_on_read(const char *in, char out[KNOWN_ON_LEN + 1],
		  const char **why)
{
	char day[DATE_LEN + 1], now[KNOWN_ON_LEN + 1];
	int h = 23, m = 59, sec = 59;
	time_t t = time(NULL);
	struct tm tm;
	int32_t d;

	if (strlen(in) < DATE_LEN) {
		*why = shape;
		return -1;
	}
	memcpy(day, in, DATE_LEN);
	day[DATE_LEN] = '\0';
	if (date_parse(day, &d, why) ||
	    (in[DATE_LEN] && time_of_day(in + DATE_LEN, &h, &m, &sec, why)))
		return -1;
	date_format(d, day);
	snprintf(out, KNOWN_ON_LEN + 1, "%sT%02d:%02d:%02dZ", day, h, m, sec);
	/* A moment to come is known as what is known now. */
	if (gmtime_r(&t, &tm) && strftime(now, sizeof(now),
					  "%Y-%m-%dT%H:%M:%SZ", &tm) &&
	    strcmp(out, now) > 0)
		memcpy(out, now, KNOWN_ON_LEN + 1);
	return 0;
}

int known_on_parse(const char *name, const char *in,
		   char out[KNOWN_ON_LEN + 1], struct error *e)
{
	const char *why;

	if (known_on_read(in, out, &why))
		return error_set(e, ERR_INPUT, "%s '%s': %s", name, in, why);
	return 0;
}

int known_on_open(struct store *live, const char *at, struct store **out,
		  struct error *e)
{
	return store_known_on(live, at, out, e);
}
