/* The mission planner; see planner.h. */
#include "core/planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "core/write.h"
#include "sched/plan.h"
#include "store/access.h"
#include "store/actions.h"
#include "store/planner.h"
#include "util/buf.h"
#include "util/date.h"

/*==== Names to indices =================================================*/

/* A growable list of distinct strings; the index is the identity. */
struct names {
	char **v;
	size_t n, cap;
};

static int names_index(struct names *ns, const char *name, int add)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return (int)i;
	if (!add)
		return -1;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		char **p = realloc(ns->v, cap * sizeof(*p));

		if (!p)
			return -2;
		ns->v = p;
		ns->cap = cap;
	}
	if (!(ns->v[ns->n] = strdup(name)))
		return -2;
	return (int)ns->n++;
}

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static const char *rv_or(const struct record *r, const char *field,
			 const char *otherwise)
{
	int i = kind_field_index(r->kind, field);

	return i >= 0 && r->v[i] ? r->v[i] : otherwise;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The planner plans over the whole mission: a room or a trainer is busy,
 * a day is suspended, whether the caller may see why or not. Every store
 * question it asks is asked as the system; only its report is the
 * caller's (build.who). */
#define MISSION (&principal_system)

/*==== Building the problem =============================================*/

/* What one item needs, kept beside the engine's view of it. */
struct want {
	char plan[64];		/* training plan code, or postponed session */
	char course[64], site[64], activity[64], unit[64];
	char was_from[11];	/* postponed: its own start */
	char *room_names;	/* the site's rooms, "A:30;B:20" */
	int trainees;
	json_t *enrolled;	/* postponed: its trainees */
	char classification[8];	/* postponed: its markings, which the */
	char releasability[VALUE_MAX + 1];	/* session replacing it keeps */
	int visible;		/* may the caller see the plan or session? */
};

struct build {
	struct store *s;
	const struct principal *who;	/* the report's reader */
	struct error *e;
	const struct planner_opts *o;
	struct plan_item *items;
	struct want *wants;
	size_t nitems, cap;
	struct names trainers, units, rooms, groups;
	struct names claimed;	/* sessions counted toward a plan */
	json_t *already;	/* plans with sessions that exist */
	struct plan_room *room_caps;
	size_t nroom_caps;
	/* Per-item arrays the engine borrows. */
	struct plan_span **blocked;
	struct plan_option **options;
	int **room_lists;
	int32_t **no_starts;
	struct plan_busy *busy;
	size_t nbusy, capbusy;
	json_t *unplaced_notes;
	long hidden;		/* items the reader may not see */
	long refused;		/* placed, but a rule refused the write */
	/* What the next add_item() is about: its visibility and markings. */
	int next_visible;
	const char *next_classification, *next_releasability;
	const char *next_trainers;	/* postponed: its own trainers */
};

static int add_busy(struct build *b, enum plan_resource what, int who,
		    int32_t from, int32_t to)
{
	if (who < 0)
		return 0;
	if (b->nbusy == b->capbusy) {
		size_t cap = b->capbusy ? b->capbusy * 2 : 64;
		struct plan_busy *p = realloc(b->busy, cap * sizeof(*p));

		if (!p)
			return -1;
		b->busy = p;
		b->capbusy = cap;
	}
	b->busy[b->nbusy++] = (struct plan_busy){ what, who, from, to };
	return 0;
}

static int room_index(struct build *b, const char *site, const char *room,
		      int capacity)
{
	char key[160];
	int i;

	snprintf(key, sizeof(key), "%s/%s", site, room);
	i = names_index(&b->rooms, key, capacity > 0);
	if (i >= 0 && (size_t)i >= b->nroom_caps) {
		struct plan_room *p = realloc(b->room_caps,
					      ((size_t)i + 1) * sizeof(*p));

		if (!p)
			return -2;
		b->room_caps = p;
		b->room_caps[i].capacity = capacity;
		b->nroom_caps = (size_t)i + 1;
	}
	return i;
}

/* The site's classrooms as indices into B->rooms. */
static int site_rooms(struct build *b, const char *site, const char *list,
		      int **out, size_t *n)
{
	char *copy, *p, *next;

	*out = NULL;
	*n = 0;
	if (!list || !*list)
		return 0;
	if (!(copy = strdup(list)) ||
	    !(*out = calloc(strlen(list) / 2 + 2, sizeof(int)))) {
		free(copy);
		return -1;
	}
	for (p = copy; p; p = next) {
		char *colon;
		int i;

		next = strchr(p, ';');
		if (next)
			*next++ = '\0';
		colon = strrchr(p, ':');
		if (!colon)
			continue;
		*colon = '\0';
		i = room_index(b, site, p, (int)strtol(colon + 1, NULL, 10));
		if (i < -1) {
			free(copy);
			return -1;
		}
		(*out)[(*n)++] = i;
	}
	free(copy);
	return 0;
}

struct trainers_ctx {
	struct build *b;
	const char *need, *site, *act, *from, *to;
	struct plan_option *out;
	size_t n, cap;
};

static int trainer_option(void *arg, const struct trainer_row *row)
{
	struct trainers_ctx *x = arg;
	struct build *b = x->b;
	const char *q, *next;
	int32_t until = date_days(row->valid_to ? row->valid_to : OPEN_END);
	int ok = 1, allowed, t;
	char u[11], code[64];

	for (q = x->need; ok && q && *q; q = next) {
		size_t len = strcspn(q, ";");

		snprintf(code, sizeof(code), "%.*s", (int)len, q);
		next = q[len] ? q + len + 1 : NULL;
		if (!qualification_until(row->qualifications, code, u))
			ok = 0;
		else if (strcmp(u, OPEN_END) && date_days(u) + 1 < until)
			until = date_days(u) + 1;	/* holds through u */
	}
	if (!ok)
		return 0;
	allowed = caveats_allow(b->s, row->code, x->site, x->act, x->from,
				x->to, b->e);
	if (allowed < 0)
		return -1;
	if (!allowed)
		return 0;
	t = names_index(&b->trainers, row->code, 1);
	if (t < 0)
		return error_set(b->e, ERR_NOMEM, "out of memory");
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct plan_option *o = realloc(x->out, cap * sizeof(*o));

		if (!o)
			return error_set(b->e, ERR_NOMEM, "out of memory");
		x->out = o;
		x->cap = cap;
	}
	x->out[x->n++] = (struct plan_option){
		t, date_days(row->valid_from), until,
		strcmp(row->site, x->site) != 0 };
	return 0;
}

/* A postponed session's own trainers may teach it again, on a post or
 * not (they were allowed to once), if they still hold what it needs and
 * no caveat stands against them: as options besides those on post. */
static int own_trainers(struct trainers_ctx *x, const char *list)
{
	char *copy, *p, *next;
	int ret = 0;

	if (!list || !*list)
		return 0;
	if (!(copy = strdup(list)))
		return error_set(x->b->e, ERR_NOMEM, "out of memory");
	for (p = copy; p && !ret; p = next) {
		struct record r = { 0 };
		int i = kind_field_index(kind_find("persons"), "qualifications");
		int t, dup = 0, rc;

		next = strchr(p, ';');
		if (next)
			*next++ = '\0';
		t = names_index(&x->b->trainers, p, 0);
		for (size_t k = 0; t >= 0 && k < x->n; k++)
			dup |= x->out[k].trainer == t;
		if (dup || !*p)
			continue;
		if (record_init(&r, kind_find("persons"))) {
			ret = error_set(x->b->e, ERR_NOMEM, "out of memory");
			break;
		}
		rc = store_get(x->b->s, r.kind, p, &r, x->b->e);
		if (rc > 0) {
			struct trainer_row row = {
				p, r.v[i] ? r.v[i] : "",
				rv_or(&r, "valid_from", x->from),
				rv_or(&r, "valid_to", NULL), x->site };

			ret = trainer_option(x, &row);
		} else if (rc < 0) {
			ret = -1;
		}
		record_release(&r);
	}
	free(copy);
	return ret;
}

/* Trainers who may teach COURSE at SITE (activity ACT): on a mission post,
 * holding every qualification it needs, no caveat against it. */
static int trainer_options(struct build *b, const char *course, const char *need,
			   const char *site, const char *act, const char *from,
			   const char *to, struct plan_option **out, size_t *n)
{
	struct trainers_ctx x = { b, need, site, act, from, to, NULL, 0, 0 };
	char first[64] = "";

	(void)course;
	*out = NULL;
	*n = 0;
	if (need && *need)
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(need, ";"), need);
	if (store_trainers_each(b->s, MISSION, from, to, first, trainer_option,
				&x, b->e) ||
	    own_trainers(&x, b->next_trainers)) {
		free(x.out);
		return -1;
	}
	/* Never NULL, even with no option: one spare element, zeroed. */
	if (x.n == x.cap) {
		struct plan_option *o = realloc(x.out, (x.n + 1) * sizeof(*o));

		if (!o) {
			free(x.out);
			return error_set(b->e, ERR_NOMEM, "out of memory");
		}
		x.out = o;
	}
	memset(&x.out[x.n], 0, sizeof(*x.out));
	*out = x.out;
	*n = x.n;
	return 0;
}

/* Start days already taken, as day numbers. */
struct starts {
	int32_t *days;
	size_t n, cap;
	struct error *e;
};

static int add_start(void *arg, const char *day)
{
	struct starts *x = arg;

	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		int32_t *d = realloc(x->days, cap * sizeof(*d));

		if (!d)
			return error_set(x->e, ERR_NOMEM, "out of memory");
		x->days = d;
		x->cap = cap;
	}
	x->days[x->n++] = date_days(day);
	return 0;
}

/* Days a postponed session's trainees are in other sessions. */
struct busy_days {
	unsigned char *ok;
	int32_t d0, d1;
};

static int busy_day(void *arg, const char *from, const char *to)
{
	struct busy_days *x = arg;

	for (int32_t d = date_days(from); d < date_days(to); d++)
		if (d >= x->d0 && d < x->d1)
			x->ok[d - x->d0] = 0;
	return 0;
}

/* Add one item: a session of COURSE at SITE to start in [from, latest]. */
static int add_item(struct build *b, const char *plan, const char *course,
		    const char *site_arg, const char *unit, int trainees,
		    const char *from, const char *to, json_t *enrolled)
{
	struct plan_course c;
	struct plan_item *it;
	struct want *w;
	unsigned char *ok = NULL;
	const char *site;
	int32_t d0 = date_days(from), d1 = date_days(to), dur;
	size_t nb = 0;
	int ret = -1, found;

	found = store_plan_course(b->s, MISSION, course, site_arg, &c, b->e);
	if (found <= 0) {
		plan_course_release(&c);
		return found ? -1 : error_set(b->e, ERR_NOTFOUND, "no course '%s'",
					      course);
	}
	site = site_arg ? site_arg : c.site;
	if (!*site) {
		error_set(b->e, ERR_INPUT, "plan %s: course %s has no site; give "
			  "the plan one", plan, course);
		goto out;
	}
	if (b->nitems == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct plan_item *pi = realloc(b->items, cap * sizeof(*pi));
		struct want *pw = pi ? realloc(b->wants, cap * sizeof(*pw)) : NULL;
		struct plan_span **pb = pw ? realloc(b->blocked, cap * sizeof(*pb)) : NULL;
		struct plan_option **po = pb ? realloc(b->options, cap * sizeof(*po)) : NULL;
		int **pr = po ? realloc(b->room_lists, cap * sizeof(*pr)) : NULL;
		int32_t **pn = pr ? realloc(b->no_starts, cap * sizeof(*pn)) : NULL;

		if (pi)
			b->items = pi;
		if (pw)
			b->wants = pw;
		if (pb)
			b->blocked = pb;
		if (po)
			b->options = po;
		if (pr)
			b->room_lists = pr;
		if (!pn) {
			error_set(b->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		b->no_starts = pn;
		b->cap = cap;
	}
	it = &b->items[b->nitems];
	w = &b->wants[b->nitems];
	memset(it, 0, sizeof(*it));
	memset(w, 0, sizeof(*w));
	b->blocked[b->nitems] = NULL;
	b->options[b->nitems] = NULL;
	b->room_lists[b->nitems] = NULL;
	b->no_starts[b->nitems] = NULL;
	b->nitems++;
	snprintf(w->plan, sizeof(w->plan), "%s", plan);
	snprintf(w->course, sizeof(w->course), "%s", course);
	snprintf(w->site, sizeof(w->site), "%s", site);
	snprintf(w->activity, sizeof(w->activity), "%s", c.activity);
	snprintf(w->unit, sizeof(w->unit), "%s", unit ? unit : "");
	w->enrolled = enrolled ? json_incref(enrolled) : NULL;
	w->visible = b->next_visible;
	snprintf(w->classification, sizeof(w->classification), "%s",
		 b->next_classification ? b->next_classification : "");
	snprintf(w->releasability, sizeof(w->releasability), "%s",
		 b->next_releasability ? b->next_releasability : "");
	dur = (int32_t)c.duration_days;
	w->trainees = trainees > 0 ? trainees : (int)c.capacity;
	it->duration = dur;
	it->earliest = d0;
	it->latest = d1 - 1;
	it->trainees = w->trainees;
	it->need = (w->trainees + (int)c.trainer_ratio - 1) / (int)c.trainer_ratio;
	/* A postponed session needs the team it had, when it had one. */
	if (b->next_trainers && *b->next_trainers) {
		it->need = 1;
		for (const char *q = b->next_trainers; *q; q++)
			it->need += *q == ';';
	}
	it->group = names_index(&b->groups, course, 1);
	it->unit = unit && *unit ? names_index(&b->units, unit, 1) : -1;
	/* Allowed days over the whole span a session may occupy. */
	{
		char end[11];

		date_format(d1 + dur, end);
		if (!(ok = malloc((size_t)(d1 + dur - d0))) ||
		    session_days(b->s, site, w->activity, from, end, ok, b->e))
			goto out;
		/* A postponed session's trainees, in other sessions on some
		 * days: not those days (TRAINEE-CLASH). */
		if (enrolled) {
			struct busy_days bd = { ok, d0, d1 + dur };

			if (store_trainees_busy_each(b->s, MISSION, plan, from,
						     end, busy_day, &bd, b->e))
				goto out;
		}
		b->blocked[b->nitems - 1] = calloc((size_t)(d1 + dur - d0) + 1,
						   sizeof(struct plan_span));
		if (!b->blocked[b->nitems - 1])
			goto out;
		for (int32_t d = d0; d < d1 + dur; d++) {
			struct plan_span *sp = b->blocked[b->nitems - 1];

			if (ok[d - d0])
				continue;
			if (nb && sp[nb - 1].to == d)
				sp[nb - 1].to = d + 1;
			else
				sp[nb++] = (struct plan_span){ d, d + 1 };
		}
		it->blocked = b->blocked[b->nitems - 1];
		it->nblocked = nb;
		if (trainer_options(b, course, c.quals, site, w->activity,
				    from, end, &b->options[b->nitems - 1],
				    &it->noptions))
			goto out;
		it->options = b->options[b->nitems - 1];
	}
	if (site_rooms(b, site, c.rooms, &b->room_lists[b->nitems - 1],
		       &it->nrooms))
		goto out;
	it->rooms = b->room_lists[b->nitems - 1];
	{
		/* A session is known by course and start day: none of the
		 * course's sessions may share its day, but for the postponed
		 * session itself, which may run on its own day after all. */
		struct starts x = { NULL, 0, 0, b->e };

		if (store_course_starts_each(b->s, MISSION, course, from, to,
					     enrolled ? plan : NULL, add_start,
					     &x, b->e)) {
			free(x.days);
			goto out;
		}
		if (!x.days && !(x.days = calloc(1, sizeof(*x.days)))) {
			error_set(b->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		b->no_starts[b->nitems - 1] = x.days;
		it->no_start = x.days;
		it->nno_start = x.n;
	}
	ret = 0;
out:
	free(ok);
	plan_course_release(&c);
	return ret;
}

static int add_commitment(void *arg, const struct commitment_row *c)
{
	struct build *b = arg;
	int32_t f = date_days(c->valid_from), t = date_days(c->valid_to);
	char *list = strdup(c->trainers), *q, *next;

	if (!list)
		return error_set(b->e, ERR_NOMEM, "out of memory");
	for (q = list; q && *q; q = next) {
		next = strchr(q, ';');
		if (next)
			*next++ = '\0';
		add_busy(b, PLAN_TRAINER, names_index(&b->trainers, q, 0), f, t);
	}
	free(list);
	if (*c->host_unit)
		add_busy(b, PLAN_UNIT, names_index(&b->units, c->host_unit, 0), f, t);
	if (*c->room)
		add_busy(b, PLAN_ROOM, room_index(b, c->site, c->room, 0), f, t);
	return 0;
}

/* Commitments already made: every session that runs on a day any item
 * may occupy (a resumed item has its own window, beyond TO maybe). */
static int load_busy(struct build *b)
{
	int32_t d0 = date_days(b->o->from), d1 = date_days(b->o->to);
	char lo[11], hi[11];

	for (size_t i = 0; i < b->nitems; i++) {
		const struct plan_item *it = &b->items[i];

		if (it->earliest < d0)
			d0 = it->earliest;
		if (it->latest + 1 + it->duration > d1)
			d1 = it->latest + 1 + it->duration;
	}
	date_format(d0, lo);
	date_format(d1, hi);
	return store_commitments_each(b->s, MISSION, lo, hi, add_commitment, b,
				      b->e);
}

/* Does the reader see record KEY of KIND? Notes it for the next item. */
static int note_visible(struct build *b, const char *kind, const char *key)
{
	int v = store_may_see(b->s, b->who, kind_find(kind), key, b->e);

	if (v < 0)
		return -1;
	b->next_visible = v;
	return 0;
}

/* Counting a plan's sessions that exist: each counts toward one plan
 * only (the first, in the planner's order), and toward no more than the
 * plan asks for. */
struct claiming {
	struct build *b;
	long want, have;
};

static int claim(void *arg, const char *key)
{
	struct claiming *x = arg;

	if (x->have >= x->want || names_index(&x->b->claimed, key, 0) >= 0)
		return 0;
	if (names_index(&x->b->claimed, key, 1) < 0)
		return error_set(x->b->e, ERR_NOMEM, "out of memory");
	x->have++;
	return 0;
}

static int add_plan(void *arg, const struct training_plan_row *row)
{
	struct build *b = arg;
	const char *from = strcmp(row->window_from, b->o->from) > 0 ?
			   row->window_from : b->o->from;
	const char *to = strcmp(row->window_to, b->o->to) < 0 ?
			 row->window_to : b->o->to;
	struct claiming x = { b, row->sessions, 0 };
	int ret = note_visible(b, "training-plans", row->code);

	/* Over the plan's whole window, not only the part planned now: it
	 * asks for so many sessions in its window, wherever they fall. */
	if (!ret)
		ret = store_plan_sessions_each(b->s, MISSION, row->course,
					       row->site, row->host_unit,
					       row->window_from, row->window_to,
					       claim, &x, b->e);
	if (!ret && x.have && b->next_visible)
		json_array_append_new(b->already, json_pack("{s:s, s:s, s:I, s:I}",
			"plan", row->code, "course", row->course,
			"sessions", (json_int_t)row->sessions,
			"existing", (json_int_t)x.have));
	for (long k = x.have; k < row->sessions && !ret; k++)
		ret = add_item(b, row->code, row->course, row->site,
			       row->host_unit, (int)row->trainees, from, to, NULL);
	return ret;
}

static int collect_plans(struct build *b)
{
	b->next_classification = b->next_releasability = NULL;
	return store_training_plans_each(b->s, MISSION, b->o->from, b->o->to,
					 b->o->site, add_plan, b, b->e);
}

static int add_enrolled(void *arg, const struct enrolment_row *r)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s}",
		"trainee", r->trainee, "classification", r->classification,
		"releasability", r->releasability));
}

/* The days in which a postponed session due on OWN may start: the
 * period planned, or for a resumption its own window (planner.h). */
static void resume_window(const struct planner_opts *o, const char *own,
			  char from[11], char to[11])
{
	int32_t d = date_days(own), on = date_days(o->from);

	if (!o->resume) {
		snprintf(from, 11, "%s", o->from);
		snprintf(to, 11, "%s", o->to);
		return;
	}
	if (d < on) {
		d += o->shift;
		if (d < on)
			d = on;
	}
	date_format(d, from);
	date_format(d + PLAN_RESUME_DAYS, to);
}

static int add_postponed(void *arg, const struct postponed_row *row)
{
	struct build *b = arg;
	json_t *en = json_array();
	int ret;

	if (!en)
		return error_set(b->e, ERR_NOMEM, "out of memory");
	/* Its trainees, every one: they are the session's, seen or not. */
	ret = store_enrolments_each(b->s, MISSION, row->key, add_enrolled, en,
				    b->e) ||
	      note_visible(b, "sessions", row->key);
	b->next_classification = row->classification;
	b->next_releasability = row->releasability;
	b->next_trainers = row->trainers;
	if (!ret) {
		char from[11], to[11];

		resume_window(b->o, row->valid_from, from, to);
		ret = add_item(b, row->key, row->course, row->site, row->host_unit,
			       (int)json_array_size(en), from, to, en);
	}
	if (!ret)
		snprintf(b->wants[b->nitems - 1].was_from,
			 sizeof(b->wants[0].was_from), "%s", row->valid_from);
	b->next_trainers = NULL;
	json_decref(en);
	return ret ? -1 : 0;
}

static int collect_postponed(struct build *b)
{
	char scope[96];

	if (b->o->scope)
		snprintf(scope, sizeof(scope), "%s", b->o->scope);
	else if (b->o->site)
		snprintf(scope, sizeof(scope), "site:%s", b->o->site);
	else
		snprintf(scope, sizeof(scope), "mission");
	return store_postponed_each(b->s, MISSION, scope, b->o->since,
				    add_postponed, b, b->e);
}

static void build_release(struct build *b)
{
	for (size_t i = 0; i < b->nitems; i++) {
		free(b->blocked[i]);
		free(b->options[i]);
		free(b->room_lists[i]);
		free(b->no_starts[i]);
		json_decref(b->wants[i].enrolled);
	}
	free(b->items);
	free(b->wants);
	free(b->blocked);
	free(b->options);
	free(b->room_lists);
	free(b->no_starts);
	free(b->busy);
	free(b->room_caps);
	names_release(&b->trainers);
	names_release(&b->units);
	names_release(&b->rooms);
	names_release(&b->groups);
	names_release(&b->claimed);
	json_decref(b->already);
}

/*==== Writing the plan =================================================*/

static int set(struct record *r, const char *field, const char *value)
{
	return record_set(r, (size_t)kind_field_index(r->kind, field), value);
}

/* The course is led by host-nation instructors once its last completed
 * session was: the planner keeps it so (the mission's end state). */
static int host_leads(struct store *s, const char *course, struct error *e)
{
	return store_course_host_led(s, MISSION, course, e);
}

static int write_session(struct build *b, struct rules_tx *t, size_t i,
			 const struct plan_placement *pl, json_t *out)
{
	const struct want *w = &b->wants[i];
	const struct plan_item *it = &b->items[i];
	struct record r = { 0 };
	struct buf tr = BUF_INIT, shown = BUF_INIT;
	char from[11], to[11], key[160];
	const char *room = NULL;
	int host, restored, ret = -1;
	long trainers_hidden = 0;

	date_format(pl->start, from);
	date_format(pl->start + it->duration, to);
	for (int k = 0; k < it->need; k++) {
		const char *code = b->trainers.v[pl->trainers[k]];
		int v = w->visible ? store_may_see(b->s, b->who,
						   kind_find("persons"), code,
						   b->e) : 0;

		if (v < 0)
			goto out;
		buf_addf(&tr, "%s%s", k ? ";" : "", code);
		/* The report names only the trainers its reader may see. */
		if (v)
			buf_addf(&shown, "%s%s", shown.len ? ";" : "", code);
		else
			trainers_hidden++;
	}
	if (pl->room >= 0)
		room = strchr(b->rooms.v[pl->room], '/') + 1;
	snprintf(key, sizeof(key), "%s/%s", w->course, from);
	restored = w->enrolled && !strcmp(key, w->plan);
	if (w->visible)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:I, s:s?, s:s?, s:s?, s:b, s:I}",
			"session", key, "course", w->course, "site", w->site, "room", room,
			"from", from, "to", to, "trainers", buf_str(&shown),
			"trainers_hidden", (json_int_t)trainers_hidden,
			"host_unit", *w->unit ? w->unit : NULL,
			"was_from", w->enrolled ? w->was_from : NULL,
			w->enrolled ? "replaces" : "plan", restored ? NULL : w->plan,
			"restored", restored, "cost", (json_int_t)pl->cost));
	else
		b->hidden++;
	if (!b->o->apply) {
		ret = 0;
		goto out;
	}
	if (restored) {
		/* It runs on its own day after all: restore it. */
		ret = !(!record_init(&r, kind_find("sessions")) &&
			store_get(b->s, r.kind, key, &r, b->e) > 0 &&
			!set(&r, "status", "planned") && !mission_save(b->s, t, &r, b->e)) ? -1 : 0;
		goto out;
	}
	if ((host = host_leads(b->s, w->course, b->e)) < 0 ||
	    record_init(&r, kind_find("sessions")) ||
	    set(&r, "course", w->course) || set(&r, "site", w->site) ||
	    set(&r, "room", room) || set(&r, "valid_from", from) ||
	    set(&r, "valid_to", to) || set(&r, "trainers", tr.len ? buf_str(&tr) : NULL) ||
	    set(&r, "lead", host ? "host" : "mission") ||
	    set(&r, "lead_instructor", host ? "host-nation instructor" :
		tr.len ? b->trainers.v[pl->trainers[0]] : NULL) ||
	    set(&r, "host_unit", *w->unit ? w->unit : NULL) ||
	    set(&r, "status", "planned") ||
	    set(&r, "replaces", w->enrolled ? w->plan : NULL) ||
	    /* A re-planned session keeps the markings of the one it
	     * replaces: planning does not release what was not. */
	    (w->enrolled && *w->classification &&
	     set(&r, "classification", w->classification)) ||
	    /* A new one the kind's default: the host nation's sessions. */
	    set(&r, "releasability", w->enrolled && *w->releasability ?
		w->releasability : NULL) ||
	    mission_save(b->s, t, &r, b->e))
		goto out;
	if (w->enrolled) {
		json_t *en;
		size_t j;

		json_array_foreach(w->enrolled, j, en) {
			struct record x = { 0 };
			int rc = record_init(&x, kind_find("enrolments")) ||
				 set(&x, "session", key) ||
				 set(&x, "trainee", jstr(en, "trainee")) ||
				 set(&x, "classification", jstr(en, "classification")) ||
				 set(&x, "releasability", jstr(en, "releasability")) ||
				 mission_save(b->s, t, &x, b->e);

			record_release(&x);
			if (rc)
				goto out;
		}
	}
	ret = 0;
out:
	record_release(&r);
	buf_release(&tr);
	buf_release(&shown);
	return ret;
}

static const char *missing(const struct build *b, size_t i,
			   const struct plan_placement *pl, char *buf, size_t n)
{
	const struct want *w = &b->wants[i];
	const struct plan_item *it = &b->items[i];
	char from[11], to[11];

	date_format(it->earliest, from);
	date_format(it->latest + 1, to);
	switch (pl->outcome) {
	case PLAN_NO_DAYS:
		snprintf(buf, n, "no day from %s to %s on which %s may run at %s: "
			 "no consent in force, or suspended", from, to, w->course,
			 w->site);
		break;
	case PLAN_NO_TRAINERS:
		snprintf(buf, n, "%d trainer%s qualified for %s, on post and free "
			 "for %d days at %s between %s and %s; %d found",
			 it->need, it->need == 1 ? "" : "s", w->course, it->duration,
			 w->site, from, to, pl->free_trainers);
		break;
	case PLAN_NO_ROOM:
		snprintf(buf, n, "a free classroom at %s for %d trainees", w->site,
			 it->trainees);
		break;
	case PLAN_UNIT_BUSY:
		snprintf(buf, n, "host unit %s free for %d days between %s and "
			 "%s (it is in other sessions)", w->unit, it->duration,
			 from, to);
		break;
	case PLAN_PLACED:
		buf[0] = '\0';
		break;
	}
	return buf;
}

/*==== Entry ============================================================*/

static void add_unplaced(struct build *b, size_t i, json_t *unplaced,
			 const char *reason, const char *why)
{
	const struct want *w = &b->wants[i];
	char earliest[11];

	date_format(b->items[i].earliest, earliest);
	json_array_append_new(unplaced, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}",
		w->enrolled ? "session" : "plan", w->plan, "course", w->course,
		"reason", reason, "missing", why,
		"was_from", w->enrolled ? w->was_from : NULL,
		"earliest", w->enrolled ? earliest : NULL));
}

/*
 * Write placement PL of item I. A training plan's sessions stand or fall
 * together (a refusal rolls the plan back); a postponed session that a
 * rule refuses where the planner put it (one the planner does not model)
 * stays postponed, listed in UNPLACED with the rule, and the others go on.
 */
static int write_placement(struct build *b, struct rules_tx *t, size_t i,
			   const struct plan_placement *pl, json_t *sessions,
			   json_t *unplaced)
{
	size_t listed = json_array_size(sessions);

	if (!b->o->postponed || !b->o->apply)
		return write_session(b, t, i, pl, sessions);
	if (store_savepoint(b->s, b->e))
		return -1;
	if (!write_session(b, t, i, pl, sessions))
		return store_savepoint_release(b->s, b->e);
	store_savepoint_rollback(b->s);
	if (b->e->code != ERR_RULE)
		return -1;
	if (json_array_size(sessions) > listed)
		json_array_remove(sessions, listed);
	else
		b->hidden--;
	b->refused++;
	if (b->wants[i].visible)
		add_unplaced(b, i, unplaced, b->e->rule ? b->e->rule : "refused",
			     b->e->message);
	else
		b->hidden++;
	error_release(b->e);
	error_init(b->e);
	return 0;
}

int plan_sessions_in_tx(struct store *s, const struct principal *who,
			struct rules_tx *t, const struct planner_opts *o,
			json_t **report, struct error *e)
{
	struct build b = { .s = s, .who = who, .e = e, .o = o,
			   .already = json_array() };
	struct plan_problem pp;
	struct plan_result res = { 0 };
	json_t *r = NULL, *sessions, *unplaced;
	int ret = -1;

	*report = NULL;
	if (strcmp(o->from, o->to) >= 0) {
		error_set(e, ERR_USAGE, "plan: --from must be before --to");
		goto out;
	}
	/* The engine keeps a day per item over the period: a bounded one. */
	if (date_days(o->to) - date_days(o->from) > PLAN_DAYS_MAX) {
		error_set(e, ERR_USAGE, "plan: a period of at most %d days "
			  "(%s to %s is longer)", PLAN_DAYS_MAX, o->from, o->to);
		goto out;
	}
	if (!b.already) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((o->postponed ? collect_postponed(&b) : collect_plans(&b)) ||
	    load_busy(&b))
		goto out;
	pp = (struct plan_problem){
		.items = b.items, .nitems = b.nitems,
		.rooms = b.room_caps, .nrooms = b.nroom_caps,
		.ntrainers = b.trainers.n, .nunits = b.units.n,
		.ngroups = b.groups.n, .busy = b.busy, .nbusy = b.nbusy,
	};
	if (plan_solve(&pp, &res)) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	sessions = json_array();
	unplaced = json_array();
	r = json_pack("{s:s, s:s, s:s?, s:b, s:b, s:I, s:I, s:I, s:o, s:o, s:O}",
		      "from", o->from, "to", o->to, "site", o->site,
		      "postponed", o->postponed, "applied", o->apply,
		      "items", (json_int_t)b.nitems, "placed", (json_int_t)res.placed,
		      "cost", (json_int_t)res.cost, "sessions", sessions,
		      "unplaced", unplaced, "already_planned", b.already);
	for (size_t i = 0; i < res.nplacements; i++) {
		const struct plan_placement *pl = &res.placements[i];
		char why[320];

		if (pl->outcome != PLAN_PLACED) {
			if (!b.wants[i].visible) {
				b.hidden++;
				continue;
			}
			add_unplaced(&b, i, unplaced, plan_outcome_name(pl->outcome),
				     missing(&b, i, pl, why, sizeof(why)));
			continue;
		}
		if (write_placement(&b, t, i, pl, sessions, unplaced))
			goto out;
	}
	/* What was planned for plans and sessions the caller may not see:
	 * a count, never a key. */
	json_object_set_new(r, "hidden", json_integer(b.hidden));
	json_object_set_new(r, "placed", json_integer((json_int_t)res.placed -
						      b.refused));
	*report = r;
	r = NULL;
	ret = 0;
out:
	json_decref(r);
	plan_result_release(&res);
	build_release(&b);
	return ret;
}

/* The planner's arguments, for its work inside write_action(). */
struct planning {
	struct store *s;
	const struct principal *who;
	const struct planner_opts *o;
	json_t *report;
};

static int plan_tx(struct write_tx *t, void *arg, struct error *e)
{
	struct planning *p = arg;

	return plan_sessions_in_tx(p->s, p->who, write_tx_rules(t), p->o,
				   &p->report, e);
}

int plan_sessions(struct store *s, const struct principal *who,
		  const struct planner_opts *o, json_t **report,
		  struct error *e)
{
	struct planning p = { s, who, o, NULL };

	*report = NULL;
	if (write_action(s, who, "plan-sessions", o->apply ? 0 : WRITE_DRY_RUN,
			 plan_tx, &p, e)) {
		json_decref(p.report);
		return -1;
	}
	*report = p.report;
	return 0;
}
