/* What needs attention; see due.h. */
#include "core/due.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "store/due.h"
#include "util/buf.h"
#include "util/date.h"

struct due {
	json_t *items;
	const char *asof, *until;
	json_t *next;		/* person code -> their next session */
	int failed;
	/* The post being walked (store_due_posts): its assignments. */
	char post[129], title[4001], post_end[11], last_end[11];
	int32_t (*spans)[2];
	size_t nspans, cap;
};

static void item(struct due *d, const char *day, const char *kind,
		 const char *rkind, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void item(struct due *d, const char *day, const char *kind,
		 const char *rkind, const char *key, const char *fmt, ...)
{
	struct buf why = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&why, fmt, ap);
	va_end(ap);
	if (why.failed || json_array_append_new(d->items, json_pack(
	    "{s:s, s:s, s:s, s:{s:s, s:s}}", "due", day, "kind", kind,
	    "reason", buf_str(&why), "record", "kind", rkind, "key", key)))
		d->failed = 1;
	buf_release(&why);
}

/*==== Qualifications ===================================================*/

static int next_session(void *arg, const struct due_trainer_session *r)
{
	struct due *d = arg;
	const char *t = r->trainers;
	char last[11], code[129];

	date_format(date_days(r->valid_to) - 1, last);
	while (t && *t) {
		size_t n = strcspn(t, ";");

		/* By start: the first met is the next. */
		snprintf(code, sizeof(code), "%.*s", (int)n, t);
		if (n && n < sizeof(code) && !json_object_get(d->next, code) &&
		    json_object_set_new(d->next, code, json_pack("{s:s, s:s}",
			"key", r->key, "last", last)))
			return d->failed = 1;
		t += n;
		if (*t == ';')
			t++;
	}
	return 0;
}

static int trainer_quals(void *arg, const struct due_person *r)
{
	struct due *d = arg;
	json_t *next = json_object_get(d->next, r->code);
	const char *q = r->qualifications, *key, *last;

	if (!next)
		return 0;	/* trains nothing to come */
	key = json_string_value(json_object_get(next, "key"));
	last = json_string_value(json_object_get(next, "last"));
	while (*q) {
		size_t n = strcspn(q, ";"), c = strcspn(q, ":;");
		char until[11];

		/* CODE:EXPIRY, the last day it holds (core/validate.c made
		 * it a date). */
		if (c < n && n - c - 1 == 10) {
			snprintf(until, sizeof(until), "%.10s", q + c + 1);
			if (strcmp(until, d->asof) < 0)
				;	/* lapsed: no longer due */
			else if (strcmp(until, last) < 0)
				item(d, until, "qualification", "persons", r->code,
				     "%s's %.*s holds through %s, not through "
				     "their next session %s (to %s)", r->name,
				     (int)c, q, until, key, last);
			else if (strcmp(until, d->until) <= 0)
				item(d, until, "qualification", "persons", r->code,
				     "%s's %.*s holds through %s", r->name,
				     (int)c, q, until);
		}
		q += n;
		if (*q == ';')
			q++;
	}
	return d->failed;
}

/*==== Consents, rotations, sessions ====================================*/

static int consent_ends(void *arg, const struct due_consent *r)
{
	struct due *d = arg;
	char last[11];

	date_format(date_days(r->valid_to) - 1, last);
	item(d, r->valid_to, "consent", "consents", r->code,
	     "%s (%s) ends: in force through %s", r->title, r->state, last);
	return d->failed;
}

static int rotation_ends(void *arg, const struct due_rotation *r)
{
	struct due *d = arg;

	item(d, r->valid_to, "rotation", "assignments", r->key,
	     "%s leaves post %s on %s, and no relief is assigned", r->name,
	     r->post, r->valid_to);
	return d->failed;
}

static int session_short(void *arg, const struct due_session *r)
{
	struct due *d = arg;
	long ratio = r->ratio > 0 ? r->ratio : 1;
	long need = (r->enrolled + ratio - 1) / ratio;

	if (need < 1)
		need = 1;	/* no session runs without one */
	if (r->trainers < need)
		item(d, r->valid_from, "session", "sessions", r->key,
		     "%ld of %ld trainers for %ld trainees (one per %ld)",
		     r->trainers, need, r->enrolled, ratio);
	return d->failed;
}

/*==== Posts ============================================================*/

static int cmp_span(const void *a, const void *b)
{
	const int32_t *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* The post walked: its first day without a holder in [as_of, until], on
 * which it is in force. Vacant on as_of, or until a late relief. */
static void post_done(struct due *d)
{
	int32_t cur = date_days(d->asof), relief = -1;
	int32_t limit = date_days(d->until) + 1;
	char day[11], from[11];

	if (!d->post[0])
		return;
	if (d->post_end[0] && date_days(d->post_end) < limit)
		limit = date_days(d->post_end);
	qsort(d->spans, d->nspans, sizeof(*d->spans), cmp_span);
	for (size_t i = 0; i < d->nspans && d->spans[i][0] <= cur; i++)
		if (d->spans[i][1] > cur)
			cur = d->spans[i][1];
	for (size_t i = 0; i < d->nspans; i++)
		if (d->spans[i][0] > cur) {
			relief = d->spans[i][0];
			break;
		}
	if (cur >= limit)
		goto done;	/* held on every day asked */
	date_format(cur, day);
	if (relief >= 0)
		date_format(relief, from);
	if (!strcmp(day, d->asof)) {
		item(d, day, "post", "posts", d->post,
		     "%s is vacant%s%s%s%s", d->title,
		     d->last_end[0] ? " since " : "", d->last_end,
		     relief >= 0 ? "; the next holder arrives " : "",
		     relief >= 0 ? from : "");
	} else if (relief >= 0) {
		/* Without a relief the rotation's item tells it. */
		item(d, day, "post", "posts", d->post,
		     "%s is vacant from %s until the next holder arrives %s",
		     d->title, day, from);
	}
done:
	d->post[0] = '\0';
}

static int post_row(void *arg, const struct due_post *r)
{
	struct due *d = arg;

	if (strcmp(d->post, r->number)) {
		post_done(d);
		snprintf(d->post, sizeof(d->post), "%s", r->number);
		snprintf(d->title, sizeof(d->title), "%s", r->title);
		snprintf(d->post_end, sizeof(d->post_end), "%s",
			 r->valid_to ? r->valid_to : "");
		snprintf(d->last_end, sizeof(d->last_end), "%s",
			 r->last_end ? r->last_end : "");
		d->nspans = 0;
	}
	if (!r->from)
		return d->failed;
	if (d->nspans == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		int32_t (*v)[2] = realloc(d->spans, cap * sizeof(*v));

		if (!v)
			return d->failed = 1;
		d->spans = v;
		d->cap = cap;
	}
	d->spans[d->nspans][0] = date_days(r->from);
	d->spans[d->nspans][1] = r->to ? date_days(r->to) : INT32_MAX;
	d->nspans++;
	return d->failed;
}

/*==== The list =========================================================*/

static const char *field(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return json_string_value(b ? json_object_get(v, b) : v);
}

static int cmp_item(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(field(x, "due", NULL), field(y, "due", NULL));

	if (!c)
		c = strcmp(field(x, "kind", NULL), field(y, "kind", NULL));
	if (!c)
		c = strcmp(field(x, "record", "key"), field(y, "record", "key"));
	return c;
}

static json_t *sorted(json_t *items)
{
	size_t n = json_array_size(items);
	json_t **v = malloc((n ? n : 1) * sizeof(*v)), *out;

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(items, i);
	qsort(v, n, sizeof(*v), cmp_item);
	out = json_array();
	for (size_t i = 0; out && i < n; i++)
		if (json_array_append(out, v[i])) {
			json_decref(out);
			out = NULL;
		}
	free(v);
	return out;
}

/* A walk's result: non-zero without E set is out of memory. */
static int walked(int rc, struct error *e)
{
	if (rc && e->code == ERR_OK)
		return error_set(e, ERR_NOMEM, "out of memory");
	return rc ? -1 : 0;
}

int due_list(struct store *s, const struct principal *who, const char *asof,
	     int days, json_t **out, struct error *e)
{
	char until[11];
	struct due d = { .items = json_array(), .next = json_object() };
	json_t *items = NULL;
	int rc;

	*out = NULL;
	date_format(date_days(asof) + days, until);
	d.asof = asof;
	d.until = until;
	if (!d.items || !d.next) {
		rc = error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = walked(store_due_trainer_sessions(s, who, asof, next_session, &d, e), e) ||
	     walked(store_due_persons(s, who, asof, trainer_quals, &d, e), e) ||
	     walked(store_due_consents(s, who, asof, until, consent_ends, &d, e), e);
	if (!rc && policy_may_see_totals(who)) {
		rc = walked(store_due_rotations(s, who, asof, until,
						rotation_ends, &d, e), e) ||
		     walked(store_due_sessions(s, who, asof, until,
					       session_short, &d, e), e) ||
		     walked(store_due_posts(s, who, asof, post_row, &d, e), e);
		if (!rc)
			post_done(&d);
	}
	if (!rc && (d.failed || !(items = sorted(d.items))))
		rc = error_set(e, ERR_NOMEM, "out of memory");
	if (!rc && !(*out = json_pack("{s:s, s:i, s:s, s:I, s:o}", "as_of", asof,
				      "days", days, "until", until, "count",
				      (json_int_t)json_array_size(items), "items",
				      items)))
		rc = error_set(e, ERR_NOMEM, "out of memory");
out:
	json_decref(d.items);
	json_decref(d.next);
	free(d.spans);
	return rc ? -1 : 0;
}
