/*
 * The reports' questions to the store, each computed over what the
 * caller WHO may see (store/access.h): a record hidden from them counts
 * nowhere and appears nowhere, in a figure as in a list, exactly as if
 * it did not exist. NULL or &principal_system sees everything.
 *
 * Each function calls FN once per row, in the order the report shows
 * them, with a typed row whose strings live until FN returns (copy what
 * you keep). A non-zero return from FN stops the walk and is returned;
 * otherwise 0, or -1 with E set when the database fails. FN must not ask
 * the same question again from inside the walk.
 */
#ifndef CADRE_STORE_REPORT_H
#define CADRE_STORE_REPORT_H

#include "store/store.h"

struct principal;

/*==== Transition =======================================================*/

/* A session that ran or runs (not postponed nor cancelled), started by
 * the day asked, with its assessed enrolments and their passes. */
struct transition_session {
	const char *key, *course, *valid_from, *valid_to, *lead, *status;
	long passed, assessed;
};
typedef int (*transition_session_fn)(void *arg,
				     const struct transition_session *r);
int store_transition_sessions(struct store *s, const struct principal *who,
			      const char *asof, transition_session_fn fn,
			      void *arg, struct error *e);

/* Every course, by code. */
struct transition_course {
	const char *code, *title;
	long transition_sessions;
	double pass_target;
};
typedef int (*transition_course_fn)(void *arg,
				    const struct transition_course *r);
int store_transition_courses(struct store *s, const struct principal *who,
			     transition_course_fn fn, void *arg,
			     struct error *e);

/*==== Manning ==========================================================*/

/* A post of the mission's establishment in force on ASOF, with the
 * nations of its holders that day (';'-separated, NULL when vacant). */
struct manning_post {
	const char *number, *title, *branch, *category, *site;
	const char *designated;		/* the post's nation, or "" */
	const char *holders;
};
typedef int (*manning_post_fn)(void *arg, const struct manning_post *r);
int store_manning_posts(struct store *s, const struct principal *who,
			const char *asof, manning_post_fn fn, void *arg,
			struct error *e);

/* An assignment to a mission post ending in (FROM, TO], with the first
 * start of a later assignment to the same post (NULL: none yet). */
struct manning_rotation {
	const char *post, *person, *nation, *ends, *next_from;
};
typedef int (*manning_rotation_fn)(void *arg,
				   const struct manning_rotation *r);
int store_manning_rotations(struct store *s, const struct principal *who,
			    const char *from, const char *to,
			    manning_rotation_fn fn, void *arg,
			    struct error *e);

/*==== Contributions ====================================================*/

/* Each nation as of ASOF: "member", "partner" or "other", the people it
 * has on the mission's posts and what it pledged (has_pledge 0: none). */
struct contribution {
	const char *code, *name, *status;
	long deployed;
	long pledged;
	int has_pledge;
};
typedef int (*contribution_fn)(void *arg, const struct contribution *r);
int store_contributions(struct store *s, const struct principal *who,
			const char *asof, contribution_fn fn, void *arg,
			struct error *e);

/* People on the mission's posts on DAY, by nation (in code order). */
struct deployed {
	const char *nation;
	long people;
};
typedef int (*deployed_fn)(void *arg, const struct deployed *r);
int store_deployed_on(struct store *s, const struct principal *who,
		      const char *day, deployed_fn fn, void *arg,
		      struct error *e);

/*==== Training output ==================================================*/

/* Enrolments of the sessions completed in (FROM, TO], by month of the
 * end, course, site and host institution ("" for none). */
struct training_output {
	const char *month, *course, *site, *institution;
	long trainees, passed, certificates;
};
typedef int (*training_output_fn)(void *arg, const struct training_output *r);
int store_training_output(struct store *s, const struct principal *who,
			  const char *from, const char *to,
			  training_output_fn fn, void *arg, struct error *e);

/*==== Capability =======================================================*/

/* Assessments up to ASOF by organisation, competency and day. */
struct assessment_row {
	const char *organisation, *competency, *assessed_on;
	long level;
	long target;
	int has_target;
};
typedef int (*assessment_fn)(void *arg, const struct assessment_row *r);
int store_assessments(struct store *s, const struct principal *who,
		      const char *asof, assessment_fn fn, void *arg,
		      struct error *e);

/*==== Suspension impact ================================================*/

/* A suspension (a status event of action "suspend"); valid_to is
 * "9999-12-31" while open. Strings owned: suspension_release(). */
struct suspension {
	char *code, *scope, *reason, *valid_from, *valid_to;
};

/* Fetch the suspension CODE. 1 found, 0 when there is none the caller
 * may see (hidden and absent are one answer), -1 on error. */
int store_suspension(struct store *s, const struct principal *who,
		     const char *code, struct suspension *out,
		     struct error *e);
void suspension_release(struct suspension *sp);	/* NULL ok */

/* Sessions postponed over [FROM, TO) within SCOPE ("mission",
 * "site:CODE", "activity:CODE"), with their enrolments and the session
 * that re-runs each (NULL: none). */
struct postponed {
	const char *key, *course, *site, *valid_from, *valid_to;
	long trainees;
	const char *rerun, *rerun_from;
};
typedef int (*postponed_fn)(void *arg, const struct postponed *r);
int store_postponed(struct store *s, const struct principal *who,
		    const char *from, const char *to, const char *scope,
		    postponed_fn fn, void *arg, struct error *e);

/*==== Transfer =========================================================*/

/* Each activity passed from another owner (or only ACTIVITY, NULL for
 * all), with the sessions, enrolments and trainees from the day. */
struct transfer {
	const char *code, *title, *from_org, *to_org, *on_day;
	long sessions, enrolments, trainees;
};
typedef int (*transfer_fn)(void *arg, const struct transfer *r);
int store_transfers(struct store *s, const struct principal *who,
		    const char *activity, transfer_fn fn, void *arg,
		    struct error *e);

/* The people each transfer (or only ACTIVITY's, NULL for all) moved:
 * the assignments it ended on its day and began again on the post it
 * opened (NUMBER@OWNER) that same day, by new owner, day and nation. A
 * later posting to such a post is not a transfer's. */
struct reassigned {
	const char *to_org, *on_day, *nation;
	long people;
};
typedef int (*reassigned_fn)(void *arg, const struct reassigned *r);
int store_reassigned(struct store *s, const struct principal *who,
		     const char *activity, reassigned_fn fn, void *arg,
		     struct error *e);

#endif
