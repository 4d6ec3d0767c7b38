/*
 * The demo mission: NATO Mission Iraq from public facts (the CSV files in
 * data/demo, compiled in) and a seeded generator for what public sources do not
 * give — persons, tours, sessions, trainees, results, assessments — each
 * record marked provenance=synthetic. The same database on every run.
 */
#ifndef CADRE_CORE_DEMO_H
#define CADRE_CORE_DEMO_H

#include "core/csvio.h"
#include "store/store.h"

struct demo_stats {
	long records;		/* written in all */
	long persons, sessions, trainees, enrolments;
};

/* Load the demo into S (expected empty) in one transaction. */
int demo_load(struct store *s, progress_fn progress, void *progress_arg,
	      struct demo_stats *st, struct error *e);

/* Only the public facts (nations, sites, consents, activities, courses,
 * status events, training plans), inside the caller's transaction. */
int demo_load_facts(struct store *s, struct error *e);

#endif
