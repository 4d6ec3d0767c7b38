/* Suspend, resume, consent changes and transfer; see actions.h. */
#include "core/actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/date.h"

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

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Check SCOPE names something that exists. */
static int scope_check(struct store *s, const char *scope, struct error *e)
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
	if (rc < 0)
		return -1;
	if (!rc)
		return error_set(e, ERR_NOTFOUND, "scope '%s': no such %s", scope,
				 kind_find(kind)->label);
	return 0;
}

static int finish(struct store *s, struct rules_tx *t, int dry_run,
		  struct error *e)
{
	if (rules_finish(s, t, e))
		return -1;
	if (dry_run) {
		store_rollback(s);
		return 0;
	}
	return store_commit(s, e);
}

/* Postpone the sessions in ROWS (each with "key"); add them to LIST with
 * their enrolment counts. */
static int postpone(struct store *s, struct rules_tx *t, json_t *rows,
		    json_t *list, long *enrolments, struct error *e)
{
	static const char count_sql[] =
		"SELECT count(*) FROM enrolment WHERE session = ?1";
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		struct record r;
		const char *key = jstr(row, "key");
		long long n;
		int rc;

		if (load(s, "sessions", key, &r, e) <= 0) {
			record_release(&r);
			return -1;
		}
		rc = set(&r, "status", "postponed") || mission_save(s, t, &r, e);
		if (!rc)
			rc = store_int(s, count_sql, &key, 1, &n, e);
		if (!rc) {
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:I}",
				"session", key, "course", rv(&r, "course"),
				"from", rv(&r, "valid_from"), "to", rv(&r, "valid_to"),
				"enrolments", (json_int_t)n));
			*enrolments += (long)n;
		}
		record_release(&r);
		if (rc)
			return -1;
	}
	return 0;
}

/* Sessions in SCOPE that would run on or after FROM. */
static const char sessions_in_scope_sql[] =
	SQL_MISSION_CTE
	"SELECT s.key FROM session s JOIN course c ON c.code = s.course"
	" JOIN activity a ON a.code = c.activity"
	" WHERE s.status IN ('planned', 'running') AND s.valid_to > ?1"
	" AND (?2 = 'mission' OR ?2 = 'site:' || s.site"
	" OR ?2 = 'activity:' || c.activity) AND" SQL_SESSION_OF_MISSION
	" ORDER BY s.valid_from, s.key";

/* Mission assignments in SCOPE in force on or after FROM. */
static const char assignments_in_scope_sql[] =
	SQL_MISSION_CTE
	"SELECT count(*) FROM assignment a JOIN post p ON p.number = a.post"
	" LEFT JOIN activity act ON act.code = substr(?2, 10)"
	" WHERE p.organisation IN (SELECT code FROM mission)"
	" AND (a.valid_to IS NULL OR a.valid_to > ?1)"
	" AND (?2 = 'mission' OR ?2 = 'site:' || p.site"
	" OR (act.code IS NOT NULL AND p.site = act.site"
	" AND p.function = act.kind))";

/* Activities in force on or after ?1 within a scope (?2) or under a
 * consent's sites (?3, NULL: all) and kinds (?4). */
static const char activities_in_scope_sql[] =
	"SELECT code FROM activity a WHERE (a.valid_to IS NULL OR a.valid_to > ?1)"
	" AND (CASE WHEN ?2 IS NOT NULL THEN ?2 = 'mission'"
	"  OR ?2 = 'site:' || a.site OR ?2 = 'activity:' || a.code"
	"  ELSE (?3 IS NULL OR instr(';' || ?3 || ';', ';' || a.site || ';'))"
	"  AND instr(';' || ?4 || ';', ';' || a.kind || ';') END)"
	" ORDER BY code";

static int list_activities(struct store *s, const char *from, const char *scope,
			   const char *sites, const char *akinds, json_t *report,
			   struct error *e)
{
	const char *p[4] = { from, scope, sites, akinds };
	json_t *rows, *row, *list = json_object_get(report, "activities_in_scope");
	size_t i;

	if (store_rows(s, activities_in_scope_sql, p, 4, &rows, e))
		return -1;
	json_array_foreach(rows, i, row)
		json_array_append(list, json_object_get(row, "code"));
	json_decref(rows);
	return 0;
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

static int suspend_in_tx(struct store *s, struct rules_tx *t,
			 const char *scope, const char *from,
			 const char *reason, const char *ordered_by,
			 json_t *report, struct error *e)
{
	const char *p[2] = { from, scope };
	json_t *rows = NULL, *postponed = json_array();
	struct record ev = { 0 };
	char code[96], prefix[80];
	long enrolments = 0;
	long long assigned;
	int ret = -1;

	if (store_rows(s, sessions_in_scope_sql, p, 2, &rows, e) ||
	    postpone(s, t, rows, postponed, &enrolments, e) ||
	    store_int(s, assignments_in_scope_sql, p, 2, &assigned, e) ||
	    list_activities(s, from, scope, NULL, NULL, report, e))
		goto out;
	snprintf(prefix, sizeof(prefix), "SUSP-%s-%s", from,
		 !strcmp(scope, "mission") ? "MISSION" : strchr(scope, ':') + 1);
	if (next_event_code(s, prefix, code, sizeof(code), e) ||
	    record_init(&ev, kind_find("status-events")) ||
	    set(&ev, "code", code) || set(&ev, "action", "suspend") ||
	    set(&ev, "scope", scope) || set(&ev, "reason", reason) ||
	    set(&ev, "ordered_by", ordered_by) || set(&ev, "valid_from", from) ||
	    mission_save(s, t, &ev, e))
		goto out;
	json_array_append_new(json_object_get(report, "events"),
			      json_pack("{s:s, s:s, s:s}", "code", code,
					"scope", scope, "from", from));
	json_array_extend(json_object_get(report, "sessions_postponed"), postponed);
	json_object_set_new(report, "enrolments_kept", json_integer(
		json_integer_value(json_object_get(report, "enrolments_kept")) +
		enrolments));
	json_object_set_new(report, "assignments_in_scope", json_integer(
		json_integer_value(json_object_get(report, "assignments_in_scope")) +
		assigned));
	ret = 0;
out:
	record_release(&ev);
	json_decref(rows);
	json_decref(postponed);
	return ret;
}

static json_t *new_report(const char *action, const char *scope,
			  const char *date, int dry_run)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:[], s:[], s:i, s:i, s:[]}",
			 "action", action, "scope", scope, "date", date,
			 "dry_run", dry_run, "events", "sessions_postponed",
			 "enrolments_kept", 0, "assignments_in_scope", 0,
			 "activities_in_scope");
}

int action_suspend(struct store *s, const char *scope, const char *from,
		   const char *reason, const char *ordered_by, int dry_run,
		   json_t **report, struct error *e)
{
	struct rules_tx t;
	json_t *r = new_report("suspend", scope, from, dry_run);

	*report = NULL;
	rules_tx_init(&t);
	if (scope_check(s, scope, e) || store_begin(s, e))
		goto fail;
	if (suspend_in_tx(s, &t, scope, from, reason, ordered_by, r, e) ||
	    finish(s, &t, dry_run, e)) {
		store_rollback(s);
		goto fail;
	}
	*report = r;
	return 0;
fail:
	json_decref(r);
	return -1;
}

/* Write a copy of session OLD at NEW_FROM (same length), naming OLD as
 * the one it replaces, with OLD's trainees. Trainers whom a rule no
 * longer allows on the new dates are left off and listed in DROPPED. */
static int replan_session(struct store *s, struct rules_tx *t,
			  struct record *old, int32_t new_from, json_t *dropped,
			  char key_out[64], struct error *e)
{
	static const char enrolled_sql[] =
		"SELECT trainee, classification, releasability FROM enrolment"
		" WHERE session = ?1 ORDER BY id";
	int32_t len = date_days(rv(old, "valid_to")) - date_days(rv(old, "valid_from"));
	struct record r = { 0 };
	char from[11], to[11];
	const char *okey = old->key;
	json_t *rows = NULL, *row;
	size_t i;
	int ret = -1;

	for (;;) {	/* a free start date for this course */
		int rc;

		date_format(new_from, from);
		snprintf(key_out, 64, "%s/%s", rv(old, "course"), from);
		rc = store_exists(s, old->kind, key_out, e);
		if (rc < 0)
			return -1;
		if (!rc)
			break;
		new_from++;
	}
	date_format(new_from + len, to);
	if (record_init(&r, old->kind))
		return error_set(e, ERR_NOMEM, "out of memory");
	for (size_t f = 0; f < old->kind->nfields; f++)
		record_set(&r, f, old->v[f]);
	set(&r, "valid_from", from);
	set(&r, "valid_to", to);
	set(&r, "status", "planned");
	set(&r, "replaces", okey);
	for (;;) {
		const char *tr;

		if (!mission_save(s, t, &r, e))
			break;
		tr = rv(&r, "trainers");	/* after: validation rewrites values */
		/* Drop a trainer a rule refuses on the new dates; retry. */
		if (e->code != ERR_RULE || !tr || e->nrecords < 2 ||
		    (strcmp(e->rule, "QUALIFICATION") && strcmp(e->rule, "CAVEAT")))
			goto out;
		{
			struct buf b = BUF_INIT;
			char *list = strdup(tr), *p, *next;
			const char *who = e->records[1];

			json_array_append_new(dropped, json_pack("{s:s, s:s, s:s}",
				"session", key_out, "trainer", who, "rule", e->rule));
			for (p = list; p; p = next) {
				next = strchr(p, ';');
				if (next)
					*next++ = '\0';
				if (strcmp(p, who))
					buf_addf(&b, "%s%s", b.len ? ";" : "", p);
			}
			set(&r, "trainers", b.len ? buf_str(&b) : NULL);
			set(&r, "lead_instructor", NULL);
			free(list);
			buf_release(&b);
			error_release(e);
			error_init(e);
		}
	}
	if (store_rows(s, enrolled_sql, &okey, 1, &rows, e))
		goto out;
	json_array_foreach(rows, i, row) {
		struct record en = { 0 };
		int rc = record_init(&en, kind_find("enrolments")) ||
			 set(&en, "session", key_out) ||
			 set(&en, "trainee", jstr(row, "trainee")) ||
			 set(&en, "classification", jstr(row, "classification")) ||
			 set(&en, "releasability", jstr(row, "releasability")) ||
			 mission_save(s, t, &en, e);

		record_release(&en);
		if (rc)
			goto out;
	}
	ret = 0;
out:
	json_decref(rows);
	record_release(&r);
	return ret;
}

static int resume_work(struct store *s, struct rules_tx *t, const char *scope,
		       const char *on, int apply, json_t *report,
		       struct error *e)
{
	/* The suspension in force on the day, or one that ended that day
	 * (a resume run again, say with --apply after looking). */
	static const char events_sql[] =
		"SELECT code, valid_from, valid_to FROM status_event"
		" WHERE action = 'suspend' AND scope = ?1 AND valid_from < ?2"
		" AND (valid_to IS NULL OR valid_to >= ?2) ORDER BY valid_from";
	static const char postponed_sql[] =
		SQL_MISSION_CTE
		"SELECT s.key FROM session s JOIN course c ON c.code = s.course"
		" JOIN activity a ON a.code = c.activity"
		" WHERE s.status = 'postponed' AND s.valid_to > ?1"
		" AND (?3 = 'mission' OR ?3 = 'site:' || s.site"
		" OR ?3 = 'activity:' || c.activity) AND" SQL_SESSION_OF_MISSION
		" AND NOT EXISTS"
		" (SELECT 1 FROM session n WHERE n.replaces = s.key)"
		" ORDER BY s.valid_from, s.key";
	const char *p[3] = { scope, on, NULL };
	json_t *events = NULL, *rows = NULL, *ev, *row;
	json_t *sessions = json_object_get(report, "sessions");
	json_t *dropped = json_object_get(report, "trainers_dropped");
	int32_t length, start;
	size_t i;
	int ret = -1;

	if (store_rows(s, events_sql, p, 2, &events, e))
		goto out;
	if (!json_array_size(events)) {
		error_set(e, ERR_INPUT, "no suspension of %s is in force on %s",
			  scope, on);
		goto out;
	}
	start = date_days(jstr(json_array_get(events, 0), "valid_from"));
	length = date_days(on) - start;
	json_object_set_new(report, "suspended_from", json_string(
		jstr(json_array_get(events, 0), "valid_from")));
	json_object_set_new(report, "days_suspended", json_integer(length));
	json_array_foreach(events, i, ev) {
		struct record r = { 0 };
		int rc = 0;

		if (!jstr(ev, "valid_to"))
			rc = load(s, "status-events", jstr(ev, "code"), &r, e) <= 0 ||
			     set(&r, "valid_to", on) || mission_save(s, t, &r, e);
		record_release(&r);
		if (rc)
			goto out;
		json_array_append_new(json_object_get(report, "events"),
				      json_pack("{s:s, s:s, s:s, s:s}", "code",
						jstr(ev, "code"), "scope", scope,
						"from", jstr(ev, "valid_from"),
						"to", on));
	}
	p[0] = jstr(json_array_get(events, 0), "valid_from");
	p[1] = on;
	p[2] = scope;
	if (store_rows(s, postponed_sql, p, 3, &rows, e))
		goto out;
	json_array_foreach(rows, i, row) {
		struct record old = { 0 };
		int32_t nf;
		char nfrom[11], nto[11], newkey[64] = "";
		int rc;

		if (load(s, "sessions", jstr(row, "key"), &old, e) <= 0) {
			record_release(&old);
			goto out;
		}
		nf = date_days(rv(&old, "valid_from"));
		if (nf < date_days(on)) {
			/* It was due during the suspension: shift it by the
			 * suspension's length, and not before the resumption. */
			nf += length;
			if (nf < date_days(on))
				nf = date_days(on);
		}
		date_format(nf, nfrom);
		date_format(nf + date_days(rv(&old, "valid_to")) -
			    date_days(rv(&old, "valid_from")), nto);
		rc = apply ? store_savepoint(s, e) : 0;
		if (!apply || rc) {
			/* proposals only, or failed */
		} else if (nf == date_days(rv(&old, "valid_from"))) {
			/* Due after the resumption: it runs as planned. */
			rc = set(&old, "status", "planned") || mission_save(s, t, &old, e);
			snprintf(newkey, sizeof(newkey), "%s", old.key);
		} else {
			rc = replan_session(s, t, &old, nf, dropped, newkey, e);
		}
		if (apply && rc && e->code == ERR_RULE) {
			/* Another rule stands in the way (a later suspension, a
			 * lapsed consent): leave it postponed and say why. */
			store_savepoint_rollback(s);
			json_array_append_new(sessions, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				"session", old.key, "course", rv(&old, "course"),
				"was_from", rv(&old, "valid_from"), "proposed_from", nfrom,
				"proposed_to", nto, "not_replanned", e->rule,
				"reason", e->message));
			error_release(e);
			error_init(e);
			record_release(&old);
			continue;
		}
		if (apply && !rc)
			rc = store_savepoint_release(s, e);
		json_array_append_new(sessions, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}",
			"session", old.key, "course", rv(&old, "course"),
			"was_from", rv(&old, "valid_from"), "proposed_from", nfrom,
			"proposed_to", nto, "replanned_as", apply ? newkey : NULL));
		record_release(&old);
		if (rc)
			goto out;
	}
	ret = 0;
out:
	json_decref(events);
	json_decref(rows);
	return ret;
}

static json_t *resume_report(const char *scope, const char *on, int apply,
			     int dry_run)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:[], s:[], s:[]}",
			 "action", "resume", "scope", scope, "date", on,
			 "applied", apply, "dry_run", dry_run, "events",
			 "sessions", "trainers_dropped");
}

int resume_in_tx(struct store *s, struct rules_tx *t, const char *scope,
		 const char *on, int apply, json_t **report, struct error *e)
{
	json_t *r = resume_report(scope, on, apply, 0);

	*report = NULL;
	if (resume_work(s, t, scope, on, apply, r, e)) {
		json_decref(r);
		return -1;
	}
	*report = r;
	return 0;
}

int action_resume(struct store *s, const char *scope, const char *on,
		  int apply, int dry_run, json_t **report, struct error *e)
{
	struct rules_tx t;
	json_t *r = resume_report(scope, on, apply, dry_run);

	*report = NULL;
	rules_tx_init(&t);
	if (scope_check(s, scope, e) || store_begin(s, e))
		goto fail;
	if (resume_work(s, &t, scope, on, apply, r, e) ||
	    finish(s, &t, dry_run, e)) {
		store_rollback(s);
		goto fail;
	}
	*report = r;
	return 0;
fail:
	json_decref(r);
	return -1;
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

static int end_consent(struct store *s, struct rules_tx *t, struct record *c,
		       const char *verb, const char *on, json_t *report,
		       struct error *e)
{
	static const char sessions_sql[] =
		SQL_MISSION_CTE
		"SELECT s.key FROM session s JOIN course c ON c.code = s.course"
		" JOIN activity a ON a.code = c.activity"
		" WHERE s.status IN ('planned', 'running') AND s.valid_to > ?1"
		" AND" SQL_SESSION_OF_MISSION
		" AND (?2 IS NULL OR instr(';' || ?2 || ';', ';' || s.site || ';'))"
		" AND instr(';' || ?3 || ';', ';' || a.kind || ';')"
		" ORDER BY s.valid_from, s.key";
	static const char assignments_sql[] =
		SQL_MISSION_CTE
		"SELECT a.key, a.valid_from FROM assignment a"
		" JOIN post p ON p.number = a.post"
		" WHERE p.organisation IN (SELECT code FROM mission)"
		" AND (a.valid_to IS NULL OR a.valid_to > ?1)"
		" AND (?2 IS NULL OR instr(';' || ?2 || ';', ';' || p.site || ';'))"
		" AND instr(';' || ?3 || ';', ';' || CASE p.function"
		" WHEN 'training' THEN 'training' WHEN 'advising' THEN 'advising'"
		" ELSE 'support' END || ';') ORDER BY a.valid_from, a.key";
	const char *p[3] = { on, rv(c, "sites"), rv(c, "activity_kinds") };
	json_t *rows = NULL, *row, *scopes = json_array(), *sc;
	json_t *ended = json_object_get(report, "assignments_ended");
	json_t *future = json_object_get(report, "assignments_not_started");
	long enrolments = 0;
	char reason[160];
	size_t i;
	int ret = -1;

	if (store_rows(s, sessions_sql, p, 3, &rows, e) ||
	    postpone(s, t, rows, json_object_get(report, "sessions_postponed"),
		     &enrolments, e))
		goto out;
	json_object_set_new(report, "enrolments_kept", json_integer(enrolments));
	json_decref(rows);
	rows = NULL;
	if (store_rows(s, assignments_sql, p, 3, &rows, e))
		goto out;
	json_array_foreach(rows, i, row) {
		struct record a = { 0 };
		int rc;

		if (strcmp(jstr(row, "valid_from"), on) >= 0) {
			/* Not begun: it cannot end before it starts. */
			json_array_append_new(future, json_string(jstr(row, "key")));
			continue;
		}
		rc = load(s, "assignments", jstr(row, "key"), &a, e) <= 0 ||
		     set(&a, "valid_to", on) || mission_save(s, t, &a, e);
		if (!rc)
			json_array_append_new(ended, json_string(a.key));
		record_release(&a);
		if (rc)
			goto out;
	}
	if (list_activities(s, on, NULL, rv(c, "sites"), rv(c, "activity_kinds"),
			    report, e))
		goto out;
	snprintf(reason, sizeof(reason), "consent %s %s", c->key,
		 !strcmp(verb, "withdraw") ? "withdrawn" : "suspended");
	consent_scope(scopes, rv(c, "sites"), NULL, 0);
	json_array_foreach(scopes, i, sc) {
		struct record ev = { 0 };
		char code[96], prefix[96];
		const char *scope = json_string_value(sc);
		int rc;

		snprintf(prefix, sizeof(prefix), "CONSENT-%s-%s-%s", c->key, on,
			 strchr(scope, ':') ? strchr(scope, ':') + 1 : "MISSION");
		rc = next_event_code(s, prefix, code, sizeof(code), e) ||
		     record_init(&ev, kind_find("status-events")) ||
		     set(&ev, "code", code) || set(&ev, "action", "suspend") ||
		     set(&ev, "scope", scope) || set(&ev, "reason", reason) ||
		     set(&ev, "ordered_by", "host government") ||
		     set(&ev, "valid_from", on) || mission_save(s, t, &ev, e);
		if (!rc)
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
	json_decref(rows);
	json_decref(scopes);
	return ret;
}

static int regrant(struct store *s, struct rules_tx *t, struct record *c,
		   const char *on, json_t *report, struct error *e)
{
	static const char events_sql[] =
		"SELECT code, scope, valid_from FROM status_event WHERE action = 'suspend'"
		" AND reason = ?1 AND valid_from <= ?2 AND valid_to IS NULL";
	struct record n = { 0 };
	char code[96], reason[160];
	const char *p[2] = { reason, on };
	json_t *rows = NULL, *row;
	size_t i;
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
	snprintf(code, sizeof(code), "%s/%s", c->key, on);
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
	if (store_rows(s, events_sql, p, 2, &rows, e))
		goto out;
	json_array_foreach(rows, i, row) {
		struct record ev = { 0 };
		int rc = load(s, "status-events", jstr(row, "code"), &ev, e) <= 0 ||
			 set(&ev, "valid_to", on) || mission_save(s, t, &ev, e);

		record_release(&ev);
		if (rc)
			goto out;
		json_array_append_new(json_object_get(report, "events"),
				      json_pack("{s:s, s:s, s:s, s:s}", "code",
						jstr(row, "code"), "scope",
						jstr(row, "scope"), "from",
						jstr(row, "valid_from"), "to", on));
	}
	ret = 0;
out:
	json_decref(rows);
	record_release(&n);
	return ret;
}

int action_consent(struct store *s, const char *verb, const char *id,
		   const char *on, int dry_run, json_t **report,
		   struct error *e)
{
	struct rules_tx t;
	struct record c = { 0 };
	json_t *r = json_pack("{s:s, s:s, s:s, s:b, s:[], s:[], s:i, s:[], s:[], s:[]}",
			      "action", verb, "consent", id, "date", on,
			      "dry_run", dry_run, "events", "sessions_postponed",
			      "enrolments_kept", 0, "assignments_ended",
			      "assignments_not_started", "activities_in_scope");
	int rc;

	*report = NULL;
	rules_tx_init(&t);
	if (strcmp(verb, "grant") && strcmp(verb, "suspend") &&
	    strcmp(verb, "withdraw")) {
		error_set(e, ERR_USAGE, "consent: grant, suspend or withdraw, not '%s'",
			  verb);
		goto fail;
	}
	if (store_begin(s, e))
		goto fail;
	rc = load(s, "consents", id, &c, e);
	if (rc <= 0) {
		if (!rc)
			error_set(e, ERR_NOTFOUND, "no consent '%s'", id);
		goto rollback;
	}
	if (strcmp(verb, "grant")) {
		if (strcmp(rv(&c, "valid_from"), on) >= 0 ||
		    (rv(&c, "valid_to") && strcmp(rv(&c, "valid_to"), on) <= 0) ||
		    strcmp(rv(&c, "state"), "granted")) {
			error_set(e, ERR_INPUT, "consent %s is not in force on %s "
				  "(%s, %s to %s)", id, on, rv(&c, "state"),
				  rv(&c, "valid_from"),
				  rv(&c, "valid_to") ? rv(&c, "valid_to") : "open end");
			goto rollback;
		}
		if (end_consent(s, &t, &c, verb, on, r, e))
			goto rollback;
	} else if (regrant(s, &t, &c, on, r, e)) {
		goto rollback;
	}
	if (finish(s, &t, dry_run, e))
		goto rollback;
	record_release(&c);
	*report = r;
	return 0;
rollback:
	store_rollback(s);
fail:
	record_release(&c);
	json_decref(r);
	return -1;
}

/*==== Transfer =========================================================*/

int transfer_in_tx(struct store *s, struct rules_tx *t, const char *activity,
		   const char *to_org, const char *on, int with_personnel,
		   json_t **report, struct error *e)
{
	static const char future_sql[] =
		"SELECT count(*) AS sessions, (SELECT count(*) FROM enrolment en"
		" JOIN session s2 ON s2.key = en.session JOIN course c2"
		" ON c2.code = s2.course WHERE c2.activity = ?1"
		" AND s2.valid_from >= ?2) AS enrolments"
		" FROM session s JOIN course c ON c.code = s.course"
		" WHERE c.activity = ?1 AND s.valid_from >= ?2";
	/* The previous owner's people on posts of this activity: at its
	 * site, doing its kind of work, on post on the day. */
	static const char people_sql[] =
		"SELECT a.key, a.person, a.post, a.valid_to, pe.nation"
		" FROM assignment a JOIN post p ON p.number = a.post"
		" JOIN person pe ON pe.code = a.person"
		" WHERE p.organisation = ?1 AND p.site = ?2 AND p.function = ?3"
		" AND a.valid_from < ?4 AND (a.valid_to IS NULL OR a.valid_to > ?4)"
		" ORDER BY a.post, a.valid_from";
	struct record act = { 0 }, org = { 0 };
	char from_org[64];
	json_t *r = NULL, *rows = NULL, *row, *moved, *by_nation;
	const char *p[4];
	char day_before[11];
	size_t i;
	int ret = -1, rc;

	*report = NULL;
	if ((rc = load(s, "activities", activity, &act, e)) <= 0) {
		if (!rc)
			error_set(e, ERR_NOTFOUND, "no activity '%s'", activity);
		goto out;
	}
	if ((rc = load(s, "organisations", to_org, &org, e)) <= 0) {
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
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "action", "transfer",
		      "activity", act.key, "from", from_org, "to", to_org,
		      "on", on, "with_personnel", with_personnel);
	moved = json_array();
	by_nation = json_object();
	json_object_set_new(r, "people_moved", moved);
	json_object_set_new(r, "people_by_nation", by_nation);
	if (set(&act, "previous_owner", from_org) || set(&act, "owner", to_org) ||
	    set(&act, "owner_from", on) || mission_save(s, t, &act, e))
		goto out;
	p[0] = act.key;
	p[1] = on;
	if (store_rows(s, future_sql, p, 2, &rows, e))
		goto out;
	row = json_array_get(rows, 0);
	json_object_set(r, "sessions_moved", json_object_get(row, "sessions"));
	json_object_set(r, "enrolments_moved", json_object_get(row, "enrolments"));
	json_decref(rows);
	rows = NULL;
	if (with_personnel && rv(&act, "site")) {
		p[0] = from_org;
		p[1] = rv(&act, "site");
		p[2] = rv(&act, "kind");
		p[3] = on;
		if (store_rows(s, people_sql, p, 4, &rows, e))
			goto out;
		json_array_foreach(rows, i, row) {
			struct record old = { 0 }, post = { 0 }, a = { 0 };
			char number[64];
			const char *nation = jstr(row, "nation");

			/* The post passes to the new owner: the old one ends on
			 * the day, a new one of the new owner begins. */
			snprintf(number, sizeof(number), "%s@%s", jstr(row, "post"),
				 to_org);
			rc = load(s, "posts", jstr(row, "post"), &post, e) <= 0;
			if (!rc && !store_exists(s, post.kind, number, e)) {
				struct record np = { 0 };

				rc = record_init(&np, post.kind);
				for (size_t f = 0; !rc && f < post.kind->nfields; f++)
					record_set(&np, f, post.v[f]);
				rc = rc || set(&np, "number", number) ||
				     set(&np, "organisation", to_org) ||
				     set(&np, "valid_from", on) || mission_save(s, t, &np, e);
				record_release(&np);
				rc = rc || set(&post, "valid_to", on) ||
				     mission_save(s, t, &post, e);
			}
			rc = rc || load(s, "assignments", jstr(row, "key"), &old, e) <= 0 ||
			     set(&old, "valid_to", on) || mission_save(s, t, &old, e) ||
			     record_init(&a, old.kind) ||
			     set(&a, "person", jstr(row, "person")) ||
			     set(&a, "post", number) || set(&a, "valid_from", on) ||
			     set(&a, "valid_to", jstr(row, "valid_to")) ||
			     mission_save(s, t, &a, e);
			if (!rc) {
				json_array_append_new(moved, json_pack("{s:s, s:s, s:s, s:s}",
					"person", jstr(row, "person"), "nation", nation,
					"from_post", jstr(row, "post"), "to_post", number));
				json_object_set_new(by_nation, nation, json_integer(
					json_integer_value(json_object_get(by_nation, nation)) + 1));
			}
			record_release(&old);
			record_release(&post);
			record_release(&a);
			if (rc)
				goto out;
		}
	}
	json_object_set_new(r, "people_reassigned", json_integer(
		(json_int_t)json_array_size(moved)));
	json_object_set_new(r, "owner_on_day_before", json_pack("{s:s, s:s}",
		"date", day_before, "owner", from_org));
	*report = r;
	r = NULL;
	ret = 0;
out:
	json_decref(rows);
	json_decref(r);
	record_release(&act);
	record_release(&org);
	return ret;
}

int action_transfer(struct store *s, const char *activity, const char *to_org,
		    const char *on, int with_personnel, int dry_run,
		    json_t **report, struct error *e)
{
	struct rules_tx t;

	*report = NULL;
	rules_tx_init(&t);
	if (store_begin(s, e))
		return -1;
	if (transfer_in_tx(s, &t, activity, to_org, on, with_personnel, report, e) ||
	    finish(s, &t, dry_run, e)) {
		store_rollback(s);
		json_decref(*report);
		*report = NULL;
		return -1;
	}
	json_object_set_new(*report, "dry_run", json_boolean(dry_run));
	return 0;
}
