/*
 * Planning sessions on days: each item (a session to run) gets a start
 * day, a classroom and its trainers, so that no trainer, host unit or
 * classroom is in two sessions at once, the session runs only on days it
 * may (consent, suspensions: the caller's "blocked" spans), every trainer
 * may teach it on every one of its days, and the classroom holds its
 * trainees. Pure: no database, no I/O; days are day numbers.
 *
 * The search places items in the order given, each as early as it can
 * (a postponed session is re-planned as soon as the rules allow), and
 * among the feasible choices of a day prefers the tightest classroom and
 * trainers who already teach that course (a stable team), then those
 * posted at the site (no travel), then those who teach least.
 * Deterministic.
 */
#ifndef CADRE_SCHED_PLAN_H
#define CADRE_SCHED_PLAN_H

#include <stddef.h>
#include <stdint.h>

struct plan_span {
	int32_t from, to;		/* days [from, to) */
};

/* TRAINER may teach this item on the days [from, to); AWAY when their
 * post is at another site (they would travel). */
struct plan_option {
	int trainer;
	int32_t from, to;
	int away;
};

struct plan_item {
	int duration;			/* days, > 0 */
	int32_t earliest, latest;	/* first and last start day allowed */
	const struct plan_span *blocked;	/* days it may not run */
	size_t nblocked;
	int unit;			/* host unit, or -1 */
	int trainees;
	int need;			/* trainers it needs */
	const struct plan_option *options;
	size_t noptions;
	const int *rooms;		/* candidate classrooms */
	size_t nrooms;			/* 0: no classroom to book */
	int group;			/* items of one course share a team */
	const int32_t *no_start;	/* days it may not start on */
	size_t nno_start;
};

struct plan_room {
	int capacity;
};

enum plan_resource { PLAN_TRAINER, PLAN_UNIT, PLAN_ROOM };

/* A commitment made before: WHO of kind WHAT is busy on [from, to). */
struct plan_busy {
	enum plan_resource what;
	int who;
	int32_t from, to;
};

struct plan_problem {
	const struct plan_item *items;
	size_t nitems;
	const struct plan_room *rooms;
	size_t nrooms;
	size_t ntrainers, nunits, ngroups;
	const struct plan_busy *busy;
	size_t nbusy;
};

enum plan_outcome {
	PLAN_PLACED = 0,
	PLAN_NO_DAYS,		/* blocked on every day of the window */
	PLAN_NO_TRAINERS,	/* too few qualified, free trainers */
	PLAN_NO_ROOM,		/* no classroom large enough and free */
	PLAN_UNIT_BUSY,		/* the host unit is in other sessions */
};

struct plan_placement {
	enum plan_outcome outcome;
	int32_t start;
	int room;		/* -1: none */
	int *trainers;		/* item.need entries when placed */
	int free_trainers;	/* when not placed: most found on one day */
	long cost;
};

/* Cost of a placement: days after its earliest start, classroom seats
 * left empty (per 10), trainers new to the course's team, and trainers
 * travelling from another site. */
struct plan_result {
	struct plan_placement *placements;	/* one per item */
	size_t nplacements;
	size_t placed;
	long cost;
};

/* 0, or -1 when out of memory (OUT is then empty). */
int plan_solve(const struct plan_problem *p, struct plan_result *out);
void plan_result_release(struct plan_result *r);

const char *plan_outcome_name(enum plan_outcome o);

#endif
