/*
 * The mission planner: builds a planning problem (sched/plan.h) from the
 * store — training plans or postponed sessions, classrooms, trainers on
 * post with the qualifications, consents, suspensions, commitments
 * already made — solves it, and with APPLY writes the sessions through
 * the rules, audited, in one transaction.
 */
#ifndef CADRE_CORE_PLANNER_H
#define CADRE_CORE_PLANNER_H

#include <jansson.h>

#include "core/rules.h"
#include "store/store.h"

struct planner_opts {
	const char *from, *to;	/* sessions start in [from, to) */
	const char *site;	/* only this site, or NULL */
	int postponed;		/* re-plan postponed sessions, not plans */
	int apply;		/* write the plan; else a dry run */
	/* Postponed sessions only: */
	const char *scope;	/* mission, site:CODE, activity:CODE; NULL: SITE */
	const char *since;	/* only those ending after this day; NULL: any */
	int resume;		/* each from its own day, not FROM (resume): */
	int shift;		/* one due before FROM starts SHIFT days after
				 * its own start and not before FROM, one due
				 * later on its own start at the earliest; each
				 * within PLAN_RESUME_DAYS of that day */
};

/* How far past its earliest day resume looks for a postponed session. */
#define PLAN_RESUME_DAYS 366

struct principal;

/* The plan as JSON (docs/planner.md): from, to, applied, items, placed,
 * cost, sessions[…], unplaced[{…, reason, missing}], already_planned[…],
 * hidden. A training plan asks for its sessions once: those that exist
 * already count toward it (store_plan_sessions_each()), so planning
 * again places only what is still missing. Every session that runs
 * books its trainers, room and host unit against the plan. The plan is
 * made over the whole mission; the sessions and unplaced items listed
 * are those of plans and postponed sessions WHO may see (NULL: the
 * system), and "hidden" counts the others. */
int plan_sessions(struct store *s, const struct principal *who,
		  const struct planner_opts *o, json_t **report,
		  struct error *e);

/* The same inside the caller's transaction (resume --apply). */
int plan_sessions_in_tx(struct store *s, const struct principal *who,
			struct rules_tx *t, const struct planner_opts *o,
			json_t **report, struct error *e);

/* The longest period plan_sessions() plans: five years. */
#define PLAN_DAYS_MAX 1827

#endif
