/*
 * The store's answers to "where does the mission stand on a day"
 * (core/status.c puts them together): alliance members and partners,
 * headcount, suspensions, status events and consents in force, and the
 * sessions around the day.
 *
 * Each is computed over what the caller WHO may see (store/access.h), in
 * every table it reads, subqueries included: a record hidden from them
 * counts nowhere and appears nowhere, as if it did not exist. NULL or
 * &principal_system sees everything. ASOF is "YYYY-MM-DD".
 *
 * The functions that walk rows call FN once per row, in the order given,
 * with a typed row whose strings (NULL for an empty value) live until FN
 * returns: copy what you keep. A non-zero return from FN stops the walk
 * and is returned; otherwise 0, or -1 with E set when the database fails.
 * FN must not ask the same question again from inside the walk.
 */
#ifndef CADRE_STORE_STATUS_H
#define CADRE_STORE_STATUS_H

#include "store/store.h"

struct principal;

typedef int (*status_code_fn)(void *arg, const char *code);

/* Alliance members on ASOF (member_since by then), by code. */
int store_status_members(struct store *s, const struct principal *who,
			 const char *asof, status_code_fn fn, void *arg,
			 struct error *e);

/* Partners on ASOF (and not yet members) with at least one of their
 * people on a post of the mission (the coalition's, before a transfer,
 * are not), by code. */
int store_status_partners(struct store *s, const struct principal *who,
			  const char *asof, status_code_fn fn, void *arg,
			  struct error *e);

/* The persons assigned on ASOF to a post of the mission. */
int store_status_headcount(struct store *s, const struct principal *who,
			   const char *asof, long long *out, struct error *e);

/* Mission-wide suspensions in force on ASOF (0: training may run). */
int store_status_suspensions(struct store *s, const struct principal *who,
			     const char *asof, long long *out,
			     struct error *e);

/* When the mission began (the first start of an organisation of kind
 * mission) and when its first consent was granted (the first start of a
 * consent), each "" when there is none the caller may see. Each OUT
 * holds 11 bytes. */
struct status_dates {
	char mission_from[11], first_consent[11];
};
int store_status_dates(struct store *s, const struct principal *who,
		       struct status_dates *out, struct error *e);

/* A status event in force, by start then code. */
struct status_event_row {
	const char *code, *action, *scope, *reason, *ordered_by;
	const char *valid_from, *valid_to;
};
typedef int (*status_event_fn)(void *arg, const struct status_event_row *r);
int store_status_events(struct store *s, const struct principal *who,
			const char *asof, status_event_fn fn, void *arg,
			struct error *e);

/* A consent in force, by start then code. */
struct status_consent_row {
	const char *code, *title, *state;
	long long ceiling;
	const char *valid_from, *valid_to;
};
typedef int (*status_consent_fn)(void *arg,
				 const struct status_consent_row *r);
int store_status_consents(struct store *s, const struct principal *who,
			  const char *asof, status_consent_fn fn, void *arg,
			  struct error *e);

/* Sessions on the day: running; planned to start within 90 days;
 * postponed, due to have started within the year before or the 90 days
 * after, and not re-run by the day (no replacement started). */
struct status_sessions {
	long long running, planned, postponed;
};
int store_status_sessions(struct store *s, const struct principal *who,
			  const char *asof, struct status_sessions *out,
			  struct error *e);

#endif
