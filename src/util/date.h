/*
 * Calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian), parsed from and written as ISO 8601 "YYYY-MM-DD".
 *
 * Parsing is strict: exactly that shape, years 1900..9999, and the day
 * must exist in its month (2020-02-30 is refused, never normalised).
 */
#ifndef CADRE_UTIL_DATE_H
#define CADRE_UTIL_DATE_H

#include <stdint.h>

#define DATE_LEN 10		/* "YYYY-MM-DD" */

/* Parse S into *DAYS. Returns 0, or -1 with a reason in *WHY (static). */
int date_parse(const char *s, int32_t *days, const char **why);

/* The day number of ISO, a date already known to be valid (from the
 * store or validation); 0 (1970-01-01) for anything else. */
int32_t date_days(const char *iso);

/* Write DAYS as "YYYY-MM-DD" into OUT (DATE_LEN + 1 bytes). */
void date_format(int32_t days, char out[DATE_LEN + 1]);

/* Today in UTC, or the date in $CADRE_TODAY when set (for tests). */
int32_t date_today(void);

#endif
