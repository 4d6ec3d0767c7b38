/*
 * The conflicts a reader may see: the violations of the mission's check
 * (core/check.h) over a range, for the views that mark them — the
 * calendar's sessions, the iCalendar feeds. Unlike the check itself it
 * is open to every role, so what it lists must tell a reader nothing of
 * what they may not see:
 *
 *   - a violation is listed only when the reader may see every record
 *     it names (check_run() already filters so), and every record its
 *     verdict rests on: a TRAINEE-CLASH rests on the trainee's two
 *     enrolments, which are not named;
 *   - CAPACITY and CEILING count records as the system (enrolments,
 *     people on posts), seen or not: their verdict and their message
 *     are totals over what the reader may not see, so they are listed
 *     only to those who may run the whole check (policy_may_check);
 *   - nothing is counted for what is left out: the check's `hidden`
 *     is not given, since a count of what one may not see is itself a
 *     hint.
 */
#ifndef CADRE_CORE_CONFLICTS_H
#define CADRE_CORE_CONFLICTS_H

#include <jansson.h>

#include "store/store.h"

struct principal;

/* The longest range asked at once, in days: a calendar shows a month or
 * a week, and the check reads every day of its range. */
#define CONFLICTS_DAYS_MAX 366

/* The conflicts over the days [FROM, TO) (both required, TO after FROM,
 * at most CONFLICTS_DAYS_MAX days: else ERR_USAGE naming the parameter)
 * as WHO may see them. On success *OUT is a new object {from, to, count,
 * violations[{rule, message, records, dates, sessions}]}, `sessions`
 * being the keys of the sessions among `records` (what the calendar
 * marks). 0, or -1 with E set and *OUT NULL. */
int conflicts_list(struct store *s, const struct principal *who,
		   const char *from, const char *to, json_t **out,
		   struct error *e);

#endif
