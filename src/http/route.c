/*
 * The route table: every operation of the API, with its method, path,
 * whether it needs a caller, its handler and the query parameters it
 * takes. A request is checked against the table before any handler
 * runs: a parameter the route does not declare, or a value that is not
 * of its type, answers 400 naming it, and only checked values reach the
 * handler (arg()). The OpenAPI description is generated from the same
 * table and the record catalogue, so the two cannot drift apart.
 */
#include "http/server.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/due.h"
#include "core/knownon.h"
#include "core/report.h"
#include "http/http_int.h"
#include "util/date.h"

/*==== Declarations =====================================================*/

enum param_type {
	PT_STRING,
	PT_DATE,	/* YYYY-MM-DD, a day that exists */
	PT_MOMENT,	/* known_on: a UTC date-time or a date (core/knownon.h) */
	PT_INT,		/* within [min, max] */
	PT_BOOL,	/* yes, no, true, false */
	PT_ENUM,	/* one of values */
};

enum param_flag {
	PF_REQUIRED = 1 << 0,
	PF_DATED = 1 << 1,	/* only for kinds whose records have valid_from */
};

struct param {
	const char *name;
	enum param_type type;
	unsigned flags;
	long min, max;		/* PT_INT */
	const char *values;	/* PT_ENUM: "a|b|c" */
	const char *about;
};

enum route_flag {
	RF_AUTH = 1 << 0,	/* needs a caller */
	RF_FILTERS = 1 << 1,	/* the kind's fields, derived names and key
				 * filter the list */
	RF_ENDS = 1 << 2,	/* only kinds whose records end (valid_to) */
	RF_REPORT = 1 << 3,	/* a report's: its parameters are the report
				 * table's (core/report.h), as the CLI's are */
};

/* How the handler is called: with the route's ARG, with the kind and key
 * matched in the path, or with the calendar's name. */
enum call { CALL_ARG, CALL_RECORDS, CALL_CALENDAR };

/* What the OpenAPI description says the operation takes and answers. */
enum body { BODY_NONE, BODY_NEW, BODY_CHANGE, BODY_LOGIN, BODY_ACTION };
enum answer { ANSWER_JSON, ANSWER_RECORD, ANSWER_PAGE, ANSWER_TEXT,
	      ANSWER_ICS };

typedef enum MHD_Result (*handler)(struct req *r, const char *arg);

struct route {
	const char *method;
	/* Literal, or with {kind} (a kind's name), and a last {key} or
	 * {code} that takes the rest of the path up to what follows it. */
	const char *path;
	unsigned flags;
	enum call call;
	handler fn;		/* CALL_ARG */
	const char *arg;	/* a report's or action's name, a calendar's */
	const struct param *params;	/* ends with { NULL } */
	const char *summary;
	enum body body;
	enum answer answer;
	unsigned ok;		/* the status of success */
	const char *errors;	/* statuses besides 400, 401 and 403 */
};

static const struct param none[] = { { NULL } };

static const struct param feed_params[] = {
	{ "token", PT_STRING, 0, .about = "a calendar token (cadre token add "
	  "LOGIN --calendar), for an application that cannot send "
	  "Authorization" },
	{ NULL }
};

#define KNOWN_ON \
	{ "known_on", PT_MOMENT, 0, .about = "the records as cadre held them " \
	  "at that moment (a UTC date-time, YYYY-MM-DDTHH:MM:SSZ, or a date: " \
	  "the end of that day), rebuilt from the audit log" }

static const struct param as_of_only[] = {
	{ "as_of", PT_DATE, 0, .about = "the day to answer for (default today)" },
	KNOWN_ON,
	{ NULL }
};

static const struct param list_params[] = {
	{ "as_of", PT_DATE, 0, .about = "only the records in force on that day" },
	KNOWN_ON,
	{ "limit", PT_INT, 0, 1, LIST_LIMIT_MAX,
	  .about = "records on a page (default 1000)" },
	{ "cursor", PT_INT, 0, 0, 1000000000L,
	  .about = "where the page starts: the `next` of the page before" },
	{ "sort", PT_STRING, 0,
	  .about = "a field or derived name; -name sorts descending" },
	{ "q", PT_STRING, 0,
	  .about = "words to search for, each a prefix (kinds with a search "
		   "index: trainees)" },
	{ "from", PT_DATE, PF_DATED,
	  .about = "only the records whose validity meets this day or later" },
	{ "to", PT_DATE, PF_DATED,
	  .about = "only the records whose validity meets this day or earlier" },
	{ NULL }
};

static const struct param end_params[] = {
	{ "on", PT_DATE, 0, .about = "the day the validity ends (default today)" },
	{ NULL }
};

/* Each report's parameters, made once from the report table that the
 * command line reads too: a report's API cannot take what its command
 * does not, or the other way round. */
static struct param report_decl[REPORTS_MAX][REPORT_PARAMS_MAX + 2];
static pthread_once_t report_once = PTHREAD_ONCE_INIT;

static void report_decl_init(void)
{
	for (size_t i = 0; i < nreports && i < REPORTS_MAX; i++) {
		size_t j;
		int dated = 0;

		for (j = 0; j < REPORT_PARAMS_MAX &&
		     reports[i].params[j].name; j++) {
			const struct report_param *rp = &reports[i].params[j];
			struct param *p = &report_decl[i][j];

			p->name = rp->name;
			p->type = rp->type == REPORT_DATE ? PT_DATE :
				  rp->type == REPORT_INT ? PT_INT : PT_STRING;
			p->flags = rp->required ? PF_REQUIRED : 0;
			p->min = 0;
			p->max = REPORT_DAYS_MAX;
			p->about = rp->doc;
			dated |= !strcmp(rp->name, "as_of");
		}
		/* A report asked as of a day may be asked as known on a
		 * moment too; the table has room for one more. */
		if (dated)
			report_decl[i][j] = (struct param)KNOWN_ON;
	}
}

/* The parameters RT declares. */
static const struct param *route_params(const struct route *rt)
{
	if (!(rt->flags & RF_REPORT))
		return rt->params;
	pthread_once(&report_once, report_decl_init);
	for (size_t i = 0; i < nreports && i < REPORTS_MAX; i++)
		if (!strcmp(reports[i].name, rt->arg))
			return report_decl[i];
	return none;
}

static const struct param audit_params[] = {
	{ "entity", PT_STRING, 0, .about = "a kind's name or table, or account" },
	{ "key", PT_STRING, 0, .about = "a record's key" },
	{ "actor", PT_STRING, 0, .about = "the login that made the change" },
	{ "since", PT_DATE, 0, .about = "entries from this day" },
	{ "until", PT_DATE, 0, .about = "entries up to this day" },
	{ "limit", PT_INT, 0, 1, LIST_LIMIT_MAX,
	  .about = "entries at most (default 1000)" },
	{ NULL }
};

static const struct param check_params[] = {
	{ "as_of", PT_DATE, 0, .about = "check that one day" },
	KNOWN_ON,
	{ "from", PT_DATE, 0, .about = "the first day (default: the first of "
	  "the data)" },
	{ "to", PT_DATE, 0, .about = "the day after the last (default: after "
	  "the last of the data)" },
	{ NULL }
};

static const struct param due_params[] = {
	{ "days", PT_INT, 0, 0, DUE_DAYS_MAX,
	  .about = "how many days after as_of to look (default 30)" },
	{ "as_of", PT_DATE, 0, .about = "the day to look from (default today)" },
	KNOWN_ON,
	{ NULL }
};

static const struct param conflicts_params[] = {
	{ "from", PT_DATE, PF_REQUIRED, .about = "the first day" },
	{ "to", PT_DATE, PF_REQUIRED, .about = "the day after the last, at "
	  "most 366 days after from" },
	{ NULL }
};

static enum MHD_Result h_health(struct req *r, const char *arg);
static enum MHD_Result h_openapi(struct req *r, const char *arg);

#define PUBLIC(m, p, fn, summary, params, body, answer, errors) \
	{ m, p, 0, CALL_ARG, fn, NULL, params, summary, body, answer, 200, errors }
#define AUTHED(m, p, fn, arg, summary, params, body, answer, errors) \
	{ m, p, RF_AUTH, CALL_ARG, fn, arg, params, summary, body, answer, 200, errors }
#define ACTION(name, summary) \
	AUTHED("POST", "/api/v1/actions/" name, h_action, name, summary, none, \
	       BODY_ACTION, ANSWER_JSON, "409 422")
#define REPORT(name, summary) \
	{ "GET", "/api/v1/reports/" name, RF_AUTH | RF_REPORT, CALL_ARG, \
	  h_report, name, NULL, summary, BODY_NONE, ANSWER_JSON, 200, "404" }

static const struct route routes[] = {
	PUBLIC("GET", "/healthz", h_health, "Liveness", none, BODY_NONE,
	       ANSWER_JSON, ""),
	PUBLIC("GET", "/metrics", h_metrics, "Prometheus metrics", none,
	       BODY_NONE, ANSWER_TEXT, ""),
	PUBLIC("GET", "/api/v1/openapi.json", h_openapi, "This description",
	       none, BODY_NONE, ANSWER_JSON, ""),
	PUBLIC("POST", "/api/v1/auth/login", h_login,
	       "Log in: {login, password} -> session cookie and csrf_token",
	       none, BODY_LOGIN, ANSWER_JSON, "401 422 429"),
	AUTHED("POST", "/api/v1/auth/logout", h_logout, NULL, "End the session",
	       none, BODY_NONE, ANSWER_JSON, ""),
	PUBLIC("GET", "/api/v1/auth/me", h_me, "Who is calling, if anyone",
	       none, BODY_NONE, ANSWER_JSON, ""),
	AUTHED("POST", "/api/v1/auth/feed", h_feed, NULL,
	       "A calendar token of the caller's own, to subscribe to the "
	       "calendar feeds with (shown once): the feeds' URLs with it",
	       none, BODY_NONE, ANSWER_JSON, ""),
	AUTHED("DELETE", "/api/v1/auth/feed", h_feed, NULL,
	       "Revoke every calendar token of the caller's", none, BODY_NONE,
	       ANSWER_JSON, ""),
	AUTHED("GET", "/api/v1/kinds", h_kinds, NULL,
	       "The catalogue: kinds, fields, what the caller may write", none,
	       BODY_NONE, ANSWER_JSON, ""),
	AUTHED("GET", "/api/v1/status", h_status, NULL,
	       "The mission as of a date", as_of_only, BODY_NONE, ANSWER_JSON, ""),
	ACTION("suspend", "Suspend a scope: {scope, from, reason, dry_run}"),
	ACTION("resume", "End a suspension: {scope, on, apply, dry_run}"),
	ACTION("consent", "Grant, suspend or withdraw a consent: "
	       "{verb, consent, on, dry_run}"),
	ACTION("transfer", "Transfer an activity: "
	       "{activity, to, on, with_personnel, dry_run}"),
	ACTION("plan-sessions", "Plan sessions: {from, to, site, postponed, apply}"),
	REPORT("ceilings", "Daily headcount against the ceilings (from, to)"),
	REPORT("transition", "Transition to self-sufficiency (as_of)"),
	REPORT("manning", "Posts filled and vacant, rotations due (as_of, days)"),
	REPORT("contributions", "People deployed by nation (as_of)"),
	REPORT("training-output", "Trainees, passes, certificates by month "
	       "(from, to)"),
	REPORT("capability", "Institutions' assessments against the target "
	       "(as_of)"),
	REPORT("suspension-impact", "A suspension's postponed sessions and "
	       "re-runs (event)"),
	REPORT("transfer", "What passed from the coalition (activity)"),
	AUTHED("GET", "/api/v1/check", h_check, NULL,
	       "Every rule over every day of a range: the violations "
	       "(commander, auditor, admin)", check_params, BODY_NONE,
	       ANSWER_JSON, ""),
	AUTHED("GET", "/api/v1/conflicts", h_conflicts, NULL,
	       "The rules' violations over a range that the caller may see "
	       "whole, each with the sessions it names (any caller)",
	       conflicts_params, BODY_NONE, ANSWER_JSON, ""),
	AUTHED("GET", "/api/v1/due", h_due, NULL,
	       "What needs attention in the days after as_of, as the caller "
	       "sees the mission (any caller)", due_params, BODY_NONE,
	       ANSWER_JSON, ""),
	AUTHED("GET", "/api/v1/audit", h_audit, NULL, "The audit log",
	       audit_params, BODY_NONE, ANSWER_JSON, ""),
	{ "GET", "/api/v1/calendar/site/{code}.ics", RF_AUTH, CALL_CALENDAR,
	  NULL, "site", feed_params, "A site's sessions as iCalendar", BODY_NONE,
	  ANSWER_ICS, 200, "404" },
	{ "GET", "/api/v1/calendar/person/{code}.ics", RF_AUTH, CALL_CALENDAR,
	  NULL, "person", feed_params, "A trainer's sessions as iCalendar", BODY_NONE,
	  ANSWER_ICS, 200, "404" },
	{ "GET", "/api/v1/{kind}", RF_AUTH | RF_FILTERS, CALL_RECORDS, NULL,
	  NULL, list_params, "List; any field or derived name filters",
	  BODY_NONE, ANSWER_PAGE, 200, "" },
	{ "POST", "/api/v1/{kind}", RF_AUTH, CALL_RECORDS, NULL, NULL, none,
	  "Create one", BODY_NEW, ANSWER_RECORD, 201, "409 422" },
	{ "GET", "/api/v1/{kind}/{key}", RF_AUTH, CALL_RECORDS, NULL, NULL,
	  as_of_only, "One record, with its ETag", BODY_NONE, ANSWER_RECORD, 200,
	  "404" },
	{ "PATCH", "/api/v1/{kind}/{key}", RF_AUTH, CALL_RECORDS, NULL, NULL,
	  none, "Change fields; needs If-Match", BODY_CHANGE, ANSWER_RECORD, 200,
	  "404 409 412 422 428" },
	{ "DELETE", "/api/v1/{kind}/{key}", RF_AUTH | RF_ENDS, CALL_RECORDS,
	  NULL, NULL, end_params, "End its validity; never erased", BODY_NONE,
	  ANSWER_RECORD, 200, "404 409 422" },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/*==== Matching a path ==================================================*/

struct match {
	const struct kind *kind;	/* {kind} */
	const char *tail;		/* {key} or {code}: the rest, in the URL */
};

/* Does URL follow PATTERN? A {kind} is one segment naming a kind; the
 * last variable takes the rest of the path (a composite key holds '/'),
 * which must end with the literal that follows it (".ics"). */
static int path_match(const char *pat, const char *url, struct match *m)
{
	m->kind = NULL;
	m->tail = NULL;
	while (*pat) {
		const char *close, *after;
		size_t rest, suffix;

		if (*pat != '{') {
			if (*pat++ != *url++)
				return 0;
			continue;
		}
		close = strchr(pat, '}');
		after = close + 1;
		if (!strncmp(pat, "{kind}", 6)) {
			size_t len = strcspn(url, "/");
			char name[64];
			const struct kind *k;

			if (!len || len >= sizeof(name))
				return 0;
			memcpy(name, url, len);
			name[len] = '\0';
			k = kind_find(name);
			if (!k || strcmp(k->name, name))	/* not by table */
				return 0;
			m->kind = k;
			url += len;
			pat = after;
			continue;
		}
		rest = strlen(url);
		suffix = strlen(after);
		if (rest <= suffix || strcmp(url + rest - suffix, after))
			return 0;
		m->tail = url;
		return 1;
	}
	return *url == '\0';
}

/* The route's pattern with the kind named, for the metrics and the
 * OpenAPI paths: "/api/v1/persons/{key}". */
static void route_path(const struct route *rt, const struct kind *k,
		       char *out, size_t n)
{
	const char *v = strstr(rt->path, "{kind}");

	if (v && k)
		snprintf(out, n, "%.*s%s%s", (int)(v - rt->path), rt->path,
			 k->name, v + 6);
	else
		snprintf(out, n, "%s", rt->path);
}

/*==== Checking the query ===============================================*/

static int parse_long(const char *s, long *out)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_bool(const char *s, char norm[11])
{
	if (!strcmp(s, "yes") || !strcmp(s, "true"))
		snprintf(norm, 11, "yes");
	else if (!strcmp(s, "no") || !strcmp(s, "false"))
		snprintf(norm, 11, "no");
	else
		return -1;
	return 0;
}

/* "a|b|c" as "one of a, b, c". */
static void one_of(const char *values, char *why, size_t n)
{
	size_t len = (size_t)snprintf(why, n, "one of ");

	for (const char *v = values; *v && len + 3 < n; v++) {
		if (*v == '|') {
			why[len++] = ',';
			why[len++] = ' ';
		} else {
			why[len++] = *v;
		}
	}
	why[len < n ? len : n - 1] = '\0';
}

/* Check V for P; *NORM gets a date's or boolean's canonical form. 0, or
 * -1 with the reason in WHY. */
static int check_param(const struct param *p, struct qparam *q, char *why,
		       size_t n)
{
	long l;

	switch (p->type) {
	case PT_STRING:
		return 0;
	case PT_DATE:
		if (valid_date(q->value, q->norm)) {
			q->value = q->norm;
			return 0;
		}
		snprintf(why, n, "a date, YYYY-MM-DD, that exists");
		return -1;
	case PT_MOMENT: {
		const char *reason;

		if (!known_on_read(q->value, q->norm, &reason)) {
			q->value = q->norm;
			return 0;
		}
		snprintf(why, n, "%s", reason);
		return -1;
	}
	case PT_INT:
		if (!parse_long(q->value, &l) && l >= p->min && l <= p->max)
			return 0;
		snprintf(why, n, "an integer from %ld to %ld", p->min, p->max);
		return -1;
	case PT_BOOL:
		if (!parse_bool(q->value, q->norm)) {
			q->value = q->norm;
			return 0;
		}
		snprintf(why, n, "yes or no (true or false)");
		return -1;
	case PT_ENUM:
		if (enum_has(p->values, q->value))
			return 0;
		one_of(p->values, why, n);
		return -1;
	}
	return 0;
}

#define MARKINGS "NU|NR|NC|NS|CTS"

/* A filter's value against its field's type: a filter that cannot match
 * anything because of its form is a mistake worth naming. */
static int check_field(const struct field *f, struct qparam *q, char *why,
		       size_t n)
{
	struct param p = { f->name, PT_STRING, 0, 0, 0, NULL, NULL };
	char *end;

	switch (f->type) {
	case FT_INT:
		/* Out of the field's bounds matches nothing, which is fine. */
		if (!parse_long(q->value, &(long){ 0 }))
			return 0;
		snprintf(why, n, "an integer");
		return -1;
	case FT_REAL:
		if (*q->value && (strtod(q->value, &end), !*end))
			return 0;
		snprintf(why, n, "a number");
		return -1;
	case FT_DATE:
		p.type = PT_DATE;
		break;
	case FT_BOOL:
		p.type = PT_BOOL;
		break;
	case FT_ENUM:
		p.type = PT_ENUM;
		p.values = f->values;
		break;
	case FT_MARKING:
		p.type = PT_ENUM;
		p.values = MARKINGS;
		break;
	default:
		break;
	}
	return check_param(&p, q, why, n);
}

static const struct param *declared(const struct route *rt,
				    const struct kind *k, const char *name)
{
	for (const struct param *p = route_params(rt); p->name; p++) {
		if (strcmp(p->name, name))
			continue;
		if ((p->flags & PF_DATED) &&
		    (!k || kind_field_index(k, "valid_from") < 0))
			return NULL;
		return p;
	}
	return NULL;
}

static int is_derived(const struct kind *k, const char *name)
{
	for (size_t i = 0; i < k->nderived; i++)
		if (!strcmp(k->derived[i].name, name))
			return 1;
	return 0;
}

struct gather {
	struct req *r;
	int overflow;
};

static enum MHD_Result gather_arg(void *cls, enum MHD_ValueKind kind,
				  const char *name, const char *value)
{
	struct gather *g = cls;
	struct qparam *q;

	(void)kind;
	if (g->r->nquery == QUERY_MAX) {
		g->overflow = 1;
		return MHD_NO;
	}
	q = &g->r->query[g->r->nquery++];
	q->name = name;
	q->value = value ? value : "";
	q->filter = 0;
	q->norm[0] = '\0';
	return MHD_YES;
}

static void bad(json_t *errors, const char *name, const char *value,
		const char *reason)
{
	json_array_append_new(errors, json_pack("{s:s, s:s?, s:s}", "parameter",
		name, "value", value, "reason", reason));
}

/* Check R's query against RT (and the kind K of a list): NULL, or the
 * errors, one per parameter, to answer 400 with. */
static json_t *check_query(struct req *r, const struct route *rt,
			   const struct kind *k)
{
	struct gather g = { r, 0 };
	json_t *errors = json_array();
	char why[256];

	r->nquery = 0;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, gather_arg, &g);
	if (g.overflow) {
		snprintf(why, sizeof(why), "at most %d query parameters",
			 QUERY_MAX);
		bad(errors, "", NULL, why);
		return errors;
	}
	for (size_t i = 0; i < r->nquery; i++) {
		struct qparam *q = &r->query[i];
		const struct param *p = declared(rt, k, q->name);
		const struct field *f;

		for (size_t j = 0; j < i; j++) {
			if (!strcmp(r->query[j].name, q->name)) {
				bad(errors, q->name, q->value,
				    "given more than once");
				goto next;
			}
		}
		if (p) {
			if (check_param(p, q, why, sizeof(why)))
				bad(errors, q->name, q->value, why);
		} else if (!(rt->flags & RF_FILTERS) || !k) {
			bad(errors, q->name, NULL, "not a parameter of this route");
		} else if ((f = kind_field(k, q->name))) {
			q->filter = 1;
			if (check_field(f, q, why, sizeof(why)))
				bad(errors, q->name, q->value, why);
		} else if (is_derived(k, q->name) || !strcmp(q->name, "key")) {
			q->filter = 1;
		} else {
			snprintf(why, sizeof(why), "neither a parameter of this "
				 "route nor a field of %s", k->name);
			bad(errors, q->name, NULL, why);
		}
next:		;
	}
	for (const struct param *p = route_params(rt); p->name; p++)
		if ((p->flags & PF_REQUIRED) && declared(rt, k, p->name) &&
		    !arg(r, p->name))
			bad(errors, p->name, NULL, "required");
	if (!json_array_size(errors)) {
		json_decref(errors);
		return NULL;
	}
	return errors;
}

static enum MHD_Result bad_query(struct req *r, json_t *errors)
{
	json_t *first = json_array_get(errors, 0);
	const char *name = json_string_value(json_object_get(first, "parameter"));
	char detail[512];

	snprintf(detail, sizeof(detail), "%s%s%s", name && *name ? name : "",
		 name && *name ? ": " : "",
		 json_string_value(json_object_get(first, "reason")));
	return send_json(r, 400, json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}",
		"type", "about:blank", "title", "Bad Request", "status", 400,
		"detail", detail, "instance", r->url, "errors", errors),
		"application/problem+json", NULL, NULL);
}

const char *arg(struct req *r, const char *name)
{
	for (size_t i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, name))
			return r->query[i].value;
	return NULL;
}

long arg_long(struct req *r, const char *name, long def)
{
	const char *v = arg(r, name);
	long l;

	return v && !parse_long(v, &l) ? l : def;
}

int valid_date(const char *s, char out[11])
{
	const char *why;
	int32_t d;

	if (date_parse(s, &d, &why))
		return 0;
	date_format(d, out);
	return 1;
}

/*==== Dispatch =========================================================*/

static enum MHD_Result call(struct req *r, const struct route *rt,
			    const struct match *m)
{
	switch (rt->call) {
	case CALL_RECORDS:
		return h_records(r, m->kind, m->tail);
	case CALL_CALENDAR:
		return h_calendar(r, rt->arg, m->tail);
	case CALL_ARG:
		break;
	}
	return rt->fn(r, rt->arg ? rt->arg : "");
}

/* The handler reading the mission as cadre held it at known_on: the
 * request's connection is that, for the handler's time; the caller is
 * who they are now. */
static enum MHD_Result call_known_on(struct req *r, const struct route *rt,
				     const struct match *m)
{
	struct store *live = r->db, *then;
	enum MHD_Result ret;
	struct error e;

	error_init(&e);
	if (known_on_open(live, arg(r, "known_on"), &then, &e)) {
		ret = error_reply(r, &e);
		error_release(&e);
		return ret;
	}
	r->db = then;
	ret = call(r, rt, m);
	r->db = live;
	store_close(then);
	return ret;
}

enum MHD_Result route_dispatch(struct req *r)
{
	char allow[64] = "";
	enum MHD_Result ret;
	struct match m;

	snprintf(r->route, sizeof(r->route), "other");
	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *rt = &routes[i];
		json_t *errors;

		if (!path_match(rt->path, r->url, &m))
			continue;
		if ((rt->flags & RF_ENDS) && !kind_field(m.kind, "valid_to"))
			continue;
		route_path(rt, m.kind, r->route, sizeof(r->route));
		if (strcmp(rt->method, r->method)) {
			size_t len = strlen(allow);

			snprintf(allow + len, sizeof(allow) - len, "%s%s",
				 len ? ", " : "", rt->method);
			continue;
		}
		if ((rt->flags & RF_AUTH) && auth_refused(r, &ret))
			return ret;
		if ((errors = check_query(r, rt, m.kind)))
			return bad_query(r, errors);
		if (arg(r, "known_on"))
			return call_known_on(r, rt, &m);
		return call(r, rt, &m);
	}
	if (allow[0])
		return not_allowed(r, allow);
	if (strncmp(r->url, "/api/", 5)) {
		const struct web_file *f = ui_find(r->url);

		if (f && (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))) {
			snprintf(r->route, sizeof(r->route), "ui");
			return h_ui(r, f);
		}
		if (f)
			return not_allowed(r, "GET, HEAD");
	}
	return problem(r, 404, "Not Found", "no such resource", NULL);
}

static enum MHD_Result h_health(struct req *r, const char *arg)
{
	(void)arg;
	return send_json(r, 200, json_pack("{s:s}", "status", "ok"), NULL, NULL, NULL);
}

static enum MHD_Result h_openapi(struct req *r, const char *arg)
{
	(void)arg;
	return send_json(r, 200, server_openapi(), NULL, NULL, NULL);
}

/*==== OpenAPI ==========================================================*/

static json_t *param_schema(const struct param *p)
{
	switch (p->type) {
	case PT_DATE:
		return json_pack("{s:s, s:s}", "type", "string", "format", "date");
	case PT_INT:
		return json_pack("{s:s, s:I, s:I}", "type", "integer", "minimum",
				 (json_int_t)p->min, "maximum", (json_int_t)p->max);
	case PT_BOOL:
		return json_pack("{s:s}", "type", "boolean");
	case PT_MOMENT:		/* a UTC date-time, or a date */
		return json_pack("{s:s, s:s}", "type", "string", "pattern",
				 "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:"
				 "[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+]00:00))?$");
	case PT_ENUM: {
		json_t *e = json_array();
		char buf[512];

		snprintf(buf, sizeof(buf), "%s", p->values);
		for (char *s = buf, *bar; s; s = bar ? bar + 1 : NULL) {
			if ((bar = strchr(s, '|')))
				*bar = '\0';
			json_array_append_new(e, json_string(s));
		}
		return json_pack("{s:s, s:o}", "type", "string", "enum", e);
	}
	case PT_STRING:
		break;
	}
	return json_pack("{s:s}", "type", "string");
}

/* A field's schema, as the catalogue describes it. */
static json_t *field_schema(const struct field *f, int nullable)
{
	static const char *const about[] = {
		[FT_LIST] = "';'-separated codes, values or references",
		[FT_QUALS] = "';'-separated CODE or CODE:EXPIRY-DATE",
		[FT_SCOPE] = "mission, site:CODE or activity:CODE",
		[FT_RELEASE] = "';'-separated NATO, MISSION or ISO 3166 codes",
		[FT_ROOMS] = "';'-separated NAME:CAPACITY",
		[FT_ISO3] = "an ISO 3166-1 alpha-3 code",
	};
	struct param p = { f->name, PT_STRING, 0, 0, 0, NULL, NULL };
	json_t *s;

	switch (f->type) {
	case FT_INT:
		s = json_pack("{s:s}", "type", "integer");
		break;
	case FT_REAL:
		s = json_pack("{s:s}", "type", "number");
		break;
	case FT_DATE:
		p.type = PT_DATE;
		s = param_schema(&p);
		break;
	case FT_BOOL:
		s = json_pack("{s:s}", "type", "boolean");
		break;
	case FT_ENUM:
		p.type = PT_ENUM;
		p.values = f->values;
		s = param_schema(&p);
		break;
	case FT_MARKING:
		p.type = PT_ENUM;
		p.values = MARKINGS;
		s = param_schema(&p);
		break;
	default:
		s = json_pack("{s:s}", "type", "string");
		break;
	}
	if ((f->type == FT_INT || f->type == FT_REAL) && f->min < f->max) {
		json_object_set_new(s, "minimum", json_real(f->min));
		json_object_set_new(s, "maximum", json_real(f->max));
	}
	if (f->flags & FF_NONNEG)
		json_object_set_new(s, "minimum", json_integer(0));
	if (f->flags & FF_POSITIVE)
		json_object_set_new(s, "exclusiveMinimum", json_integer(0));
	if (f->type < sizeof(about) / sizeof(about[0]) && about[f->type])
		json_object_set_new(s, "description", json_string(about[f->type]));
	if (f->ref) {
		char ref[128];

		snprintf(ref, sizeof(ref), "the key of one of the %s", f->ref);
		json_object_set_new(s, "description", json_string(ref));
	}
	if (nullable) {
		json_t *type = json_object_get(s, "type");

		json_object_set_new(s, "type", json_pack("[O, s]", type, "null"));
	}
	return s;
}

enum record_schema { AS_READ, AS_NEW, AS_CHANGE };

/* A kind's record: as read (with its key and derived values), as created
 * (its required fields), as changed (any of its fields). */
static json_t *record_schema(const struct kind *k, enum record_schema how)
{
	json_t *props = json_object(), *req = json_array();

	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		int needed = (f->flags & (FF_REQUIRED | FF_KEY)) != 0;

		json_object_set_new(props, f->name, field_schema(f, !needed ||
			how == AS_CHANGE));
		if (needed && how == AS_NEW && !f->def)
			json_array_append_new(req, json_string(f->name));
	}
	if (how == AS_READ) {
		json_object_set_new(props, "key", json_pack("{s:s, s:s}", "type",
			"string", "description", "the natural key"));
		json_array_append_new(req, json_string("key"));
		for (size_t i = 0; i < k->nderived; i++)
			json_object_set_new(props, k->derived[i].name,
				json_pack("{s:s, s:s}", "type", "string",
					  "description", "derived for the day asked"));
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:b}", "type", "object",
		"description", k->label, "properties", props, "required", req,
		"additionalProperties", how == AS_READ);
}

static json_t *ref(const char *name, const char *suffix)
{
	char r[128];

	snprintf(r, sizeof(r), "#/components/schemas/%s%s", name, suffix);
	return json_pack("{s:s}", "$ref", r);
}

static json_t *content(const char *type, json_t *schema)
{
	return json_pack("{s:{s:o}}", type, "schema", schema);
}

static const char *status_text(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "A parameter or body that is not valid (each named)";
	case 401: return "No caller: log in, or send a bearer token";
	case 403: return "Not open to this role, or a change without its CSRF token";
	case 404: return "No such resource, or not visible to the caller";
	case 409: return "Refused by a mission rule (its rule), or the key exists";
	case 412: return "Stale: the record changed since it was read";
	case 422: return "Not valid (each field's problem)";
	case 428: return "If-Match missing";
	case 429: return "Too many failed logins: wait";
	}
	return "Error";
}

static json_t *operation(const struct route *rt, const struct kind *k)
{
	json_t *params = json_array(), *responses = json_object();
	json_t *op, *ok;
	char code[8];

	if (strstr(rt->path, "{key}"))
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}",
			"name", "key", "in", "path", "required", 1, "description",
			"the record's natural key", "schema", "type", "string"));
	if (strstr(rt->path, "{code}"))
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}",
			"name", "code", "in", "path", "required", 1, "schema",
			"type", "string"));
	for (const struct param *p = route_params(rt); p->name; p++) {
		if (!declared(rt, k, p->name))
			continue;
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:o}",
			"name", p->name, "in", "query", "required",
			(p->flags & PF_REQUIRED) != 0, "description",
			p->about ? p->about : "", "schema", param_schema(p)));
	}
	if ((rt->flags & RF_FILTERS) && k) {
		for (size_t i = 0; i < k->nfields; i++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:o}",
				"name", k->fields[i].name, "in", "query", "required", 0,
				"description", "only the records with this value",
				"schema", field_schema(&k->fields[i], 0)));
		for (size_t i = 0; i < k->nderived; i++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}",
				"name", k->derived[i].name, "in", "query", "required", 0,
				"description", "only the records with this derived value",
				"schema", "type", "string"));
		if (kind_field_index(k, "key") < 0)
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}",
				"name", "key", "in", "query", "required", 0,
				"description", "only the record with this key",
				"schema", "type", "string"));
	}
	switch (rt->answer) {
	case ANSWER_RECORD:
		ok = content("application/json", ref(k->name, ""));
		break;
	case ANSWER_PAGE:
		ok = content("application/json", ref(k->name, ".page"));
		break;
	case ANSWER_TEXT:
		ok = content("text/plain", json_pack("{s:s}", "type", "string"));
		break;
	case ANSWER_ICS:
		ok = content("text/calendar", json_pack("{s:s}", "type", "string"));
		break;
	default:
		ok = content("application/json", json_pack("{s:s}", "type", "object"));
		break;
	}
	snprintf(code, sizeof(code), "%u", rt->ok);
	json_object_set_new(responses, code, json_pack("{s:s, s:o}", "description",
		status_text(rt->ok), "content", ok));
	{
		char list[64];

		snprintf(list, sizeof(list), "400 %s%s", rt->flags & RF_AUTH ?
			 "401 403 " : "", rt->errors);
		for (char *s = list, *sp; s && *s; s = sp ? sp + 1 : NULL) {
			if ((sp = strchr(s, ' ')))
				*sp = '\0';
			if (!*s)
				continue;
			json_object_set_new(responses, s, json_pack("{s:s, s:o}",
				"description", status_text((unsigned)strtoul(s, NULL, 10)),
				"content", content("application/problem+json",
						   ref("Problem", ""))));
		}
	}
	if (k) {
		char summary[160];

		snprintf(summary, sizeof(summary), "%s: %s", k->name, rt->summary);
		op = json_pack("{s:s, s:o, s:o}", "summary", summary,
			       "parameters", params, "responses", responses);
	} else {
		op = json_pack("{s:s, s:o, s:o}", "summary", rt->summary,
			       "parameters", params, "responses", responses);
	}
	if (rt->body == BODY_NEW || rt->body == BODY_CHANGE)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
			"required", 1, "content", content("application/json",
			ref(k->name, rt->body == BODY_NEW ? ".new" : ".change"))));
	else if (rt->body == BODY_LOGIN)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
			"required", 1, "content", content("application/json",
			json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s, s]}", "type",
				  "object", "properties", "login", "type", "string",
				  "password", "type", "string", "required", "login",
				  "password"))));
	else if (rt->body == BODY_ACTION)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
			"required", 1, "content", content("application/json",
			json_pack("{s:s, s:s}", "type", "object", "description",
				  rt->summary))));
	if (!(rt->flags & RF_AUTH))
		json_object_set_new(op, "security", json_array());
	return op;
}

static json_t *schemas(void)
{
	json_t *s = json_object();

	json_object_set_new(s, "Problem", json_pack(
		"{s:s, s:s, s:[s, s, s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s},"
		" s:{s:s}, s:{s:s, s:s}, s:{s:s, s:{s:s}}}}",
		"type", "object", "description", "RFC 9457 problem details",
		"required", "type", "title", "status", "properties",
		"type", "type", "string", "title", "type", "string",
		"status", "type", "integer", "detail", "type", "string",
		"instance", "type", "string",
		"rule", "type", "string", "description", "the mission rule that refused",
		"errors", "type", "array", "items", "type", "object"));
	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];
		char name[80];

		json_object_set_new(s, k->name, record_schema(k, AS_READ));
		snprintf(name, sizeof(name), "%s.new", k->name);
		json_object_set_new(s, name, record_schema(k, AS_NEW));
		snprintf(name, sizeof(name), "%s.change", k->name);
		json_object_set_new(s, name, record_schema(k, AS_CHANGE));
		snprintf(name, sizeof(name), "%s.page", k->name);
		json_object_set_new(s, name, json_pack(
			"{s:s, s:[s, s], s:{s:{s:s}, s:{s:s, s:o}, s:{s:s, s:s}}}",
			"type", "object", "required", "kind", "items",
			"properties", "kind", "type", "string",
			"items", "type", "array", "items", ref(k->name, ""),
			"next", "type", "string", "description",
			"the cursor of the next page, when there is one"));
	}
	return s;
}

static void add_operation(json_t *paths, const char *path,
			  const struct route *rt, const struct kind *k)
{
	json_t *item = json_object_get(paths, path);
	char method[8];
	size_t j;

	if (!item) {
		item = json_object();
		json_object_set_new(paths, path, item);
	}
	for (j = 0; rt->method[j] && j < sizeof(method) - 1; j++)
		method[j] = (char)(rt->method[j] | 0x20);
	method[j] = '\0';
	json_object_set_new(item, method, operation(rt, k));
}

json_t *server_openapi(void)
{
	json_t *paths = json_object();
	char path[160];

	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *rt = &routes[i];

		if (!strstr(rt->path, "{kind}")) {
			add_operation(paths, rt->path, rt, NULL);
			continue;
		}
		for (size_t j = 0; j < nkinds; j++) {
			if ((rt->flags & RF_ENDS) && !kind_field(kinds[j], "valid_to"))
				continue;
			route_path(rt, kinds[j], path, sizeof(path));
			add_operation(paths, path, rt, kinds[j]);
		}
	}
	return json_pack("{s:s, s:{s:s, s:s}, s:o, s:[{s:[]}, {s:[]}], s:{s:o, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}}}",
		"openapi", "3.1.0", "info", "title", "cadre", "version", CADRE_VERSION,
		"paths", paths, "security", "bearer", "cookie",
		"components", "schemas", schemas(), "securitySchemes", "bearer",
		"type", "http", "scheme", "bearer", "cookie", "type", "apiKey",
		"in", "cookie", "name", COOKIE);
}
