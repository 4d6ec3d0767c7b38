/* Excel's dates and number formats (core/xlsx.c), and display widths
 * (util/utf8.c): the arithmetic the black-box tests only sample. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/xlsx.h"
#include "util/utf8.h"

static const char *date_of(double serial, int date1904)
{
	static char out[11];
	const char *why = xlsx_serial_date(serial, date1904, out);

	return why ? why : out;
}

Test(xlsx, serial_dates_in_the_1900_system)
{
	cr_assert_str_eq(date_of(1, 0), "1900-01-01");
	cr_assert_str_eq(date_of(59, 0), "1900-02-28");
	/* Serial 60 is Lotus's 1900-02-29: refused, the days after right. */
	cr_assert(strstr(date_of(60, 0), "1900-02-29"));
	cr_assert_str_eq(date_of(61, 0), "1900-03-01");
	cr_assert_str_eq(date_of(25569, 0), "1970-01-01");
	cr_assert_str_eq(date_of(43831, 0), "2020-01-01");
	cr_assert_str_eq(date_of(43831.75, 0), "2020-01-01");	/* 18:00 */
	cr_assert_str_eq(date_of(2958465, 0), "9999-12-31");
	cr_assert(strstr(date_of(0, 0), "not a date"));
	cr_assert(strstr(date_of(-1, 0), "not a date"));
	cr_assert(strstr(date_of(2958466, 0), "not a date"));
}

Test(xlsx, serial_dates_in_the_1904_system)
{
	cr_assert_str_eq(date_of(0, 1), "1904-01-01");
	cr_assert_str_eq(date_of(42369, 1), "2020-01-01");	/* 43831 - 1462 */
	cr_assert(strstr(date_of(2958465, 1), "after 9999"));
}

Test(xlsx, date_formats)
{
	cr_assert(xlsx_format_is_date(14, NULL));
	cr_assert(xlsx_format_is_date(22, NULL));
	cr_assert(!xlsx_format_is_date(0, NULL));
	cr_assert(!xlsx_format_is_date(2, NULL));	/* 0.00 */
	cr_assert(xlsx_format_is_date(164, "dd/mm/yyyy;@"));
	cr_assert(xlsx_format_is_date(164, "[$-409]mmmm d, yyyy"));
	cr_assert(xlsx_format_is_date(164, "[h]:mm"));
	cr_assert(!xlsx_format_is_date(164, "General"));
	cr_assert(!xlsx_format_is_date(164, "0.00E+00"));
	cr_assert(!xlsx_format_is_date(164, "[Red]0.00"));
	cr_assert(!xlsx_format_is_date(164, "\"days\" 0"));
	cr_assert(!xlsx_format_is_date(164, "0\\d"));
}

Test(utf8, widths_in_columns)
{
	cr_assert_eq(utf8_width("Türkiye"), 7);
	cr_assert_eq(utf8_width("e\xcc\x81"), 1);		/* e + combining acute */
	cr_assert_eq(utf8_width("\xe4\xb8\xad"), 2);		/* CJK */
	cr_assert_eq(utf8_width("\xd8\xb9\xd9\x84\xd9\x8a"), 3);	/* Arabic */
	cr_assert_eq(utf8_width("a\xff" "b"), 3);		/* not UTF-8: 1 each */
	cr_assert_eq(utf8_fit("Türkiye", 2), 3);		/* "Tü", whole */
	cr_assert_eq(utf8_fit("\xe4\xb8\xad\xe4\xb8\xad", 3), 3);
}
