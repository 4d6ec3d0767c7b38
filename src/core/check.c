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

/* One evaluation: the range, the store, and what it found. */
struct checker {
	struct store *s;
	const struct principal *who;	/* to whom it reports */
	char from[11], to[11];		/* [from, to) */
	json_t *list;
	long hidden;
	struct error *e;
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

	if (r->enrolled <= limit ||
	    !shared_days(c, r->valid_from, r->valid_to, r->valid_from,
			 r->valid_to, first, last))
		return 0;
	return violation(c, "CAPACITY", recs, first, last, "session %s: %ld "
			 "trainees enrolled, above the %s's capacity of %ld",
			 r->key, r->enrolled, limit < r->capacity ? "room" :
			 "course", limit);
}

static int keep_booking(void *arg, const struct check_session *r)
{
	struct bookings *b = arg;
	struct booking *k;

	if (check_capacity(b->c, r))
		return -1;
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

static int check_bookings(struct checker *c)
{
	struct bookings b = { c, NULL, 0, 0 };
	int rc = store_check_sessions(c->s, &principal_system, c->from, c->to,
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
	char first[11], last[11], need[128], until[11];

	if (!shared_days(c, r->valid_from, r->valid_to, c->from, c->to,
			 first, last))
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

	/* Every record as it stands, seen by the caller or not. */
	return store_check_keys(c->s, &principal_system, w.k, c->from, c->to,
				rule_record, &w, c->e) ? -1 : 0;
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
	if (to)
		snprintf(c->to, sizeof(c->to), "%s", to);
	else
		date_format(date_days(last) + 1, c->to);
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

int check_run(struct store *s, const struct principal *who, const char *from,
	      const char *to, json_t **out, struct error *e)
{
	struct checker c = { s, who, "", "", NULL, 0, e };

	*out = NULL;
	if (check_range(&c, from, to))
		return -1;
	c.list = json_array();
	if (!c.list)
		return error_set(e, ERR_NOMEM, "out of memory");
	if (check_records(&c, "sessions") || check_records(&c, "assignments") ||
	    check_records(&c, "activities") || check_bookings(&c) ||
	    store_check_trainee_pairs(s, &principal_system, c.from, c.to,
				      trainee_pair, &c, e) ||
	    store_check_assignment_pairs(s, &principal_system, c.from, c.to,
					 post_pair, &c, e) ||
	    store_check_qualified_posts(s, &principal_system, c.from, c.to,
					post_qualified, &c, e) ||
	    store_check_certificates(s, &principal_system, c.from, c.to,
				     certificate, &c, e) ||
	    check_ceilings(&c)) {
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
