/* sched/solve: incremental bookkeeping against full re-evaluation, the
 * solver reaching feasibility, and determinism for a seed and budget. */
#include "sched_helpers.h"
#include "sched/solve.h"

#include <limits.h>

/* The state's penalty must agree with the independent evaluator. */
static void expect_state_matches_evaluator(const struct ctt *inst,
					   const struct ctt_state *st)
{
	struct ctt_solution sol;
	struct ctt_penalty pen;
	struct ctt_cost k;

	cr_assert_eq(ctt_state_export(st, &sol), 0);
	cr_assert_eq(sol.n, inst->nlectures);
	cr_assert_eq(ctt_evaluate(inst, &sol, &k), 0);
	ctt_state_penalty(st, &pen);
	cr_assert_eq(pen.capacity, k.room_capacity);
	cr_assert_eq(pen.min_days, k.min_working_days);
	cr_assert_eq(pen.compactness, k.compactness);
	cr_assert_eq(pen.stability, k.room_stability);
	cr_assert_eq(k.room_occupancy, 0);
	cr_assert_eq(pen.hard == 0, ctt_cost_violations(&k) == 0,
		     "state hard %ld, evaluator violations %ld", pen.hard,
		     ctt_cost_violations(&k));
	ctt_solution_release(&sol);
}

static void random_walk(const char *name, int moves, uint64_t seed)
{
	struct ctt inst;
	struct ctt_state *st;
	struct ctt_rng rng;
	struct ctt_penalty before, after;
	int applied = 0, pure = 0;

	load_instance(name, &inst);
	st = ctt_state_new(&inst);
	cr_assert(st);
	ctt_rng_seed(&rng, seed);
	ctt_state_construct(st, &rng, 10);
	cr_assert_eq(ctt_state_verify(st), 0);
	expect_state_matches_evaluator(&inst, st);
	for (int i = 0; i < moves; i++) {
		struct ctt_move m;
		long dh = 0, ds = 0, ph = 0, ps = 0;

		if (!ctt_state_propose(st, &rng, 0.4, &m))
			continue;
		ctt_state_penalty(st, &before);
		if (ctt_state_delta(st, &m, &ph, &ps))
			pure++;
		else
			ph = ps = LONG_MIN;
		cr_assert_eq(ctt_state_verify(st), 0,
			     "ctt_state_delta wrote to the state");
		ctt_state_apply(st, &m, &dh, &ds);
		if (ph != LONG_MIN) {
			cr_assert_eq(ph, dh, "move %d: pure hard delta %ld, applied %ld", i, ph, dh);
			cr_assert_eq(ps, ds, "move %d: pure soft delta %ld, applied %ld", i, ps, ds);
		}
		ctt_state_penalty(st, &after);
		cr_assert_eq(after.hard - before.hard, dh);
		cr_assert_eq(ctt_penalty_soft(&after) - ctt_penalty_soft(&before), ds);
		/* Keep two moves in three, undo the third. */
		if (i % 3 == 2) {
			ctt_state_undo(st, &m);
			ctt_state_penalty(st, &after);
			cr_assert_eq(memcmp(&after, &before, sizeof after), 0,
				     "undo did not restore the penalty");
		}
		applied++;
		if (i % 97 == 0) {
			cr_assert_eq(ctt_state_verify(st), 0,
				     "counters drifted after move %d", i);
			expect_state_matches_evaluator(&inst, st);
		}
	}
	cr_assert_gt(applied, moves / 4);
	cr_assert_gt(pure, applied / 2);
	cr_assert_eq(ctt_state_verify(st), 0);
	expect_state_matches_evaluator(&inst, st);
	ctt_state_free(st);
	ctt_release(&inst);
}

Test(solve, incremental_equals_full_on_toy)
{
	random_walk("toy.ctt", 5000, 7);
}

Test(solve, incremental_equals_full_on_comp01)
{
	random_walk("comp01.ctt", 6000, 11);
}

static void solve_budget(const struct ctt *inst, uint64_t seed,
			 uint64_t iterations, struct ctt_solution *sol,
			 struct ctt_cost *k)
{
	struct ctt_solve_opts o;
	struct ctt_solve_stats stats;

	ctt_solve_opts_init(&o);
	o.seed = seed;
	o.iterations = iterations;
	cr_assert_eq(ctt_solve(inst, &o, sol, &stats), CTT_SOLVE_OK);
	cr_assert_eq(stats.iterations, iterations);
	cr_assert_eq(stats.stopped, 0);
	cr_assert_eq(sol->n, inst->nlectures);
	cr_assert_eq(ctt_evaluate(inst, sol, k), 0);
}

Test(solve, toy_reaches_zero_violations)
{
	struct ctt inst;
	struct ctt_solution sol;
	struct ctt_cost k;

	load_instance("toy.ctt", &inst);
	solve_budget(&inst, 1, 50000, &sol, &k);
	cr_assert_eq(ctt_cost_violations(&k), 0);
	/* The toy admits a timetable of cost 0. */
	cr_assert_eq(ctt_cost_soft(&k), 0);
	ctt_solution_release(&sol);
	ctt_release(&inst);
}

Test(solve, comp01_reaches_zero_violations)
{
	struct ctt inst;
	struct ctt_solution sol;
	struct ctt_cost k;

	load_instance("comp01.ctt", &inst);
	solve_budget(&inst, 3, 300000, &sol, &k);
	cr_assert_eq(ctt_cost_violations(&k), 0);
	cr_assert_lt(ctt_cost_soft(&k), 200);
	ctt_solution_release(&sol);
	ctt_release(&inst);
}

Test(solve, same_seed_same_budget_same_timetable)
{
	struct ctt inst;
	struct ctt_solution a, b, c;
	struct ctt_cost ka, kb, kc;
	int differ = 0;

	load_instance("comp01.ctt", &inst);
	solve_budget(&inst, 42, 100000, &a, &ka);
	solve_budget(&inst, 42, 100000, &b, &kb);
	cr_assert_eq(a.n, b.n);
	cr_assert_eq(memcmp(a.a, b.a, (size_t)a.n * sizeof *a.a), 0);
	cr_assert_eq(ctt_cost_soft(&ka), ctt_cost_soft(&kb));
	/* Another seed explores elsewhere. */
	solve_budget(&inst, 43, 100000, &c, &kc);
	differ = memcmp(a.a, c.a, (size_t)a.n * sizeof *a.a) != 0;
	cr_assert(differ, "seeds 42 and 43 gave the same timetable");
	ctt_solution_release(&a);
	ctt_solution_release(&b);
	ctt_solution_release(&c);
	ctt_release(&inst);
}

Test(solve, refuses_more_lectures_than_room_periods)
{
	static const char text[] =
		"Name: Full\nCourses: 1\nRooms: 1\nDays: 1\nPeriods_per_day: 2\n"
		"Curricula: 0\nConstraints: 0\nCOURSES:\nc1 t1 2 1 1\n"
		"ROOMS:\nr1 1\nCURRICULA:\nUNAVAILABILITY_CONSTRAINTS:\nEND.\n";
	struct ctt inst;
	struct ctt_solution sol;
	struct ctt_solve_opts o;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, text, strlen(text), err), 0, "%s", err);
	ctt_solve_opts_init(&o);
	o.iterations = 1000;
	/* Two lectures fit in two periods of one room. */
	cr_assert_eq(ctt_solve(&inst, &o, &sol, NULL), CTT_SOLVE_OK);
	ctt_solution_release(&sol);
	inst.courses[0].lectures = 3;
	inst.nlectures = 3;
	cr_assert_eq(ctt_solve(&inst, &o, &sol, NULL), CTT_SOLVE_NO_ROOM);
	ctt_release(&inst);
}

Test(solve, stop_flag_returns_best_so_far)
{
	struct ctt inst;
	struct ctt_solution sol;
	struct ctt_solve_opts o;
	struct ctt_solve_stats stats;
	static volatile sig_atomic_t stop = 1;

	load_instance("comp01.ctt", &inst);
	ctt_solve_opts_init(&o);
	o.iterations = 1000000000ULL;
	o.stop = &stop;
	cr_assert_eq(ctt_solve(&inst, &o, &sol, &stats), CTT_SOLVE_OK);
	cr_assert_eq(stats.stopped, 1);
	cr_assert_eq(sol.n, inst.nlectures);
	ctt_solution_release(&sol);
	ctt_release(&inst);
}

/* The budget runs from when it began (the command's reading of the
 * instance), not from ctt_solve(): a limit spent before the search
 * leaves the constructive start, and no iteration (issue 18: a 20,000-
 * course file ran 13 s against --time 10). */
Test(solve, the_time_limit_counts_from_when_it_began)
{
	struct ctt inst;
	struct ctt_solution sol;
	struct ctt_solve_opts o;
	struct ctt_solve_stats stats;

	load_instance("comp01.ctt", &inst);
	ctt_solve_opts_init(&o);
	o.time_limit = 5;
	o.started = ctt_clock() - 6;	/* six seconds spent reading */
	cr_assert_eq(ctt_solve(&inst, &o, &sol, &stats), CTT_SOLVE_OK);
	cr_assert_eq(stats.iterations, 0);
	cr_assert(stats.seconds >= 6 && stats.seconds < 10, "%f", stats.seconds);
	cr_assert_eq(sol.n, inst.nlectures, "the constructive start, whole");
	ctt_solution_release(&sol);
	ctt_release(&inst);
}
