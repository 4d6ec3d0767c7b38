/*
 * Sessions as iCalendar (RFC 5545, through libical): a person's teaching
 * or a site's programme, each session an all-day event from its first day
 * to the day after its last, with its place and trainers.
 */
#ifndef CADRE_CORE_CALENDAR_H
#define CADRE_CORE_CALENDAR_H

#include "store/store.h"

struct principal;

/* WHAT is "person" or "site", KEY its natural key: the sessions as WHO
 * sees them (NULL: the system). *OUT is a VCALENDAR to free(). 0, or -1
 * with E (ERR_NOTFOUND for an unknown key, or one WHO may not see: the
 * same answer). */
int calendar_ics(struct store *s, const struct principal *who,
		 const char *what, const char *key, char **out,
		 struct error *e);

#endif
