/* Planning sessions on days; see plan.h. */
#include "sched/plan.h"

#include <stdlib.h>
#include <string.h>

/* The commitments of one resource, as a growable list of spans. */
struct timeline {
	struct plan_span *spans;
	size_t n, cap;
};

static int timeline_add(struct timeline *t, int32_t from, int32_t to)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct plan_span *p = realloc(t->spans, cap * sizeof(*p));

		if (!p)
			return -1;
		t->spans = p;
		t->cap = cap;
	}
	t->spans[t->n++] = (struct plan_span){ from, to };
	return 0;
}

static int timeline_free(const struct timeline *t, int32_t from, int32_t to)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->spans[i].from < to && from < t->spans[i].to)
			return 0;
	return 1;
}

struct state {
	struct timeline *trainers, *units, *rooms;
	size_t ntrainers, nunits, nrooms;
	int *load;		/* sessions per trainer */
	unsigned char *team;	/* ngroups x ntrainers: taught that course */
	size_t ngroups;
	/* The start days placed in this run, by group (course): a course's
	 * sessions are known by their start day, so two never share one. */
	struct placed_start {
		int group;
		int32_t day;
	} *starts;
	size_t nstarts, capstarts;
};

static void state_release(struct state *st)
{
	for (size_t i = 0; st->trainers && i < st->ntrainers; i++)
		free(st->trainers[i].spans);
	for (size_t i = 0; st->units && i < st->nunits; i++)
		free(st->units[i].spans);
	for (size_t i = 0; st->rooms && i < st->nrooms; i++)
		free(st->rooms[i].spans);
	free(st->trainers);
	free(st->units);
	free(st->rooms);
	free(st->load);
	free(st->team);
	free(st->starts);
}

static struct timeline *line(struct state *st, enum plan_resource what, int who)
{
	switch (what) {
	case PLAN_TRAINER:
		return who >= 0 && (size_t)who < st->ntrainers ? &st->trainers[who] : NULL;
	case PLAN_UNIT:
		return who >= 0 && (size_t)who < st->nunits ? &st->units[who] : NULL;
	case PLAN_ROOM:
		return who >= 0 && (size_t)who < st->nrooms ? &st->rooms[who] : NULL;
	}
	return NULL;
}

static int blocked(const struct plan_item *it, int32_t from, int32_t to)
{
	for (size_t i = 0; i < it->nblocked; i++)
		if (it->blocked[i].from < to && from < it->blocked[i].to)
			return 1;
	return 0;
}

static int taken(const struct state *st, const struct plan_item *it,
		 int32_t day)
{
	for (size_t i = 0; i < it->nno_start; i++)
		if (it->no_start[i] == day)
			return 1;
	for (size_t i = 0; it->group >= 0 && i < st->nstarts; i++)
		if (st->starts[i].group == it->group && st->starts[i].day == day)
			return 1;
	return 0;
}

static int note_start(struct state *st, const struct plan_item *it,
		      int32_t day)
{
	if (it->group < 0)
		return 0;
	if (st->nstarts == st->capstarts) {
		size_t cap = st->capstarts ? 2 * st->capstarts : 16;
		struct placed_start *v = realloc(st->starts, cap * sizeof(*v));

		if (!v)
			return -1;
		st->starts = v;
		st->capstarts = cap;
	}
	st->starts[st->nstarts++] = (struct placed_start){ it->group, day };
	return 0;
}

/* Choose the free classroom of least capacity that holds the trainees. */
static int pick_room(const struct plan_problem *p, struct state *st,
		     const struct plan_item *it, int32_t from, int32_t to)
{
	int best = -1;

	for (size_t i = 0; i < it->nrooms; i++) {
		int r = it->rooms[i];

		if (r < 0 || (size_t)r >= p->nrooms ||
		    p->rooms[r].capacity < it->trainees ||
		    !timeline_free(&st->rooms[r], from, to))
			continue;
		if (best < 0 || p->rooms[r].capacity < p->rooms[best].capacity)
			best = r;
	}
	return best;
}

struct candidate {
	int trainer;
	int in_team;
	int away;
	int load;
};

static int by_preference(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->in_team != y->in_team)
		return y->in_team - x->in_team;
	if (x->away != y->away)
		return x->away - y->away;
	if (x->load != y->load)
		return x->load - y->load;
	return x->trainer - y->trainer;
}

/* Fill OUT with the NEED preferred free trainers; returns how many free
 * trainers there were (>= need means success). */
static int pick_trainers(struct state *st, const struct plan_item *it,
			 int32_t from, int32_t to, struct candidate *cand,
			 int *out)
{
	size_t n = 0;

	for (size_t i = 0; i < it->noptions; i++) {
		const struct plan_option *o = &it->options[i];
		int dup = 0;

		if (o->trainer < 0 || (size_t)o->trainer >= st->ntrainers ||
		    o->from > from || o->to < to ||
		    !timeline_free(&st->trainers[o->trainer], from, to))
			continue;
		for (size_t j = 0; j < n; j++)
			dup |= cand[j].trainer == o->trainer;
		if (dup)
			continue;
		cand[n++] = (struct candidate){
			.trainer = o->trainer,
			.in_team = it->group >= 0 && (size_t)it->group < st->ngroups &&
				   st->team[(size_t)it->group * st->ntrainers + (size_t)o->trainer],
			.away = o->away,
			.load = st->load[o->trainer],
		};
	}
	if ((int)n < it->need)
		return (int)n;
	qsort(cand, n, sizeof(*cand), by_preference);
	for (int i = 0; i < it->need; i++)
		out[i] = cand[i].trainer;
	return (int)n;
}

static int place(const struct plan_problem *p, struct state *st,
		 const struct plan_item *it, struct plan_placement *pl,
		 struct candidate *cand)
{
	int tried_days = 0, why_trainers = 0, why_room = 0, why_unit = 0;

	pl->outcome = PLAN_NO_DAYS;
	pl->room = -1;
	pl->trainers = calloc((size_t)(it->need > 0 ? it->need : 1), sizeof(int));
	if (!pl->trainers)
		return -1;
	for (int32_t d = it->earliest; d <= it->latest; d++) {
		int32_t end = d + it->duration;
		int room = -1, free_n;
		struct timeline *u;

		if (blocked(it, d, end) || taken(st, it, d))
			continue;
		tried_days++;
		u = it->unit >= 0 ? line(st, PLAN_UNIT, it->unit) : NULL;
		if (u && !timeline_free(u, d, end)) {
			why_unit++;
			continue;
		}
		if (it->nrooms && (room = pick_room(p, st, it, d, end)) < 0) {
			why_room++;
			continue;
		}
		free_n = pick_trainers(st, it, d, end, cand, pl->trainers);
		if (free_n > pl->free_trainers)
			pl->free_trainers = free_n;
		if (free_n < it->need) {
			why_trainers++;
			continue;
		}
		/* Placed: commit the resources. */
		pl->outcome = PLAN_PLACED;
		pl->start = d;
		pl->room = room;
		pl->cost = d - it->earliest;
		if (note_start(st, it, d))
			return -1;
		for (int i = 0; i < it->need; i++)
			pl->cost += cand[i].away;	/* sorted: the chosen first */
		if (room >= 0) {
			pl->cost += (p->rooms[room].capacity - it->trainees) / 10;
			if (timeline_add(&st->rooms[room], d, end))
				return -1;
		}
		if (u && timeline_add(u, d, end))
			return -1;
		for (int i = 0; i < it->need; i++) {
			int t = pl->trainers[i];
			unsigned char *team = it->group >= 0 &&
				(size_t)it->group < st->ngroups ?
				&st->team[(size_t)it->group * st->ntrainers + (size_t)t] : NULL;

			if (timeline_add(&st->trainers[t], d, end))
				return -1;
			st->load[t]++;
			if (team && !*team) {
				pl->cost++;
				*team = 1;
			}
		}
		return 0;
	}
	/* What stood in the way furthest down the checks on any day: a
	 * trainer shortage is the answer when the unit and a room were free
	 * on some day. */
	if (!tried_days)
		pl->outcome = PLAN_NO_DAYS;
	else if (why_trainers)
		pl->outcome = PLAN_NO_TRAINERS;
	else if (why_room)
		pl->outcome = PLAN_NO_ROOM;
	else
		pl->outcome = PLAN_UNIT_BUSY;
	return 0;
}

int plan_solve(const struct plan_problem *p, struct plan_result *out)
{
	struct state st = { 0 };
	struct candidate *cand = NULL;
	size_t maxopt = 1;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	st.ntrainers = p->ntrainers;
	st.nunits = p->nunits;
	st.nrooms = p->nrooms;
	st.ngroups = p->ngroups;
	st.trainers = calloc(p->ntrainers + 1, sizeof(*st.trainers));
	st.units = calloc(p->nunits + 1, sizeof(*st.units));
	st.rooms = calloc(p->nrooms + 1, sizeof(*st.rooms));
	st.load = calloc(p->ntrainers + 1, sizeof(*st.load));
	st.team = calloc(p->ngroups * p->ntrainers + 1, 1);
	out->placements = calloc(p->nitems + 1, sizeof(*out->placements));
	for (size_t i = 0; i < p->nitems; i++)
		if (p->items[i].noptions > maxopt)
			maxopt = p->items[i].noptions;
	cand = calloc(maxopt, sizeof(*cand));
	if (!st.trainers || !st.units || !st.rooms || !st.load || !st.team ||
	    !out->placements || !cand)
		goto out;
	out->nplacements = p->nitems;
	for (size_t i = 0; i < p->nbusy; i++) {
		struct timeline *t = line(&st, p->busy[i].what, p->busy[i].who);

		if (t && timeline_add(t, p->busy[i].from, p->busy[i].to))
			goto out;
	}
	for (size_t i = 0; i < p->nitems; i++) {
		if (place(p, &st, &p->items[i], &out->placements[i], cand))
			goto out;
		if (out->placements[i].outcome == PLAN_PLACED) {
			out->placed++;
			out->cost += out->placements[i].cost;
		}
	}
	ret = 0;
out:
	free(cand);
	state_release(&st);
	if (ret)
		plan_result_release(out);
	return ret;
}

void plan_result_release(struct plan_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->placements && i < r->nplacements; i++)
		free(r->placements[i].trainers);
	free(r->placements);
	memset(r, 0, sizeof(*r));
}

const char *plan_outcome_name(enum plan_outcome o)
{
	switch (o) {
	case PLAN_PLACED: return "placed";
	case PLAN_NO_DAYS: return "no day allowed";
	case PLAN_NO_TRAINERS: return "too few trainers";
	case PLAN_NO_ROOM: return "no classroom";
	case PLAN_UNIT_BUSY: return "host unit busy";
	}
	return "?";
}
