/* sched parsers under mutation: thousands of corrupted copies of the toy
 * instance and solution (bytes flipped, deleted, duplicated, digits
 * changed) must each be either parsed into a consistent model or refused
 * with a located message; never a crash or a leak (the suite runs under
 * AddressSanitizer). A deterministic stand-in for a fuzzer. */
#include "sched_helpers.h"
#include "sched/rng.h"
#include "sched/solve.h"

static char *mutate(struct ctt_rng *rng, const char *src, size_t len,
		    size_t *out_len)
{
	char *buf = malloc(2 * len + 16);
	size_t n = len;
	int edits = 1 + ctt_rng_below(rng, 4);
	static const char alphabet[] = " \t\r\n0123456789-:ABcEND.";

	cr_assert(buf);
	memcpy(buf, src, len);
	for (int e = 0; e < edits && n > 0; e++) {
		size_t at = (size_t)ctt_rng_below(rng, (int)n);
		switch (ctt_rng_below(rng, 4)) {
		case 0:		/* replace a byte */
			buf[at] = alphabet[ctt_rng_below(rng, (int)sizeof alphabet - 1)];
			break;
		case 1:		/* delete a run */
		{
			size_t k = 1 + (size_t)ctt_rng_below(rng, 8);
			if (at + k > n)
				k = n - at;
			memmove(buf + at, buf + at + k, n - at - k);
			n -= k;
			break;
		}
		case 2:		/* duplicate a run */
		{
			size_t k = 1 + (size_t)ctt_rng_below(rng, 12);
			if (at + k > n)
				k = n - at;
			if (n + k <= 2 * len + 8) {
				memmove(buf + at + k, buf + at, n - at);
				n += k;
			}
			break;
		}
		default:	/* truncate */
			n = at;
			break;
		}
	}
	*out_len = n;
	return buf;
}

static void expect_located(const char *err)
{
	cr_assert(strncmp(err, "line ", 5) == 0 ||
		  strncmp(err, "at end of file: ", 16) == 0,
		  "unlocated error \"%s\"", err);
}

Test(mutate, corrupted_instances)
{
	size_t len, n;
	char *src = slurp_testdata("toy.ctt", &len);
	struct ctt_rng rng;
	int accepted = 0;

	ctt_rng_seed(&rng, 2024);
	for (int i = 0; i < 3000; i++) {
		char *buf = mutate(&rng, src, len, &n);
		struct ctt inst;
		char err[CTT_ERR_MAX];

		if (ctt_parse(&inst, buf, n, err) == 0) {
			struct ctt_solve_opts o;
			struct ctt_solution sol;
			struct ctt_cost k;

			accepted++;
			cr_assert_eq(inst.first_lecture[inst.ncourses], inst.nlectures);
			ctt_solve_opts_init(&o);
			o.iterations = 200;
			if (ctt_solve(&inst, &o, &sol, NULL) == CTT_SOLVE_OK) {
				cr_assert_eq(sol.n, inst.nlectures);
				cr_assert_eq(ctt_evaluate(&inst, &sol, &k), 0);
				cr_assert_eq(k.room_occupancy, 0);
				ctt_solution_release(&sol);
			}
			ctt_release(&inst);
		} else {
			expect_located(err);
		}
		free(buf);
	}
	/* Some mutations are harmless (white space, a changed number). */
	cr_assert_gt(accepted, 0);
	cr_assert_lt(accepted, 3000);
	free(src);
}

Test(mutate, corrupted_solutions)
{
	struct ctt inst;
	size_t len, n;
	char *src;
	struct ctt_rng rng;

	load_instance("toy.ctt", &inst);
	src = slurp_testdata("toy.sol", &len);
	ctt_rng_seed(&rng, 7);
	for (int i = 0; i < 3000; i++) {
		char *buf = mutate(&rng, src, len, &n);
		struct ctt_solution sol;
		struct ctt_cost k;
		char err[CTT_ERR_MAX];

		if (ctt_solution_parse(&inst, buf, n, &sol, err) == 0) {
			cr_assert_eq(ctt_evaluate(&inst, &sol, &k), 0);
			cr_assert_geq(ctt_cost_violations(&k), 0);
			ctt_solution_release(&sol);
		} else {
			expect_located(err);
		}
		free(buf);
	}
	free(src);
	ctt_release(&inst);
}
