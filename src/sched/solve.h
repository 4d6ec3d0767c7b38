/*
 * The search for ITC 2007 track 3 timetables: a greedy constructive start,
 * then simulated annealing over "move a lecture to another period and room"
 * and "swap two lectures", with every cost delta computed incrementally.
 *
 * Determinism: for a given instance, seed and iteration budget (and no time
 * limit reached, no stop request), the result is the same on every run.
 * A time limit is an anytime cutoff: the best timetable found so far is
 * returned.
 *
 * The state API (struct ctt_state) is public so that tests can check the
 * incremental bookkeeping against a recount from scratch.
 */
#ifndef CADRE_SCHED_SOLVE_H
#define CADRE_SCHED_SOLVE_H

#include "sched/ctt.h"
#include "sched/eval.h"
#include "sched/rng.h"

#include <signal.h>
#include <stdint.h>

/*==== The solver ====*/

struct ctt_progress {
	uint64_t iterations;
	double seconds;		/* since the start of the search */
	double fraction;	/* of the budget used, 0..1 */
	double temperature;
	long best_violations;	/* of the best timetable so far */
	long best_cost;
	long current_cost;
};

struct ctt_solve_opts {
	uint64_t seed;
	uint64_t iterations;	/* annealing budget; 0 = set by time_limit */
	double time_limit;	/* seconds; 0 = none (then iterations > 0) */
	double started;		/* ctt_clock() when the budget began (reading
				 * the instance counts); 0: at ctt_solve() */
	const volatile sig_atomic_t *stop;	/* nonzero: stop now; may be NULL */
	void (*progress)(void *ctx, const struct ctt_progress *p);
	void *progress_ctx;
	/* Tuning; ctt_solve_opts_init sets the defaults. */
	double temp_start;
	double temp_end;
	double swap_rate;	/* probability of a swap move */
	int hard_weight;	/* weight of a hard violation in the search */
};

struct ctt_solve_stats {
	uint64_t iterations;
	double seconds;
	int stopped;		/* 1: time limit or stop request ended it */
};

/* Seconds on a monotonic clock, for ctt_solve_opts.started. */
double ctt_clock(void);

/* Result codes of ctt_solve. */
enum ctt_solve_result {
	CTT_SOLVE_OK = 0,
	CTT_SOLVE_NOMEM = -1,
	CTT_SOLVE_NO_ROOM = -2,	/* more lectures than room-periods */
	CTT_SOLVE_BAD_OPTS = -3,	/* neither iterations nor time limit */
};

void ctt_solve_opts_init(struct ctt_solve_opts *o);

/*
 * Solves INST; writes the best timetable found into *OUT (overwritten; the
 * caller releases it with ctt_solution_release). STATS may be NULL.
 * Lectures are listed course by course.
 */
enum ctt_solve_result ctt_solve(const struct ctt *inst,
				const struct ctt_solve_opts *opts,
				struct ctt_solution *out,
				struct ctt_solve_stats *stats);

/*==== The search state ====*/

struct ctt_state;

/* A move: lecture l1 goes to (p2, r2); if l2 >= 0, l2 (which was at
 * (p2, r2)) goes to l1's old place (p1, r1). */
struct ctt_move {
	int l1, l2;
	int p1, r1, p2, r2;
};

/* Penalty of a state: hard is zero exactly when the timetable has no
 * violation; soft equals the UD2 cost (components as in struct ctt_cost). */
struct ctt_penalty {
	long hard;
	long capacity, min_days, compactness, stability;
};

long ctt_penalty_soft(const struct ctt_penalty *p);

/* A state with every lecture unplaced; NULL when out of memory or when
 * the instance has more lectures than room-periods. */
struct ctt_state *ctt_state_new(const struct ctt *inst);
void ctt_state_free(struct ctt_state *st);

/* Places every lecture greedily (the constructive start). */
void ctt_state_construct(struct ctt_state *st, struct ctt_rng *rng,
			 int hard_weight);

/* Draws a random move; returns 0 if the draw is not a usable move. */
int ctt_state_propose(const struct ctt_state *st, struct ctt_rng *rng,
		      double swap_rate, struct ctt_move *m);

/* Adds M's deltas into *DHARD and *DSOFT without applying it and returns
 * 1; returns 0 (adding nothing) for a swap of two courses that share a
 * teacher or a curriculum, whose delta only ctt_state_apply computes. */
int ctt_state_delta(struct ctt_state *st, const struct ctt_move *m,
		    long *dhard, long *dsoft);

/* Applies M and adds its deltas into *DHARD and *DSOFT. */
void ctt_state_apply(struct ctt_state *st, const struct ctt_move *m,
		     long *dhard, long *dsoft);

/* Reverts M, which must be the last move applied. */
void ctt_state_undo(struct ctt_state *st, const struct ctt_move *m);

void ctt_state_penalty(const struct ctt_state *st, struct ctt_penalty *out);

/* Recounts everything from the placement; 0 if the incremental counters
 * and penalty agree with the recount, -1 otherwise (or out of memory). */
int ctt_state_verify(const struct ctt_state *st);

/* The current timetable as a solution (course by course). */
int ctt_state_export(const struct ctt_state *st, struct ctt_solution *out);

#endif
