/*
 * The evaluator of a timetable under the ITC 2007 track 3 rules (the UD2
 * cost of the competition), and the reader/writer of the competition's
 * solution format: one line per lecture, `course room day period`.
 *
 * The evaluator is written from the rules alone and shares no code with the
 * solver, so that each checks the other.
 */
#ifndef CADRE_SCHED_EVAL_H
#define CADRE_SCHED_EVAL_H

#include "sched/ctt.h"

#include <stdio.h>

/* One scheduled lecture; period = day * periods_per_day + slot. */
struct ctt_assignment {
	int course;
	int room;
	int period;
};

/* A timetable as a list of lectures; it owns `a`. */
struct ctt_solution {
	int n;
	int cap;
	struct ctt_assignment *a;
};

/* Violations and cost, with the weights of UD2 already applied. */
struct ctt_cost {
	long lectures;		/* missing, extra or same-period lectures */
	long conflicts;		/* conflicting course pairs per period */
	long availability;	/* lectures in an unavailable period */
	long room_occupancy;	/* lectures - 1 per room and period */
	long room_capacity;	/* students over capacity, per lecture */
	long min_working_days;	/* 5 per day short */
	long compactness;	/* 2 per isolated curriculum lecture */
	long room_stability;	/* 1 per extra room of a course */
};

long ctt_cost_violations(const struct ctt_cost *k);
long ctt_cost_soft(const struct ctt_cost *k);

/*
 * Evaluates SOL against INST into *OUT. Assignments must be in range (the
 * reader guarantees it). Returns 0, or -1 when out of memory.
 *
 * Lectures counts, per course: lectures beyond the first in one period,
 * plus |required - distinct periods used|. Conflicts counts each pair of
 * distinct conflicting courses both taught in a period once. Compactness
 * counts every lecture of a curriculum in a period with no lecture of the
 * same curriculum in the period before or after on the same day.
 */
int ctt_evaluate(const struct ctt *inst, const struct ctt_solution *sol,
		 struct ctt_cost *out);

/*
 * Parses solution text BUF (LEN bytes) for INST into *OUT (overwritten).
 * Returns 0, or -1 with "line N: reason" in ERR (unknown course or room,
 * day or period out of range, wrong number of fields); *OUT is then empty.
 */
int ctt_solution_parse(const struct ctt *inst, const char *buf, size_t len,
		       struct ctt_solution *out, char err[CTT_ERR_MAX]);

/* Appends one assignment; returns -1 when out of memory. */
int ctt_solution_add(struct ctt_solution *sol, int course, int room,
		     int period);

/* Writes SOL in the competition format; returns -1 on a write error. */
int ctt_solution_write(const struct ctt *inst, const struct ctt_solution *sol,
		       FILE *f);

/* Frees what SOL owns and zeroes it; SOL may be NULL. */
void ctt_solution_release(struct ctt_solution *sol);

#endif
