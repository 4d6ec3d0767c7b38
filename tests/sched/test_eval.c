/* sched/eval: the evaluator against every number of the official toy
 * example, and the solution reader and writer. */
#include "sched_helpers.h"

Test(eval, toy_example_every_number)
{
	struct ctt inst;
	struct ctt_solution sol;
	struct ctt_cost k;

	load_instance("toy.ctt", &inst);
	load_solution(&inst, "toy.sol", &sol);
	cr_assert_eq(sol.n, 16);
	cr_assert_eq(ctt_evaluate(&inst, &sol, &k), 0);
	cr_expect_eq(k.lectures, 0);
	cr_expect_eq(k.conflicts, 3);
	cr_expect_eq(k.availability, 0);
	cr_expect_eq(k.room_occupancy, 2);
	cr_expect_eq(ctt_cost_violations(&k), 5);
	cr_expect_eq(k.room_capacity, 8);
	cr_expect_eq(k.min_working_days, 15);
	cr_expect_eq(k.compactness, 4);
	cr_expect_eq(k.room_stability, 3);
	cr_expect_eq(ctt_cost_soft(&k), 30);
	ctt_solution_release(&sol);
	ctt_release(&inst);
}

Test(eval, missing_duplicate_and_unavailable_lectures)
{
	struct ctt inst;
	struct ctt_solution sol = { 0 };
	struct ctt_cost k;

	load_instance("toy.ctt", &inst);
	/* SceCosC (3 lectures): two in day 0 period 0, none else -> 1 extra in
	 * one period + 2 periods short. */
	cr_assert_eq(ctt_solution_add(&sol, 0, 0, 0), 0);
	cr_assert_eq(ctt_solution_add(&sol, 0, 1, 0), 0);
	/* ArcTec on day 4 (unavailable). */
	cr_assert_eq(ctt_solution_add(&sol, 1, 1, 4 * 4 + 1), 0);
	cr_assert_eq(ctt_evaluate(&inst, &sol, &k), 0);
	/* SceCosC: 1 + 2; ArcTec: 3 - 1; TecCos: 5; Geotec: 5. */
	cr_expect_eq(k.lectures, 3 + 2 + 5 + 5);
	cr_expect_eq(k.availability, 1);
	cr_expect_eq(k.room_occupancy, 0);
	cr_expect_eq(k.conflicts, 0);
	/* SceCosC in A (32) for 30 students: fine. */
	cr_expect_eq(k.room_capacity, 0);
	cr_expect_eq(k.room_stability, 1);
	/* Working days short: SceCosC 3-1, ArcTec 2-1, TecCos 4, Geotec 4. */
	cr_expect_eq(k.min_working_days, 5 * (2 + 1 + 4 + 4));
	/* Cur1: two lectures isolated at (0,0) and one at (4,1): 3 x 2. */
	cr_expect_eq(k.compactness, 6);
	ctt_solution_release(&sol);
	ctt_release(&inst);
}

Test(eval, write_then_read_round_trip)
{
	struct ctt inst;
	struct ctt_solution sol, back;
	char *text = NULL;
	size_t len = 0;
	char err[CTT_ERR_MAX];
	FILE *f;

	load_instance("toy.ctt", &inst);
	load_solution(&inst, "toy.sol", &sol);
	f = open_memstream(&text, &len);
	cr_assert(f);
	cr_assert_eq(ctt_solution_write(&inst, &sol, f), 0);
	fclose(f);
	cr_assert(len >= 13);
	cr_assert_str_eq(text + len - 13, "Geotec A 4 2\n");
	cr_assert_eq(ctt_solution_parse(&inst, text, len, &back, err), 0, "%s", err);
	cr_assert_eq(back.n, sol.n);
	for (int i = 0; i < sol.n; i++) {
		cr_expect_eq(back.a[i].course, sol.a[i].course);
		cr_expect_eq(back.a[i].room, sol.a[i].room);
		cr_expect_eq(back.a[i].period, sol.a[i].period);
	}
	free(text);
	ctt_solution_release(&back);
	ctt_solution_release(&sol);
	ctt_release(&inst);
}

static void expect_sol_error(const struct ctt *inst, const char *text,
			     const char *what)
{
	struct ctt_solution sol;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_solution_parse(inst, text, strlen(text), &sol, err), -1,
		     "accepted \"%s\"", text);
	cr_assert(strstr(err, what), "error \"%s\" does not say \"%s\"", err, what);
	cr_assert_eq(sol.a, NULL);
}

Test(eval, malformed_solutions)
{
	struct ctt inst;

	load_instance("toy.ctt", &inst);
	expect_sol_error(&inst, "SceCosC A 0\n", "line 1: a solution line has 4 fields");
	expect_sol_error(&inst, "\r\nSceCosC A 0 0\r\nNope A 0 0\r\n",
			 "line 3: unknown course \"Nope\"");
	expect_sol_error(&inst, "SceCosC C 0 0\n", "line 1: unknown room \"C\"");
	expect_sol_error(&inst, "SceCosC A 5 0\n", "line 1: day must be 0..4 and period 0..3");
	expect_sol_error(&inst, "SceCosC A 0 -1\n", "line 1: day must be 0..4");
	ctt_release(&inst);
}
