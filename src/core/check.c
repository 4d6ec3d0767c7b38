/* The mission's fsck: every rule over every day of a range; see check.h. */
#include "core/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "core/rules.h"
#include "store/access.h"
#include "store/check.h"
#include "util/buf.h"
#include "util/date.h"

/* What one evaluation asks: families of rules, narrowed to what
 * involves one record (a write's guard), over [from, to). The whole
 * check asks every family of everything. */
enum family {
	F_RULES = 1 << 0,	/* the record rules of core/rules.c */
	F_BOOK = 1 << 1,	/* trainers, rooms, host units */
	F_CAPACITY = 1 << 2,
	F_TRAINEE = 1 << 3,
	F_POSTS = 1 << 4,	/* ONE-POST */
	F_QUALIFIED = 1 << 5,	/* POST-QUALIFICATION */
	F_CERTIFICATE = 1 << 6,
	F_CEILING = 1 << 7,
	F_ALL = (1 << 8) - 1,
};

struct unit {
	unsigned families;
	struct check_focus focus;	/* CHECK_ALL: everything */
	char from[11], to[11];		/* the sessions whose bookings it
					 * asks about ("": the range's) */
	json_t *before;			/* the violations before the write */
	char *lazy;			/* not asked yet: see guard_lazy() */
};

/* One evaluation: the range, the store, and what it found. */
struct checker {
	struct store *s;
	const struct principal *who;	/* to whom it reports */
	char from[11], to[11];		/* [from, to) */
	json_t *list;
	long hidden;
	struct error *e;
	const struct unit *u;		/* what it asks */
	int kinds;			/* a guard's: each violation keeps its
					 * records' kinds (to report them) and
					 * a class's excess */
};

/* A record a violation names: its kind (NULL when the rule did not say:
 * any kind the key may be of) and key. */
struct named {
	const char *kind, *key;
};

/*==== Reporting ========================================================*/

/* Kinds a key a record rule names may belong to (core/rules.c names
 * persons, sites, posts, caveats, consents, status events). */
static const char *const guess_kinds[] = { "persons", "sites", "posts",
	"caveats", "consents", "status-events", "organisations", NULL };

/* May the caller be shown N? 1 / 0 / -1. */
static int shown(struct checker *c, const struct named *n)
{
	int rc;

	if (!c->who || c->who->system)
		return 1;
	if (n->kind)
		return store_may_see(c->s, c->who, kind_find(n->kind), n->key, c->e);
	for (const char *const *k = guess_kinds; *k; k++) {
		rc = store_visible(c->s, c->who, kind_find(*k), n->key, c->e);
		if (rc)
			return rc;
	}
	return 0;
}

/* Record a violation of RULE naming RECS (ending with a NULL key) over
 * the days [FIRST, LAST] (LAST NULL: one day). */
static int violation(struct checker *c, const char *rule,
		     const struct named *recs, const char *first,
		     const char *last, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int violation(struct checker *c, const char *rule,
		     const struct named *recs, const char *first,
		     const char *last, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	json_t *keys, *dates, *v;
	va_list ap;

	for (const struct named *n = recs; n->key; n++) {
		int rc = shown(c, n);

		if (rc < 0)
			return -1;
		if (!rc) {
			c->hidden++;
			return 0;
		}
	}
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	keys = json_array();
	for (const struct named *n = recs; n->key; n++)
		json_array_append_new(keys, json_string(n->key));
	dates = json_array();
	json_array_append_new(dates, json_string(first));
	if (last && strcmp(last, first))
		json_array_append_new(dates, json_string(last));
	v = json_pack("{s:s, s:s, s:o, s:o}", "rule", rule, "message",
		      buf_str(&msg), "records", keys, "dates", dates);
	buf_release(&msg);
	if (v && c->kinds) {
		json_t *of = json_array();

		for (const struct named *n = recs; n->key; n++)
			json_array_append_new(of, n->kind ?
					      json_string(n->kind) : json_null());
		json_object_set_new(v, "kinds", of);
	}
	if (!v || json_array_append_new(c->list, v))
		return error_set(c->e, ERR_NOMEM, "out of memory");
	return 0;
}

/* The days [A_FROM, A_TO) and [B_FROM, B_TO) (NULL: open) share within
 * the range, as first and last day. 0 when they share none. */
static int shared_days(const struct checker *c, const char *a_from,
		       const char *a_to, const char *b_from, const char *b_to,
		       char first[11], char last[11])
{
	const char *f = strcmp(a_from, b_from) > 0 ? a_from : b_from;
	const char *t = a_to ? a_to : OPEN_END;

	if (b_to && strcmp(b_to, t) < 0)
		t = b_to;
	if (strcmp(c->from, f) > 0)
		f = c->from;
	if (strcmp(c->to, t) < 0)
		t = c->to;
	if (strcmp(f, t) >= 0)
		return 0;
	snprintf(first, 11, "%s", f);
	date_format(date_days(t) - 1, last);
	return 1;
}

/*==== Booking: trainers, rooms, host units, capacity ==================*/

struct booking {
	char *key, *site, *room, *host_unit, *trainers, *from, *to;
};

struct bookings {
	struct checker *c;
	struct booking *v;
	size_t n, alloc;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The capacity of ROOM among ROOMS ("NAME:CAPACITY;…"); 0 when not
 * given. */
static long room_capacity(const char *rooms, const char *room)
{
	size_t n = strlen(room);

	for (const char *p = rooms; p && *p;) {
		const char *semi = strchr(p, ';'), *colon = strchr(p, ':');

		if (colon && (!semi || colon < semi) &&
		    (size_t)(colon - p) == n && !strncmp(p, room, n))
			return strtol(colon + 1, NULL, 10);
		p = semi ? semi + 1 : NULL;
	}
	return 0;
}

static int check_capacity(struct checker *c, const struct check_session *r)
{
	long room = r->room ? room_capacity(r->rooms, r->room) : 0;
	long limit = room && room < r->capacity ? room : r->capacity;
	const struct named recs[] = { { "sessions", r->key }, { NULL, NULL } };
	char first[11], last[11];

	size_t n = json_array_size(c->list);

	if (r->enrolled <= limit ||
	    !shared_days(c, r->valid_from, r->valid_to, r->valid_from,
			 r->valid_to, first, last))
		return 0;
	if (violation(c, "CAPACITY", recs, first, last, "session %s: %ld "
		      "trainees enrolled, above the %s's capacity of %ld",
		      r->key, r->enrolled, limit < r->capacity ? "room" :
		      "course", limit))
		return -1;
	/* How far over, for a guard: a class over-filled before takes no
	 * one more. */
	if (c->kinds && json_array_size(c->list) > n &&
	    json_object_set_new(json_array_get(c->list, n), "excess",
				json_integer(r->enrolled - limit)))
		return error_set(c->e, ERR_NOMEM, "out of memory");
	return 0;
}

/* Does session R involve the record the check is narrowed to? */
static int session_in_focus(const struct checker *c,
			    const struct check_session *r)
{
	const struct check_focus *f = &c->u->focus;

	switch (f->by) {
	case CHECK_ALL:
		return 1;
	case CHECK_BY_SESSION:
		return !strcmp(r->key, f->key);
	case CHECK_BY_COURSE:
		return !strcmp(r->course, f->key);
	case CHECK_BY_SITE:
		return !strcmp(r->site, f->key);
	default:
		return 0;
	}
}

static int keep_booking(void *arg, const struct check_session *r)
{
	struct bookings *b = arg;
	struct booking *k;

	if ((b->c->u->families & F_CAPACITY) && session_in_focus(b->c, r) &&
	    check_capacity(b->c, r))
		return -1;
	if (!(b->c->u->families & F_BOOK))
		return 0;
	if (b->n == b->alloc) {
		size_t alloc = b->alloc ? 2 * b->alloc : 64;
		struct booking *v = realloc(b->v, alloc * sizeof(*v));

		if (!v)
			return error_set(b->c->e, ERR_NOMEM, "out of memory");
		b->v = v;
		b->alloc = alloc;
	}
	k = &b->v[b->n++];
	k->key = strdup(r->key);
	k->site = strdup(r->site);
	k->room = dup_or_null(r->room);
	k->host_unit = dup_or_null(r->host_unit);
	k->trainers = dup_or_null(r->trainers);
	k->from = strdup(r->valid_from);
	k->to = strdup(r->valid_to);
	if (!k->key || !k->site || !k->from || !k->to ||
	    (r->room && !k->room) || (r->host_unit && !k->host_unit) ||
	    (r->trainers && !k->trainers))
		return error_set(b->c->e, ERR_NOMEM, "out of memory");
	return 0;
}

static void bookings_release(struct bookings *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].key);
		free(b->v[i].site);
		free(b->v[i].room);
		free(b->v[i].host_unit);
		free(b->v[i].trainers);
		free(b->v[i].from);
		free(b->v[i].to);
	}
	free(b->v);
}

/* Each trainer of A also in B's list. */
static int trainer_clashes(struct checker *c, const struct booking *a,
			   const struct booking *b, const char *first,
			   const char *last)
{
	char name[128];

	for (const char *p = a->trainers; p && *p;) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p = semi ? semi + 1 : NULL;
		if (list_has(b->trainers, name)) {
			const struct named recs[] = { { "persons", name },
				{ "sessions", a->key }, { "sessions", b->key },
				{ NULL, NULL } };

			if (violation(c, "TRAINER-CLASH", recs, first, last,
				      "trainer %s is in sessions %s and %s on "
				      "the same days", name, a->key, b->key))
				return -1;
		}
	}
	return 0;
}

static int clash_pair(struct checker *c, const struct booking *a,
		      const struct booking *b)
{
	char first[11], last[11];

	if (!shared_days(c, a->from, a->to, b->from, b->to, first, last))
		return 0;
	if (a->room && b->room && !strcmp(a->site, b->site) &&
	    !strcmp(a->room, b->room)) {
		const struct named recs[] = { { "sessions", a->key },
			{ "sessions", b->key }, { "sites", a->site },
			{ NULL, NULL } };

		if (violation(c, "ROOM-CLASH", recs, first, last, "sessions %s "
			      "and %s are both in %s %s on the same days",
			      a->key, b->key, a->site, a->room))
			return -1;
	}
	if (a->host_unit && b->host_unit && !strcmp(a->host_unit, b->host_unit)) {
		const struct named recs[] = { { "sessions", a->key },
			{ "sessions", b->key }, { "organisations", a->host_unit },
			{ NULL, NULL } };

		if (violation(c, "UNIT-CLASH", recs, first, last, "host unit %s "
			      "sends trainees to sessions %s and %s at once",
			      a->host_unit, a->key, b->key))
			return -1;
	}
	return trainer_clashes(c, a, b, first, last);
}

static int by_start(const void *x, const void *y)
{
	const struct booking *a = x, *b = y;
	int d = strcmp(a->from, b->from);

	return d ? d : strcmp(a->key, b->key);
}

/* Is the pair A, B one the check asks about? */
static int pair_in_focus(const struct checker *c, const struct booking *a,
			 const struct booking *b)
{
	const struct check_focus *f = &c->u->focus;

	return f->by == CHECK_ALL || !strcmp(a->key, f->key) ||
	       !strcmp(b->key, f->key);
}

static int check_bookings(struct checker *c)
{
	struct bookings b = { c, NULL, 0, 0 };
	/* The clashes of one session are with any other on its days. */
	const struct check_focus all = { CHECK_ALL, NULL };
	int rc;

	if (!(c->u->families & (F_BOOK | F_CAPACITY)))
		return 0;
	rc = store_check_sessions(c->s, &principal_system,
				  c->u->from[0] ? c->u->from : c->from,
				  c->u->from[0] ? c->u->to : c->to,
				  (c->u->families & F_BOOK) ? &all : &c->u->focus,
				  keep_booking, &b, c->e);
	if (rc) {
		bookings_release(&b);
		return -1;
	}
	/* By start: a later session that starts after this one ends
	 * cannot meet it, nor can any after it. */
	if (b.n)
		qsort(b.v, b.n, sizeof(*b.v), by_start);
	for (size_t i = 0; i < b.n && !rc; i++)
		for (size_t j = i + 1; j < b.n && !rc &&
		     strcmp(b.v[j].from, b.v[i].to) < 0; j++)
			if (pair_in_focus(c, &b.v[i], &b.v[j]))
				rc = strcmp(b.v[i].key, b.v[j].key) < 0 ?
				     clash_pair(c, &b.v[i], &b.v[j]) :
				     clash_pair(c, &b.v[j], &b.v[i]);
	bookings_release(&b);
	return rc ? -1 : 0;
}

/*==== Trainees and posts held ==========================================*/

static int trainee_pair(void *arg, const struct check_pair *r)
{
	struct checker *c = arg;
	const struct named recs[] = { { "trainees", r->who },
		{ "sessions", r->key_a }, { "sessions", r->key_b },
		{ NULL, NULL } };
	char first[11], last[11];

	if (!shared_days(c, r->from_a, r->to_a, r->from_b, r->to_b, first, last))
		return 0;
	return violation(c, "TRAINEE-CLASH", recs, first, last, "trainee %s "
			 "is enrolled in sessions %s and %s on the same days",
			 r->who, r->key_a, r->key_b);
}

static int post_pair(void *arg, const struct check_pair *r)
{
	struct checker *c = arg;
	const struct named recs[] = { { "persons", r->who },
		{ "assignments", r->key_a }, { "assignments", r->key_b },
		{ NULL, NULL } };
	char first[11], last[11];

	if (!shared_days(c, r->from_a, r->to_a, r->from_b, r->to_b, first, last))
		return 0;
	return violation(c, "ONE-POST", recs, first, last, "%s holds posts "
			 "%s and %s at once (assignments %s and %s)", r->who,
			 r->what_a, r->what_b, r->key_a, r->key_b);
}

static int post_qualified(void *arg, const struct check_assignment *r)
{
	struct checker *c = arg;
	const struct named recs[] = { { "assignments", r->key },
		{ "persons", r->person }, { "posts", r->post }, { NULL, NULL } };
	char first[11], last[11], need[128], until[11], through[11];
	const char *end = r->valid_to;

	/* A post held until relieved: its holder renews what expires, and
	 * a qualification lapses on the post only once its day has come
	 * (until then it is due, not broken). */
	if (!end) {
		int32_t t = date_today() + 1, f = date_days(r->valid_from) + 1;

		date_format(t > f ? t : f, through);
		end = through;
	}
	if (!shared_days(c, r->valid_from, end, c->from, c->to, first, last))
		return 0;
	for (const char *p = r->needs; p && *p;) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		int held;

		snprintf(need, sizeof(need), "%.*s", (int)len, p);
		p = semi ? semi + 1 : NULL;
		held = qualification_until(r->held, need, until);
		if (held && strcmp(until, last) >= 0)
			continue;
		/* From the first day it no longer holds. */
		if (held && strcmp(until, first) >= 0)
			date_format(date_days(until) + 1, first);
		if (violation(c, "POST-QUALIFICATION", recs, first, last, "post "
			      "%s requires %s, which %s does not hold on every "
			      "day of assignment %s", r->post, need, r->person,
			      r->key))
			return -1;
	}
	return 0;
}

static int certificate(void *arg, const struct check_certificate *r)
{
	struct checker *c = arg;
	const struct named recs[] = { { "enrolments", r->key },
		{ "sessions", r->session }, { "trainees", r->trainee },
		{ NULL, NULL } };
	char last[11];

	date_format(date_days(r->session_to) - 1, last);
	return violation(c, "CERTIFICATE", recs, last, NULL, "enrolment %s: "
			 "certificate %s given on a %s result (attendance %s); "
			 "a certificate needs a pass", r->key, r->certificate,
			 r->result, r->attendance);
}

/*==== The record rules (core/rules.c) ==================================*/

struct record_walk {
	struct checker *c;
	const struct kind *k;
};

/* Cut R's validity to the range, so a rule is asked about its days
 * there only. */
static int clip(struct checker *c, struct record *r)
{
	int f = kind_field_index(r->kind, "valid_from");
	int t = kind_field_index(r->kind, "valid_to");

	if (f < 0 || t < 0)
		return 0;
	if (strcmp(r->v[f], c->from) < 0 && record_set(r, (size_t)f, c->from))
		return -1;
	if ((!r->v[t] || strcmp(r->v[t], c->to) > 0) &&
	    record_set(r, (size_t)t, c->to))
		return -1;
	return 0;
}

static int rule_record(void *arg, const char *key)
{
	struct record_walk *w = arg;
	struct checker *c = w->c;
	struct record r = { 0 };
	struct error why;
	int ret = -1, rc;

	error_init(&why);
	if (record_init(&r, w->k)) {
		error_set(c->e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_get(c->s, w->k, key, &r, c->e);
	if (rc <= 0) {
		ret = rc;
		goto out;
	}
	if (clip(c, &r)) {
		error_set(c->e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!rules_check(c->s, &r, &why)) {
		ret = 0;
		goto out;
	}
	if (why.code != ERR_RULE) {
		error_set(c->e, why.code, "%s", why.message ? why.message : "");
		goto out;
	}
	{
		struct named *recs = calloc(why.nrecords + 2, sizeof(*recs));
		int f = kind_field_index(w->k, "valid_from");
		const char *first = why.ndates ? why.dates[0] :
				    f >= 0 ? r.v[f] : c->from;
		const char *last = why.ndates > 1 ? why.dates[why.ndates - 1] : NULL;
		size_t n = 0;

		if (!recs) {
			error_set(c->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		recs[n++] = (struct named){ w->k->name, key };
		for (size_t i = 0; i < why.nrecords; i++)
			if (strcmp(why.records[i], key))
				recs[n++] = (struct named){ NULL, why.records[i] };
		ret = violation(c, why.rule, recs, first, last, "%s",
				why.message);
		free(recs);
	}
out:
	error_release(&why);
	record_release(&r);
	return ret;
}

static int check_records(struct checker *c, const char *kind)
{
	struct record_walk w = { c, kind_find(kind) };

	if (!(c->u->families & F_RULES))
		return 0;
	/* Every record as it stands, seen by the caller or not. */
	return store_check_keys(c->s, &principal_system, w.k, c->from, c->to,
				&c->u->focus, rule_record, &w, c->e) ? -1 : 0;
}

/*==== CEILING ==========================================================*/

/* The run of days a consent's ceiling is exceeded, being walked. */
struct breach {
	struct checker *c;
	char consent[64];
	char first[11], last[11], peak_day[11];
	long peak, ceiling;
};

static int breach_flush(struct breach *b)
{
	const struct named recs[] = { { "consents", b->consent }, { NULL, NULL } };
	int rc = 0;

	if (b->first[0])
		rc = violation(b->c, "CEILING", recs, b->first, b->last,
			       "the headcount under consent %s is above its "
			       "ceiling of %ld from %s to %s (peak %ld on %s; "
			       "handover overlaps count)", b->consent,
			       b->ceiling, b->first, b->last, b->peak,
			       b->peak_day);
	b->first[0] = '\0';
	return rc;
}

static int breach_day(void *arg, const char *day, const char *consent,
		      long count, long ceiling)
{
	struct breach *b = arg;

	if (b->first[0] && (count <= ceiling || strcmp(consent, b->consent)) &&
	    breach_flush(b))
		return -1;
	if (count <= ceiling)
		return 0;
	if (!b->first[0]) {
		snprintf(b->consent, sizeof(b->consent), "%s", consent);
		snprintf(b->first, sizeof(b->first), "%s", day);
		b->peak = -1;
		b->ceiling = ceiling;
	}
	snprintf(b->last, sizeof(b->last), "%s", day);
	if (count > b->peak) {
		b->peak = count;
		snprintf(b->peak_day, sizeof(b->peak_day), "%s", day);
	}
	return 0;
}

static int check_ceilings(struct checker *c)
{
	struct breach b = { .c = c };

	if (!(c->u->families & F_CEILING))
		return 0;
	/* The ceiling counts everyone on the mission's posts. */
	if (ceilings_each(c->s, &principal_system, c->from, c->to, breach_day,
			  &b, c->e))
		return -1;
	return breach_flush(&b);
}

/*==== The check ========================================================*/

static int check_range(struct checker *c, const char *from, const char *to)
{
	char first[11], last[11];
	int rc;

	if (from && to) {
		if (strcmp(from, to) >= 0)
			return error_set(c->e, ERR_USAGE, "the range is empty: "
					 "--to (%s) must come after --from (%s)",
					 to, from);
		snprintf(c->from, sizeof(c->from), "%s", from);
		snprintf(c->to, sizeof(c->to), "%s", to);
		return 0;
	}
	rc = store_check_span(c->s, &principal_system, first, last, c->e);
	if (rc < 0)
		return -1;
	if (!rc)
		date_format(date_today(), first), snprintf(last, 11, "%s", first);
	snprintf(c->from, sizeof(c->from), "%s", from ? from : first);
	/* To the end: a record without an end holds every day to come (a
	 * tour past its consent's end breaks CONSENT on days after the
	 * last dated record), as a write's guard asks. */
	if (to)
		snprintf(c->to, sizeof(c->to), "%s", to);
	else
		snprintf(c->to, sizeof(c->to), "%s", OPEN_END);
	if (strcmp(c->from, c->to) >= 0)
		date_format(date_days(c->from) + 1, c->to);
	return 0;
}

int mission_check(struct store *s, const struct principal *who,
		  const char *from, const char *to, json_t **out,
		  struct error *e)
{
	*out = NULL;
	if (!policy_may_check(who))
		return error_set(e, ERR_FORBIDDEN, "the mission's check is not "
				 "open to the %s role", role_name(who->role));
	return check_run(s, who, from, to, out, e);
}

/* Every family C's unit asks, into C->list. 0, or -1 with C->E set. */
static int evaluate(struct checker *c)
{
	const struct unit *u = c->u;
	const struct check_focus *f = &u->focus;
	struct store *s = c->s;
	struct error *e = c->e;

	if (check_records(c, "sessions") || check_records(c, "assignments") ||
	    check_records(c, "activities") || check_records(c, "posts") ||
	    check_bookings(c))
		return -1;
	if ((u->families & F_TRAINEE) &&
	    store_check_trainee_pairs(s, &principal_system, c->from, c->to, f,
				      trainee_pair, c, e))
		return -1;
	if ((u->families & F_POSTS) &&
	    store_check_assignment_pairs(s, &principal_system, c->from, c->to,
					 f, post_pair, c, e))
		return -1;
	if ((u->families & F_QUALIFIED) &&
	    store_check_qualified_posts(s, &principal_system, c->from, c->to,
					f, post_qualified, c, e))
		return -1;
	if ((u->families & F_CERTIFICATE) &&
	    store_check_certificates(s, &principal_system, c->from, c->to,
				     certificate, c, e))
		return -1;
	return check_ceilings(c);
}

int check_run(struct store *s, const struct principal *who, const char *from,
	      const char *to, json_t **out, struct error *e)
{
	static const struct unit all = { F_ALL, { CHECK_ALL, NULL }, "", "",
					 NULL, NULL };
	struct checker c = { s, who, "", "", NULL, 0, e, &all, 0 };

	*out = NULL;
	if (check_range(&c, from, to))
		return -1;
	c.list = json_array();
	if (!c.list)
		return error_set(e, ERR_NOMEM, "out of memory");
	if (evaluate(&c)) {
		json_decref(c.list);
		return -1;
	}
	*out = json_pack("{s:s, s:s, s:I, s:I, s:o}", "from", c.from, "to",
			 c.to, "count", (json_int_t)json_array_size(c.list),
			 "hidden", (json_int_t)c.hidden, "violations", c.list);
	return *out ? 0 : error_set(e, ERR_NOMEM, "out of memory");
}

long check_total(const json_t *result)
{
	return (long)(json_integer_value(json_object_get(result, "count")) +
		      json_integer_value(json_object_get(result, "hidden")));
}

/*==== The guard: no write adds a violation =============================*/

/* The days of every record: a unit narrowed to one record asks about
 * all of its days. */
#define WHOLE_FROM "1900-01-01"

struct check_guard {
	struct unit *v;
	size_t n, alloc;
	json_t *last;	/* "FAMILIES BY KEY": the index of its latest unit */
};

static void unit_release(struct unit *u)
{
	free((char *)u->focus.key);
	free(u->lazy);
	json_decref(u->before);
}

/* What unit U finds now, as the system. NULL with E set on failure. */
static json_t *unit_now(struct store *s, const struct unit *u, struct error *e)
{
	struct checker c = { s, NULL, "", "", json_array(), 0, e, u, 1 };

	if (!c.list) {
		error_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	/* Every day: a violation is compared whole, never cut. */
	snprintf(c.from, sizeof(c.from), "%s", WHOLE_FROM);
	snprintf(c.to, sizeof(c.to), "%s", OPEN_END);
	if (evaluate(&c)) {
		json_decref(c.list);
		return NULL;
	}
	return c.list;
}

/*
 * A trainee's unit made by the insert of one of their enrolments is not
 * asked before the write (an import asked twice for every row): what it
 * would have found then is what it finds after, less every violation
 * naming the new enrolment's session, as long as nothing else that
 * bears on the trainee's pairs was written in between. So it is asked
 * once, when it must be: at the end (guard_finish), or before another
 * enrolment of the trainee is written (guard_unit), or before any write
 * of another kind (check_guard_note: a session's dates move pairs).
 * Enrolments of other trainees bear on other pairs only.
 */
static json_t *without(const json_t *now, const char *kind, const char *key)
{
	json_t *out = json_array();
	const json_t *v;
	size_t i;

	json_array_foreach(now, i, v) {
		const json_t *of = json_object_get(v, "kinds"), *k;
		size_t j;
		int names = 0;

		json_array_foreach(json_object_get(v, "records"), j, k) {
			const char *kj = json_string_value(json_array_get(of, j));
			const char *rj = json_string_value(k);

			names |= rj && kj && !strcmp(rj, key) && !strcmp(kj, kind);
		}
		if (!names && json_array_append(out, (json_t *)v)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* A lazy unit's "before", from NOW (NULL: asked now). 0, or -1 with E. */
static int unit_settle(struct store *s, struct unit *u, const json_t *now,
		       struct error *e)
{
	json_t *asked = NULL;

	if (!u->lazy)
		return 0;
	if (!now && !(now = asked = unit_now(s, u, e)))
		return -1;
	u->before = without(now, "sessions", u->lazy);
	json_decref(asked);
	if (!u->before)
		return error_set(e, ERR_NOMEM, "out of memory");
	free(u->lazy);
	u->lazy = NULL;
	return 0;
}

static int settle_all(struct store *s, struct check_guard *g, struct error *e)
{
	for (size_t i = 0; g && i < g->n; i++)
		if (unit_settle(s, &g->v[i], NULL, e))
			return -1;
	return 0;
}

/* Ask FAMILIES of FOCUS over [FROM, TO) before anything it covers is
 * written — unless an earlier unit of G covers it already: a violation
 * is judged by the first unit that covers it, whose "before" no write
 * of the transaction had touched yet. LAZY: the session of the new
 * enrolment that makes a trainee's unit, which is then asked later (see
 * without()). 0, or -1 with E set. */
static int guard_unit(struct store *s, struct check_guard *g,
		      unsigned families, enum check_by by, const char *key,
		      const char *from, const char *to, const char *lazy,
		      struct error *e)
{
	struct unit *u;
	char name[160];
	json_t *at;

	if (by != CHECK_ALL && !key)
		return 0;
	snprintf(name, sizeof(name), "%x %d %s", families, (int)by,
		 key ? key : "");
	if (!(families & F_BOOK))
		from = WHOLE_FROM, to = OPEN_END;
	at = json_object_get(g->last, name);
	if (at) {
		u = &g->v[json_integer_value(at)];
		if (strcmp(u->from, from) <= 0 && strcmp(u->to, to) >= 0)
			return unit_settle(s, u, NULL, e);
		if (unit_settle(s, u, NULL, e))
			return -1;
	}
	if (g->n == g->alloc) {
		size_t alloc = g->alloc ? 2 * g->alloc : 16;
		struct unit *v = realloc(g->v, alloc * sizeof(*v));

		if (!v)
			return error_set(e, ERR_NOMEM, "out of memory");
		g->v = v;
		g->alloc = alloc;
	}
	u = &g->v[g->n];
	*u = (struct unit){ families, { by, NULL }, "", "", NULL, NULL };
	snprintf(u->from, sizeof(u->from), "%s", from);
	snprintf(u->to, sizeof(u->to), "%s", to);
	if (key && !(u->focus.key = strdup(key)))
		return error_set(e, ERR_NOMEM, "out of memory");
	if (lazy ? !(u->lazy = strdup(lazy)) : !(u->before = unit_now(s, u, e))) {
		free((char *)u->focus.key);
		return lazy ? error_set(e, ERR_NOMEM, "out of memory") : -1;
	}
	if (json_object_set_new(g->last, name, json_integer((json_int_t)g->n))) {
		unit_release(u);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	g->n++;
	return 0;
}

static const char *value(const struct record *r, const char *field)
{
	int i = r ? kind_field_index(r->kind, field) : -1;

	return i >= 0 ? r->v[i] : NULL;
}

/* The days OLD and R hold between them, into FROM and TO; the whole
 * span when the kind has no interval. */
static void hull(const struct record *old, const struct record *r,
		 char from[11], char to[11])
{
	const char *f = value(r, "valid_from"), *t = value(r, "valid_to");
	const char *of = value(old, "valid_from"), *ot = value(old, "valid_to");

	if (!f) {
		snprintf(from, 11, "%s", WHOLE_FROM);
		snprintf(to, 11, "%s", OPEN_END);
		return;
	}
	if (of && strcmp(of, f) < 0)
		f = of;
	if (!t || (old && !ot))
		t = OPEN_END;
	else if (ot && strcmp(ot, t) > 0)
		t = ot;
	snprintf(from, 11, "%s", f);
	snprintf(to, 11, "%s", t);
}

/* A unit for the record FIELD names in OLD and in R (when it differs);
 * LAZY as guard_unit's, for R's. */
static int guard_both(struct store *s, struct check_guard *g,
		      unsigned families, enum check_by by, const char *field,
		      const struct record *old, const struct record *r,
		      const char *lazy, struct error *e)
{
	const char *now = value(r, field), *was = value(old, field);

	if (guard_unit(s, g, families, by, now, WHOLE_FROM, OPEN_END, lazy, e))
		return -1;
	if (was && (!now || strcmp(was, now)))
		return guard_unit(s, g, families, by, was, WHOLE_FROM,
				  OPEN_END, NULL, e);
	return 0;
}

int check_guard_asks(const struct kind *k)
{
	static const char *const tables[] = { "session", "enrolment",
		"assignment", "person", "post", "course", "site", "consent",
		"caveat", "organisation", "activity", "status_event", NULL };

	for (const char *const *t = tables; *t; t++)
		if (!strcmp(k->table, *t))
			return 1;
	return 0;
}

int check_guard_note(struct store *s, struct check_guard **gp,
		     const struct record *old, const struct record *r,
		     size_t *mark, struct error *e)
{
	const char *t = r->kind->table;
	struct check_guard *g = *gp;
	char from[11], to[11];

	if (!g) {
		if (!(g = calloc(1, sizeof(*g))) || !(g->last = json_object())) {
			free(g);
			return error_set(e, ERR_NOMEM, "out of memory");
		}
		*gp = g;
	}
	*mark = g->n;
	hull(old, r, from, to);
	/* Any write but an enrolment's may move a trainee's pairs: the
	 * units not asked yet are asked first (without()). */
	if (strcmp(t, "enrolment") && settle_all(s, g, e))
		return -1;
	if (!strcmp(t, "session"))
		return guard_unit(s, g, F_BOOK | F_CAPACITY | F_TRAINEE,
				  CHECK_BY_SESSION, r->key, from, to, NULL, e);
	if (!strcmp(t, "enrolment"))
		return guard_both(s, g, F_CAPACITY, CHECK_BY_SESSION, "session",
				  old, r, NULL, e) ||
		       guard_both(s, g, F_TRAINEE, CHECK_BY_TRAINEE, "trainee",
				  old, r, old ? NULL : value(r, "session"), e) ?
		       -1 : 0;
	if (!strcmp(t, "assignment"))
		return guard_both(s, g, F_POSTS | F_QUALIFIED, CHECK_BY_PERSON,
				  "person", old, r, NULL, e);
	/* A record first written is named by nothing yet, so it can break
	 * nothing through others (what names it later asks for itself). */
	if (!old && (!strcmp(t, "person") || !strcmp(t, "post") ||
		     !strcmp(t, "course") || !strcmp(t, "site") ||
		     !strcmp(t, "organisation") || !strcmp(t, "activity")))
		return 0;
	if (!strcmp(t, "person"))
		return guard_unit(s, g, F_QUALIFIED | F_RULES, CHECK_BY_PERSON,
				  r->key, WHOLE_FROM, OPEN_END, NULL, e);
	if (!strcmp(t, "post"))
		return guard_unit(s, g, F_POSTS | F_QUALIFIED | F_RULES,
				  CHECK_BY_POST, r->key, WHOLE_FROM, OPEN_END, NULL, e);
	if (!strcmp(t, "course"))
		return guard_unit(s, g, F_CAPACITY | F_RULES, CHECK_BY_COURSE,
				  r->key, WHOLE_FROM, OPEN_END, NULL, e);
	if (!strcmp(t, "site"))
		return guard_unit(s, g, F_CAPACITY | F_RULES, CHECK_BY_SITE,
				  r->key, WHOLE_FROM, OPEN_END, NULL, e);
	/* What governs others' records: whatever meets its days. */
	if (!strcmp(t, "consent") || !strcmp(t, "caveat") ||
	    !strcmp(t, "organisation") || !strcmp(t, "activity") ||
	    !strcmp(t, "status_event"))
		return guard_unit(s, g, F_RULES, CHECK_ALL, NULL, WHOLE_FROM,
				  OPEN_END, NULL, e);
	return 0;
}

void check_guard_forget(struct check_guard *g, size_t mark)
{
	const char *name;
	json_t *at, *tmp;

	if (!g || g->n <= mark)
		return;
	/* A name may have pointed at an earlier unit before: that one
	 * stands for it no more, which costs a repeated question, never a
	 * missed one. */
	json_object_foreach_safe(g->last, tmp, name, at)
		if (json_integer_value(at) >= (json_int_t)mark)
			json_object_del(g->last, name);
	while (g->n > mark)
		unit_release(&g->v[--g->n]);
}

void check_guard_free(struct check_guard *g)
{
	if (!g)
		return;
	check_guard_forget(g, 0);
	json_decref(g->last);
	free(g->v);
	free(g);
}

/* V's rule and records, which name it whatever days it holds. */
static int identity(const json_t *v, struct buf *id)
{
	const json_t *k;
	size_t i;

	buf_adds(id, json_string_value(json_object_get(v, "rule")));
	json_array_foreach(json_object_get(v, "records"), i, k)
		buf_addf(id, "\x1f%s", json_string_value(k));
	return id->failed ? -1 : 0;
}

static const char *first_day(const json_t *v)
{
	return json_string_value(json_array_get(json_object_get(v, "dates"), 0));
}

static const char *last_of(const json_t *v)
{
	const json_t *d = json_object_get(v, "dates");

	return json_string_value(json_array_get(d, json_array_size(d) - 1));
}

/* Was V there before, on the same records, on at least its days and at
 * least as far over (a class's excess)? */
static int was_there(const json_t *v, const json_t *before)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	const json_t *w;
	size_t i;
	int found = 0;

	identity(v, &a);
	json_array_foreach(before, i, w) {
		b.len = 0;
		identity(w, &b);
		if (!strcmp(buf_str(&a), buf_str(&b)) &&
		    strcmp(first_day(w), first_day(v)) <= 0 &&
		    strcmp(last_of(w), last_of(v)) >= 0 &&
		    json_integer_value(json_object_get(w, "excess")) >=
		    json_integer_value(json_object_get(v, "excess"))) {
			found = 1;
			break;
		}
	}
	buf_release(&a);
	buf_release(&b);
	return found;
}

/* May READER see every record V names? 1 / 0 / -1. */
static int reported(struct store *s, const struct principal *reader,
		    const json_t *v, struct error *e)
{
	struct checker c = { s, reader, "", "", NULL, 0, e, NULL, 0 };
	const json_t *of = json_object_get(v, "kinds"), *k;
	size_t i;

	json_array_foreach(json_object_get(v, "records"), i, k) {
		struct named n = { json_string_value(json_array_get(of, i)),
				   json_string_value(k) };
		int rc = shown(&c, &n);

		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Refuse with the violations FRESH, as READER may be told them. */
static int refuse_fresh(struct store *s, const struct principal *reader,
			const json_t *fresh, struct error *e)
{
	size_t n = json_array_size(fresh), shown_n = 0, hidden = 0, i;
	struct buf msg = BUF_INIT;
	const json_t *v, *first = NULL;
	struct error err;

	error_init(&err);
	json_array_foreach(fresh, i, v) {
		int rc = reported(s, reader, v, &err);

		if (rc < 0) {
			buf_release(&msg);
			error_set(e, err.code, "%s", err.message);
			error_release(&err);
			return -1;
		}
		if (!rc) {
			hidden++;
			continue;
		}
		if (!first)
			first = v;
		if (shown_n++ < 10)
			buf_addf(&msg, "%s%s: %s", shown_n > 1 ? "; " : "",
				 json_string_value(json_object_get(v, "rule")),
				 json_string_value(json_object_get(v, "message")));
	}
	error_release(&err);
	if (shown_n > 10)
		buf_addf(&msg, "; and %zu more", shown_n - 10);
	if (hidden && shown_n)
		buf_addf(&msg, "; and %zu on records you may not see", hidden);
	else if (hidden)	/* the rule, never whose record */
		buf_addf(&msg, "%s: this change would break the rule on records "
			 "you may not see (%zu violation%s)",
			 json_string_value(json_object_get(json_array_get(fresh, 0),
							   "rule")),
			 hidden, hidden == 1 ? "" : "s");
	error_set(e, ERR_RULE, "%s%s", n > 1 ? "this change would leave these "
		  "violations: " : "", buf_str(&msg));
	buf_release(&msg);
	error_set_rule(e, json_string_value(json_object_get(first ? first :
					    json_array_get(fresh, 0), "rule")));
	if (first) {
		json_array_foreach(json_object_get(first, "dates"), i, v)
			error_add_date(e, json_string_value(v));
	}
	/* The records of the violations told, each once. */
	shown_n = 0;
	json_array_foreach(fresh, i, v) {
		const json_t *k;
		size_t j;

		if (shown_n >= 10 || reported(s, reader, v, e) != 1)
			continue;
		shown_n++;
		json_array_foreach(json_object_get(v, "records"), j, k) {
			const char *key = json_string_value(k);
			size_t m;

			for (m = 0; m < e->nrecords &&
			     strcmp(e->records[m], key); m++)
				;
			if (m == e->nrecords)
				error_add_record(e, key);
		}
	}
	return -1;
}

/* A unit that asks of one trainee's pairs and nothing else, over every
 * day: what an import's new enrolments make, one a trainee. */
static int trainee_only(const struct unit *u)
{
	return u->families == F_TRAINEE && u->focus.by == CHECK_BY_TRAINEE &&
	       !strcmp(u->from, WHOLE_FROM) && !strcmp(u->to, OPEN_END);
}

struct trainees_now {
	struct checker c[CHECK_TRAINEES_MAX];
	size_t n;
};

static int trainees_pair(void *arg, const struct check_pair *r)
{
	struct trainees_now *t = arg;

	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->c[i].u->focus.key, r->who))
			return trainee_pair(&t->c[i], r);
	return 0;
}

/* What the units AT[0..N) of G find now (trainee_only() each), into
 * NOW[AT[k]]: one statement for them all. 0, or -1 with E set. */
static int trainees_now(struct store *s, const struct check_guard *g,
			const size_t *at, size_t n, json_t **now,
			struct error *e)
{
	struct trainees_now t = { .n = n };
	const char *keys[CHECK_TRAINEES_MAX] = { NULL };
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		t.c[k] = (struct checker){ s, NULL, WHOLE_FROM, OPEN_END,
					   json_array(), 0, e, &g->v[at[k]], 1 };
		keys[k] = g->v[at[k]].focus.key;
		if (!t.c[k].list)
			rc = error_set(e, ERR_NOMEM, "out of memory");
	}
	if (!rc)
		rc = store_check_trainees_pairs(s, &principal_system, WHOLE_FROM,
						OPEN_END, keys, n, trainees_pair,
						&t, e);
	for (size_t k = 0; k < n; k++) {
		if (rc)
			json_decref(t.c[k].list);
		else
			now[at[k]] = t.c[k].list;
	}
	return rc;
}

/* Unit U, finding NOW: what is fresh (not there before, not judged by
 * an earlier unit: SEEN) into FRESH. 0, or -1 with E set. */
static int unit_fresh(struct store *s, struct unit *u, json_t *now,
		      json_t *seen, json_t *fresh, struct buf *id,
		      struct error *e)
{
	const json_t *v;
	size_t j;

	if (unit_settle(s, u, now, e))
		return -1;
	json_array_foreach(now, j, v) {
		id->len = 0;
		if (identity(v, id))
			return error_set(e, ERR_NOMEM, "out of memory");
		if (json_object_get(seen, buf_str(id)))
			continue;
		json_object_set_new(seen, buf_str(id), json_true());
		if (!was_there(v, u->before))
			json_array_append(fresh, (json_t *)v);
	}
	return 0;
}

int check_guard_finish(struct store *s, struct check_guard *g,
		       const struct principal *reader, struct error *e)
{
	json_t *seen = json_object(), *fresh = json_array();
	json_t **now = calloc(g && g->n ? g->n : 1, sizeof(*now));
	struct buf id = BUF_INIT;
	size_t at[CHECK_TRAINEES_MAX], ahead = 0, i, m;
	int rc = -1;

	if (!seen || !fresh || !now) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* In order: a violation is judged by the first unit that finds it.
	 * The trainees' units are asked a batch at a time, ahead of their
	 * turn (nothing is written while the guard looks). */
	for (i = 0; g && i < g->n; i++) {
		if (trainee_only(&g->v[i]) && !now[i]) {
			for (m = 0, ahead = ahead > i ? ahead : i;
			     ahead < g->n && m < CHECK_TRAINEES_MAX; ahead++)
				if (trainee_only(&g->v[ahead]))
					at[m++] = ahead;
			if (trainees_now(s, g, at, m, now, e))
				goto out;
		}
		if (!now[i] && !(now[i] = unit_now(s, &g->v[i], e)))
			goto out;
		if (unit_fresh(s, &g->v[i], now[i], seen, fresh, &id, e))
			goto out;
		json_decref(now[i]);
		now[i] = NULL;
	}
	rc = json_array_size(fresh) ? refuse_fresh(s, reader, fresh, e) : 0;
out:
	for (i = 0; now && g && i < g->n; i++)
		json_decref(now[i]);
	free(now);
	buf_release(&id);
	json_decref(seen);
	json_decref(fresh);
	return rc;
}
