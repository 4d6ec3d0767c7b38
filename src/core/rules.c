/* The mission's rules; see rules.h and DESIGN.md §3. */
#include "core/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/validate.h"
#include "store/access.h"
#include "store/rules.h"
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
	/* The mission's tree as it stands, every part of it seen or not. */
	return store_org_in_mission(s, &principal_system, org, e);
}

/*==== CONSENT ==========================================================*/

/* Coverage of [FROM, CUR) so far by the consents that fit. */
struct cover {
	const char *kind, *site, *institution;
	char cur[11];
};

static int cover_with(void *arg, const struct consent_row *c)
{
	struct cover *x = arg;
	const char *ct = c->valid_to ? c->valid_to : OPEN_END;

	if (!list_has(c->activity_kinds, x->kind) ||
	    (x->site && c->sites && !list_has(c->sites, x->site)) ||
	    (x->institution && c->institutions &&
	     !list_has(c->institutions, x->institution)))
		return 0;
	if (strcmp(c->valid_from, x->cur) <= 0 && strcmp(ct, x->cur) > 0)
		snprintf(x->cur, sizeof(x->cur), "%s", ct);
	return 0;
}

/* Is [FROM, TO) (TO NULL: open) covered by granted consents for activity
 * KIND at SITE (and, when given, host INSTITUTION)? Returns 1, 0 with the
 * first uncovered day in GAP, or -1. */
static int consent_covers(struct store *s, const char *kind, const char *site,
			  const char *institution, const char *from,
			  const char *to, char gap[11], struct error *e)
{
	struct cover x = { kind, site, institution, "" };

	snprintf(x.cur, sizeof(x.cur), "%s", from);
	/* Every consent in force, seen by the reader or not: the host
	 * government's consent is a fact about the mission. */
	if (store_consents_each(s, &principal_system, from, to, cover_with, &x, e))
		return -1;
	if (strcmp(x.cur, to ? to : OPEN_END) >= 0)
		return 1;
	snprintf(gap, 11, "%s", x.cur);
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

/* The end of the suspensions in force on DAY, into UNTIL. */
struct paused {
	const char *day;
	char until[11];
};

static int pause_end(void *arg, const struct suspension_row *ev)
{
	struct paused *x = arg;
	const char *to = ev->valid_to ? ev->valid_to : OPEN_END;

	if (strcmp(ev->valid_from, x->day) <= 0 && strcmp(to, x->until) > 0)
		snprintf(x->until, sizeof(x->until), "%s", to);
	return 0;
}

/* check_consent() over the days the work may go on: a day a suspension
 * of the mission, of SITE or of ACTIVITY is in force (the suspension a
 * consent's end orders among them) stops it, and asks for no consent.
 * For what stands still under a suspension (posts held, an activity's
 * programme), not for sessions, which do not run then. */
static int consent_unless_paused(struct store *s, const char *what,
				 const char *key, const char *kind,
				 const char *site, const char *institution,
				 const char *activity, const char *from,
				 const char *to, struct error *e)
{
	char cur[11], gap[11], next[11];
	const char *end = to ? to : OPEN_END;

	snprintf(cur, sizeof(cur), "%s", from);
	while (strcmp(cur, end) < 0) {
		struct paused x = { gap, "" };
		int rc = consent_covers(s, kind, site, institution, cur, to,
					gap, e);

		if (rc)
			return rc < 0 ? -1 : 0;
		date_format(date_days(gap) + 1, next);
		if (store_suspensions_each(s, &principal_system, gap, next, site,
					   activity, pause_end, &x, e))
			return -1;
		if (!x.until[0])	/* neither consented nor stopped */
			return check_consent(s, what, key, kind, site,
					     institution, gap, to, e);
		snprintf(cur, sizeof(cur), "%s", x.until);
	}
	return 0;
}

/*==== CAVEAT ===========================================================*/

/* What a caveat may forbid, and whom to name when one does. */
struct caveat_check {
	struct error *e;
	const char *what, *key;
	const struct record *person;
	const char *site, *region, *activity, *activity_code, *from;
};

static int caveat_hit(void *arg, const struct caveat_row *c)
{
	struct caveat_check *x = arg;
	const char *recs[4] = { x->key, x->person->key, c->code, NULL };
	/* The first day it bars: the later of the two starts. */
	const char *dates[2] = { strcmp(c->valid_from, x->from) > 0 ?
				 c->valid_from : x->from, NULL };
	int hit = (!strcmp(c->kind, "site") && x->site && !strcmp(c->target, x->site)) ||
		  (!strcmp(c->kind, "region") && x->region &&
		   !strcmp(c->target, x->region)) ||
		  (!strcmp(c->kind, "activity") &&
		   ((x->activity && !strcmp(c->target, x->activity)) ||
		    (x->activity_code && !strcmp(c->target, x->activity_code))));

	if (!hit)
		return 0;
	refuse(x->e, "CAVEAT", recs, dates, "%s %s: %s (%s) may not serve "
	       "there: caveat %s forbids %s %s%s%s", x->what, x->key,
	       x->person->key, rv(x->person, "nation"), c->code, c->kind,
	       c->target, *c->reason ? " — " : "", c->reason);
	return 1;
}

/* Caveats of PERSON (own or nation's) over [FROM, TO) that forbid SITE
 * (with its REGION) or ACTIVITY (a kind or code). */
static int check_caveats(struct store *s, const char *what, const char *key,
			 const struct record *person, const char *site,
			 const char *region, const char *activity,
			 const char *activity_code, const char *from,
			 const char *to, struct error *e)
{
	struct caveat_check x = { e, what, key, person, site, region,
				  activity, activity_code, from };

	/* Every caveat binds, whether or not the writer may read it. */
	return store_caveats_each(s, &principal_system, rv(person, "nation"),
				  person->key, from, to, caveat_hit, &x, e) ? -1 : 0;
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
	if (consent_unless_paused(s, "assignment", r->key,
				  function_kind(rv(&post, "function")), site.key,
				  NULL, NULL, from, to, e) ||
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

struct suspended {
	struct error *e;
	const char *key, *from;
};

static int suspended_hit(void *arg, const struct suspension_row *ev)
{
	struct suspended *x = arg;
	const char *recs[3] = { x->key, ev->code, NULL };
	const char *dates[3] = { x->from, ev->valid_from, NULL };

	refuse(x->e, "SUSPENDED", recs, dates, "session %s would run while %s "
	       "is suspended (status event %s, from %s); postpone or cancel it",
	       x->key, ev->scope, ev->code, ev->valid_from);
	return 1;
}

/* Suspensions in force over [FROM, TO) for the mission, SITE or ACTIVITY. */
static int check_suspended(struct store *s, const char *key, const char *site,
			   const char *activity, const char *from,
			   const char *to, struct error *e)
{
	struct suspended x = { e, key, from };

	/* A suspension stops every session in scope, seen or not. */
	return store_suspensions_each(s, &principal_system, from, to, site,
				      activity ? activity : "", suspended_hit,
				      &x, e) ? -1 : 0;
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

/* Mark in OK the days of [D0, D1) that [FROM, TO) (TO NULL: open)
 * covers with VALUE. */
struct days {
	unsigned char *ok;
	int32_t d0, d1;
	const char *kind, *site;
};

static void mark(struct days *x, const char *from, const char *to,
		 unsigned char value)
{
	int32_t a = date_days(from), b = date_days(to ? to : OPEN_END);

	for (int32_t d = a > x->d0 ? a : x->d0; d < b && d < x->d1; d++)
		x->ok[d - x->d0] = value;
}

static int consent_days(void *arg, const struct consent_row *c)
{
	struct days *x = arg;

	if (list_has(c->activity_kinds, x->kind) &&
	    (!c->sites || list_has(c->sites, x->site)))
		mark(x, c->valid_from, c->valid_to, 1);
	return 0;
}

static int suspended_days(void *arg, const struct suspension_row *ev)
{
	mark(arg, ev->valid_from, ev->valid_to, 0);
	return 0;
}

/* Days on which sessions of ACTIVITY may run at SITE, over [FROM, TO):
 * a granted consent covers the activity's kind there, no suspension of
 * the mission, the site or the activity is in force, the site is open
 * and approved. Writes 1 (allowed) or 0 per day into OK. */
int session_days(struct store *s, const char *site, const char *activity,
		 const char *from, const char *to, unsigned char *ok,
		 struct error *e)
{
	struct record st = { 0 }, act = { 0 };
	struct days x = { ok, 0, 0, NULL, site };
	int ret = -1;
	const char *why;

	if (fetch(s, "sites", site, &st, e) <= 0 ||
	    fetch(s, "activities", activity, &act, e) <= 0)
		goto out;
	date_parse(from, &x.d0, &why);
	date_parse(to, &x.d1, &why);
	memset(ok, 0, (size_t)(x.d1 - x.d0));
	x.kind = rv(&act, "kind");
	/* Consents and suspensions as they are, seen or not: a day is
	 * open to the mission or it is not. */
	if (store_consents_each(s, &principal_system, from, to, consent_days,
				&x, e) ||
	    store_suspensions_each(s, &principal_system, from, to, site,
				   activity, suspended_days, &x, e))
		goto out;
	for (int32_t d = x.d0; d < x.d1; d++) {
		char day[11];

		date_format(d, day);
		if (strcmp(rv(&st, "mission_approved"), "yes") ||
		    strcmp(day, rv(&st, "valid_from")) < 0 ||
		    (rv(&st, "valid_to") && strcmp(day, rv(&st, "valid_to")) >= 0))
			ok[d - x.d0] = 0;
	}
	ret = 0;
out:
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
	return consent_unless_paused(s, "activity", r->key, rv(r, "kind"),
				     rv(r, "site"), rv(r, "host"), r->key, from,
				     to, e);
}

/* A mission post is never a host-force operation's. */
static int check_post(struct store *s, const struct record *r,
		      struct error *e)
{
	const char *recs[3] = { r->key, rv(r, "organisation"), NULL };
	const char *dates[2] = { rv(r, "valid_from"), NULL };
	int in;

	if (strcmp(rv(r, "function"), "operation"))
		return 0;
	in = org_in_mission(s, rv(r, "organisation"), e);
	if (in <= 0)
		return in;
	return refuse(e, "NONCOMBAT", recs, dates, "post %s: a mission post's "
		      "function is never 'operation'; mission personnel train, "
		      "advise and support, and do not deploy alongside host "
		      "forces during their operations", r->key);
}

/* A certificate is given on a pass of a trainee who came. */
static int check_enrolment(const struct record *r, struct error *e)
{
	const char *cert = rv(r, "certificate");
	const char *result = rv(r, "result"), *came = rv(r, "attendance");
	const char *recs[3] = { r->key, rv(r, "session"), NULL };

	if (!cert || !*cert || (!strcmp(result, "pass") &&
				strcmp(came, "absent") && strcmp(came, "withdrawn")))
		return 0;
	return refuse(e, "CERTIFICATE", recs, NULL, "enrolment %s: certificate "
		      "%s on a %s result (attendance %s); a certificate needs a "
		      "pass", r->key, cert, result, came);
}

struct stopped {
	struct error *e;
	const struct record *r;
	long n;
};

static int stopped_session(void *arg, const char *key)
{
	struct stopped *x = arg;

	if (!x->n++) {
		const char *dates[2] = { rv(x->r, "valid_from"), NULL };

		refuse(x->e, "SUSPENDED", NULL, dates, "suspension %s of %s from "
		       "%s would stop sessions that are still planned to run; "
		       "use 'cadre suspend', which postpones them", x->r->key,
		       rv(x->r, "scope"), dates[0]);
	}
	error_add_record(x->e, key);
	return 0;
}

static int check_status_event(struct store *s, const struct record *r,
			      struct error *e)
{
	struct stopped x = { e, r, 0 };

	if (strcmp(rv(r, "action"), "suspend"))
		return 0;
	/* Every session it would stop counts, seen by the writer or not. */
	if (store_sessions_in_scope_each(s, &principal_system, rv(r, "scope"),
					 rv(r, "valid_from"), rv(r, "valid_to"),
					 5, stopped_session, &x, e))
		return -1;
	return x.n ? -1 : 0;
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
	if (!strcmp(t, "post"))
		return check_post(s, r, e);
	if (!strcmp(t, "enrolment"))
		return check_enrolment(r, e);
	return 0;
}

/*==== Writes and deferred checks =======================================*/

void rules_tx_init(struct rules_tx *t)
{
	memset(t, 0, sizeof(*t));
}

void rules_tx_release(struct rules_tx *t)
{
	check_guard_free(t->guard);
	t->guard = NULL;
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

/* Note with T's guard what R may break, before it is written. */
static int guard(struct store *s, struct rules_tx *t, const struct record *r,
		 size_t *mark, struct error *e)
{
	struct record old = { 0 };
	int found, rc;

	if (t->unguarded || !check_guard_asks(r->kind))
		return 0;
	if (record_init(&old, r->kind))
		return error_set(e, ERR_NOMEM, "out of memory");
	found = store_get(s, r->kind, r->key, &old, e);
	rc = found < 0 ? -1 : check_guard_note(s, &t->guard, found ? &old : NULL,
					       r, mark, e);
	record_release(&old);
	return rc;
}

int mission_put(struct store *s, struct rules_tx *t, struct record *r,
		enum put_result *res, struct error *e)
{
	const char *tb = r->kind->table;
	size_t mark = 0;

	if (rules_check(s, r, e) || guard(s, t, r, &mark, e) ||
	    store_put(s, r, res, e))
		return -1;
	if (*res == PUT_UNCHANGED)
		check_guard_forget(t->guard, mark);
	if (*res != PUT_UNCHANGED &&
	    (!strcmp(tb, "assignment") || !strcmp(tb, "consent")))
		widen(t, rv(r, "valid_from"), rv(r, "valid_to"));
	return 0;
}

struct first_problem {
	const struct kind *kind;
	struct buf text;	/* whole: a cut could split a UTF-8 character */
};

static void note_problem(void *arg, size_t field, const char *value,
			 const char *reason)
{
	struct first_problem *p = arg;

	if (!p->text.len)
		buf_addf(&p->text, "%s '%s': %s", p->kind->fields[field].name,
			 value ? value : "", reason);
}

int mission_save(struct store *s, struct rules_tx *t, struct record *r,
		 struct error *e)
{
	struct first_problem p = { r->kind, BUF_INIT };
	enum put_result res;
	int n = record_validate(s, r, note_problem, &p, e);

	if (n > 0)
		error_set(e, ERR_INPUT, "%s %s: %s", r->kind->label,
			  r->key ? r->key : "", buf_str(&p.text));
	buf_release(&p.text);
	if (n)
		return -1;
	return mission_put(s, t, r, &res, e);
}

/*==== CEILING ==========================================================*/

/* One consent's days, counted from the assignments that fall under it. */
struct ceiling_walk {
	struct store *s;
	const struct principal *who;
	const char *from, *to;
	ceiling_fn fn;
	void *arg;
	struct error *e;
	const char *sites;
	long *delta;
	int32_t w0, w1;
	char person[160];	/* the person being counted, and the day */
	int32_t counted_to;	/* after the last counted for them */
};

static int count_assigned(void *arg, const struct assigned_row *a)
{
	struct ceiling_walk *w = arg;
	int32_t af = date_days(a->valid_from);
	int32_t at = date_days(a->valid_to ? a->valid_to : OPEN_END);

	if (w->sites && !list_has(w->sites, a->site))
		return 0;
	/* A person counts once a day, on however many posts (rows come by
	 * person, then start): only the days not yet counted. */
	if (!strcmp(w->person, a->person)) {
		if (af < w->counted_to)
			af = w->counted_to;
	} else {
		snprintf(w->person, sizeof(w->person), "%s", a->person);
		w->counted_to = af;
	}
	if (at > w->counted_to)
		w->counted_to = at;
	if (at <= af || af >= w->w1 || at <= w->w0)
		return 0;
	w->delta[(af > w->w0 ? af : w->w0) - w->w0]++;
	w->delta[(at < w->w1 ? at : w->w1) - w->w0]--;
	return 0;
}

static int ceiling_of(void *arg, const struct consent_row *c)
{
	struct ceiling_walk *w = arg;
	const char *ct = c->valid_to ? c->valid_to : OPEN_END;
	char wf[11], wt[11], day[11];
	long count = 0;
	int rc = 0;

	snprintf(wf, sizeof(wf), "%s", strcmp(w->from, c->valid_from) > 0 ?
		 w->from : c->valid_from);
	snprintf(wt, sizeof(wt), "%s", strcmp(w->to, ct) < 0 ? w->to : ct);
	if (!strcmp(wt, OPEN_END)) {
		/* Past the last dated assignment nothing changes. */
		char last[11];
		int found = store_assignments_horizon(w->s, w->who, last, w->e);

		if (found < 0)
			return -1;
		if (found && strcmp(last, wf) >= 0)
			date_format(date_days(last) + 1, wt);
		else
			date_format(date_days(wf) + 1, wt);
	}
	w->w0 = date_days(wf);
	w->w1 = date_days(wt);
	if (w->w1 <= w->w0)
		return 0;
	w->delta = calloc((size_t)(w->w1 - w->w0) + 1, sizeof(*w->delta));
	if (!w->delta)
		return error_set(w->e, ERR_NOMEM, "out of memory");
	w->sites = c->sites;
	w->person[0] = '\0';
	if (store_mission_assignments_each(w->s, w->who, wf, wt, count_assigned,
					   w, w->e)) {
		rc = -1;
		goto out;
	}
	for (int32_t d = w->w0; d < w->w1 && !rc; d++) {
		count += w->delta[d - w->w0];
		date_format(d, day);
		rc = w->fn(w->arg, day, c->code, count, c->ceiling);
	}
out:
	free(w->delta);
	w->delta = NULL;
	return rc;
}

int ceilings_each(struct store *s, const struct principal *who,
		  const char *from, const char *to, ceiling_fn fn, void *arg,
		  struct error *e)
{
	struct ceiling_walk w = { s, who, from, to, fn, arg, e, NULL, NULL,
				  0, 0, "", 0 };

	return store_consents_each(s, who, from, to, ceiling_of, &w, e);
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
		return check_guard_finish(s, t->guard, t->reader, e);
	/* The ceiling counts everyone on the mission's posts, whoever
	 * writes and whatever they may see. */
	rc = ceilings_each(s, &principal_system, t->ceiling_from, t->ceiling_to,
			   find_breach, &b, e);
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
	return check_guard_finish(s, t->guard, t->reader, e);
}
