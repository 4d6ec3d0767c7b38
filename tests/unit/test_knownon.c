/* core/knownon: the moments --known-on and known_on take, and the
 * mission rebuilt from the log of a store written here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/knownon.h"
#include "model/kind.h"

/* IN read as a moment into OUT; 0, or -1 (the message into WHY). */
static int parse(const char *in, char out[KNOWN_ON_LEN + 1], char why[256])
{
	struct error e;
	int rc;

	error_init(&e);
	rc = known_on_parse("known_on", in, out, &e);
	snprintf(why, 256, "%s", rc && e.message ? e.message : "");
	error_release(&e);
	return rc;
}

static void moment_is(const char *in, const char *want)
{
	char out[KNOWN_ON_LEN + 1], why[256];

	cr_assert_eq(parse(in, out, why), 0, "%s: %s", in, why);
	cr_assert_str_eq(out, want, "%s", in);
}

static void refused(const char *in, const char *part)
{
	char out[KNOWN_ON_LEN + 1], why[256];

	cr_assert_eq(parse(in, out, why), -1, "%s was taken", in);
	cr_assert(strstr(why, "known_on") && strstr(why, part),
		  "%s: '%s' lacks '%s'", in, why, part);
}

Test(knownon, takes_utc_moments_and_dates)
{
	moment_is("2020-01-03T23:59:59Z", "2020-01-03T23:59:59Z");
	moment_is("2020-01-03t10:00:00z", "2020-01-03T10:00:00Z");
	moment_is("2020-01-03T10:00:00+00:00", "2020-01-03T10:00:00Z");
	moment_is("2020-01-03T10:00:00.999Z", "2020-01-03T10:00:00Z");
	moment_is("2020-01-03", "2020-01-03T23:59:59Z");
	moment_is("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z");
}

Test(knownon, a_moment_to_come_is_now)
{
	char out[KNOWN_ON_LEN + 1], why[256];

	cr_assert_eq(parse("9999-12-31", out, why), 0);
	cr_assert_lt(strcmp(out, "9999"), 0, "%s", out);
}

Test(knownon, refuses_what_is_not_a_utc_moment)
{
	refused("", "RFC 3339");
	refused("yesterday", "RFC 3339");
	refused("2020-13-01", "month");
	refused("2020-02-30", "");
	refused("2020-01-03 10:00:00Z", "RFC 3339");
	refused("2020-01-03T10:00Z", "RFC 3339");
	refused("2020-01-03T1", "RFC 3339");
	refused("2020-01-03T25:00:00Z", "out of range");
	refused("2020-01-03T10:60:00Z", "out of range");
	refused("2020-01-03T10:00:00", "RFC 3339");
	refused("2020-01-03T10:00:00.Z", "RFC 3339");
	refused("2020-01-03T10:00:00+02:00", "UTC");
	refused("2020-01-03T10:00:00-00:00", "UTC");
	refused("2020-01-03T10:00:00Zjunk", "RFC 3339");
}

Test(knownon, before_the_first_entry_the_mission_is_empty)
{
	char path[] = "/tmp/cadre-knownon-XXXXXX";
	struct store *live = NULL, *then = NULL;
	struct error e;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	unlink(path);
	error_init(&e);
	cr_assert_eq(store_open(path, &live, &e), 0, "%s", e.message);
	cr_assert_eq(known_on_open(live, "2000-01-01T00:00:00Z", &then, &e), 0,
		     "%s", e.message);
	for (size_t i = 0; i < nkinds; i++)
		cr_assert_eq(store_count(then, NULL, kinds[i], &e), 0, "%s",
			     kinds[i]->name);
	/* The past takes no writes. */
	cr_assert_neq(store_begin(then, &e), 0);
	store_close(then);
	store_close(live);
	error_release(&e);
	unlink(path);
}
