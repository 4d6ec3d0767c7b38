/* The mission's status, actions, reports, calendars and audit log over
 * the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/actions.h"
#include "core/calendar.h"
#include "core/check.h"
#include "core/conflicts.h"
#include "core/due.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/report.h"
#include "core/status.h"
#include "http/http_int.h"
#include "store/audit.h"
#include "util/date.h"

static enum MHD_Result forbidden(struct req *r)
{
	return problem(r, 403, "Forbidden", "not open to this role", NULL);
}

/* GET /api/v1/status: the mission as of a date. */
enum MHD_Result h_status(struct req *r, const char *tail)
{
	const char *a = arg(r, "as_of");
	char asof[11];
	struct error e;
	json_t *st;

	(void)tail;
	if (a && !valid_date(a, asof))
		return problem(r, 400, "Bad Request", "as_of is YYYY-MM-DD", NULL);
	if (!a)
		date_format(date_today(), asof);
	error_init(&e);
	if (mission_status(r->db, &r->who, asof, &st, &e)) {
		enum MHD_Result ret = error_reply(r, &e);

		error_release(&e);
		return ret;
	}
	return send_json(r, 200, st, NULL, NULL, NULL);
}

static enum MHD_Result done(struct req *r, int rc, json_t *report,
			    struct error *e)
{
	enum MHD_Result ret;

	if (rc) {
		ret = error_reply(r, e);
		error_release(e);
		return ret;
	}
	error_release(e);
	return send_json(r, 200, report, NULL, NULL, NULL);
}

/* The JSON body, with its string members checked to be dates. */
static json_t *body_with(struct req *r, const char *const *dates,
			 char out[][11], const char **bad)
{
	json_t *b = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);

	*bad = NULL;
	if (!json_is_object(b)) {
		json_decref(b);
		*bad = "send one JSON object";
		return NULL;
	}
	for (size_t i = 0; dates[i]; i++) {
		const char *v = json_string_value(json_object_get(b, dates[i]));

		if (!v || !valid_date(v, out[i])) {
			json_decref(b);
			*bad = dates[i];
			return NULL;
		}
	}
	return b;
}

static const char *s(json_t *b, const char *k)
{
	return json_string_value(json_object_get(b, k));
}

static int t(json_t *b, const char *k)
{
	return json_is_true(json_object_get(b, k));
}

static enum MHD_Result bad_body(struct req *r, const char *what)
{
	return problem(r, 422, "Unprocessable Content", what, NULL);
}

/* An action: who may run it, the dates and strings its body needs, and
 * the call itself. */
struct action {
	const char *dates[3];		/* NULL-ended */
	const char *needed[3];		/* strings, NULL-ended */
	const char *what;		/* the problem's detail when missing */
	int (*call)(struct req *r, json_t *b, char d[][11], json_t **rep,
		    struct error *e);
};

static enum MHD_Result run_action(struct req *r, const char *name,
				  const struct action *a)
{
	char d[3][11];
	const char *bad;
	json_t *b, *rep = NULL;
	struct error e;
	int rc;

	if (!policy_may_act(&r->who, name))
		return forbidden(r);
	if (!(b = body_with(r, a->dates, d, &bad)))
		return bad_body(r, bad);
	for (size_t i = 0; a->needed[i]; i++) {
		if (!s(b, a->needed[i])) {
			json_decref(b);
			return bad_body(r, a->what);
		}
	}
	error_init(&e);
	store_set_actor(r->db, r->who.login);
	rc = a->call(r, b, d, &rep, &e);
	json_decref(b);
	return done(r, rc, rep, &e);
}

static int call_suspend(struct req *r, json_t *b, char d[][11], json_t **rep,
			struct error *e)
{
	return action_suspend(r->db, &r->who, s(b, "scope"), d[0],
			      s(b, "reason"),
			      s(b, "ordered_by") ? s(b, "ordered_by") : r->who.login,
			      t(b, "dry_run"), rep, e);
}

static int call_resume(struct req *r, json_t *b, char d[][11], json_t **rep,
		       struct error *e)
{
	return action_resume(r->db, &r->who, s(b, "scope"), d[0],
			     t(b, "apply"), t(b, "dry_run"), rep, e);
}

static int call_consent(struct req *r, json_t *b, char d[][11], json_t **rep,
			struct error *e)
{
	return action_consent(r->db, &r->who, s(b, "verb"),
			      s(b, "consent"), d[0], t(b, "dry_run"), rep, e);
}

static int call_transfer(struct req *r, json_t *b, char d[][11], json_t **rep,
			 struct error *e)
{
	return action_transfer(r->db, &r->who, s(b, "activity"),
			       s(b, "to"), d[0], t(b, "with_personnel"),
			       t(b, "dry_run"), rep, e);
}

static int call_plan(struct req *r, json_t *b, char d[][11], json_t **rep,
		     struct error *e)
{
	struct planner_opts o = {
		.from = d[0], .to = d[1], .site = s(b, "site"),
		.postponed = t(b, "postponed"), .apply = t(b, "apply"),
	};

	return plan_sessions(r->db, &r->who, &o, rep, e);
}

/* The actions by the name the route table passes. */
static const struct {
	const char *name;
	struct action a;
} actions[] = {
	{ "suspend", { { "from" }, { "scope", "reason" },
		       "scope, from and reason are needed", call_suspend } },
	{ "resume", { { "on" }, { "scope" },
		      "scope and on are needed", call_resume } },
	{ "consent", { { "on" }, { "verb", "consent" },
		       "verb (grant, suspend, withdraw), consent and on are "
		       "needed", call_consent } },
	{ "transfer", { { "on" }, { "activity", "to" },
			"activity, to and on are needed", call_transfer } },
	{ "plan-sessions", { { "from", "to" }, { 0 },
			     "from and to are needed", call_plan } },
};

enum MHD_Result h_action(struct req *r, const char *name)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(actions[i].name, name))
			return run_action(r, name, &actions[i].a);
	return problem(r, 404, "Not Found", "no such action", NULL);
}

static int add_entry(void *arg, const struct audit_entry *a)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}",
		"seq", (json_int_t)a->seq, "at", a->at, "actor", a->actor,
		"action", a->action, "entity", a->entity, "key", a->key,
		"before", a->before, "after", a->after));
	return 0;
}

enum MHD_Result h_audit(struct req *r, const char *tail)
{
	struct audit_filter f = { 0 };
	const char *kind = arg(r, "entity");
	json_t *list = json_array();
	struct error e;
	int rc;

	(void)tail;
	if (!policy_may_read_audit(&r->who)) {
		json_decref(list);
		return forbidden(r);
	}
	if (kind) {
		const struct kind *k = kind_find(kind);

		f.entity = k ? k->table : kind;
	}
	/* Checked at the door: since and until are dates, limit in bounds. */
	f.key = arg(r, "key");
	f.actor = arg(r, "actor");
	f.since = arg(r, "since");
	f.until = arg(r, "until");
	f.limit = arg_long(r, "limit", 1000);
	error_init(&e);
	rc = audit_each(r->db, &r->who, &f, add_entry, list, &e);
	if (rc) {
		json_decref(list);
		list = NULL;
	}
	return done(r, rc, list ? json_pack("{s:o}", "entries", list) : NULL, &e);
}

/* GET /api/v1/check: the mission's fsck over a range (as_of: one day;
 * default the whole span of the data). 200 whatever it finds: the
 * answer lists the violations. */
enum MHD_Result h_check(struct req *r, const char *tail)
{
	const char *a = arg(r, "as_of"), *f = arg(r, "from"), *t = arg(r, "to");
	char from[11], to[11];
	struct error e;
	json_t *res = NULL;
	int rc;

	(void)tail;
	if (!policy_may_check(&r->who))
		return forbidden(r);
	/* Checked at the door: as_of, from and to are dates. */
	if (a && (f || t))
		return problem(r, 400, "Bad Request", "as_of, or from and to, "
			       "not both", NULL);
	if (a) {
		snprintf(from, sizeof(from), "%s", a);
		date_format(date_days(a) + 1, to);
		f = from;
		t = to;
	}
	if (f && t && strcmp(f, t) >= 0)
		return problem(r, 400, "Bad Request", "to is the day after the "
			       "last: it must come after from", NULL);
	error_init(&e);
	rc = mission_check(r->db, &r->who, f, t, &res, &e);
	return done(r, rc, res, &e);
}

/* GET /api/v1/conflicts?from=D&to=D: the violations over the range that
 * the caller may see whole, for any caller (core/conflicts.h says what is
 * left out, and why nothing counts it). */
enum MHD_Result h_conflicts(struct req *r, const char *tail)
{
	struct error e;
	json_t *res = NULL;
	int rc;

	(void)tail;
	/* Checked at the door: from and to are given, and are dates. */
	error_init(&e);
	rc = conflicts_list(r->db, &r->who, arg(r, "from"),
			    arg(r, "to"), &res, &e);
	return done(r, rc, res, &e);
}

/* GET /api/v1/due?days=N&as_of=D: what needs attention, for any caller
 * over what they may see (core/due.h). */
enum MHD_Result h_due(struct req *r, const char *tail)
{
	const char *a = arg(r, "as_of"), *n = arg(r, "days");
	char asof[11];
	struct error e;
	json_t *res = NULL;
	int rc;

	(void)tail;
	/* Checked at the door: as_of a date, days from 0 to DUE_DAYS_MAX. */
	if (a)
		snprintf(asof, sizeof(asof), "%s", a);
	else
		date_format(date_today(), asof);
	error_init(&e);
	rc = due_list(r->db, &r->who, asof, n ? (int)strtol(n, NULL, 10) :
		      DUE_DAYS_DEFAULT, &res, &e);
	return done(r, rc, res, &e);
}

/* GET /api/v1/reports/NAME: the parameters the report declares, parsed
 * from the query (a bad value answers 400 naming it), then the report as
 * the caller sees the mission. */
static enum MHD_Result report_by_name(struct req *r, const char *name)
{
	const struct report_def *d = report_find(name);
	struct report_args a = { .days = 0 };
	json_t *rep = NULL;
	struct error e;
	int rc = 0;

	if (!d)
		return problem(r, 404, "Not Found", "no such report", NULL);
	error_init(&e);
	/* The route declared each of these from D and checked its value. */
	for (size_t i = 0; !rc && i < REPORT_PARAMS_MAX && d->params[i].name; i++)
		if (arg(r, d->params[i].name))
			rc = report_arg(&a, &d->params[i], arg(r, d->params[i].name),
					REPORT_API_NAMES, &e);
	if (!rc)
		rc = report_run(r->db, &r->who, d, &a, REPORT_API_NAMES,
				&rep, &e);
	return done(r, rc, rep, &e);
}

/* GET /api/v1/reports/NAME: the route table passes the name. */
enum MHD_Result h_report(struct req *r, const char *name)
{
	return report_by_name(r, name);
}

/* GET /api/v1/calendar/site/CODE.ics and /api/v1/calendar/person/ID.ics:
 * a feed to subscribe to. */
enum MHD_Result h_calendar(struct req *r, const char *what, const char *key)
{
	struct MHD_Response *resp;
	struct error e;
	char *ics = NULL, name[128];
	enum MHD_Result ret;
	size_t n = strlen(key);

	if (n < 5 || strcmp(key + n - 4, ".ics") || n - 4 >= sizeof(name))
		return problem(r, 404, "Not Found", "no such calendar", NULL);
	snprintf(name, sizeof(name), "%.*s", (int)(n - 4), key);
	error_init(&e);
	if (calendar_ics(r->db, &r->who, what, name, &ics, &e)) {
		ret = error_reply(r, &e);
		error_release(&e);
		return ret;
	}
	resp = MHD_create_response_from_buffer(strlen(ics), ics,
					       MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "text/calendar; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	r->status = 200;
	ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}
