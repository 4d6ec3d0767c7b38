/*
 * The questions the mission's rules ask of the store (core/rules.c):
 * consents, caveats and suspensions in force, the sessions a suspension
 * would stop, the mission's assignments and organisations.
 *
 * Every function takes WHO and answers over what WHO may see. The rules
 * hold over the whole mission, seen or not, and pass &principal_system;
 * a report computed for a reader (the ceilings) passes the reader.
 *
 * Row callbacks get strings borrowed for the call; every row is read
 * before the first call, so a callback may query and write. A callback
 * returns non-zero to stop, and the function returns that value.
 */
#ifndef CADRE_STORE_RULES_H
#define CADRE_STORE_RULES_H

#include "store/store.h"

struct principal;

/* The last day of an open interval, as the rules write it. */
#ifndef OPEN_END
#define OPEN_END "9999-12-31"
#endif

/* One text per row: a key, a code, a date. */
typedef int (*store_text_fn)(void *arg, const char *text);

/* Is ORG the mission or one of its parts? 1 / 0 / -1. */
int store_org_in_mission(struct store *s, const struct principal *who,
			 const char *org, struct error *e);

/* A granted consent. valid_to NULL: open; activity_kinds, sites and
 * institutions ';'-separated, sites and institutions NULL: all. */
struct consent_row {
	const char *code, *valid_from, *valid_to;
	const char *activity_kinds, *sites, *institutions;
	long ceiling;
};
typedef int (*consent_row_fn)(void *arg, const struct consent_row *c);

/* Consents in force on a day of [FROM, TO) (TO NULL: open), by
 * valid_from then code. A consent suspended or withdrawn on its
 * valid_to was in force until then (`cadre consent` ends it so); one
 * so marked with no end never was. */
int store_consents_each(struct store *s, const struct principal *who,
			const char *from, const char *to, consent_row_fn fn,
			void *arg, struct error *e);

/* A caveat: kind is site, region or activity; reason "" when none. */
struct caveat_row {
	const char *code, *kind, *target, *reason, *valid_from;
};
typedef int (*caveat_row_fn)(void *arg, const struct caveat_row *c);

/* Caveats of NATION or of PERSON in force on a day of [FROM, TO)
 * (TO NULL: open), by code. */
int store_caveats_each(struct store *s, const struct principal *who,
		       const char *nation, const char *person,
		       const char *from, const char *to, caveat_row_fn fn,
		       void *arg, struct error *e);

/* A suspension (status event, action suspend); valid_to NULL: open. */
struct suspension_row {
	const char *code, *scope, *valid_from, *valid_to;
};
typedef int (*suspension_row_fn)(void *arg, const struct suspension_row *r);

/* Suspensions of the mission, of site SITE or of activity ACTIVITY
 * (either NULL: none) in force on a day of [FROM, TO) (TO NULL: open),
 * by valid_from. */
int store_suspensions_each(struct store *s, const struct principal *who,
			   const char *from, const char *to, const char *site,
			   const char *activity, suspension_row_fn fn,
			   void *arg, struct error *e);

/* Keys of the mission's sessions that run in SCOPE (mission,
 * site:CODE, activity:CODE) on a day of [FROM, TO) (TO NULL: open) —
 * not postponed or cancelled, whatever their stored state says: their
 * dates tell — by start then key; at most LIMIT (0: all). */
int store_sessions_in_scope_each(struct store *s, const struct principal *who,
				 const char *scope, const char *from,
				 const char *to, long limit, store_text_fn fn,
				 void *arg, struct error *e);

/* The last day any assignment starts or ends on, into LAST: 1, 0 when
 * there is none, -1. */
int store_assignments_horizon(struct store *s, const struct principal *who,
			      char last[11], struct error *e);

/* An assignment to a mission post; valid_to NULL: open. */
struct assigned_row {
	const char *valid_from, *valid_to, *site, *person;
};
typedef int (*assigned_row_fn)(void *arg, const struct assigned_row *a);

/* Assignments to the mission's posts in force on a day of [FROM, TO),
 * with each post's site, by person then start. */
int store_mission_assignments_each(struct store *s,
				   const struct principal *who,
				   const char *from, const char *to,
				   assigned_row_fn fn, void *arg,
				   struct error *e);

#endif
