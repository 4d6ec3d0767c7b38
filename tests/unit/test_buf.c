/* util/buf: the growable, capped buffer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

Test(buf, appends_and_formats)
{
	struct buf b = BUF_INIT;

	cr_assert_str_eq(buf_str(&b), "");
	cr_assert_eq(buf_adds(&b, "consent "), 0);
	cr_assert_eq(buf_addf(&b, "%s ceiling %d", "GOI-2018", 600), 0);
	cr_assert_eq(buf_addc(&b, '!'), 0);
	cr_assert_str_eq(buf_str(&b), "consent GOI-2018 ceiling 600!");
	cr_assert_eq(b.len, strlen("consent GOI-2018 ceiling 600!"));
	buf_release(&b);
}

Test(buf, grows_past_its_first_allocation)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 10000; i++)
		cr_assert_eq(buf_addf(&b, "%04d", i % 10000), 0);
	cr_assert_eq(b.len, 40000);
	cr_assert_eq(strncmp(b.data + 39996, "9999", 4), 0);
	buf_release(&b);
}

Test(buf, cap_turns_growth_into_an_error)
{
	struct buf b = BUF_INIT;

	b.max = 10;
	cr_assert_eq(buf_adds(&b, "0123456789"), 0);
	cr_assert_eq(buf_addc(&b, 'x'), -1);
	cr_assert(b.failed);
	cr_assert_str_eq(buf_str(&b), "0123456789", "unchanged on failure");
	cr_assert_eq(buf_adds(&b, ""), -1, "keeps failing until reset");
	buf_reset(&b);
	cr_assert_eq(buf_adds(&b, "ok"), 0);
	cr_assert_str_eq(buf_str(&b), "ok");
	buf_release(&b);
}

Test(buf, detach_hands_over_the_string)
{
	struct buf b = BUF_INIT;
	char *s;

	s = buf_detach(&b);
	cr_assert_str_eq(s, "", "an empty buffer detaches as \"\"");
	free(s);
	buf_adds(&b, "mission");
	s = buf_detach(&b);
	cr_assert_str_eq(s, "mission");
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	free(s);
	buf_release(NULL);
}

Test(buf, json_strings_escape_as_jansson_does)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(buf_addjson(&b, ""), 0);
	cr_assert_str_eq(buf_str(&b), "\"\"");
	buf_reset(&b);
	cr_assert_eq(buf_addjson(&b, "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f"
				 "Bagdad \xd8\xa8\xd8\xba\xd8\xaf\xd8\xa7\xd8\xaf"), 0);
	cr_assert_str_eq(buf_str(&b), "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001"
			 "\\u001F\x7f" "Bagdad \xd8\xa8\xd8\xba\xd8\xaf\xd8\xa7\xd8\xaf\"");
	buf_release(&b);
}
