/*
 * Reports the mission's staff work from, as JSON with stable keys (the
 * command line renders them as tables). Documented in docs/rules.md and
 * docs/reports.md.
 *
 * Every report is computed over what its caller WHO may see (NULL: the
 * system, everything): a record hidden from them counts nowhere and
 * appears nowhere. Whether WHO may run reports at all is the policy's
 * (policy_may_see_totals()); report_run() asks it, the functions below
 * do not.
 */
#ifndef CADRE_CORE_REPORT_H
#define CADRE_CORE_REPORT_H

#include <jansson.h>

#include "store/store.h"

struct principal;

/*==== The reports by name ==============================================*/

enum report_param_type { REPORT_DATE, REPORT_INT, REPORT_STRING };

/* A parameter a report takes, as the API names it ("as_of") and as the
 * command line spells it ("--as-of"). */
struct report_param {
	const char *name;
	const char *flag;
	enum report_param_type type;
	int required;
	const char *fallback;	/* what it is when not given, in words */
	const char *doc;
};

/* The parameters given, parsed by the way in: dates as YYYY-MM-DD,
 * "" (or NULL, or days_set 0) when not given. report_run() fills in the
 * defaults. */
struct report_args {
	char as_of[11], from[11], to[11];
	int days;
	int days_set;
	const char *event;
	const char *activity;
};

#define REPORT_PARAMS_MAX 4
#define REPORTS_MAX 16		/* room for the table to grow */
#define REPORT_DAYS_MAX 3650	/* a REPORT_INT: days, at most ten years */

struct report_def {
	const char *name;
	const char *summary;
	struct report_param params[REPORT_PARAMS_MAX];	/* name NULL ends */
	int from_before_to;	/* refuse a period that is not one */
	int (*run)(struct store *s, const struct principal *who,
		   const struct report_args *a, json_t **out,
		   struct error *e);
};

/* The reports, in the order the documentation lists them. */
extern const struct report_def reports[];
extern const size_t nreports;

/* The report NAME, or NULL. */
const struct report_def *report_find(const char *name);

/* How report_run() names a parameter in its errors. */
enum report_spelling { REPORT_API_NAMES, REPORT_CLI_FLAGS };

/* Set A's parameter P from the text V: a date (YYYY-MM-DD), a number of
 * days from 0 to REPORT_DAYS_MAX, or a code (V kept, not copied). 0, or
 * -1 with E (ERR_USAGE) naming P as SP spells it. */
int report_arg(struct report_args *a, const struct report_param *p,
	       const char *v, enum report_spelling sp, struct error *e);

/* Apply the defaults to A and check it against D: ERR_USAGE naming the
 * parameter (spelt as SP says) when a required one is missing or the
 * period is empty. 0 or -1. */
int report_check(const struct report_def *d, struct report_args *a,
		 enum report_spelling sp, struct error *e);

/* Run report D for WHO with A (report_check() first): ERR_FORBIDDEN
 * when the policy keeps the mission's totals from WHO. *OUT is a new
 * reference. 0 or -1 with E. */
int report_run(struct store *s, const struct principal *who,
	       const struct report_def *d, struct report_args *a,
	       enum report_spelling sp, json_t **out, struct error *e);

/*==== The reports ======================================================*/

/* Daily headcount against the ceiling of each consent in force over
 * [FROM, TO): {from, to, days: [{date, consent, headcount, ceiling}],
 * peak: {...}, breaches: N}. */
int report_ceilings(struct store *s, const struct principal *who,
		    const char *from, const char *to, json_t **out,
		    struct error *e);

/* Each course's leadership (mission-led, co-led, host-led), whether and
 * when it transitioned (host-led for its transition_sessions consecutive
 * completed sessions at or above its pass target), and month by month the
 * share of training days led by host-nation instructors, as of ASOF. */
int report_transition(struct store *s, const struct principal *who,
		      const char *asof, json_t **out, struct error *e);

/* Posts filled and vacant as of ASOF by branch, site, category and the
 * nation each post is designated for ("any": none); rotations due within
 * DAYS with the gap (or overlap) to the next holder. */
int report_manning(struct store *s, const struct principal *who,
		   const char *asof, int days, json_t **out, struct error *e);

/* People deployed by nation as of ASOF, members and partners, against
 * what each pledged (null where it pledged nothing). */
int report_contributions(struct store *s, const struct principal *who,
			 const char *asof, json_t **out, struct error *e);

/* People deployed by nation on the first of each month in [FROM, TO). */
int report_contributions_over_time(struct store *s,
				   const struct principal *who,
				   const char *from, const char *to,
				   json_t **out, struct error *e);

/* Trainees of sessions completed in (FROM, TO], by month, course, site
 * and host institution: passes, pass rate, certificates. */
int report_training_output(struct store *s, const struct principal *who,
			   const char *from, const char *to, json_t **out,
			   struct error *e);

/* Each institution's competencies: the series of assessments up to ASOF,
 * the latest level against the target. */
int report_capability(struct store *s, const struct principal *who,
		      const char *asof, json_t **out, struct error *e);

/* A suspension's cost: sessions postponed, trainee-days lost, and when
 * (and how late) each was re-run. ERR_NOTFOUND for a suspension WHO may
 * not see, exactly as for one that does not exist. */
int report_suspension_impact(struct store *s, const struct principal *who,
			     const char *event, json_t **out,
			     struct error *e);

/* What passed from the coalition: each transferred activity (or only
 * ACTIVITY), its owner before and after and the day, the sessions and
 * trainees that moved with it and the people re-assigned, by nation. */
int report_transfer(struct store *s, const struct principal *who,
		    const char *activity, json_t **out, struct error *e);

#endif
