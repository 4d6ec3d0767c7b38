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

#endif
