/* The mission planner; see planner.h. */
#include "core/planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/plan.h"
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

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/*==== Building the problem =============================================*/

/* What one item needs, kept beside the engine's view of it. */
struct want {
	char plan[64];		/* training plan code, or postponed session */
	char course[64], site[64], activity[64], unit[64];
	char *room_names;	/* the site's rooms, "A:30;B:20" */
	int trainees;
	json_t *enrolled;	/* postponed: its trainees */
};

struct build {
	struct store *s;
	struct error *e;
	const struct planner_opts *o;
	struct plan_item *items;
	struct want *wants;
	size_t nitems, cap;
	struct names trainers, units, rooms, groups;
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

/* Trainers who may teach COURSE at SITE (activity ACT): on a mission post,
 * holding every qualification it needs, no caveat against it. */
static int trainer_options(struct build *b, const char *course, const char *need,
			   const char *site, const char *act, const char *from,
			   const char *to, struct plan_option **out, size_t *n)
{
	static const char sql[] =
		SQL_MISSION_CTE
		"SELECT pe.code, pe.qualifications, a.valid_from, p.site,"
		" coalesce(a.valid_to, '" OPEN_END "') AS valid_to"
		" FROM assignment a JOIN post p ON p.number = a.post"
		" JOIN person pe ON pe.code = a.person"
		" WHERE p.organisation IN (SELECT code FROM mission)"
		" AND a.valid_from < ?2 AND (a.valid_to IS NULL OR a.valid_to > ?1)"
		" AND instr(';' || coalesce(pe.qualifications, '') , ';' || ?3) > 0"
		" ORDER BY pe.code, a.valid_from";
	char first[64] = "";
	const char *p[3] = { from, to, first };
	json_t *rows = NULL, *row;
	size_t i;

	(void)course;
	*out = NULL;
	*n = 0;
	if (need && *need)
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(need, ";"), need);
	if (store_rows(b->s, sql, p, 3, &rows, b->e))
		return -1;
	*out = calloc(json_array_size(rows) + 1, sizeof(**out));
	if (!*out) {
		json_decref(rows);
		return error_set(b->e, ERR_NOMEM, "out of memory");
	}
	json_array_foreach(rows, i, row) {
		const char *held = jstr(row, "qualifications"), *q, *next;
		int32_t until = date_days(jstr(row, "valid_to"));
		int ok = 1, allowed, t;
		char u[11], code[64];

		for (q = need; ok && q && *q; q = next) {
			size_t len = strcspn(q, ";");

			snprintf(code, sizeof(code), "%.*s", (int)len, q);
			next = q[len] ? q + len + 1 : NULL;
			if (!qualification_until(held, code, u))
				ok = 0;
			else if (strcmp(u, OPEN_END) && date_days(u) + 1 < until)
				until = date_days(u) + 1;	/* holds through u */
		}
		if (!ok)
			continue;
		allowed = caveats_allow(b->s, jstr(row, "code"), site, act, from,
					to, b->e);
		if (allowed < 0) {
			json_decref(rows);
			return -1;
		}
		if (!allowed)
			continue;
		t = names_index(&b->trainers, jstr(row, "code"), 1);
		if (t < 0) {
			json_decref(rows);
			return error_set(b->e, ERR_NOMEM, "out of memory");
		}
		(*out)[(*n)++] = (struct plan_option){
			t, date_days(jstr(row, "valid_from")), until,
			strcmp(jstr(row, "site"), site) != 0 };
	}
	json_decref(rows);
	return 0;
}

/* Add one item: a session of COURSE at SITE to start in [from, latest]. */
static int add_item(struct build *b, const char *plan, const char *course,
		    const char *site_arg, const char *unit, int trainees,
		    const char *from, const char *to, json_t *enrolled)
{
	static const char course_sql[] =
		"SELECT c.duration_days, c.capacity, c.trainer_ratio,"
		" coalesce(c.trainer_qualifications, '') AS quals, c.activity,"
		" coalesce(a.site, '') AS site, coalesce(s.rooms, '') AS rooms"
		" FROM course c JOIN activity a ON a.code = c.activity"
		" LEFT JOIN site s ON s.code = coalesce(?2, a.site)"
		" WHERE c.code = ?1";
	const char *p[2] = { course, site_arg };
	json_t *rows = NULL, *c;
	struct plan_item *it;
	struct want *w;
	unsigned char *ok = NULL;
	const char *site;
	int32_t d0 = date_days(from), d1 = date_days(to), dur;
	size_t nb = 0;
	int ret = -1;

	if (store_rows(b->s, course_sql, p, 2, &rows, b->e))
		return -1;
	if (!(c = json_array_get(rows, 0))) {
		json_decref(rows);
		return error_set(b->e, ERR_NOTFOUND, "no course '%s'", course);
	}
	site = site_arg ? site_arg : jstr(c, "site");
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
	snprintf(w->activity, sizeof(w->activity), "%s", jstr(c, "activity"));
	snprintf(w->unit, sizeof(w->unit), "%s", unit ? unit : "");
	w->enrolled = enrolled ? json_incref(enrolled) : NULL;
	dur = (int32_t)json_integer_value(json_object_get(c, "duration_days"));
	w->trainees = trainees > 0 ? trainees :
		(int)json_integer_value(json_object_get(c, "capacity"));
	it->duration = dur;
	it->earliest = d0;
	it->latest = d1 - 1;
	it->trainees = w->trainees;
	it->need = (w->trainees + (int)json_integer_value(json_object_get(c, "trainer_ratio")) - 1) /
		   (int)json_integer_value(json_object_get(c, "trainer_ratio"));
	it->group = names_index(&b->groups, course, 1);
	it->unit = unit && *unit ? names_index(&b->units, unit, 1) : -1;
	/* Allowed days over the whole span a session may occupy. */
	{
		char end[11];

		date_format(d1 + dur, end);
		if (!(ok = malloc((size_t)(d1 + dur - d0))) ||
		    session_days(b->s, site, w->activity, from, end, ok, b->e))
			goto out;
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
		if (trainer_options(b, course, jstr(c, "quals"), site, w->activity,
				    from, end, &b->options[b->nitems - 1],
				    &it->noptions))
			goto out;
		it->options = b->options[b->nitems - 1];
	}
	if (site_rooms(b, site, jstr(c, "rooms"), &b->room_lists[b->nitems - 1],
		       &it->nrooms))
		goto out;
	it->rooms = b->room_lists[b->nitems - 1];
	{
		/* A session is known by course and start day: none of the
		 * course's sessions may share its day, but for the postponed
		 * session itself, which may run on its own day after all. */
		static const char starts_sql[] =
			"SELECT valid_from FROM session WHERE course = ?1"
			" AND valid_from >= ?2 AND valid_from < ?3 AND key <> ?4";
		const char *q[4] = { course, from, to, enrolled ? plan : "" };
		json_t *days, *dd;
		size_t j;

		if (store_rows(b->s, starts_sql, q, 4, &days, b->e))
			goto out;
		b->no_starts[b->nitems - 1] = calloc(json_array_size(days) + 1,
						     sizeof(int32_t));
		if (!b->no_starts[b->nitems - 1]) {
			json_decref(days);
			goto out;
		}
		json_array_foreach(days, j, dd)
			b->no_starts[b->nitems - 1][j] =
				date_days(jstr(dd, "valid_from"));
		it->no_start = b->no_starts[b->nitems - 1];
		it->nno_start = json_array_size(days);
		json_decref(days);
	}
	ret = 0;
out:
	free(ok);
	json_decref(rows);
	return ret;
}

/* Commitments already made: sessions that run, around the window. */
static int load_busy(struct build *b)
{
	static const char sql[] =
		"SELECT site, coalesce(room, '') AS room, valid_from, valid_to,"
		" coalesce(trainers, '') AS trainers, coalesce(host_unit, '') AS unit"
		" FROM session WHERE status NOT IN ('postponed', 'cancelled')"
		" AND valid_from < ?2 AND valid_to > ?1";
	char lo[11], hi[11];
	const char *p[2] = { lo, hi };
	json_t *rows, *row;
	size_t i;

	date_format(date_days(b->o->from) - 400, lo);
	date_format(date_days(b->o->to) + 400, hi);
	if (store_rows(b->s, sql, p, 2, &rows, b->e))
		return -1;
	json_array_foreach(rows, i, row) {
		int32_t f = date_days(jstr(row, "valid_from")), t = date_days(jstr(row, "valid_to"));
		char *list = strdup(jstr(row, "trainers")), *q, *next;

		if (!list)
			break;
		for (q = list; q && *q; q = next) {
			next = strchr(q, ';');
			if (next)
				*next++ = '\0';
			add_busy(b, PLAN_TRAINER, names_index(&b->trainers, q, 0), f, t);
		}
		free(list);
		if (*jstr(row, "unit"))
			add_busy(b, PLAN_UNIT, names_index(&b->units, jstr(row, "unit"), 0), f, t);
		if (*jstr(row, "room"))
			add_busy(b, PLAN_ROOM, room_index(b, jstr(row, "site"),
							  jstr(row, "room"), 0), f, t);
	}
	json_decref(rows);
	return 0;
}

static int collect_plans(struct build *b)
{
	static const char sql[] =
		"SELECT code, course, sessions, window_from, window_to, site,"
		" host_unit, trainees FROM training_plan"
		" WHERE window_from < ?2 AND window_to > ?1"
		" AND (?3 IS NULL OR site = ?3 OR (site IS NULL AND"
		" (SELECT a.site FROM course c JOIN activity a ON a.code = c.activity"
		"  WHERE c.code = course) = ?3))"
		" ORDER BY window_from, code";
	const char *p[3] = { b->o->from, b->o->to, b->o->site };
	json_t *rows, *row;
	size_t i;
	int ret = 0;

	if (store_rows(b->s, sql, p, 3, &rows, b->e))
		return -1;
	json_array_foreach(rows, i, row) {
		const char *wf = jstr(row, "window_from"), *wt = jstr(row, "window_to");
		const char *from = strcmp(wf, b->o->from) > 0 ? wf : b->o->from;
		const char *to = strcmp(wt, b->o->to) < 0 ? wt : b->o->to;
		long n = (long)json_integer_value(json_object_get(row, "sessions"));

		for (long k = 0; k < n && !ret; k++)
			ret = add_item(b, jstr(row, "code"), jstr(row, "course"),
				       jstr(row, "site"), jstr(row, "host_unit"),
				       (int)json_integer_value(json_object_get(row, "trainees")),
				       from, to, NULL);
	}
	json_decref(rows);
	return ret;
}

static int collect_postponed(struct build *b)
{
	static const char sql[] =
		SQL_MISSION_CTE
		"SELECT s.key, s.course, s.site, s.host_unit, (SELECT json_group_array("
		" json_object('trainee', en.trainee, 'classification', en.classification,"
		" 'releasability', en.releasability)) FROM enrolment en"
		" WHERE en.session = s.key) AS enrolled"
		" FROM session s JOIN course c ON c.code = s.course"
		" JOIN activity a ON a.code = c.activity"
		" WHERE s.status = 'postponed' AND (?1 IS NULL OR s.site = ?1) AND"
		SQL_SESSION_OF_MISSION
		" AND NOT EXISTS (SELECT 1 FROM session n WHERE n.replaces = s.key)"
		" ORDER BY s.valid_from, s.key";
	const char *p[1] = { b->o->site };
	json_t *rows, *row;
	size_t i;
	int ret = 0;

	if (store_rows(b->s, sql, p, 1, &rows, b->e))
		return -1;
	json_array_foreach(rows, i, row) {
		json_t *en = json_loads(jstr(row, "enrolled"), 0, NULL);

		ret = add_item(b, jstr(row, "key"), jstr(row, "course"),
			       jstr(row, "site"), jstr(row, "host_unit"),
			       (int)json_array_size(en), b->o->from, b->o->to, en);
		json_decref(en);
		if (ret)
			break;
	}
	json_decref(rows);
	return ret;
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
	static const char sql[] =
		"SELECT lead = 'host' FROM session WHERE course = ?1"
		" AND status = 'completed' ORDER BY valid_from DESC LIMIT 1";
	long long v = 0;

	return store_int(s, sql, &course, 1, &v, e) ? -1 : (int)v;
}

static int write_session(struct build *b, struct rules_tx *t, size_t i,
			 const struct plan_placement *pl, json_t *out)
{
	const struct want *w = &b->wants[i];
	const struct plan_item *it = &b->items[i];
	struct record r = { 0 };
	struct buf tr = BUF_INIT;
	char from[11], to[11], key[160];
	const char *room = NULL;
	int host, restored, ret = -1;

	date_format(pl->start, from);
	date_format(pl->start + it->duration, to);
	for (int k = 0; k < it->need; k++)
		buf_addf(&tr, "%s%s", k ? ";" : "", b->trainers.v[pl->trainers[k]]);
	if (pl->room >= 0)
		room = strchr(b->rooms.v[pl->room], '/') + 1;
	snprintf(key, sizeof(key), "%s/%s", w->course, from);
	restored = w->enrolled && !strcmp(key, w->plan);
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:b, s:I}",
		"session", key, "course", w->course, "site", w->site, "room", room,
		"from", from, "to", to, "trainers", buf_str(&tr),
		"host_unit", *w->unit ? w->unit : NULL,
		w->enrolled ? "replaces" : "plan", restored ? NULL : w->plan,
		"restored", restored, "cost", (json_int_t)pl->cost));
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
	    set(&r, "releasability", "MISSION;IRQ") || mission_save(b->s, t, &r, b->e))
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

int plan_sessions_in_tx(struct store *s, struct rules_tx *t,
			const struct planner_opts *o, json_t **report,
			struct error *e)
{
	struct build b = { .s = s, .e = e, .o = o };
	struct plan_problem pp;
	struct plan_result res = { 0 };
	json_t *r = NULL, *sessions, *unplaced;
	int ret = -1;

	*report = NULL;
	if (strcmp(o->from, o->to) >= 0) {
		error_set(e, ERR_USAGE, "plan: --from must be before --to");
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
	r = json_pack("{s:s, s:s, s:s?, s:b, s:b, s:I, s:I, s:I, s:o, s:o}",
		      "from", o->from, "to", o->to, "site", o->site,
		      "postponed", o->postponed, "applied", o->apply,
		      "items", (json_int_t)b.nitems, "placed", (json_int_t)res.placed,
		      "cost", (json_int_t)res.cost, "sessions", sessions,
		      "unplaced", unplaced);
	for (size_t i = 0; i < res.nplacements; i++) {
		const struct plan_placement *pl = &res.placements[i];
		char why[320];

		if (pl->outcome != PLAN_PLACED) {
			json_array_append_new(unplaced, json_pack("{s:s, s:s, s:s, s:s}",
				b.wants[i].enrolled ? "session" : "plan", b.wants[i].plan,
				"course", b.wants[i].course,
				"reason", plan_outcome_name(pl->outcome),
				"missing", missing(&b, i, pl, why, sizeof(why))));
			continue;
		}
		if (write_session(&b, t, i, pl, sessions))
			goto out;
	}
	*report = r;
	r = NULL;
	ret = 0;
out:
	json_decref(r);
	plan_result_release(&res);
	build_release(&b);
	return ret;
}

int plan_sessions(struct store *s, const struct planner_opts *o,
		  json_t **report, struct error *e)
{
	struct rules_tx t;

	rules_tx_init(&t);
	if (store_begin(s, e))
		return -1;
	if (plan_sessions_in_tx(s, &t, o, report, e) || rules_finish(s, &t, e)) {
		store_rollback(s);
		json_decref(*report);
		*report = NULL;
		return -1;
	}
	if (!o->apply) {
		store_rollback(s);
		return 0;
	}
	if (store_commit(s, e)) {
		json_decref(*report);
		*report = NULL;
		return -1;
	}
	return 0;
}
