/*
 * The calendars' questions to the store: a site's programme or a
 * trainer's sessions, as the caller WHO sees them (store/access.h). A
 * session hidden from them — or its course or site — is not in their
 * calendar at all. NULL or &principal_system sees everything.
 */
#ifndef CADRE_STORE_CALENDAR_H
#define CADRE_STORE_CALENDAR_H

#include "store/store.h"

struct principal;

enum calendar_of { CALENDAR_SITE, CALENDAR_PERSON };

/* Is there a site (a person) KEY the caller may see? 1 / 0 / -1. */
int store_calendar_owner(struct store *s, const struct principal *who,
			 enum calendar_of of, const char *key,
			 struct error *e);

/* A session on the calendar; empty strings for what it does not say.
 * The trainers are those the reader may see, by code ("A;B") and by name
 * ("A, B"), in the session's order, and the lead instructor by name if
 * the reader may see them; CHANGED
 * is when the session was last written (its last audit entry, UTC,
 * 2026-12-01T10:00:00Z), CHANGES how many times it was written. */
struct calendar_session {
	const char *key, *valid_from, *valid_to, *status, *title;
	const char *site, *site_name, *room, *trainers, *lead;
	const char *trainer_names, *lead_instructor_name;
	const char *changed;
	long changes;
};
typedef int (*calendar_session_fn)(void *arg,
				   const struct calendar_session *r);

/* The sessions at site KEY or taught by person KEY, cancelled ones too
 * (status "cancelled": a calendar must hear that an event it holds is
 * off), by first day and key. FN's strings live until it returns; its non-zero
 * return stops the walk and is returned; -1 with E on failure. */
int store_calendar_sessions(struct store *s, const struct principal *who,
			    enum calendar_of of, const char *key,
			    calendar_session_fn fn, void *arg,
			    struct error *e);

#endif
