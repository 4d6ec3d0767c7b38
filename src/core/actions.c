/* Suspend, resume, consent changes and transfer; see actions.h. */
#include "core/actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/planner.h"
#include "core/write.h"
#include "store/access.h"
#include "store/actions.h"
#include "store/planner.h"
#include "util/buf.h"
#include "util/date.h"

/*
 * An action works on the whole mission: a suspension postpones every
 * session in scope, whether its caller may see it or not. So every store
 * question below is asked as the system (MISSION); what the report then
 * lists is only what the caller (WHO) may see, and its "hidden" member
 * counts the records it left out, a number and never a key.
 */
#define MISSION (&principal_system)

/*==== Helpers ==========================================================*/

static const char *rv(const struct record *r, const char *field)
{
	int i = kind_field_index(r->kind, field);

	return i < 0 ? NULL : r->v[i];
}

static int set(struct record *r, const char *field, const char *value)
{
	return record_set(r, (size_t)kind_field_index(r->kind, field), value);
}

/* Load KIND/KEY into R (initialised here): 1, 0 absent, -1 error. */
static int load(struct store *s, const char *kind, const char *key,
		struct record *r, struct error *e)
{
	if (record_init(r, kind_find(kind)))
		return error_set(e, ERR_NOMEM, "out of memory");
	return store_get(s, r->kind, key, r, e);
}

/* Is record KEY of KIND one the report may name to WHO? 1 yes; 0 no,
 * counted in REPORT's "hidden"; -1 on error. */
static int shown(struct store *s, const struct principal *who, json_t *report,
		 const char *kind, const char *key, struct error *e)
{
	int v = store_may_see(s, who, kind_find(kind), key, e);

	if (!v)
		json_object_set_new(report, "hidden", json_integer(
			json_integer_value(json_object_get(report, "hidden")) + 1));
	return v;
}

/* Add N to REPORT's "hidden". */
static void hide(json_t *report, long long n)
{
	if (n > 0)
		json_object_set_new(report, "hidden", json_integer(
			json_integer_value(json_object_get(report, "hidden")) + n));
}

/* Load KIND/KEY that WHO named: a record WHO may not see is refused as a
 * missing one. 1, 0 absent or hidden, -1. */
static int load_named(struct store *s, const struct principal *who,
		      const char *kind, const char *key, struct record *r,
		      struct error *e)
{
	int rc = load(s, kind, key, r, e);

	return rc > 0 ? store_may_see(s, who, r->kind, key, e) : rc;
}

/* Check SCOPE names something that exists, and that WHO may see. */
static int scope_check(struct store *s, const struct principal *who,
		       const char *scope, struct error *e)
{
	const char *kind = NULL, *key = NULL;
	int rc;

	if (!strcmp(scope, "mission"))
		return 0;
	if (!strncmp(scope, "site:", 5))
		kind = "sites", key = scope + 5;
	else if (!strncmp(scope, "activity:", 9))
		kind = "activities", key = scope + 9;
	if (!kind || !*key)
		return error_set(e, ERR_USAGE, "scope '%s': use mission, site:CODE "
				 "or activity:CODE", scope);
	rc = store_exists(s, kind_find(kind), key, e);
	if (rc > 0)
		rc = store_may_see(s, who, kind_find(kind), key, e);
	if (rc < 0)
		return -1;
	if (!rc)
		return error_set(e, ERR_NOTFOUND, "scope '%s': no such %s", scope,
				 kind_find(kind)->label);
	return 0;
}

/* An action's arguments, for its work inside write_action(). */
struct acting {
	struct store *s;
	const struct principal *who;
	const char *scope, *date, *text, *by;	/* as each action reads them */
	int flag;
	json_t *report;
};

static unsigned dry(int dry_run)
{
	return dry_run ? WRITE_DRY_RUN : 0;
}

/* Postponing the sessions a store question finds, into a report. */
struct postponing {
	struct store *s;
	const struct principal *who;
	struct rules_tx *t;
	json_t *report, *list;
	long enrolments;
	struct error *e;
};

/* Postpone session KEY; list it with its enrolment count if the caller
 * may see it. */
static int postpone_one(void *arg, const char *key)
{
	struct postponing *x = arg;
	struct record r;
	long long all = 0, seen = 0;
	int rc, v = 0;

	if (load(x->s, "sessions", key, &r, x->e) <= 0) {
		record_release(&r);
		return -1;
	}
	rc = set(&r, "status", "postponed") || mission_save(x->s, x->t, &r, x->e) ||
	     store_enrolment_count(x->s, MISSION, key, &all, x->e);
	if (!rc && (v = shown(x->s, x->who, x->report, "sessions", key, x->e)) < 0)
		rc = -1;
	else if (!rc && !v)
		hide(x->report, all);
	else if (!rc && !(rc = store_enrolment_count(x->s, x->who, key, &seen,
						     x->e))) {
		json_array_append_new(x->list, json_pack("{s:s, s:s, s:s, s:s, s:I}",
			"session", key, "course", rv(&r, "course"),
			"from", rv(&r, "valid_from"), "to", rv(&r, "valid_to"),
			"enrolments", (json_int_t)seen));
		x->enrolments += (long)seen;
		hide(x->report, all - seen);
	}
	record_release(&r);
	return rc ? -1 : 0;
}

struct listing {
	struct store *s;
	const struct principal *who;
	const char *kind;
	json_t *report, *list;
	struct error *e;
};

/* Add KEY to the list if the caller may see it. */
static int list_one(void *arg, const char *key)
{
	struct listing *x = arg;
	int v = shown(x->s, x->who, x->report, x->kind, key, x->e);

	if (v > 0)
		json_array_append_new(x->list, json_string(key));
	return v < 0 ? -1 : 0;
}

static int list_activities(struct store *s, const struct principal *who,
			   const char *from, const char *scope,
			   const char *sites, const char *akinds, json_t *report,
			   struct error *e)
{
	struct listing x = { s, who, "activities", report,
			     json_object_get(report, "activities_in_scope"), e };

	return store_activities_in_scope_each(s, MISSION, from, scope, sites,
					      akinds, list_one, &x, e);
}

/*==== Suspend and resume ===============================================*/

static int next_event_code(struct store *s, const char *prefix, char *out,
			   size_t n, struct error *e)
{
	for (int i = 1; i < 1000; i++) {
		int rc;

		snprintf(out, n, i == 1 ? "%s" : "%s-%d", prefix, i);
		rc = store_exists(s, kind_find("status-events"), out, e);
		if (rc <= 0)
			return rc;
	}
	return error_set(e, ERR_CONFLICT, "too many status events %s", prefix);
}

static int suspend_in_tx(struct store *s, const struct principal *who,
			 struct rules_tx *t, const char *scope, const char *from,
			 const char *reason, const char *ordered_by,
			 json_t *report, struct error *e)
{
	json_t *postponed = json_array();
	struct postponing x = { s, who, t, report, postponed, 0, e };
	struct record ev = { 0 };
	char code[96], prefix[80];
	long long assigned = 0, all = 0;
	int ret = -1, v;

	if (store_sessions_in_scope_each(s, MISSION, scope, from, NULL, 0,
					 postpone_one, &x, e) ||
	    store_assignments_in_scope_count(s, MISSION, scope, from, &all, e) ||
	    store_assignments_in_scope_count(s, who, scope, from, &assigned, e) ||
	    list_activities(s, who, from, scope, NULL, NULL, report, e))
		goto out;
	hide(report, all - assigned);
	snprintf(prefix, sizeof(prefix), "SUSP-%s-%s", from,
		 !strcmp(scope, "mission") ? "MISSION" : strchr(scope, ':') + 1);
	if (next_event_code(s, prefix, code, sizeof(code), e) ||
	    record_init(&ev, kind_find("status-events")) ||
	    set(&ev, "code", code) || set(&ev, "action", "suspend") ||
	    set(&ev, "scope", scope) || set(&ev, "reason", reason) ||
	    set(&ev, "ordered_by", ordered_by) || set(&ev, "valid_from", from) ||
	    mission_save(s, t, &ev, e))
		goto out;
	if ((v = shown(s, who, report, "status-events", code, e)) < 0)
		goto out;
	if (v)
		json_array_append_new(json_object_get(report, "events"),
				      json_pack("{s:s, s:s, s:s}", "code", code,
						"scope", scope, "from", from));
	json_array_extend(json_object_get(report, "sessions_postponed"), postponed);
	json_object_set_new(report, "enrolments_kept", json_integer(
		json_integer_value(json_object_get(report, "enrolments_kept")) +
		x.enrolments));
	json_object_set_new(report, "assignments_in_scope", json_integer(
		json_integer_value(json_object_get(report, "assignments_in_scope")) +
		assigned));
	ret = 0;
out:
	record_release(&ev);
	json_decref(postponed);
	return ret;
}

static json_t *new_report(const char *action, const char *scope,
			  const char *date, int dry_run)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:[], s:[], s:i, s:i, s:[], s:i}",
			 "action", action, "scope", scope, "date", date,
			 "dry_run", dry_run, "events", "sessions_postponed",
			 "enrolments_kept", 0, "assignments_in_scope", 0,
			 "activities_in_scope", "hidden", 0);
}

static int suspend_tx(struct write_tx *t, void *arg, struct error *e)
{
	struct acting *a = arg;

	return scope_check(a->s, a->who, a->scope, e) ||
	       suspend_in_tx(a->s, a->who, write_tx_rules(t), a->scope, a->date,
			     a->text, a->by, a->report, e) ? -1 : 0;
}

int action_suspend(struct store *s, const struct principal *who,
		   const char *scope, const char *from, const char *reason,
		   const char *ordered_by, int dry_run, json_t **report,
		   struct error *e)
{
	struct acting a = { s, who, scope, from, reason, ordered_by, 0,
			    new_report("suspend", scope, from, dry_run) };

	*report = NULL;
	if (write_action(s, who, "suspend", dry(dry_run), suspend_tx, &a, e)) {
		json_decref(a.report);
		return -1;
	}
	*report = a.report;
	return 0;
}

/* A resumption: the suspensions it ends, the postponed sessions it
 * re-dates. */
struct resuming {
	struct store *s;
	const struct principal *who;
	struct rules_tx *t;
	const char *scope, *on;
	int apply;
	json_t *report;
	struct error *e;
	long nevents;
	char first_from[11];	/* the first suspension's start */
	int first_shown;
	int32_t length;
};

static int end_suspension(void *arg, const struct suspension_row *ev)
{
	struct resuming *x = arg;
	struct record r = { 0 };
	int rc = 0, v;

	if (!x->nevents++)
		snprintf(x->first_from, sizeof(x->first_from), "%s", ev->valid_from);
	if (!ev->valid_to)
		rc = load(x->s, "status-events", ev->code, &r, x->e) <= 0 ||
		     set(&r, "valid_to", x->on) || mission_save(x->s, x->t, &r, x->e);
	record_release(&r);
	if (rc || (v = shown(x->s, x->who, x->report, "status-events", ev->code,
			     x->e)) < 0)
		return -1;
	if (x->nevents == 1)
		x->first_shown = v;
	if (v)
		json_array_append_new(json_object_get(x->report, "events"),
				      json_pack("{s:s, s:s, s:s, s:s}", "code",
						ev->code, "scope", x->scope,
						"from", ev->valid_from, "to", x->on));
	return 0;
}

/* One postponed session as resume reports it, from the planner's entry
 * P (placed, or UNPLACED). */
static json_t *resumed_entry(struct resuming *x, json_t *p, int unplaced)
{
	const char *key = json_string_value(json_object_get(p, "session"));
	const char *old = json_string_value(json_object_get(p, "replaces"));
	struct record r = { 0 };
	json_t *o;

	if (unplaced) {
		const char *from = json_string_value(json_object_get(p, "earliest"));
		char to[11] = "";

		/* Its length, for the dates it was proposed. */
		if (load(x->s, "sessions", key, &r, x->e) > 0)
			date_format(date_days(from) + date_days(rv(&r, "valid_to")) -
				    date_days(rv(&r, "valid_from")), to);
		record_release(&r);
		return json_pack("{s:s, s:O, s:O, s:s, s:s, s:O, s:O}",
			"session", key, "course", json_object_get(p, "course"),
			"was_from", json_object_get(p, "was_from"),
			"proposed_from", from, "proposed_to", to,
			"not_replanned", json_object_get(p, "reason"),
			"reason", json_object_get(p, "missing"));
	}
	o = json_pack("{s:s, s:O, s:O, s:O, s:O}", "session", old ? old : key,
		      "course", json_object_get(p, "course"),
		      "was_from", json_object_get(p, "was_from"),
		      "proposed_from", json_object_get(p, "from"),
		      "proposed_to", json_object_get(p, "to"));
	if (o && x->apply)
		json_object_set_new(o, "replanned_as", json_string(key));
	return o;
}

static int by_was_from(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "was_from")),
		       json_string_value(json_object_get(y, "was_from")));

	return c ? c : strcmp(json_string_value(json_object_get(x, "session")),
			      json_string_value(json_object_get(y, "session")));
}

/* The planner's answer as resume's "sessions", in the order they were
 * due. */
static int resume_sessions(struct resuming *x, json_t *plan)
{
	json_t *placed = json_object_get(plan, "sessions");
	json_t *left = json_object_get(plan, "unplaced");
	size_t n = json_array_size(placed) + json_array_size(left), k = 0, i;
	json_t **v = calloc(n + 1, sizeof(*v)), *p;
	int ret = -1;

	if (!v)
		return error_set(x->e, ERR_NOMEM, "out of memory");
	json_array_foreach(placed, i, p)
		if (!(v[k++] = resumed_entry(x, p, 0)))
			goto out;
	json_array_foreach(left, i, p)
		if (!(v[k++] = resumed_entry(x, p, 1)))
			goto out;
	qsort(v, n, sizeof(*v), by_was_from);
	for (i = 0; i < n; i++) {
		json_array_append_new(json_object_get(x->report, "sessions"), v[i]);
		v[i] = NULL;
	}
	hide(x->report, json_integer_value(json_object_get(plan, "hidden")));
	ret = 0;
out:
	for (i = 0; i < n; i++)
		json_decref(v[i]);
	free(v);
	return ret ? error_set(x->e, ERR_NOMEM, "out of memory") : 0;
}

/*
 * Re-plan the postponed sessions through the planner: each as early as
 * its proposed day (shifted by the suspension if it was due during it,
 * else its own), with trainers, a classroom and the host unit free of
 * every session that runs and of each other. One that cannot be placed
 * stays postponed, with the planner's reason.
 */
static int replan_postponed(struct resuming *x)
{
	char to[11];
	struct planner_opts o = {
		.from = x->on, .to = to, .postponed = 1, .apply = x->apply,
		.scope = x->scope, .since = x->first_from, .resume = 1,
		.shift = (int)x->length,
	};
	json_t *plan = NULL;
	int rc;

	date_format(date_days(x->on) + PLAN_RESUME_DAYS, to);
	rc = plan_sessions_in_tx(x->s, x->who, x->t, &o, &plan, x->e) ||
	     resume_sessions(x, plan);
	json_decref(plan);
	return rc ? -1 : 0;
}

static int resume_work(struct store *s, const struct principal *who,
		       struct rules_tx *t, const char *scope, const char *on,
		       int apply, json_t *report, struct error *e)
{
	struct resuming x = { s, who, t, scope, on, apply, report, e, 0, "",
			      0, 0 };

	/* The suspensions in force on the day, or one that ended that day
	 * (a resume run again, say with --apply after looking). */
	if (store_scope_suspensions_each(s, MISSION, scope, on, end_suspension,
					 &x, e))
		return -1;
	if (!x.nevents)
		return error_set(e, ERR_INPUT, "no suspension of %s is in force "
				 "on %s", scope, on);
	x.length = date_days(on) - date_days(x.first_from);
	if (x.first_shown) {
		json_object_set_new(report, "suspended_from",
				    json_string(x.first_from));
		json_object_set_new(report, "days_suspended",
				    json_integer(x.length));
	}
	return replan_postponed(&x);
}

static json_t *resume_report(const char *scope, const char *on, int apply,
			     int dry_run)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:[], s:[], s:[], s:i}",
			 "action", "resume", "scope", scope, "date", on,
			 "applied", apply, "dry_run", dry_run, "events",
			 "sessions", "trainers_dropped", "hidden", 0);
}

int resume_in_tx(struct store *s, const struct principal *who,
		 struct rules_tx *t, const char *scope, const char *on,
		 int apply, json_t **report, struct error *e)
{
	json_t *r = resume_report(scope, on, apply, 0);

	*report = NULL;
	if (resume_work(s, who, t, scope, on, apply, r, e)) {
		json_decref(r);
		return -1;
	}
	*report = r;
	return 0;
}

static int resume_tx(struct write_tx *t, void *arg, struct error *e)
{
	struct acting *a = arg;

	return scope_check(a->s, a->who, a->scope, e) ||
	       resume_work(a->s, a->who, write_tx_rules(t), a->scope, a->date,
			   a->flag, a->report, e) ? -1 : 0;
}

int action_resume(struct store *s, const struct principal *who,
		  const char *scope, const char *on, int apply, int dry_run,
		  json_t **report, struct error *e)
{
	struct acting a = { s, who, scope, on, NULL, NULL, apply,
			    resume_report(scope, on, apply, dry_run) };

	*report = NULL;
	if (write_action(s, who, "resume", dry(dry_run), resume_tx, &a, e)) {
		json_decref(a.report);
		return -1;
	}
	*report = a.report;
	return 0;
}

/*==== Consent ==========================================================*/

static int consent_scope(json_t *sites, const char *list, char *out, size_t n)
{
	(void)out;
	(void)n;
	if (!list || !*list) {
		json_array_append_new(sites, json_string("mission"));
		return 0;
	}
	{
		char *copy = strdup(list), *p, *next;
		char buf[96];

		if (!copy)
			return -1;
		for (p = copy; p; p = next) {
			next = strchr(p, ';');
			if (next)
				*next++ = '\0';
			snprintf(buf, sizeof(buf), "site:%s", p);
			json_array_append_new(sites, json_string(buf));
		}
		free(copy);
	}
	return 0;
}

/* Ending a consent: the mission's assignments under it end that day. */
struct ending {
	struct store *s;
	const struct principal *who;
	struct rules_tx *t;
	const char *on;
	json_t *report;
	struct error *e;
};

static int end_assignment(void *arg, const struct assignment_row *row)
{
	struct ending *x = arg;
	json_t *ended = json_object_get(x->report, "assignments_ended");
	json_t *future = json_object_get(x->report, "assignments_not_started");
	struct record a = { 0 };
	int rc = 0, v;

	/* Not begun: it cannot end before it starts. */
	if (strcmp(row->valid_from, x->on) < 0)
		rc = load(x->s, "assignments", row->key, &a, x->e) <= 0 ||
		     set(&a, "valid_to", x->on) || mission_save(x->s, x->t, &a, x->e);
	record_release(&a);
	if (rc || (v = shown(x->s, x->who, x->report, "assignments", row->key,
			     x->e)) < 0)
		return -1;
	if (v)
		json_array_append_new(strcmp(row->valid_from, x->on) < 0 ?
				      ended : future, json_string(row->key));
	return 0;
}

static int end_consent(struct store *s, const struct principal *who,
		       struct rules_tx *t, struct record *c, const char *verb,
		       const char *on, json_t *report, struct error *e)
{
	struct postponing px = { s, who, t, report,
				 json_object_get(report, "sessions_postponed"),
				 0, e };
	struct ending ex = { s, who, t, on, report, e };
	json_t *scopes = json_array(), *sc;
	char reason[160];
	size_t i;
	int ret = -1;

	/* Everything under it, seen by the caller or not. */
	if (store_sessions_under_consent_each(s, MISSION, on, rv(c, "sites"),
					      rv(c, "activity_kinds"),
					      postpone_one, &px, e))
		goto out;
	json_object_set_new(report, "enrolments_kept", json_integer(px.enrolments));
	if (store_assignments_under_consent_each(s, MISSION, on, rv(c, "sites"),
						 rv(c, "activity_kinds"),
						 end_assignment, &ex, e) ||
	    list_activities(s, who, on, NULL, rv(c, "sites"),
			    rv(c, "activity_kinds"), report, e))
		goto out;
	snprintf(reason, sizeof(reason), "consent %s %s", c->key,
		 !strcmp(verb, "withdraw") ? "withdrawn" : "suspended");
	consent_scope(scopes, rv(c, "sites"), NULL, 0);
	json_array_foreach(scopes, i, sc) {
		struct record ev = { 0 };
		char code[96], prefix[96];
		const char *scope = json_string_value(sc);
		int rc, v = 0;

		snprintf(prefix, sizeof(prefix), "CONSENT-%s-%s-%s", c->key, on,
			 strchr(scope, ':') ? strchr(scope, ':') + 1 : "MISSION");
		rc = next_event_code(s, prefix, code, sizeof(code), e) ||
		     record_init(&ev, kind_find("status-events")) ||
		     set(&ev, "code", code) || set(&ev, "action", "suspend") ||
		     set(&ev, "scope", scope) || set(&ev, "reason", reason) ||
		     set(&ev, "ordered_by", "host government") ||
		     set(&ev, "valid_from", on) || mission_save(s, t, &ev, e) ||
		     (v = shown(s, who, report, "status-events", code, e)) < 0;
		if (!rc && v)
			json_array_append_new(json_object_get(report, "events"),
					      json_pack("{s:s, s:s, s:s}", "code", code,
							"scope", scope, "from", on));
		record_release(&ev);
		if (rc)
			goto out;
	}
	if (set(c, "valid_to", on) ||
	    set(c, "state", !strcmp(verb, "withdraw") ? "withdrawn" : "suspended") ||
	    mission_save(s, t, c, e))
		goto out;
	ret = 0;
out:
	json_decref(scopes);
	return ret;
}

static int end_regranted(void *arg, const struct suspension_row *row)
{
	struct ending *x = arg;
	struct record ev = { 0 };
	int rc = load(x->s, "status-events", row->code, &ev, x->e) <= 0 ||
		 set(&ev, "valid_to", x->on) || mission_save(x->s, x->t, &ev, x->e);
	int v;

	record_release(&ev);
	if (rc || (v = shown(x->s, x->who, x->report, "status-events", row->code,
			     x->e)) < 0)
		return -1;
	if (v)
		json_array_append_new(json_object_get(x->report, "events"),
				      json_pack("{s:s, s:s, s:s, s:s}", "code",
						row->code, "scope", row->scope,
						"from", row->valid_from, "to", x->on));
	return 0;
}

static int regrant(struct store *s, const struct principal *who,
		   struct rules_tx *t, struct record *c, const char *on,
		   json_t *report, struct error *e)
{
	struct ending x = { s, who, t, on, report, e };
	struct record n = { 0 };
	char code[96], reason[160];
	int ret = -1;

	if (!strcmp(rv(c, "state"), "granted") || !rv(c, "valid_to")) {
		error_set(e, ERR_INPUT, "consent %s is in force: nothing to grant",
			  c->key);
		goto out;
	}
	if (!strcmp(rv(c, "state"), "withdrawn")) {
		error_set(e, ERR_INPUT, "consent %s was withdrawn on %s; a new "
			  "consent is a new record (import it)", c->key,
			  rv(c, "valid_to"));
		goto out;
	}
	/* Not "/": a key of its own may not hold it (docs/data.md). */
	snprintf(code, sizeof(code), "%s@%s", c->key, on);
	if (record_init(&n, c->kind))
		goto out;
	for (size_t f = 0; f < c->kind->nfields; f++)
		record_set(&n, f, c->v[f]);
	set(&n, "code", code);
	set(&n, "state", "granted");
	set(&n, "valid_from", on);
	set(&n, "valid_to", NULL);
	if (mission_save(s, t, &n, e))
		goto out;
	json_object_set_new(report, "consent_granted", json_string(code));
	snprintf(reason, sizeof(reason), "consent %s suspended", c->key);
	/* The suspensions its end ordered, every one. */
	if (store_suspensions_for_each(s, MISSION, reason, on, end_regranted, &x,
				       e))
		goto out;
	ret = 0;
out:
	record_release(&n);
	return ret;
}

/* Grant, suspend or withdraw consent a->text on a->date (verb a->scope). */
static int consent_tx(struct write_tx *t, void *arg, struct error *e)
{
	struct acting *a = arg;
	const char *verb = a->scope, *id = a->text, *on = a->date;
	struct record c = { 0 };
	int rc, ret = -1;

	rc = load_named(a->s, a->who, "consents", id, &c, e);
	if (rc <= 0) {
		if (!rc)
			error_set(e, ERR_NOTFOUND, "no consent '%s'", id);
		goto out;
	}
	if (strcmp(verb, "grant")) {
		if (strcmp(rv(&c, "valid_from"), on) >= 0 ||
		    (rv(&c, "valid_to") && strcmp(rv(&c, "valid_to"), on) <= 0) ||
		    strcmp(rv(&c, "state"), "granted")) {
			error_set(e, ERR_INPUT, "consent %s is not in force on %s "
				  "(%s, %s to %s)", id, on, rv(&c, "state"),
				  rv(&c, "valid_from"),
				  rv(&c, "valid_to") ? rv(&c, "valid_to") : "open end");
			goto out;
		}
		if (end_consent(a->s, a->who, write_tx_rules(t), &c, verb, on,
				a->report, e))
			goto out;
	} else if (regrant(a->s, a->who, write_tx_rules(t), &c, on, a->report,
			   e)) {
		goto out;
	}
	ret = 0;
out:
	record_release(&c);
	return ret;
}

int action_consent(struct store *s, const struct principal *who,
		   const char *verb, const char *id, const char *on,
		   int dry_run, json_t **report, struct error *e)
{
	struct acting a = { s, who, verb, on, id, NULL, 0, NULL };

	*report = NULL;
	if (strcmp(verb, "grant") && strcmp(verb, "suspend") &&
	    strcmp(verb, "withdraw"))
		return error_set(e, ERR_USAGE, "consent: grant, suspend or "
				 "withdraw, not '%s'", verb);
	a.report = json_pack("{s:s, s:s, s:s, s:b, s:[], s:[], s:i, s:[], s:[], s:[], s:i}",
			     "action", verb, "consent", id, "date", on,
			     "dry_run", dry_run, "events", "sessions_postponed",
			     "enrolments_kept", 0, "assignments_ended",
			     "assignments_not_started", "activities_in_scope",
			     "hidden", 0);
	if (write_action(s, who, "consent", dry(dry_run), consent_tx, &a, e)) {
		json_decref(a.report);
		return -1;
	}
	*report = a.report;
	return 0;
}

/*==== Transfer =========================================================*/

/* A transfer with personnel: the previous owner's people move. */
struct moving {
	struct store *s;
	const struct principal *who;
	struct rules_tx *t;
	const char *to_org, *on;
	json_t *report, *moved, *by_nation;
	struct error *e;
};

static int move_holder(void *arg, const struct holder_row *row)
{
	struct moving *x = arg;
	struct store *s = x->s;
	struct rules_tx *t = x->t;
	struct error *e = x->e;
	struct record old = { 0 }, post = { 0 }, a = { 0 };
	char number[64];
	int rc, v = 0;

	/* The post passes to the new owner: the old one ends on the day, a
	 * new one of the new owner begins. */
	snprintf(number, sizeof(number), "%s@%s", row->post, x->to_org);
	rc = load(s, "posts", row->post, &post, e) <= 0;
	if (!rc && !store_exists(s, post.kind, number, e)) {
		struct record np = { 0 };

		rc = record_init(&np, post.kind);
		for (size_t f = 0; !rc && f < post.kind->nfields; f++)
			record_set(&np, f, post.v[f]);
		rc = rc || set(&np, "number", number) ||
		     set(&np, "organisation", x->to_org) ||
		     set(&np, "valid_from", x->on) || mission_save(s, t, &np, e);
		record_release(&np);
		rc = rc || set(&post, "valid_to", x->on) ||
		     mission_save(s, t, &post, e);
	}
	rc = rc || load(s, "assignments", row->key, &old, e) <= 0 ||
	     set(&old, "valid_to", x->on) || mission_save(s, t, &old, e) ||
	     record_init(&a, old.kind) ||
	     set(&a, "person", row->person) ||
	     set(&a, "post", number) || set(&a, "valid_from", x->on) ||
	     set(&a, "valid_to", row->valid_to) ||
	     mission_save(s, t, &a, e) ||
	     (v = shown(s, x->who, x->report, "persons", row->person, e)) < 0;
	if (!rc && v) {
		json_array_append_new(x->moved, json_pack("{s:s, s:s, s:s, s:s}",
			"person", row->person, "nation", row->nation,
			"from_post", row->post, "to_post", number));
		json_object_set_new(x->by_nation, row->nation, json_integer(
			json_integer_value(json_object_get(x->by_nation,
							   row->nation)) + 1));
	}
	record_release(&old);
	record_release(&post);
	record_release(&a);
	return rc ? -1 : 0;
}

/* A session the transfer brings under the mission's rules on a day a
 * suspension of the mission stops them: postponed, as `cadre suspend`
 * would have postponed it. */
static int postpone_if_stopped(void *arg, const char *key)
{
	struct postponing *x = arg;
	struct record r = { 0 };
	struct error why;
	int rc;

	error_init(&why);
	if (load(x->s, "sessions", key, &r, x->e) <= 0) {
		record_release(&r);
		return -1;
	}
	rc = rules_check(x->s, &r, &why);
	record_release(&r);
	if (rc && why.code == ERR_RULE && why.rule &&
	    !strcmp(why.rule, "SUSPENDED")) {
		error_release(&why);
		return postpone_one(x, key);
	}
	error_release(&why);
	return 0;	/* anything else is the guard's to refuse */
}

int transfer_in_tx(struct store *s, const struct principal *who,
		   struct rules_tx *t, const char *activity, const char *to_org,
		   const char *on, int with_personnel, json_t **report,
		   struct error *e)
{
	struct record act = { 0 }, org = { 0 };
	struct moving x = { s, who, t, to_org, on, NULL, NULL, NULL, e };
	char from_org[64];
	json_t *r = NULL;
	long long sessions = 0, enrolments = 0, all_sessions, all_enrolments;
	char day_before[11];
	int ret = -1, rc;

	*report = NULL;
	if ((rc = load_named(s, who, "activities", activity, &act, e)) <= 0) {
		if (!rc)
			error_set(e, ERR_NOTFOUND, "no activity '%s'", activity);
		goto out;
	}
	if ((rc = load_named(s, who, "organisations", to_org, &org, e)) <= 0) {
		if (!rc)
			error_set(e, ERR_NOTFOUND, "no organisation '%s'", to_org);
		goto out;
	}
	if (rv(&act, "previous_owner")) {
		error_set(e, ERR_INPUT, "activity %s was already transferred from "
			  "%s to %s on %s", act.key, rv(&act, "previous_owner"),
			  rv(&act, "owner"), rv(&act, "owner_from"));
		goto out;
	}
	snprintf(from_org, sizeof(from_org), "%s", rv(&act, "owner"));
	if (!strcmp(from_org, to_org)) {
		error_set(e, ERR_INPUT, "activity %s is already owned by %s",
			  act.key, to_org);
		goto out;
	}
	if (strcmp(on, rv(&act, "valid_from")) <= 0) {
		error_set(e, ERR_INPUT, "activity %s starts on %s: a transfer must "
			  "come after", act.key, rv(&act, "valid_from"));
		goto out;
	}
	date_format(date_days(on) - 1, day_before);
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i}", "action", "transfer",
		      "activity", act.key, "from", from_org, "to", to_org,
		      "on", on, "with_personnel", with_personnel, "hidden", 0);
	x.report = r;
	x.moved = json_array();
	x.by_nation = json_object();
	json_object_set_new(r, "people_moved", x.moved);
	json_object_set_new(r, "people_by_nation", x.by_nation);
	if (set(&act, "previous_owner", from_org) || set(&act, "owner", to_org) ||
	    set(&act, "owner_from", on) || mission_save(s, t, &act, e))
		goto out;
	/* What moves with it: the caller's count, and the rest hidden. */
	if (store_activity_future(s, MISSION, act.key, on, &all_sessions,
				  &all_enrolments, e) ||
	    store_activity_future(s, who, act.key, on, &sessions, &enrolments, e))
		goto out;
	json_object_set_new(r, "sessions_moved", json_integer(sessions));
	json_object_set_new(r, "enrolments_moved", json_integer(enrolments));
	hide(r, all_sessions - sessions + all_enrolments - enrolments);
	{
		char scope[96];
		struct postponing px = { s, who, t, r, json_array(), 0, e };

		json_object_set_new(r, "sessions_postponed", px.list);
		snprintf(scope, sizeof(scope), "activity:%s", act.key);
		if (store_sessions_in_scope_each(s, MISSION, scope, on, NULL, 0,
						 postpone_if_stopped, &px, e))
			goto out;
	}
	/* The previous owner's people on posts of this activity: at its
	 * site, doing its kind of work, on post on the day. */
	if (with_personnel && rv(&act, "site") &&
	    store_post_holders_each(s, MISSION, from_org, rv(&act, "site"),
				    rv(&act, "kind"), on, move_holder, &x, e))
		goto out;
	json_object_set_new(r, "people_reassigned", json_integer(
		(json_int_t)json_array_size(x.moved)));
	json_object_set_new(r, "owner_on_day_before", json_pack("{s:s, s:s}",
		"date", day_before, "owner", from_org));
	*report = r;
	r = NULL;
	ret = 0;
out:
	json_decref(r);
	record_release(&act);
	record_release(&org);
	return ret;
}

static int transfer_tx(struct write_tx *t, void *arg, struct error *e)
{
	struct acting *a = arg;

	return transfer_in_tx(a->s, a->who, write_tx_rules(t), a->scope, a->text,
			      a->date, a->flag, &a->report, e);
}

int action_transfer(struct store *s, const struct principal *who,
		    const char *activity, const char *to_org, const char *on,
		    int with_personnel, int dry_run, json_t **report,
		    struct error *e)
{
	struct acting a = { s, who, activity, on, to_org, NULL,
			    with_personnel, NULL };

	*report = NULL;
	if (write_action(s, who, "transfer", dry(dry_run), transfer_tx, &a,
			 e)) {
		json_decref(a.report);
		return -1;
	}
	json_object_set_new(a.report, "dry_run", json_boolean(dry_run));
	*report = a.report;
	return 0;
}
