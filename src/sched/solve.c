/*
 * Simulated annealing for curriculum-based course timetabling.
 *
 * The state keeps, besides each lecture's period and room, the counters
 * from which every penalty is derived, so that removing or inserting one
 * lecture updates the penalty in time proportional to the number of its
 * course's curricula:
 *   - lectures per (course, period), (teacher, period), (curriculum, period)
 *     give the hard penalty (pairs of clashing lectures) and compactness;
 *   - lectures per (course, day) and working days per course give
 *     MinWorkingDays;
 *   - lectures per (course, room) and rooms per course give RoomStability.
 * A room-period holds at most one lecture at all times (moves into an
 * occupied place become swaps), and moves into a period unavailable to the
 * course are never proposed, so the hard penalty counts only clashes.
 */
#include "sched/solve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	W_MIN_DAYS = 5,
	W_COMPACTNESS = 2,
};

struct ctt_state {
	const struct ctt *inst;
	int L, P, R, D, ppd, C, G, T;
	/* Per lecture. */
	int *lec_c, *lec_p, *lec_r;
	/* Per room-period (p * R + r): the lecture there, or -1. */
	int *slot;
	/* Counters. */
	int *cnt_cp, *cnt_tp, *cnt_gp;	/* x P */
	int *cnt_cd, *days;		/* C x D, C */
	int *cnt_cr, *nrooms;		/* C x R, C */
	/* Cached instance data. */
	int *teacher, *min_days, *cur_start, *cur;
	int *capexc;			/* C x R: students over capacity */
	int *pday, *pslot;		/* per period */
	const unsigned char *unavail;
	int *avail_list, *avail_start;	/* available periods per course */
	struct ctt_penalty pen;
};

long ctt_penalty_soft(const struct ctt_penalty *p)
{
	return p->capacity + p->min_days + p->compactness + p->stability;
}

/*==== State lifetime ====*/

void ctt_state_free(struct ctt_state *st)
{
	if (!st)
		return;
	free(st->lec_c);
	free(st->lec_p);
	free(st->lec_r);
	free(st->slot);
	free(st->cnt_cp);
	free(st->cnt_tp);
	free(st->cnt_gp);
	free(st->cnt_cd);
	free(st->days);
	free(st->cnt_cr);
	free(st->nrooms);
	free(st->teacher);
	free(st->min_days);
	free(st->capexc);
	free(st->pday);
	free(st->pslot);
	free(st->avail_list);
	free(st->avail_start);
	free(st);
}

static int *ints(size_t n)
{
	return calloc(n + 1, sizeof(int));
}

/* Sets the penalty of the empty timetable: every course short of all its
 * minimum working days. */
static void reset_counters(struct ctt_state *st)
{
	size_t P = (size_t)st->P;

	memset(st->cnt_cp, 0, (size_t)st->C * P * sizeof(int));
	memset(st->cnt_tp, 0, (size_t)st->T * P * sizeof(int));
	memset(st->cnt_gp, 0, (size_t)st->G * P * sizeof(int));
	memset(st->cnt_cd, 0, (size_t)st->C * (size_t)st->D * sizeof(int));
	memset(st->days, 0, (size_t)st->C * sizeof(int));
	memset(st->cnt_cr, 0, (size_t)st->C * (size_t)st->R * sizeof(int));
	memset(st->nrooms, 0, (size_t)st->C * sizeof(int));
	for (int i = 0; i < st->P * st->R; i++)
		st->slot[i] = -1;
	memset(&st->pen, 0, sizeof st->pen);
	for (int c = 0; c < st->C; c++)
		st->pen.min_days += W_MIN_DAYS * st->min_days[c];
}

struct ctt_state *ctt_state_new(const struct ctt *inst)
{
	struct ctt_state *st = calloc(1, sizeof *st);
	size_t C, P, R, D;

	if (!st)
		return NULL;
	st->inst = inst;
	st->L = inst->nlectures;
	st->P = inst->nperiods;
	st->R = inst->nrooms;
	st->D = inst->ndays;
	st->ppd = inst->periods_per_day;
	st->C = inst->ncourses;
	st->G = inst->ncurricula;
	st->T = inst->nteachers;
	C = (size_t)st->C;
	P = (size_t)st->P;
	R = (size_t)st->R;
	D = (size_t)st->D;
	if ((long)st->L > (long)st->P * st->R)
		goto fail;
	st->lec_c = ints((size_t)st->L);
	st->lec_p = ints((size_t)st->L);
	st->lec_r = ints((size_t)st->L);
	st->slot = ints(P * R);
	st->cnt_cp = ints(C * P);
	st->cnt_tp = ints((size_t)st->T * P);
	st->cnt_gp = ints((size_t)st->G * P);
	st->cnt_cd = ints(C * D);
	st->days = ints(C);
	st->cnt_cr = ints(C * R);
	st->nrooms = ints(C);
	st->teacher = ints(C);
	st->min_days = ints(C);
	st->capexc = ints(C * R);
	st->pday = ints(P);
	st->pslot = ints(P);
	st->avail_start = ints(C + 1);
	st->avail_list = ints(C * P);
	if (!st->lec_c || !st->lec_p || !st->lec_r || !st->slot ||
	    !st->cnt_cp || !st->cnt_tp || !st->cnt_gp || !st->cnt_cd ||
	    !st->days || !st->cnt_cr || !st->nrooms || !st->teacher ||
	    !st->min_days || !st->capexc || !st->pday || !st->pslot ||
	    !st->avail_start || !st->avail_list)
		goto fail;
	st->cur_start = inst->course_curricula_start;
	st->cur = inst->course_curricula;
	st->unavail = inst->unavail;
	for (int c = 0; c < st->C; c++) {
		const struct ctt_course *co = &inst->courses[c];
		st->teacher[c] = co->teacher;
		st->min_days[c] = co->min_days;
		for (int r = 0; r < st->R; r++) {
			int ex = co->students - inst->rooms[r].capacity;
			st->capexc[(size_t)c * R + (size_t)r] = ex > 0 ? ex : 0;
		}
		st->avail_start[c + 1] = st->avail_start[c];
		for (int p = 0; p < st->P; p++)
			if (!st->unavail[(size_t)c * P + (size_t)p])
				st->avail_list[st->avail_start[c + 1]++] = p;
	}
	for (int p = 0; p < st->P; p++) {
		st->pday[p] = p / st->ppd;
		st->pslot[p] = p % st->ppd;
	}
	for (int l = 0; l < st->L; l++) {
		st->lec_c[l] = inst->lecture_course[l];
		st->lec_p[l] = -1;
		st->lec_r[l] = -1;
	}
	reset_counters(st);
	return st;
fail:
	ctt_state_free(st);
	return NULL;
}

/*==== Incremental updates ====*/

/* Curriculum row ROW loses one lecture at slot S: change in isolated
 * lectures. */
static inline int compact_remove(int *row, int s, int ppd)
{
	int n = row[s];
	int left = s > 0 ? row[s - 1] : 0;
	int right = s + 1 < ppd ? row[s + 1] : 0;
	int d = 0;

	if (n >= 2) {
		row[s] = n - 1;
		return (left == 0 && right == 0) ? -1 : 0;
	}
	if (left == 0 && right == 0)
		d -= 1;
	row[s] = 0;
	if (left > 0 && (s < 2 || row[s - 2] == 0))
		d += left;
	if (right > 0 && (s + 2 >= ppd || row[s + 2] == 0))
		d += right;
	return d;
}

static inline int compact_insert(int *row, int s, int ppd)
{
	int n = row[s];
	int left = s > 0 ? row[s - 1] : 0;
	int right = s + 1 < ppd ? row[s + 1] : 0;
	int d = 0;

	row[s] = n + 1;
	if (n >= 1)
		return (left == 0 && right == 0) ? 1 : 0;
	if (left == 0 && right == 0)
		d += 1;
	if (left > 0 && (s < 2 || row[s - 2] == 0))
		d -= left;
	if (right > 0 && (s + 2 >= ppd || row[s + 2] == 0))
		d -= right;
	return d;
}

static inline void lec_remove(struct ctt_state *st, int l)
{
	int c = st->lec_c[l], p = st->lec_p[l], r = st->lec_r[l];
	size_t P = (size_t)st->P;
	int d = st->pday[p], s = st->pslot[p];
	int comp = 0;

	st->slot[p * st->R + r] = -1;
	st->pen.hard -= --st->cnt_cp[(size_t)c * P + (size_t)p];
	st->pen.hard -= --st->cnt_tp[(size_t)st->teacher[c] * P + (size_t)p];
	st->pen.hard -= st->unavail[(size_t)c * P + (size_t)p];
	for (int k = st->cur_start[c]; k < st->cur_start[c + 1]; k++) {
		int *gp = st->cnt_gp + (size_t)st->cur[k] * P;
		st->pen.hard -= gp[p] - 1;
		comp += compact_remove(gp + d * st->ppd, s, st->ppd);
	}
	st->pen.compactness += W_COMPACTNESS * comp;
	st->pen.capacity -= st->capexc[(size_t)c * (size_t)st->R + (size_t)r];
	if (--st->cnt_cr[(size_t)c * (size_t)st->R + (size_t)r] == 0)
		if (--st->nrooms[c] >= 1)
			st->pen.stability--;
	if (--st->cnt_cd[(size_t)c * (size_t)st->D + (size_t)d] == 0)
		if (--st->days[c] < st->min_days[c])
			st->pen.min_days += W_MIN_DAYS;
	st->lec_p[l] = -1;
	st->lec_r[l] = -1;
}

static inline void lec_insert(struct ctt_state *st, int l, int p, int r)
{
	int c = st->lec_c[l];
	size_t P = (size_t)st->P;
	int d = st->pday[p], s = st->pslot[p];
	int comp = 0;

	st->slot[p * st->R + r] = l;
	st->lec_p[l] = p;
	st->lec_r[l] = r;
	st->pen.hard += st->cnt_cp[(size_t)c * P + (size_t)p]++;
	st->pen.hard += st->cnt_tp[(size_t)st->teacher[c] * P + (size_t)p]++;
	st->pen.hard += st->unavail[(size_t)c * P + (size_t)p];
	for (int k = st->cur_start[c]; k < st->cur_start[c + 1]; k++) {
		int *gp = st->cnt_gp + (size_t)st->cur[k] * P;
		st->pen.hard += gp[p];
		comp += compact_insert(gp + d * st->ppd, s, st->ppd);
	}
	st->pen.compactness += W_COMPACTNESS * comp;
	st->pen.capacity += st->capexc[(size_t)c * (size_t)st->R + (size_t)r];
	if (st->cnt_cr[(size_t)c * (size_t)st->R + (size_t)r]++ == 0)
		if (st->nrooms[c]++ >= 1)
			st->pen.stability++;
	if (st->cnt_cd[(size_t)c * (size_t)st->D + (size_t)d]++ == 0)
		if (st->days[c]++ < st->min_days[c])
			st->pen.min_days -= W_MIN_DAYS;
}

/*==== Moves ====*/

int ctt_state_propose(const struct ctt_state *st, struct ctt_rng *rng,
		      double swap_rate, struct ctt_move *m)
{
	int l1 = ctt_rng_below(rng, st->L);
	int c1 = st->lec_c[l1];
	int l2;

	m->l1 = l1;
	m->p1 = st->lec_p[l1];
	m->r1 = st->lec_r[l1];
	if (ctt_rng_unit(rng) < swap_rate) {
		l2 = ctt_rng_below(rng, st->L);
		if (st->lec_c[l2] == c1)
			return 0;
		m->p2 = st->lec_p[l2];
		m->r2 = st->lec_r[l2];
	} else {
		int n = st->avail_start[c1 + 1] - st->avail_start[c1];
		if (n == 0)
			return 0;
		m->p2 = st->avail_list[st->avail_start[c1] +
				       ctt_rng_below(rng, n)];
		m->r2 = ctt_rng_below(rng, st->R);
		l2 = st->slot[m->p2 * st->R + m->r2];
		if (l2 == l1 || (l2 >= 0 && st->lec_c[l2] == c1))
			return 0;
	}
	m->l2 = l2;
	if (st->unavail[(size_t)c1 * (size_t)st->P + (size_t)m->p2])
		return 0;
	if (l2 >= 0 && st->unavail[(size_t)st->lec_c[l2] * (size_t)st->P +
				   (size_t)m->p1])
		return 0;
	return 1;
}

/* Penalty change if lecture L of course C moved from (P1, R1) to (P2, R2)
 * with every other lecture in place. Curriculum rows are touched and
 * restored; nothing else is written. */
static void move_delta(struct ctt_state *st, int c, int p1, int r1, int p2,
		       int r2, long *dhard, long *dsoft)
{
	size_t P = (size_t)st->P, R = (size_t)st->R;
	long soft = (long)st->capexc[(size_t)c * R + (size_t)r2] -
		    st->capexc[(size_t)c * R + (size_t)r1];

	if (r1 != r2) {
		int n = st->nrooms[c];
		int n2 = n - (st->cnt_cr[(size_t)c * R + (size_t)r1] == 1) +
			 (st->cnt_cr[(size_t)c * R + (size_t)r2] == 0);
		soft += (n2 > 1 ? n2 - 1 : 0) - (n > 1 ? n - 1 : 0);
	}
	if (p1 != p2) {
		int d1 = st->pday[p1], d2 = st->pday[p2];
		int s1 = st->pslot[p1], s2 = st->pslot[p2];
		const int *cd = st->cnt_cd + (size_t)c * (size_t)st->D;
		const int *tp = st->cnt_tp + (size_t)st->teacher[c] * P;
		const int *cp = st->cnt_cp + (size_t)c * P;
		long hard = 0;
		int comp = 0;

		if (d1 != d2) {
			int m = st->min_days[c], n = st->days[c];
			int n2 = n - (cd[d1] == 1) + (cd[d2] == 0);
			soft += W_MIN_DAYS * ((m > n2 ? m - n2 : 0) -
					      (m > n ? m - n : 0));
		}
		hard += (cp[p2] - (cp[p1] - 1)) + (tp[p2] - (tp[p1] - 1));
		hard += (long)st->unavail[(size_t)c * P + (size_t)p2] -
			st->unavail[(size_t)c * P + (size_t)p1];
		for (int k = st->cur_start[c]; k < st->cur_start[c + 1]; k++) {
			int *gp = st->cnt_gp + (size_t)st->cur[k] * P;
			int *row1 = gp + d1 * st->ppd, *row2 = gp + d2 * st->ppd;

			hard += gp[p2] - (gp[p1] - 1);
			comp += compact_remove(row1, s1, st->ppd);
			comp += compact_insert(row2, s2, st->ppd);
			row1[s1]++;
			row2[s2]--;
		}
		soft += W_COMPACTNESS * comp;
		*dhard += hard;
	}
	*dsoft += soft;
}

int ctt_state_delta(struct ctt_state *st, const struct ctt_move *m,
		    long *dhard, long *dsoft)
{
	int c1 = st->lec_c[m->l1];

	if (m->l2 < 0) {
		move_delta(st, c1, m->p1, m->r1, m->p2, m->r2, dhard, dsoft);
		return 1;
	}
	int c2 = st->lec_c[m->l2];
	if (m->p1 != m->p2 &&
	    (st->teacher[c1] == st->teacher[c2] ||
	     st->inst->conflict[(size_t)c1 * (size_t)st->C + (size_t)c2]))
		return 0;
	/* No shared counter: the two halves are independent. */
	move_delta(st, c1, m->p1, m->r1, m->p2, m->r2, dhard, dsoft);
	move_delta(st, c2, m->p2, m->r2, m->p1, m->r1, dhard, dsoft);
	return 1;
}

void ctt_state_apply(struct ctt_state *st, const struct ctt_move *m,
		     long *dhard, long *dsoft)
{
	long h0 = st->pen.hard, s0 = ctt_penalty_soft(&st->pen);

	lec_remove(st, m->l1);
	if (m->l2 >= 0)
		lec_remove(st, m->l2);
	lec_insert(st, m->l1, m->p2, m->r2);
	if (m->l2 >= 0)
		lec_insert(st, m->l2, m->p1, m->r1);
	*dhard += st->pen.hard - h0;
	*dsoft += ctt_penalty_soft(&st->pen) - s0;
}

void ctt_state_undo(struct ctt_state *st, const struct ctt_move *m)
{
	lec_remove(st, m->l1);
	if (m->l2 >= 0)
		lec_remove(st, m->l2);
	lec_insert(st, m->l1, m->p1, m->r1);
	if (m->l2 >= 0)
		lec_insert(st, m->l2, m->p2, m->r2);
}

void ctt_state_penalty(const struct ctt_state *st, struct ctt_penalty *out)
{
	*out = st->pen;
}

/*==== Constructive start ====*/

struct course_order {
	int course;
	double key;
};

static int by_key(const void *a, const void *b)
{
	const struct course_order *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->course - y->course;
}

/*
 * Courses in order of difficulty (fewest available periods per lecture,
 * then most conflicts first); each lecture goes to the free room-period
 * that adds the least penalty: clashes first, then capacity, a second
 * lecture on one day, a new room. Ties are broken at random.
 */
void ctt_state_construct(struct ctt_state *st, struct ctt_rng *rng,
			 int hard_weight)
{
	const struct ctt *inst = st->inst;
	struct course_order *ord = calloc((size_t)st->C + 1, sizeof *ord);
	size_t P = (size_t)st->P, R = (size_t)st->R;

	for (int l = 0; l < st->L; l++)
		if (st->lec_p[l] >= 0)
			lec_remove(st, l);
	if (!ord) {
		/* No memory for the ordering: place in course order. */
		for (int l = 0; l < st->L; l++)
			for (int i = 0; i < st->P * st->R; i++)
				if (st->slot[i] < 0) {
					lec_insert(st, l, i / st->R, i % st->R);
					break;
				}
		return;
	}
	for (int c = 0; c < st->C; c++) {
		int deg = 0;
		int nav = st->avail_start[c + 1] - st->avail_start[c];
		for (int o = 0; o < st->C; o++)
			deg += inst->conflict[(size_t)c * (size_t)st->C + (size_t)o];
		ord[c].course = c;
		ord[c].key = (double)nav / (inst->courses[c].lectures + 1) -
			     0.01 * deg;
	}
	qsort(ord, (size_t)st->C, sizeof *ord, by_key);

	for (int i = 0; i < st->C; i++) {
		int c = ord[i].course;
		for (int l = inst->first_lecture[c]; l < inst->first_lecture[c + 1]; l++) {
			long best = -1;
			int bp = -1, br = -1, ties = 0;

			for (int p = 0; p < st->P; p++) {
				long base = 0;
				base += st->cnt_cp[(size_t)c * P + (size_t)p];
				base += st->cnt_tp[(size_t)st->teacher[c] * P + (size_t)p];
				for (int k = st->cur_start[c]; k < st->cur_start[c + 1]; k++)
					base += st->cnt_gp[(size_t)st->cur[k] * P + (size_t)p];
				base *= hard_weight;
				/* An unavailable period only when nothing else is free. */
				if (st->unavail[(size_t)c * P + (size_t)p])
					base += 1000000L;
				if (st->cnt_cd[(size_t)c * (size_t)st->D +
					       (size_t)st->pday[p]] > 0)
					base += W_MIN_DAYS;
				for (int r = 0; r < st->R; r++) {
					long v;
					if (st->slot[p * st->R + r] >= 0)
						continue;
					v = base + st->capexc[(size_t)c * R + (size_t)r];
					if (st->nrooms[c] > 0 &&
					    st->cnt_cr[(size_t)c * R + (size_t)r] == 0)
						v += 1;
					if (best < 0 || v < best) {
						best = v;
						bp = p;
						br = r;
						ties = 1;
					} else if (v == best &&
						   ctt_rng_below(rng, ++ties) == 0) {
						bp = p;
						br = r;
					}
				}
			}
			lec_insert(st, l, bp, br);
		}
	}
	free(ord);
}

/*==== Checking and export ====*/

int ctt_state_verify(const struct ctt_state *st)
{
	struct ctt_state *t = ctt_state_new(st->inst);
	int ok;

	if (!t)
		return -1;
	for (int l = 0; l < st->L; l++)
		if (st->lec_p[l] >= 0)
			lec_insert(t, l, st->lec_p[l], st->lec_r[l]);
	ok = memcmp(&t->pen, &st->pen, sizeof t->pen) == 0;
	ok = ok && memcmp(t->slot, st->slot,
			  (size_t)st->P * (size_t)st->R * sizeof(int)) == 0;
	ok = ok && memcmp(t->cnt_cp, st->cnt_cp,
			  (size_t)st->C * (size_t)st->P * sizeof(int)) == 0;
	ok = ok && memcmp(t->cnt_gp, st->cnt_gp,
			  (size_t)st->G * (size_t)st->P * sizeof(int)) == 0;
	ok = ok && memcmp(t->cnt_tp, st->cnt_tp,
			  (size_t)st->T * (size_t)st->P * sizeof(int)) == 0;
	ok = ok && memcmp(t->cnt_cd, st->cnt_cd,
			  (size_t)st->C * (size_t)st->D * sizeof(int)) == 0;
	ok = ok && memcmp(t->cnt_cr, st->cnt_cr,
			  (size_t)st->C * (size_t)st->R * sizeof(int)) == 0;
	ok = ok && memcmp(t->days, st->days, (size_t)st->C * sizeof(int)) == 0;
	ok = ok && memcmp(t->nrooms, st->nrooms, (size_t)st->C * sizeof(int)) == 0;
	ctt_state_free(t);
	return ok ? 0 : -1;
}

static int export_places(const struct ctt_state *st, const int *lp,
			 const int *lr, struct ctt_solution *out)
{
	memset(out, 0, sizeof *out);
	for (int l = 0; l < st->L; l++) {
		if (lp[l] < 0)
			continue;
		if (ctt_solution_add(out, st->lec_c[l], lr[l], lp[l])) {
			ctt_solution_release(out);
			return -1;
		}
	}
	return 0;
}

int ctt_state_export(const struct ctt_state *st, struct ctt_solution *out)
{
	return export_places(st, st->lec_p, st->lec_r, out);
}

/*==== Simulated annealing ====*/

void ctt_solve_opts_init(struct ctt_solve_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->temp_start = 30.0;
	o->temp_end = 0.05;
	o->swap_rate = 0.3;
	o->hard_weight = 10;
}

double ctt_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum ctt_solve_result ctt_solve(const struct ctt *inst,
				const struct ctt_solve_opts *opts,
				struct ctt_solution *out,
				struct ctt_solve_stats *stats)
{
	struct ctt_state *st = NULL;
	int *best_p = NULL, *best_r = NULL;
	struct ctt_rng rng;
	enum ctt_solve_result ret = CTT_SOLVE_NOMEM;
	const double w_min = opts->hard_weight > 0 ? opts->hard_weight : 1;
	double W = w_min;
	double t0 = opts->started > 0 ? opts->started : ctt_clock();
	double elapsed = 0, frac = 0;
	double temp = opts->temp_start;
	double log_ratio;
	long cur_h, cur_s, best_h, best_s;
	uint64_t it = 0;
	int stopped = 0;

	memset(out, 0, sizeof *out);
	if (opts->iterations == 0 && opts->time_limit <= 0)
		return CTT_SOLVE_BAD_OPTS;
	if ((long)inst->nlectures > (long)inst->nperiods * inst->nrooms)
		return CTT_SOLVE_NO_ROOM;
	st = ctt_state_new(inst);
	best_p = ints((size_t)inst->nlectures);
	best_r = ints((size_t)inst->nlectures);
	if (!st || !best_p || !best_r)
		goto out;

	ctt_rng_seed(&rng, opts->seed);
	ctt_state_construct(st, &rng, (int)w_min);
	cur_h = best_h = st->pen.hard;
	cur_s = best_s = ctt_penalty_soft(&st->pen);
	memcpy(best_p, st->lec_p, (size_t)st->L * sizeof(int));
	memcpy(best_r, st->lec_r, (size_t)st->L * sizeof(int));
	log_ratio = log(opts->temp_end / opts->temp_start);

	for (;;) {
		struct ctt_move m;
		long dh = 0, ds = 0;
		double delta;

		if ((it & 1023) == 0) {
			elapsed = ctt_clock() - t0;
			if (opts->iterations)
				frac = (double)it / (double)opts->iterations;
			else
				frac = elapsed / opts->time_limit;
			if (frac >= 1.0)
				break;
			if ((opts->time_limit > 0 && elapsed >= opts->time_limit) ||
			    (opts->stop && *opts->stop)) {
				stopped = 1;
				break;
			}
			temp = opts->temp_start * exp(log_ratio * frac);
			/* Strategic oscillation: the weight of a clash grows while
			 * the timetable stays infeasible, and relaxes back to its
			 * floor while it is feasible. */
			if (cur_h > 0)
				W = W * 1.01 < 1000 ? W * 1.01 : 1000;
			else
				W = W * 0.995 > w_min ? W * 0.995 : w_min;
			if ((it & 0xffff) == 0 && opts->progress) {
				struct ctt_progress pr = {
					.iterations = it, .seconds = elapsed,
					.fraction = frac, .temperature = temp,
					.best_violations = best_h,
					.best_cost = best_s,
					.current_cost = cur_s,
				};
				opts->progress(opts->progress_ctx, &pr);
			}
		}
		if (opts->iterations && it >= opts->iterations)
			break;
		it++;
		if (!ctt_state_propose(st, &rng, opts->swap_rate, &m))
			continue;
		if (ctt_state_delta(st, &m, &dh, &ds)) {
			long h = 0, s = 0;

			delta = W * dh + ds;
			if (delta > 0 && ctt_rng_unit(&rng) >= exp(-delta / temp))
				continue;
			ctt_state_apply(st, &m, &h, &s);
		} else {
			ctt_state_apply(st, &m, &dh, &ds);
			delta = W * dh + ds;
			if (delta > 0 &&
			    ctt_rng_unit(&rng) >= exp(-delta / temp)) {
				ctt_state_undo(st, &m);
				continue;
			}
		}
		cur_h += dh;
		cur_s += ds;
		if (cur_h < best_h || (cur_h == best_h && cur_s < best_s)) {
			best_h = cur_h;
			best_s = cur_s;
			memcpy(best_p, st->lec_p, (size_t)st->L * sizeof(int));
			memcpy(best_r, st->lec_r, (size_t)st->L * sizeof(int));
		}
	}
	if (export_places(st, best_p, best_r, out))
		goto out;
	if (stats) {
		stats->iterations = it;
		stats->seconds = ctt_clock() - t0;
		stats->stopped = stopped;
	}
	ret = CTT_SOLVE_OK;
out:
	free(best_p);
	free(best_r);
	ctt_state_free(st);
	return ret;
}
