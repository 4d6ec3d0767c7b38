/* The mission's rules; see rules.h and DESIGN.md §3. */
#include "core/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "store/access.h"
#include "util/buf.h"
#include "util/date.h"

/*==== Helpers ==========================================================*/


static const char *rv(const struct record *r, const char *field)
{
	int i = kind_field_index(r->kind, field);

	return i < 0 ? NULL : r->v[i];
}

int list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (!list || !n)
		return 0;
	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, item, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* Refuse with RULE: message, then the records and dates named. */
static int refuse(struct error *e, const char *rule, const char *const *records,
		  const char *const *dates, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int refuse(struct error *e, const char *rule, const char *const *records,
		  const char *const *dates, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error_set(e, ERR_RULE, "%s", buf_str(&b));
	error_set_rule(e, rule);
	for (; records && *records; records++)
		error_add_record(e, *records);
	for (; dates && *dates; dates++)
		error_add_date(e, *dates);
	buf_release(&b);
	return -1;
}

static const char *last_day(const char *to, char out[11])
{
	const char *why;
	int32_t d;

	if (!to || date_parse(to, &d, &why))
		return OPEN_END;
	date_format(d - 1, out);
	return out;
}

/* Fetch kind/key into R (initialised here). 1 found, 0 absent, -1 error. */
static int fetch(struct store *s, const char *kind, const char *key,
		 struct record *r, struct error *e)
{
	if (record_init(r, kind_find(kind)))
		return error_set(e, ERR_NOMEM, "out of memory");
	return key ? store_get(s, r->kind, key, r, e) : 0;
}

int org_in_mission(struct store *s, const char *org, struct error *e)
{
	static const char sql[] =
		"WITH RECURSIVE up(code, parent, kind) AS ("
		" SELECT code, parent, kind FROM organisation WHERE code = ?1"
		" UNION SELECT o.code, o.parent, o.kind FROM organisation o"
		" JOIN up ON o.code = up.parent)"
		" SELECT count(*) FROM up WHERE kind = 'mission'";
	const char *p[1] = { org };
	long long n;

	if (!org)
		return 0;
	if (store_int(s, sql, p, 1, &n, e))
		return -1;
	return n > 0;
}

/*==== CONSENT ==========================================================*/

/* Is [FROM, TO) (TO NULL: open) covered by granted consents for activity
 * KIND at SITE (and, when given, host INSTITUTION)? Returns 1, 0 with the
 * first uncovered day in GAP, or -1. */
static int consent_covers(struct store *s, const char *kind, const char *site,
			  const char *institution, const char *from,
			  const char *to, char gap[11], struct error *e)
{
	static const char sql[] =
		"SELECT valid_from, coalesce(valid_to, '" OPEN_END "') AS valid_to,"
		" activity_kinds, sites, institutions FROM consent"
		" WHERE state = 'granted' AND valid_from < ?2"
		" AND (valid_to IS NULL OR valid_to > ?1) ORDER BY valid_from";
	const char *p[2] = { from, to ? to : OPEN_END };
	char cur[11];
	json_t *rows, *c;
	size_t i;

	if (store_rows(s, sql, p, 2, &rows, e))
		return -1;
	snprintf(cur, sizeof(cur), "%s", from);
	json_array_foreach(rows, i, c) {
		const char *cf = json_string_value(json_object_get(c, "valid_from"));
		const char *ct = json_string_value(json_object_get(c, "valid_to"));
		const char *akinds = json_string_value(json_object_get(c, "activity_kinds"));
		const char *sites = json_string_value(json_object_get(c, "sites"));
		const char *insts = json_string_value(json_object_get(c, "institutions"));

		if (!list_has(akinds, kind) || (site && sites && !list_has(sites, site)) ||
		    (institution && insts && !list_has(insts, institution)))
			continue;
		if (strcmp(cf, cur) <= 0 && strcmp(ct, cur) > 0)
			snprintf(cur, sizeof(cur), "%s", ct);
	}
	json_decref(rows);
	if (strcmp(cur, to ? to : OPEN_END) >= 0)
		return 1;
	snprintf(gap, 11, "%s", cur);
	return 0;
}

static int check_consent(struct store *s, const char *what, const char *key,
			 const char *kind, const char *site,
			 const char *institution, const char *from,
			 const char *to, struct error *e)
{
	char gap[11];
	const char *recs[2] = { key, NULL }, *dates[2] = { gap, NULL };
	int rc = consent_covers(s, kind, site, institution, from, to, gap, e);

	if (rc == 0)
		return refuse(e, "CONSENT", recs, dates, "%s %s: no consent of the "
			      "host government in force covers %s%s%s%s%s from %s "
			      "(needed %s to %s)", what, key, kind,
			      site ? " at " : "", site ? site : "",
			      institution ? " for " : "",
			      institution ? institution : "", gap, from,
			      to ? to : "open end");
	return rc < 0 ? -1 : 0;
}

/*==== CAVEAT ===========================================================*/

/* Caveats of PERSON (own or nation's) over [FROM, TO) that forbid SITE
 * (with its REGION) or ACTIVITY (a kind or code). */
static int check_caveats(struct store *s, const char *what, const char *key,
			 const struct record *person, const char *site,
			 const char *region, const char *activity,
			 const char *activity_code, const char *from,
			 const char *to, struct error *e)
{
	static const char sql[] =
		"SELECT code, kind, target, coalesce(reason, '') AS reason,"
		" valid_from FROM caveat"
		" WHERE (nation = ?1 OR person = ?2) AND valid_from < ?4"
		" AND (valid_to IS NULL OR valid_to > ?3) ORDER BY code";
	const char *p[4] = { rv(person, "nation"), person->key, from,
			     to ? to : OPEN_END };
	json_t *rows, *c;
	size_t i;
	int ret = 0;

	if (store_rows(s, sql, p, 4, &rows, e))
		return -1;
	json_array_foreach(rows, i, c) {
		const char *kind = json_string_value(json_object_get(c, "kind"));
		const char *target = json_string_value(json_object_get(c, "target"));
		const char *code = json_string_value(json_object_get(c, "code"));
		int hit = (!strcmp(kind, "site") && site && !strcmp(target, site)) ||
			  (!strcmp(kind, "region") && region && !strcmp(target, region)) ||
			  (!strcmp(kind, "activity") &&
			   ((activity && !strcmp(target, activity)) ||
			    (activity_code && !strcmp(target, activity_code))));

		if (hit) {
			const char *recs[4] = { key, person->key, code, NULL };
			const char *dates[2] = { from, NULL };

			ret = refuse(e, "CAVEAT", recs, dates, "%s %s: %s (%s) may "
				     "not serve there: caveat %s forbids %s %s%s%s",
				     what, key, person->key, rv(person, "nation"),
				     code, kind, target,
				     *json_string_value(json_object_get(c, "reason")) ? " — " : "",
				     json_string_value(json_object_get(c, "reason")));
			break;
		}
	}
	json_decref(rows);
	return ret;
}

/*==== Per kind =========================================================*/

static const char *function_kind(const char *function)
{
	if (!strcmp(function, "training") || !strcmp(function, "advising"))
		return function;
	return "support";
}

static int check_assignment(struct store *s, const struct record *r,
			    struct error *e)
{
	struct record post = { 0 }, site = { 0 }, person = { 0 };
	const char *from = rv(r, "valid_from"), *to = rv(r, "valid_to");
	const char *recs[3] = { r->key, rv(r, "post"), NULL };
	const char *dates[2] = { from, NULL };
	int ret = -1, in;

	if (fetch(s, "posts", rv(r, "post"), &post, e) <= 0 ||
	    fetch(s, "sites", rv(&post, "site"), &site, e) <= 0 ||
	    fetch(s, "persons", rv(r, "person"), &person, e) <= 0)
		goto out;
	in = org_in_mission(s, rv(&post, "organisation"), e);
	if (in < 0)
		goto out;
	if (!in) {		/* another organisation's people */
		ret = 0;
		goto out;
	}
	if (!strcmp(rv(&post, "function"), "operation")) {
		refuse(e, "NONCOMBAT", recs, dates, "assignment %s: post %s is a "
		       "host-force operation; mission personnel train, advise "
		       "and support, and do not deploy alongside host forces "
		       "during their operations", r->key, post.key);
		goto out;
	}
	if (strcmp(rv(&site, "mission_approved"), "yes")) {
		refuse(e, "NONCOMBAT", recs, dates, "assignment %s: site %s is not "
		       "approved for the mission", r->key, site.key);
		goto out;
	}
	if (check_consent(s, "assignment", r->key,
			  function_kind(rv(&post, "function")), site.key, NULL,
			  from, to, e) ||
	    check_caveats(s, "assignment", r->key, &person, site.key,
			  rv(&site, "region"), rv(&post, "function"), NULL, from,
			  to, e))
		goto out;
	ret = 0;
out:
	record_release(&post);
	record_release(&site);
	record_release(&person);
	return ret;
}

/* Suspensions in force over [FROM, TO) for the mission, SITE or ACTIVITY. */
static int check_suspended(struct store *s, const char *key, const char *site,
			   const char *activity, const char *from,
			   const char *to, struct error *e)
{
	static const char sql[] =
		"SELECT code, scope, valid_from FROM status_event"
		" WHERE action = 'suspend' AND valid_from < ?2"
		" AND (valid_to IS NULL OR valid_to > ?1)"
		" AND (scope = 'mission' OR scope = 'site:' || ?3"
		" OR scope = 'activity:' || ?4) ORDER BY valid_from LIMIT 1";
	const char *p[4] = { from, to, site, activity ? activity : "" };
	json_t *rows, *ev;
	int ret = 0;

	if (store_rows(s, sql, p, 4, &rows, e))
		return -1;
	if ((ev = json_array_get(rows, 0))) {
		const char *code = json_string_value(json_object_get(ev, "code"));
		const char *recs[3] = { key, code, NULL };
		const char *dates[3] = { from, json_string_value(json_object_get(ev, "valid_from")), NULL };

		ret = refuse(e, "SUSPENDED", recs, dates, "session %s would run "
			     "while %s is suspended (status event %s, from %s); "
			     "postpone or cancel it", key,
			     json_string_value(json_object_get(ev, "scope")), code,
			     dates[1]);
	}
	json_decref(rows);
	return ret;
}

int qualification_until(const char *held, const char *code, char until[11])
{
	size_t n = strlen(code);

	for (const char *h = held, *next; h && *h; h = next) {
		const char *colon = strchr(h, ':'), *semi = strchr(h, ';');
		const char *end = semi ? semi : h + strlen(h);

		next = semi ? semi + 1 : NULL;
		if (colon && colon > end)
			colon = NULL;
		if ((size_t)((colon ? colon : end) - h) != n || strncmp(h, code, n))
			continue;
		snprintf(until, 11, "%.10s", colon ? colon + 1 : OPEN_END);
		return 1;
	}
	return 0;
}

static int check_trainer(struct store *s, const struct record *r,
			 const struct record *course, const struct record *site,
			 const char *trainer, const char *activity_kind,
			 struct error *e)
{
	struct record person = { 0 };
	const char *need = rv(course, "trainer_qualifications");
	const char *p, *next;
	char last[11], qual[64], until[11];
	const char *lastday = last_day(rv(r, "valid_to"), last);
	int ret = -1;

	if (fetch(s, "persons", trainer, &person, e) <= 0)
		goto out;
	for (p = need; p && *p; p = next) {
		size_t len;

		next = strchr(p, ';');
		len = next ? (size_t)(next - p) : strlen(p);
		next = next ? next + 1 : NULL;
		snprintf(qual, sizeof(qual), "%.*s", (int)len, p);
		if (!qualification_until(rv(&person, "qualifications"), qual, until) ||
		    strcmp(until, lastday) < 0) {
			const char *recs[3] = { r->key, trainer, NULL };
			const char *dates[3] = { rv(r, "valid_from"), lastday, NULL };

			refuse(e, "QUALIFICATION", recs, dates, "session %s: trainer "
			       "%s does not hold %s valid on every day from %s to %s",
			       r->key, trainer, qual, rv(r, "valid_from"), lastday);
			goto out;
		}
	}
	if (check_caveats(s, "session", r->key, &person, site->key,
			  rv(site, "region"), activity_kind, rv(course, "activity"),
			  rv(r, "valid_from"), rv(r, "valid_to"), e))
		goto out;
	ret = 0;
out:
	record_release(&person);
	return ret;
}

int caveats_allow(struct store *s, const char *person, const char *site,
		  const char *activity, const char *from, const char *to,
		  struct error *e)
{
	struct record p = { 0 }, st = { 0 }, act = { 0 };
	struct error quiet;
	int ret = -1, rc;

	if (fetch(s, "persons", person, &p, e) <= 0 ||
	    fetch(s, "sites", site, &st, e) <= 0 ||
	    fetch(s, "activities", activity, &act, e) <= 0)
		goto out;
	error_init(&quiet);
	rc = check_caveats(s, "plan", person, &p, site, rv(&st, "region"),
			   rv(&act, "kind"), activity, from, to, &quiet);
	ret = !rc ? 1 : quiet.code == ERR_RULE ? 0 : -1;
	if (ret < 0)
		error_set(e, quiet.code, "%s", quiet.message ? quiet.message : "");
	error_release(&quiet);
out:
	record_release(&p);
	record_release(&st);
	record_release(&act);
	return ret;
}

/* Days on which sessions of ACTIVITY may run at SITE, over [FROM, TO):
 * a granted consent covers the activity's kind there, no suspension of
 * the mission, the site or the activity is in force, the site is open
 * and approved. Writes 1 (allowed) or 0 per day into OK. */
int session_days(struct store *s, const char *site, const char *activity,
		 const char *from, const char *to, unsigned char *ok,
		 struct error *e)
{
	static const char consents_sql[] =
		"SELECT valid_from, coalesce(valid_to, '" OPEN_END "') AS valid_to"
		" FROM consent WHERE state = 'granted' AND valid_from < ?2"
		" AND (valid_to IS NULL OR valid_to > ?1)"
		" AND instr(';' || activity_kinds || ';', ';' || ?3 || ';')"
		" AND (sites IS NULL OR instr(';' || sites || ';', ';' || ?4 || ';'))";
	static const char events_sql[] =
		"SELECT valid_from, coalesce(valid_to, '" OPEN_END "') AS valid_to"
		" FROM status_event WHERE action = 'suspend' AND valid_from < ?2"
		" AND (valid_to IS NULL OR valid_to > ?1) AND (scope = 'mission'"
		" OR scope = 'site:' || ?4 OR scope = 'activity:' || ?5)";
	struct record st = { 0 }, act = { 0 };
	json_t *cons = NULL, *evs = NULL, *row;
	const char *p[5];
	int32_t d0 = 0, d1 = 0;
	size_t i;
	int ret = -1;
	const char *why;

	if (fetch(s, "sites", site, &st, e) <= 0 ||
	    fetch(s, "activities", activity, &act, e) <= 0)
		goto out;
	date_parse(from, &d0, &why);
	date_parse(to, &d1, &why);
	memset(ok, 0, (size_t)(d1 - d0));
	p[0] = from;
	p[1] = to;
	p[2] = rv(&act, "kind");
	p[3] = site;
	p[4] = activity;
	if (store_rows(s, consents_sql, p, 4, &cons, e) ||
	    store_rows(s, events_sql, p, 5, &evs, e))
		goto out;
	json_array_foreach(cons, i, row) {
		int32_t a = date_days(json_string_value(json_object_get(row, "valid_from")));
		int32_t b = date_days(json_string_value(json_object_get(row, "valid_to")));

		for (int32_t d = a > d0 ? a : d0; d < b && d < d1; d++)
			ok[d - d0] = 1;
	}
	json_array_foreach(evs, i, row) {
		int32_t a = date_days(json_string_value(json_object_get(row, "valid_from")));
		int32_t b = date_days(json_string_value(json_object_get(row, "valid_to")));

		for (int32_t d = a > d0 ? a : d0; d < b && d < d1; d++)
			ok[d - d0] = 0;
	}
	for (int32_t d = d0; d < d1; d++) {
		char day[11];

		date_format(d, day);
		if (strcmp(rv(&st, "mission_approved"), "yes") ||
		    strcmp(day, rv(&st, "valid_from")) < 0 ||
		    (rv(&st, "valid_to") && strcmp(day, rv(&st, "valid_to")) >= 0))
			ok[d - d0] = 0;
	}
	ret = 0;
out:
	json_decref(cons);
	json_decref(evs);
	record_release(&st);
	record_release(&act);
	return ret;
}

static int check_session(struct store *s, const struct record *r,
			 struct error *e)
{
	struct record course = { 0 }, site = { 0 }, activity = { 0 };
	const char *status = rv(r, "status"), *trainers = rv(r, "trainers");
	const char *from = rv(r, "valid_from"), *to = rv(r, "valid_to");
	const char *recs[3] = { r->key, rv(r, "site"), NULL };
	const char *dates[2] = { from, NULL };
	char *list = NULL, *p, *next;
	int ret = -1;

	/* Postponed and cancelled sessions do not run: nothing to check. */
	if (!strcmp(status, "postponed") || !strcmp(status, "cancelled"))
		return 0;
	if (fetch(s, "courses", rv(r, "course"), &course, e) <= 0 ||
	    fetch(s, "sites", rv(r, "site"), &site, e) <= 0 ||
	    fetch(s, "activities", rv(&course, "activity"), &activity, e) <= 0)
		goto out;
	{
		/* Another organisation's training (the coalition's, before a
		 * transfer) is not under the mission's rules. */
		const char *owner = rv(&activity, "owner");
		int in;

		if (rv(&activity, "previous_owner") &&
		    strcmp(from, rv(&activity, "owner_from")) < 0)
			owner = rv(&activity, "previous_owner");
		in = org_in_mission(s, owner, e);
		if (in <= 0) {
			ret = in;
			goto out;
		}
	}
	if (strcmp(rv(&site, "mission_approved"), "yes")) {
		refuse(e, "NONCOMBAT", recs, dates, "session %s: site %s is not "
		       "approved for the mission", r->key, site.key);
		goto out;
	}
	if (check_consent(s, "session", r->key, rv(&activity, "kind"), site.key,
			  NULL, from, to, e) ||
	    check_suspended(s, r->key, site.key, activity.key, from, to, e))
		goto out;
	if (trainers && !(list = strdup(trainers))) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (p = list; p; p = next) {
		next = strchr(p, ';');
		if (next)
			*next++ = '\0';
		if (check_trainer(s, r, &course, &site, p, rv(&activity, "kind"), e))
			goto out;
	}
	ret = 0;
out:
	free(list);
	record_release(&course);
	record_release(&site);
	record_release(&activity);
	return ret;
}

static int check_activity(struct store *s, const struct record *r,
			  struct error *e)
{
	const char *from = rv(r, "valid_from"), *to = rv(r, "valid_to");
	const char *owner_from = rv(r, "owner_from");
	const char *recs[3] = { r->key, rv(r, "owner"), NULL };
	const char *dates[2] = { from, NULL };
	int in = org_in_mission(s, rv(r, "owner"), e);

	if (in <= 0)
		return in;
	if (!strcmp(rv(r, "kind"), "operation"))
		return refuse(e, "NONCOMBAT", recs, dates, "activity %s: the "
			      "mission takes no part in host-force operations",
			      r->key);
	/* The mission answers for it from the day it owns it. */
	if (owner_from && rv(r, "previous_owner") && strcmp(owner_from, from) > 0)
		from = owner_from;
	if (to && strcmp(from, to) >= 0)
		return 0;
	return check_consent(s, "activity", r->key, rv(r, "kind"), rv(r, "site"),
			     rv(r, "host"), from, to, e);
}

static int check_status_event(struct store *s, const struct record *r,
			      struct error *e)
{
	static const char sql[] =
		SQL_MISSION_CTE
		"SELECT s.key FROM session s JOIN course c ON c.code = s.course"
		" JOIN activity a ON a.code = c.activity"
		" WHERE s.status IN ('planned', 'running') AND s.valid_from < ?2"
		" AND s.valid_to > ?1 AND (?3 = 'mission' OR ?3 = 'site:' || s.site"
		" OR ?3 = 'activity:' || c.activity) AND" SQL_SESSION_OF_MISSION
		" ORDER BY s.valid_from LIMIT 5";
	const char *p[3] = { rv(r, "valid_from"),
			     rv(r, "valid_to") ? rv(r, "valid_to") : OPEN_END,
			     rv(r, "scope") };
	json_t *rows, *row;
	size_t i;
	int ret = 0;

	if (strcmp(rv(r, "action"), "suspend"))
		return 0;
	if (store_rows(s, sql, p, 3, &rows, e))
		return -1;
	if (json_array_size(rows)) {
		const char *dates[2] = { p[0], NULL };

		refuse(e, "SUSPENDED", NULL, dates, "suspension %s of %s from %s "
		       "would stop sessions that are still planned to run; use "
		       "'cadre suspend', which postpones them", r->key, p[2], p[0]);
		json_array_foreach(rows, i, row)
			error_add_record(e, json_string_value(json_object_get(row, "key")));
		ret = -1;
	}
	json_decref(rows);
	return ret;
}

int rules_check(struct store *s, const struct record *r, struct error *e)
{
	const char *t = r->kind->table;

	if (!strcmp(t, "assignment"))
		return check_assignment(s, r, e);
	if (!strcmp(t, "session"))
		return check_session(s, r, e);
	if (!strcmp(t, "activity"))
		return check_activity(s, r, e);
	if (!strcmp(t, "status_event"))
		return check_status_event(s, r, e);
	return 0;
}

/*==== Writes and deferred checks =======================================*/

void rules_tx_init(struct rules_tx *t)
{
	memset(t, 0, sizeof(*t));
}

static void widen(struct rules_tx *t, const char *from, const char *to)
{
	if (!to)
		to = OPEN_END;
	if (!t->ceiling_from[0] || strcmp(from, t->ceiling_from) < 0)
		snprintf(t->ceiling_from, sizeof(t->ceiling_from), "%s", from);
	if (!t->ceiling_to[0] || strcmp(to, t->ceiling_to) > 0)
		snprintf(t->ceiling_to, sizeof(t->ceiling_to), "%s", to);
}

int mission_put(struct store *s, struct rules_tx *t, struct record *r,
		enum put_result *res, struct error *e)
{
	const char *tb = r->kind->table;

	if (rules_check(s, r, e) || store_put(s, r, res, e))
		return -1;
	if (*res != PUT_UNCHANGED &&
	    (!strcmp(tb, "assignment") || !strcmp(tb, "consent")))
		widen(t, rv(r, "valid_from"), rv(r, "valid_to"));
	return 0;
}

struct first_problem {
	const struct kind *kind;
	char text[256];
};

static void note_problem(void *arg, size_t field, const char *value,
			 const char *reason)
{
	struct first_problem *p = arg;

	if (!p->text[0])
		snprintf(p->text, sizeof(p->text), "%s '%s': %s",
			 p->kind->fields[field].name, value ? value : "", reason);
}

int mission_save(struct store *s, struct rules_tx *t, struct record *r,
		 struct error *e)
{
	struct first_problem p = { r->kind, "" };
	enum put_result res;
	int n = record_validate(s, r, note_problem, &p, e);

	if (n < 0)
		return -1;
	if (n > 0)
		return error_set(e, ERR_INPUT, "%s %s: %s", r->kind->label,
				 r->key ? r->key : "", p.text);
	return mission_put(s, t, r, &res, e);
}

/*==== CEILING ==========================================================*/

/* Mission posts' assignments over a window, with each post's site. */
static const char assigned_sql[] =
	SQL_MISSION_CTE
	"SELECT a.valid_from, coalesce(a.valid_to, '" OPEN_END "') AS valid_to,"
	" p.site FROM assignment a JOIN post p ON p.number = a.post"
	" WHERE p.organisation IN (SELECT code FROM mission)"
	" AND a.valid_from < ?2 AND (a.valid_to IS NULL OR a.valid_to > ?1)";

int ceilings_each(struct store *s, const struct principal *who,
		  const char *from, const char *to, ceiling_fn fn, void *arg,
		  struct error *e)
{
	static const char consents_sql[] =
		"SELECT code, valid_from, coalesce(valid_to, '" OPEN_END "')"
		" AS valid_to, sites, ceiling FROM consent WHERE state = 'granted'"
		" AND valid_from < ?2 AND (valid_to IS NULL OR valid_to > ?1)";
	static const char horizon_sql[] =
		"SELECT max(max(valid_from, coalesce(valid_to, valid_from)))"
		" FROM assignment WHERE 1";
	/* The SQL as WHO sees the consents and the assignments. */
	struct buf csql = BUF_INIT, hsql = BUF_INIT, asql = BUF_INIT;
	const char *p[2] = { from, to };
	json_t *consents = NULL, *c;
	long *delta = NULL;
	size_t i;
	int ret = -1;

	buf_adds(&csql, consents_sql);
	access_clause(&csql, who, kind_find("consents"), "consent");
	buf_adds(&csql, " ORDER BY valid_from, code");
	buf_adds(&hsql, horizon_sql);
	access_clause(&hsql, who, kind_find("assignments"), "assignment");
	buf_adds(&asql, assigned_sql);
	access_clause(&asql, who, kind_find("assignments"), "a");
	access_clause(&asql, who, kind_find("posts"), "p");
	if (csql.failed || hsql.failed || asql.failed) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (store_rows(s, buf_str(&csql), p, 2, &consents, e))
		goto out;
	json_array_foreach(consents, i, c) {
		const char *code = json_string_value(json_object_get(c, "code"));
		const char *sites = json_string_value(json_object_get(c, "sites"));
		long ceiling = (long)json_integer_value(json_object_get(c, "ceiling"));
		const char *cf = json_string_value(json_object_get(c, "valid_from"));
		const char *ct = json_string_value(json_object_get(c, "valid_to"));
		char wf[11], wt[11], day[11];
		json_t *rows = NULL, *a;
		int32_t w0, w1;
		size_t j;
		long count = 0;

		snprintf(wf, sizeof(wf), "%s", strcmp(from, cf) > 0 ? from : cf);
		snprintf(wt, sizeof(wt), "%s", strcmp(to, ct) < 0 ? to : ct);
		if (!strcmp(wt, OPEN_END)) {
			/* Past the last dated assignment nothing changes. */
			json_t *h;
			const char *last;

			if (store_rows(s, buf_str(&hsql), NULL, 0, &h, e))
				goto out;
			last = json_string_value(json_object_get(json_array_get(h, 0),
				"max(max(valid_from, coalesce(valid_to, valid_from)))"));
			if (last && strcmp(last, wf) >= 0)
				date_format(date_days(last) + 1, wt);
			else
				date_format(date_days(wf) + 1, wt);
			json_decref(h);
		}
		w0 = date_days(wf);
		w1 = date_days(wt);
		if (w1 <= w0)
			continue;
		free(delta);
		delta = calloc((size_t)(w1 - w0) + 1, sizeof(*delta));
		if (!delta) {
			error_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		p[0] = wf;
		p[1] = wt;
		if (store_rows(s, buf_str(&asql), p, 2, &rows, e))
			goto out;
		json_array_foreach(rows, j, a) {
			int32_t af = date_days(json_string_value(json_object_get(a, "valid_from")));
			int32_t at = date_days(json_string_value(json_object_get(a, "valid_to")));
			const char *site = json_string_value(json_object_get(a, "site"));

			if (sites && !list_has(sites, site))
				continue;
			delta[(af > w0 ? af : w0) - w0]++;
			delta[(at < w1 ? at : w1) - w0]--;
		}
		json_decref(rows);
		for (int32_t d = w0; d < w1; d++) {
			int stop;

			count += delta[d - w0];
			date_format(d, day);
			if ((stop = fn(arg, day, code, count, ceiling))) {
				ret = stop;
				goto out;
			}
		}
		p[0] = from;
		p[1] = to;
	}
	ret = 0;
out:
	free(delta);
	json_decref(consents);
	buf_release(&csql);
	buf_release(&hsql);
	buf_release(&asql);
	return ret;
}

struct first_breach {
	char day[11];
	char consent[64];
	long count, ceiling;
};

static int find_breach(void *arg, const char *day, const char *consent,
		       long count, long ceiling)
{
	struct first_breach *b = arg;

	if (count <= ceiling)
		return 0;
	snprintf(b->day, sizeof(b->day), "%s", day);
	snprintf(b->consent, sizeof(b->consent), "%s", consent);
	b->count = count;
	b->ceiling = ceiling;
	return 1;
}

int rules_finish(struct store *s, struct rules_tx *t, struct error *e)
{
	struct first_breach b;
	int rc;

	if (!t->ceiling_from[0])
		return 0;
	/* A ceiling counts everyone deployed, whoever writes. */
	rc = ceilings_each(s, &principal_system, t->ceiling_from,
			   t->ceiling_to, find_breach, &b, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		const char *recs[2] = { b.consent, NULL };
		const char *dates[2] = { b.day, NULL };

		return refuse(e, "CEILING", recs, dates, "on %s the headcount "
			      "under consent %s would be %ld, above its ceiling "
			      "of %ld (handover overlaps count)", b.day,
			      b.consent, b.count, b.ceiling);
	}
	return 0;
}
