/* util/date: strict ISO 8601 calendar dates. */
#include <criterion/criterion.h>

#include "util/date.h"

static int ok(const char *s)
{
	const char *why;
	int32_t d;

	return date_parse(s, &d, &why) == 0;
}

Test(date, accepts_real_days)
{
	cr_assert(ok("2020-02-29"), "leap day of a leap year");
	cr_assert(ok("2000-02-29"), "2000 is a leap year");
	cr_assert(ok("2018-10-01"));
	cr_assert(ok("1949-04-04"));
	cr_assert(ok("9999-12-31"));
}

Test(date, refuses_impossible_days)
{
	cr_assert_not(ok("2020-02-30"));
	cr_assert_not(ok("2019-02-29"), "2019 is not a leap year");
	cr_assert_not(ok("1900-02-29"), "1900 is not a leap year");
	cr_assert_not(ok("2020-04-31"));
	cr_assert_not(ok("2020-13-01"));
	cr_assert_not(ok("2020-00-10"));
	cr_assert_not(ok("2020-01-00"));
}

Test(date, refuses_other_shapes)
{
	cr_assert_not(ok(""));
	cr_assert_not(ok("2020-1-01"));
	cr_assert_not(ok("2020/01/01"));
	cr_assert_not(ok("2020-01-01T00:00"));
	cr_assert_not(ok(" 2020-01-01"));
	cr_assert_not(ok("20200101"));
	cr_assert_not(ok("0020-01-01"), "before 1900");
}

Test(date, says_why)
{
	const char *why = NULL;
	int32_t d;

	cr_assert_neq(date_parse("2020-02-30", &d, &why), 0);
	cr_assert_str_eq(why, "no such day in that month");
	cr_assert_neq(date_parse("2020-13-01", &d, &why), 0);
	cr_assert_str_eq(why, "no such month");
}

Test(date, day_numbers_round_trip)
{
	const char *why;
	char out[DATE_LEN + 1];
	int32_t a, b;

	cr_assert_eq(date_parse("1970-01-01", &a, &why), 0);
	cr_assert_eq(a, 0);
	cr_assert_eq(date_parse("2020-03-01", &b, &why), 0);
	cr_assert_eq(date_parse("2020-02-28", &a, &why), 0);
	cr_assert_eq(b - a, 2, "29 February lies between");
	for (int32_t d = -25000; d < 40000; d += 37) {
		int32_t back;

		date_format(d, out);
		cr_assert_eq(date_parse(out, &back, &why), 0, "%s", out);
		cr_assert_eq(back, d, "%s", out);
	}
}

Test(date, today_can_be_pinned)
{
	char out[DATE_LEN + 1];

	setenv("CADRE_TODAY", "2020-01-05", 1);
	date_format(date_today(), out);
	cr_assert_str_eq(out, "2020-01-05");
	unsetenv("CADRE_TODAY");
}

Test(date, arithmetic_past_the_last_day_stays_a_date)
{
	char out[DATE_LEN + 1];
	int32_t last = date_days("9999-12-31");

	/* A course of two years from 9999-12-30 ends on no date cadre
	 * reads: the day written stays ten characters, the last day. */
	date_format(last + 730, out);
	cr_assert_str_eq(out, "9999-12-31");
	date_format(INT32_MAX, out);
	cr_assert_str_eq(out, "9999-12-31");
	date_format(date_days("1900-01-01") - 5, out);
	cr_assert_str_eq(out, "1900-01-01");
	date_format(last, out);
	cr_assert_str_eq(out, "9999-12-31");
}
