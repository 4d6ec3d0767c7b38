/*
 * Full evaluation of a timetable under the ITC 2007 track 3 rules, and the
 * solution file reader and writer. Straightforward on purpose: it counts
 * from scratch, one rule at a time, as the rules are worded.
 */
#include "sched/eval.h"
#include "sched/lex.h"

#include <stdlib.h>
#include <string.h>

/* Weights of the soft constraints in the UD2 formulation. */
enum {
	W_CAPACITY = 1,
	W_MIN_DAYS = 5,
	W_COMPACTNESS = 2,
	W_STABILITY = 1,
};

long ctt_cost_violations(const struct ctt_cost *k)
{
	return k->lectures + k->conflicts + k->availability + k->room_occupancy;
}

long ctt_cost_soft(const struct ctt_cost *k)
{
	return k->room_capacity + k->min_working_days + k->compactness +
	       k->room_stability;
}

/*==== Evaluation ====*/

int ctt_evaluate(const struct ctt *inst, const struct ctt_solution *sol,
		 struct ctt_cost *out)
{
	size_t nc = (size_t)inst->ncourses, np = (size_t)inst->nperiods;
	size_t nr = (size_t)inst->nrooms;
	int *cp = NULL;		/* lectures of course c in period p */
	int *rp = NULL;		/* lectures in room r in period p */
	int *cr = NULL;		/* lectures of course c in room r */
	int *gp = NULL;		/* lectures of curriculum g in period p */
	int ret = -1;

	memset(out, 0, sizeof *out);
	cp = calloc(nc * np + 1, sizeof *cp);
	rp = calloc(nr * np + 1, sizeof *rp);
	cr = calloc(nc * nr + 1, sizeof *cr);
	gp = calloc((size_t)inst->ncurricula * np + 1, sizeof *gp);
	if (!cp || !rp || !cr || !gp)
		goto out;

	for (int i = 0; i < sol->n; i++) {
		const struct ctt_assignment *a = &sol->a[i];
		const struct ctt_course *co = &inst->courses[a->course];

		cp[(size_t)a->course * np + (size_t)a->period]++;
		rp[(size_t)a->room * np + (size_t)a->period]++;
		cr[(size_t)a->course * nr + (size_t)a->room]++;
		if (inst->unavail[(size_t)a->course * np + (size_t)a->period])
			out->availability++;
		if (co->students > inst->rooms[a->room].capacity)
			out->room_capacity += W_CAPACITY *
				(co->students - inst->rooms[a->room].capacity);
		for (int k = inst->course_curricula_start[a->course];
		     k < inst->course_curricula_start[a->course + 1]; k++)
			gp[(size_t)inst->course_curricula[k] * np +
			   (size_t)a->period]++;
	}

	/* Lectures, MinWorkingDays, RoomStability: per course. */
	for (size_t c = 0; c < nc; c++) {
		const struct ctt_course *co = &inst->courses[c];
		int periods = 0, days = 0, rooms = 0;

		for (int d = 0; d < inst->ndays; d++) {
			int busy = 0;
			for (int s = 0; s < inst->periods_per_day; s++) {
				int n = cp[c * np + (size_t)(d * inst->periods_per_day + s)];
				if (n > 0) {
					periods++;
					busy = 1;
					out->lectures += n - 1;
				}
			}
			days += busy;
		}
		out->lectures += labs((long)co->lectures - periods);
		if (days < co->min_days)
			out->min_working_days += W_MIN_DAYS * (co->min_days - days);
		for (size_t r = 0; r < nr; r++)
			rooms += cr[c * nr + r] > 0;
		if (rooms > 1)
			out->room_stability += W_STABILITY * (rooms - 1);
	}

	/* Conflicts: each conflicting pair of courses, each period. */
	for (size_t a = 0; a < nc; a++)
		for (size_t b = a + 1; b < nc; b++) {
			if (!inst->conflict[a * nc + b])
				continue;
			for (size_t p = 0; p < np; p++)
				if (cp[a * np + p] > 0 && cp[b * np + p] > 0)
					out->conflicts++;
		}

	/* RoomOccupancy. */
	for (size_t i = 0; i < nr * np; i++)
		if (rp[i] > 1)
			out->room_occupancy += rp[i] - 1;

	/* CurriculumCompactness. */
	for (int g = 0; g < inst->ncurricula; g++)
		for (int d = 0; d < inst->ndays; d++)
			for (int s = 0; s < inst->periods_per_day; s++) {
				const int *row = gp + (size_t)g * np +
						 (size_t)(d * inst->periods_per_day);
				int before = s > 0 ? row[s - 1] : 0;
				int after = s + 1 < inst->periods_per_day ?
					    row[s + 1] : 0;
				if (row[s] > 0 && before == 0 && after == 0)
					out->compactness += W_COMPACTNESS * row[s];
			}
	ret = 0;
out:
	free(cp);
	free(rp);
	free(cr);
	free(gp);
	return ret;
}

/*==== Solution files ====*/

int ctt_solution_add(struct ctt_solution *sol, int course, int room,
		     int period)
{
	if (sol->n == sol->cap) {
		int cap = sol->cap ? sol->cap * 2 : 64;
		struct ctt_assignment *a;

		if (cap > (1 << 24))
			return -1;
		a = realloc(sol->a, (size_t)cap * sizeof *a);
		if (!a)
			return -1;
		sol->a = a;
		sol->cap = cap;
	}
	sol->a[sol->n].course = course;
	sol->a[sol->n].room = room;
	sol->a[sol->n].period = period;
	sol->n++;
	return 0;
}

void ctt_solution_release(struct ctt_solution *sol)
{
	if (!sol)
		return;
	free(sol->a);
	memset(sol, 0, sizeof *sol);
}

int ctt_solution_parse(const struct ctt *inst, const char *buf, size_t len,
		       struct ctt_solution *out, char err[CTT_ERR_MAX])
{
	struct ctt_lex *lx = malloc(sizeof *lx);

	memset(out, 0, sizeof *out);
	err[0] = '\0';
	if (!lx) {
		ctt_errf(err, 0, "out of memory");
		return -1;
	}
	ctt_lex_init(lx, buf, len);
	while (ctt_lex_next(lx)) {
		int c, r, d, s;

		if (ctt_lex_refuse(lx, err))
			goto fail;
		if (lx->ntok != 4) {
			ctt_errf(err, lx->line,
				 "a solution line has 4 fields (course room "
				 "day period), found %d", lx->ntok);
			goto fail;
		}
		c = ctt_course_index(inst, lx->tok[0].s, lx->tok[0].len);
		if (c < 0) {
			ctt_errf(err, lx->line, "unknown course \"%.*s\"",
				 (int)lx->tok[0].len, lx->tok[0].s);
			goto fail;
		}
		r = ctt_room_index(inst, lx->tok[1].s, lx->tok[1].len);
		if (r < 0) {
			ctt_errf(err, lx->line, "unknown room \"%.*s\"",
				 (int)lx->tok[1].len, lx->tok[1].s);
			goto fail;
		}
		if (ctt_tok_int(&lx->tok[2], 0, inst->ndays - 1, &d) ||
		    ctt_tok_int(&lx->tok[3], 0, inst->periods_per_day - 1, &s)) {
			ctt_errf(err, lx->line,
				 "day must be 0..%d and period 0..%d",
				 inst->ndays - 1, inst->periods_per_day - 1);
			goto fail;
		}
		if (ctt_solution_add(out, c, r, d * inst->periods_per_day + s)) {
			ctt_errf(err, lx->line, "out of memory");
			goto fail;
		}
	}
	free(lx);
	return 0;
fail:
	free(lx);
	ctt_solution_release(out);
	return -1;
}

int ctt_solution_write(const struct ctt *inst, const struct ctt_solution *sol,
		       FILE *f)
{
	for (int i = 0; i < sol->n; i++) {
		const struct ctt_assignment *a = &sol->a[i];
		if (fprintf(f, "%s %s %d %d\n", inst->courses[a->course].name,
			    inst->rooms[a->room].name,
			    a->period / inst->periods_per_day,
			    a->period % inst->periods_per_day) < 0)
			return -1;
	}
	return 0;
}
