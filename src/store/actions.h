/*
 * The actions' questions of the store (core/actions.c): what a
 * suspension, a resumption, a consent's end or a transfer touches.
 *
 * Every function takes WHO and answers over what WHO may see. An action
 * works on the whole mission and asks as &principal_system; what it then
 * reports it filters by its caller with store_may_see(). Row callbacks
 * get strings borrowed for the call, after every row has been read (a
 * callback may query and write); non-zero stops and is returned.
 */
#ifndef CADRE_STORE_ACTIONS_H
#define CADRE_STORE_ACTIONS_H

#include "store/rules.h"

struct principal;

/* Number of SESSION's enrolments, into *N. */
int store_enrolment_count(struct store *s, const struct principal *who,
			  const char *session, long long *n, struct error *e);

/* Number of mission assignments in SCOPE (mission, site:CODE, or
 * activity:CODE: its site and kind of work) in force on or after FROM. */
int store_assignments_in_scope_count(struct store *s,
				     const struct principal *who,
				     const char *scope, const char *from,
				     long long *n, struct error *e);

/* Codes of the activities in force on or after FROM within SCOPE or,
 * when SCOPE is NULL, at SITES (';'-separated, NULL: all) and of AKINDS. */
int store_activities_in_scope_each(struct store *s,
				   const struct principal *who,
				   const char *from, const char *scope,
				   const char *sites, const char *akinds,
				   store_text_fn fn, void *arg,
				   struct error *e);

/* Suspensions of exactly SCOPE in force on ON or ended that day (a
 * resume run again), by start. */
int store_scope_suspensions_each(struct store *s, const struct principal *who,
				 const char *scope, const char *on,
				 suspension_row_fn fn, void *arg,
				 struct error *e);

/* Open suspensions recorded with REASON that began on or before ON. */
int store_suspensions_for_each(struct store *s, const struct principal *who,
			       const char *reason, const char *on,
			       suspension_row_fn fn, void *arg,
			       struct error *e);

/* Keys of the mission's sessions that run (not postponed or cancelled)
 * after ON at SITES (NULL: all) whose activity is of AKINDS, by start
 * then key. */
int store_sessions_under_consent_each(struct store *s,
				      const struct principal *who,
				      const char *on, const char *sites,
				      const char *akinds, store_text_fn fn,
				      void *arg, struct error *e);

struct assignment_row {
	const char *key, *valid_from;
};
typedef int (*assignment_row_fn)(void *arg, const struct assignment_row *a);

/* Mission assignments in force after ON to posts at SITES (NULL: all)
 * whose function is of AKINDS (training, advising, else support), by
 * start then key. */
int store_assignments_under_consent_each(struct store *s,
					 const struct principal *who,
					 const char *on, const char *sites,
					 const char *akinds, assignment_row_fn fn,
					 void *arg, struct error *e);

/* Sessions of ACTIVITY starting on or after ON, and their enrolments. */
int store_activity_future(struct store *s, const struct principal *who,
			  const char *activity, const char *on,
			  long long *sessions, long long *enrolments,
			  struct error *e);

/* Someone on a post on a day; valid_to NULL: open. */
struct holder_row {
	const char *key, *person, *post, *valid_to, *nation;
};
typedef int (*holder_row_fn)(void *arg, const struct holder_row *h);

/* ORG's people on posts at SITE doing FUNCTION, on post on ON, by post
 * then start. */
int store_post_holders_each(struct store *s, const struct principal *who,
			    const char *org, const char *site,
			    const char *function, const char *on,
			    holder_row_fn fn, void *arg, struct error *e);

#endif
