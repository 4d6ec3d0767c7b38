/*
 * Reports the mission's staff work from, as JSON with stable keys (the
 * command line renders them as tables). Documented in docs/rules.md.
 */
#ifndef CADRE_CORE_REPORT_H
#define CADRE_CORE_REPORT_H

#include <jansson.h>

#include "store/store.h"

/* Daily headcount against the ceiling of each consent in force over
 * [FROM, TO): {from, to, days: [{date, consent, headcount, ceiling}],
 * peak: {...}, breaches: N}. */
int report_ceilings(struct store *s, const char *from, const char *to,
		    json_t **out, struct error *e);

/* Each course's leadership (mission-led, co-led, host-led), whether and
 * when it transitioned (host-led for its transition_sessions consecutive
 * completed sessions at or above its pass target), and month by month the
 * share of training days led by host-nation instructors, as of ASOF. */
int report_transition(struct store *s, const char *asof, json_t **out,
		      struct error *e);

/* Posts filled and vacant as of ASOF by branch, site, category and the
 * holders' nation; rotations due within DAYS with the gap (or overlap)
 * to the next holder. */
int report_manning(struct store *s, const char *asof, int days, json_t **out,
		   struct error *e);

/* People deployed by nation as of ASOF, members and partners, against
 * what each pledged (null where it pledged nothing). */
int report_contributions(struct store *s, const char *asof, json_t **out,
			 struct error *e);

/* People deployed by nation on the first of each month in [FROM, TO). */
int report_contributions_over_time(struct store *s, const char *from,
				   const char *to, json_t **out,
				   struct error *e);

/* Trainees of sessions completed in (FROM, TO], by month, course, site
 * and host institution: passes, pass rate, certificates. */
int report_training_output(struct store *s, const char *from, const char *to,
			   json_t **out, struct error *e);

/* Each institution's competencies: the series of assessments up to ASOF,
 * the latest level against the target. */
int report_capability(struct store *s, const char *asof, json_t **out,
		      struct error *e);

/* A suspension's cost: sessions postponed, trainee-days lost, and when
 * (and how late) each was re-run. */
int report_suspension_impact(struct store *s, const char *event,
			     json_t **out, struct error *e);

/* What passed from the coalition: each transferred activity (or only
 * ACTIVITY), its owner before and after and the day, the sessions and
 * trainees that moved with it and the people re-assigned, by nation. */
int report_transfer(struct store *s, const char *activity, json_t **out,
		    struct error *e);

#endif
