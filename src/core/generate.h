/*
 * A large synthetic mission for benchmarks: the demo's public facts, then
 * at scale 1 about 5,000 persons on tours, 100,000 sessions and 1,000,000
 * enrolments of 200,000 trainees over ten years — every record validated
 * and written through the rules like any other, in one transaction.
 */
#ifndef CADRE_CORE_GENERATE_H
#define CADRE_CORE_GENERATE_H

#include "core/csvio.h"
#include "store/store.h"

struct generate_stats {
	long persons, sessions, trainees, enrolments;
};

int generate_mission(struct store *s, double scale, progress_fn progress,
		     void *progress_arg, struct generate_stats *st,
		     struct error *e);

#endif
