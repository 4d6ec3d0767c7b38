/*
 * The planner's questions of the store (core/planner.c): trainers on
 * post, a course and its site's rooms, the commitments already made,
 * training plans and postponed sessions to place, enrolments to carry.
 *
 * Every function takes WHO and answers over what WHO may see; the
 * planner plans over the whole mission and passes &principal_system.
 * Row callbacks get strings borrowed for the call, after every row has
 * been read (a callback may query and write); non-zero stops and is
 * returned.
 */
#ifndef CADRE_STORE_PLANNER_H
#define CADRE_STORE_PLANNER_H

#include "store/rules.h"

struct principal;

/* A person on a mission post; valid_to NULL: open. */
struct trainer_row {
	const char *code, *qualifications, *valid_from, *valid_to, *site;
};
typedef int (*trainer_row_fn)(void *arg, const struct trainer_row *t);

/* People on the mission's posts on a day of [FROM, TO) who hold
 * qualification QUAL (its code; "" for any), by person then start. */
int store_trainers_each(struct store *s, const struct principal *who,
			const char *from, const char *to, const char *qual,
			trainer_row_fn fn, void *arg, struct error *e);

/* A course as the planner needs it, with the rooms of SITE (or of its
 * activity's site). Strings owned, "" when empty. */
struct plan_course {
	long duration_days, capacity, trainer_ratio;
	char *quals, *activity, *site, *rooms;
};

/* Course CODE into OUT (SITE NULL: its activity's): 1, 0 when absent
 * (OUT empty), -1. Release OUT in every case. */
int store_plan_course(struct store *s, const struct principal *who,
		      const char *code, const char *site,
		      struct plan_course *out, struct error *e);
void plan_course_release(struct plan_course *c);	/* NULL ok */

/* The days [valid_from, valid_to) of the sessions that run (not
 * postponed or cancelled) meeting [FROM, TO) in which a trainee of
 * SESSION (enrolled, not withdrawn) is enrolled too, but for SESSION:
 * the days its re-planned run may not take (TRAINEE-CLASH). */
typedef int (*store_span_fn)(void *arg, const char *from, const char *to);
int store_trainees_busy_each(struct store *s, const struct principal *who,
			     const char *session, const char *from,
			     const char *to, store_span_fn fn, void *arg,
			     struct error *e);

/* Start days of COURSE's sessions in [FROM, TO) but for session EXCEPT
 * (NULL or "": none). */
int store_course_starts_each(struct store *s, const struct principal *who,
			     const char *course, const char *from,
			     const char *to, const char *except,
			     store_text_fn fn, void *arg, struct error *e);

/* A session that runs (neither postponed nor cancelled); room, trainers
 * and host_unit "" when empty. */
struct commitment_row {
	const char *site, *room, *valid_from, *valid_to, *trainers, *host_unit;
};
typedef int (*commitment_row_fn)(void *arg, const struct commitment_row *c);

/* Sessions that run on a day of [FROM, TO). */
int store_commitments_each(struct store *s, const struct principal *who,
			   const char *from, const char *to,
			   commitment_row_fn fn, void *arg, struct error *e);

/* A training plan; site and host_unit NULL when not given. */
struct training_plan_row {
	const char *code, *course, *window_from, *window_to, *site, *host_unit;
	long sessions, trainees;
};
typedef int (*training_plan_row_fn)(void *arg,
				    const struct training_plan_row *p);

/* Training plans whose window meets [FROM, TO), at SITE (NULL: all; a
 * plan without a site is at its course's): those naming a host unit,
 * then a site, first; then by window and code. */
int store_training_plans_each(struct store *s, const struct principal *who,
			      const char *from, const char *to,
			      const char *site, training_plan_row_fn fn,
			      void *arg, struct error *e);

/* Sessions that count toward a training plan of COURSE at SITE (NULL:
 * the course's activity's) for HOST_UNIT (NULL: any), starting in
 * [FROM, TO): not cancelled, and not a re-run of another (a postponed
 * session and the one that replaces it count once, as the first). By
 * start then key; FN gets each key. */
int store_plan_sessions_each(struct store *s, const struct principal *who,
			     const char *course, const char *site,
			     const char *host_unit, const char *from,
			     const char *to, store_text_fn fn, void *arg,
			     struct error *e);

/* A postponed session; host_unit NULL when none, trainers "" then. */
struct postponed_row {
	const char *key, *course, *site, *host_unit, *valid_from, *valid_to;
	const char *classification, *releasability, *trainers;
};
typedef int (*postponed_row_fn)(void *arg, const struct postponed_row *p);

/* The mission's postponed sessions in SCOPE (mission, site:CODE,
 * activity:CODE) that no session replaces yet, ending after SINCE (NULL:
 * any), by start then key. */
int store_postponed_each(struct store *s, const struct principal *who,
			 const char *scope, const char *since,
			 postponed_row_fn fn, void *arg, struct error *e);

/* An enrolment's trainee and markings. */
struct enrolment_row {
	const char *trainee, *classification, *releasability;
};
typedef int (*enrolment_row_fn)(void *arg, const struct enrolment_row *r);

/* Enrolments of SESSION, in the order they were made. */
int store_enrolments_each(struct store *s, const struct principal *who,
			  const char *session, enrolment_row_fn fn, void *arg,
			  struct error *e);

/* Was COURSE's last completed session led by the host nation? 1/0/-1. */
int store_course_host_led(struct store *s, const struct principal *who,
			  const char *course, struct error *e);

#endif
