/* Reports: ceilings and transition; see report.h. */
#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"
#include "util/date.h"

/*==== Ceilings =========================================================*/

struct ceil_ctx {
	json_t *days;
	json_t *peak;
	long breaches;
};

static int ceil_day(void *arg, const char *day, const char *consent,
		    long count, long ceiling)
{
	struct ceil_ctx *c = arg;

	json_array_append_new(c->days, json_pack("{s:s, s:s, s:I, s:I}",
		"date", day, "consent", consent, "headcount", (json_int_t)count,
		"ceiling", (json_int_t)ceiling));
	if (count > ceiling)
		c->breaches++;
	if (!c->peak || count > json_integer_value(json_object_get(c->peak, "headcount"))) {
		json_decref(c->peak);
		c->peak = json_pack("{s:s, s:s, s:I, s:I}", "date", day, "consent",
				    consent, "headcount", (json_int_t)count,
				    "ceiling", (json_int_t)ceiling);
	}
	return 0;
}

int report_ceilings(struct store *s, const char *from, const char *to,
		    json_t **out, struct error *e)
{
	struct ceil_ctx c = { .days = json_array() };

	*out = NULL;
	if (ceilings_each(s, NULL, from, to, ceil_day, &c, e)) {
		json_decref(c.days);
		json_decref(c.peak);
		return -1;
	}
	*out = json_pack("{s:s, s:s, s:o, s:o, s:I}", "from", from, "to", to,
			 "days", c.days, "peak", c.peak ? c.peak : json_null(),
			 "breaches", (json_int_t)c.breaches);
	return 0;
}

/*==== Transition =======================================================*/

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char sessions_sql[] =
	"SELECT s.key, s.course, s.valid_from, s.valid_to, s.lead, s.status,"
	" (SELECT count(*) FROM enrolment en WHERE en.session = s.key"
	"  AND en.result = 'pass') AS passed,"
	" (SELECT count(*) FROM enrolment en WHERE en.session = s.key"
	"  AND en.result IN ('pass', 'fail')) AS assessed"
	" FROM session s WHERE s.status NOT IN ('postponed', 'cancelled')"
	" AND s.valid_from <= ?1 ORDER BY s.course, s.valid_from";

static const char courses_sql[] =
	"SELECT code, title, transition_sessions, pass_target FROM course"
	" ORDER BY code";

/* Add session ROW's training days, by month, to MONTHS. */
static void add_days(json_t *months, json_t *row, const char *asof)
{
	int32_t a = date_days(json_string_value(json_object_get(row, "valid_from")));
	int32_t b = date_days(json_string_value(json_object_get(row, "valid_to")));
	int32_t end = date_days(asof) + 1;
	int host = !strcmp(json_string_value(json_object_get(row, "lead")), "host");
	char day[11], month[8];

	for (int32_t d = a; d < b && d < end; d++) {
		json_t *m;

		date_format(d, day);
		snprintf(month, sizeof(month), "%.7s", day);
		m = json_object_get(months, month);
		if (!m) {
			m = json_pack("{s:s, s:i, s:i}", "month", month,
				      "training_days", 0, "host_led_days", 0);
			json_object_set_new(months, month, m);
		}
		json_object_set_new(m, "training_days", json_integer(
			json_integer_value(json_object_get(m, "training_days")) + 1));
		if (host)
			json_object_set_new(m, "host_led_days", json_integer(
				json_integer_value(json_object_get(m, "host_led_days")) + 1));
	}
}

int report_transition(struct store *s, const char *asof, json_t **out,
		      struct error *e)
{
	json_t *sessions = NULL, *courses = NULL, *list = json_array();
	json_t *months = json_object(), *monthly = json_array(), *c, *m;
	const char *p[1] = { asof };
	const char *key;
	size_t i, j;
	long host_days = 0, all_days = 0;

	*out = NULL;
	if (store_rows(s, sessions_sql, p, 1, &sessions, e) ||
	    store_rows(s, courses_sql, NULL, 0, &courses, e)) {
		json_decref(sessions);
		json_decref(list);
		json_decref(months);
		json_decref(monthly);
		return -1;
	}
	json_array_foreach(courses, i, c) {
		const char *code = json_string_value(json_object_get(c, "code"));
		long need = (long)json_integer_value(json_object_get(c, "transition_sessions"));
		double target = json_number_value(json_object_get(c, "pass_target"));
		long run = 0, host = 0, total = 0, done_n = 0, recent_host = 0;
		const char *transitioned_on = NULL, *state;
		json_t *row, *done_leads = json_array();

		json_array_foreach(sessions, j, row) {
			const char *lead;
			long passed, assessed;

			if (strcmp(json_string_value(json_object_get(row, "course")), code))
				continue;
			lead = json_string_value(json_object_get(row, "lead"));
			total++;
			host += !strcmp(lead, "host");
			if (strcmp(json_string_value(json_object_get(row, "status")), "completed") ||
			    strcmp(json_string_value(json_object_get(row, "valid_to")), asof) > 0)
				continue;
			passed = (long)json_integer_value(json_object_get(row, "passed"));
			assessed = (long)json_integer_value(json_object_get(row, "assessed"));
			json_array_append_new(done_leads, json_string(lead));
			if (!strcmp(lead, "host") && assessed > 0 &&
			    (double)passed / (double)assessed >= target - 1e-9)
				run++;
			else
				run = 0;
			if (run >= need && !transitioned_on)
				transitioned_on = json_string_value(json_object_get(row, "valid_to"));
		}
		done_n = (long)json_array_size(done_leads);
		for (long k = done_n - need < 0 ? 0 : done_n - need; k < done_n; k++)
			recent_host += !strcmp(json_string_value(
				json_array_get(done_leads, (size_t)k)), "host");
		json_decref(done_leads);
		state = !done_n ? "not started" : run >= need ? "host-led" :
			recent_host ? "co-led" : "mission-led";
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s?, s:I, s:I, s:I, s:I, s:I, s:f}",
			"course", code,
			"title", json_string_value(json_object_get(c, "title")),
			"state", state,
			"transitioned", transitioned_on != NULL,
			"transitioned_on", transitioned_on,
			"consecutive_host_led", (json_int_t)run,
			"needed", (json_int_t)need,
			"sessions", (json_int_t)total,
			"completed", (json_int_t)done_n,
			"host_led_sessions", (json_int_t)host,
			"pass_target", target));
	}
	json_array_foreach(sessions, i, c)
		add_days(months, c, asof);
	{
		/* Months in calendar order. */
		const char **keys = calloc(json_object_size(months) + 1, sizeof(*keys));
		size_t n = 0;

		json_object_foreach(months, key, m)
			keys[n++] = key;
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (size_t k = 0; k < n; k++) {
			long t, h;

			m = json_object_get(months, keys[k]);
			t = (long)json_integer_value(json_object_get(m, "training_days"));
			h = (long)json_integer_value(json_object_get(m, "host_led_days"));
			json_object_set_new(m, "host_share",
					    json_real(t ? (double)h / (double)t : 0));
			json_array_append(monthly, m);
			all_days += t;
			host_days += h;
		}
		free(keys);
	}
	*out = json_pack("{s:s, s:o, s:o, s:f}", "as_of", asof, "courses", list,
			 "monthly", monthly, "host_share",
			 all_days ? (double)host_days / (double)all_days : 0.0);
	json_decref(sessions);
	json_decref(courses);
	json_decref(months);
	return 0;
}

/*==== Manning ==========================================================*/

/* The mission's establishment: posts of its organisations (the
 * coalition's, before a transfer, are another establishment). */
static const char manning_posts_sql[] =
	SQL_MISSION_CTE
	"SELECT p.number, p.title, p.branch, p.category, p.site,"
	" coalesce(p.nation, '') AS designated,"
	" (SELECT group_concat(pe.nation, ';') FROM assignment a"
	"  JOIN person pe ON pe.code = a.person WHERE a.post = p.number"
	"  AND a.valid_from <= ?1 AND (a.valid_to IS NULL OR a.valid_to > ?1))"
	" AS holders"
	" FROM post p WHERE p.organisation IN (SELECT code FROM mission)"
	" AND p.valid_from <= ?1 AND (p.valid_to IS NULL OR"
	" p.valid_to > ?1) ORDER BY p.number";

/* Assignments ending within the horizon, with the next holder's start. */
static const char manning_due_sql[] =
	SQL_MISSION_CTE
	"SELECT a.post, a.person, pe.nation, a.valid_to AS ends,"
	" (SELECT min(n.valid_from) FROM assignment n WHERE n.post = a.post"
	"  AND n.valid_from > a.valid_from) AS next_from"
	" FROM assignment a JOIN person pe ON pe.code = a.person"
	" JOIN post po ON po.number = a.post"
	" WHERE po.organisation IN (SELECT code FROM mission) AND a.valid_to > ?1 AND a.valid_to <= ?2 ORDER BY a.valid_to, a.post";

static void bump(json_t *o, const char *k, const char *field)
{
	json_t *e = json_object_get(o, k);

	if (!e) {
		e = json_pack("{s:i, s:i, s:i}", "posts", 0, "filled", 0, "vacant", 0);
		json_object_set_new(o, k, e);
	}
	json_object_set_new(e, field, json_integer(
		json_integer_value(json_object_get(e, field)) + 1));
}

int report_manning(struct store *s, const char *asof, int days, json_t **out,
		   struct error *e)
{
	json_t *posts = NULL, *due = NULL, *row;
	json_t *by_branch = json_object(), *by_site = json_object();
	json_t *by_category = json_object(), *by_nation = json_object();
	json_t *rotations = json_array();
	char horizon[11];
	const char *p1[1] = { asof }, *p2[2] = { asof, horizon };
	long filled = 0, vacant = 0, overlaps = 0;
	size_t i;

	*out = NULL;
	date_format(date_days(asof) + days, horizon);
	if (store_rows(s, manning_posts_sql, p1, 1, &posts, e) ||
	    store_rows(s, manning_due_sql, p2, 2, &due, e)) {
		json_decref(posts);
		json_decref(by_branch);
		json_decref(by_site);
		json_decref(by_category);
		json_decref(by_nation);
		json_decref(rotations);
		return -1;
	}
	json_array_foreach(posts, i, row) {
		const char *holders = json_string_value(json_object_get(row, "holders"));
		int is_filled = holders && *holders;
		const char *keys[3] = {
			json_string_value(json_object_get(row, "branch")),
			json_string_value(json_object_get(row, "site")),
			json_string_value(json_object_get(row, "category")),
		};
		json_t *maps[3] = { by_branch, by_site, by_category };

		for (int m = 0; m < 3; m++) {
			bump(maps[m], keys[m], "posts");
			bump(maps[m], keys[m], is_filled ? "filled" : "vacant");
		}
		if (is_filled) {
			char nation[4];

			filled++;
			overlaps += strchr(holders, ';') != NULL;
			snprintf(nation, sizeof(nation), "%.3s", holders);
			bump(by_nation, nation, "posts");
			bump(by_nation, nation, "filled");
		} else {
			vacant++;
		}
	}
	json_array_foreach(due, i, row) {
		const char *ends = json_string_value(json_object_get(row, "ends"));
		const char *next = json_string_value(json_object_get(row, "next_from"));
		json_t *r = json_pack("{s:O, s:O, s:O, s:s, s:s?}",
			"post", json_object_get(row, "post"),
			"person", json_object_get(row, "person"),
			"nation", json_object_get(row, "nation"),
			"ends", ends, "next_from", next);

		/* Positive: days without a holder; negative: days of relief in
		 * place; no successor yet: gap open. */
		if (next)
			json_object_set_new(r, "gap_days",
					    json_integer(date_days(next) - date_days(ends)));
		json_array_append_new(rotations, r);
	}
	*out = json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
		"as_of", asof, "horizon_days", days,
		"posts", (json_int_t)json_array_size(posts),
		"filled", (json_int_t)filled, "vacant", (json_int_t)vacant,
		"handover_overlaps", (json_int_t)overlaps,
		"by_branch", by_branch, "by_site", by_site,
		"by_category", by_category, "by_nation", by_nation,
		"rotations_due", rotations);
	json_decref(posts);
	json_decref(due);
	return 0;
}

/*==== Contributions ====================================================*/

static const char contributions_sql[] =
	SQL_MISSION_CTE
	"SELECT n.code, n.name, CASE WHEN n.member_since <= ?1 THEN 'member'"
	" WHEN n.partner_since <= ?1 AND (n.partner_until IS NULL OR"
	" n.partner_until > ?1) THEN 'partner' ELSE 'other' END AS status,"
	" (SELECT count(DISTINCT a.person) FROM assignment a JOIN person pe"
	"  ON pe.code = a.person JOIN post po ON po.number = a.post"
	"  WHERE po.organisation IN (SELECT code FROM mission)"
	"  AND pe.nation = n.code AND a.valid_from <= ?1"
	"  AND (a.valid_to IS NULL OR a.valid_to > ?1)) AS deployed,"
	" (SELECT sum(pl.personnel) FROM pledge pl WHERE pl.nation = n.code"
	"  AND pl.valid_from <= ?1 AND (pl.valid_to IS NULL OR pl.valid_to > ?1))"
	" AS pledged"
	" FROM nation n ORDER BY deployed DESC, n.code";

int report_contributions(struct store *s, const char *asof, json_t **out,
			 struct error *e)
{
	const char *p[1] = { asof };
	json_t *rows, *row, *list = json_array();
	long members = 0, partners = 0;
	size_t i;

	*out = NULL;
	if (store_rows(s, contributions_sql, p, 1, &rows, e)) {
		json_decref(list);
		return -1;
	}
	json_array_foreach(rows, i, row) {
		long n = (long)json_integer_value(json_object_get(row, "deployed"));
		const char *st = json_string_value(json_object_get(row, "status"));

		if (!n && json_is_null(json_object_get(row, "pledged")))
			continue;
		if (!strcmp(st, "member"))
			members += n;
		else
			partners += n;
		json_array_append(list, row);
	}
	json_decref(rows);
	*out = json_pack("{s:s, s:I, s:I, s:o}", "as_of", asof,
			 "from_members", (json_int_t)members,
			 "from_partners", (json_int_t)partners, "nations", list);
	return 0;
}

/* People deployed by nation on the first day of each month in [FROM, TO). */
static const char monthly_sql[] =
	SQL_MISSION_CTE
	"SELECT pe.nation, count(DISTINCT a.person) AS deployed"
	" FROM assignment a JOIN person pe ON pe.code = a.person"
	" JOIN post po ON po.number = a.post"
	" WHERE po.organisation IN (SELECT code FROM mission)"
	" AND a.valid_from <= ?1 AND (a.valid_to IS NULL OR a.valid_to > ?1)"
	" GROUP BY pe.nation ORDER BY pe.nation";

int report_contributions_over_time(struct store *s, const char *from,
				   const char *to, json_t **out,
				   struct error *e)
{
	json_t *months = json_array();
	int y = (int)strtol(from, NULL, 10), m = (int)strtol(from + 5, NULL, 10);
	char day[11];

	*out = NULL;
	if (from[8] != '0' || from[9] != '1') {	/* the next first of a month */
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	for (int n = 0; n < 600; n++) {
		const char *p[1] = { day };
		json_t *rows, *row, *by = json_object();
		size_t i;
		long total = 0;

		snprintf(day, sizeof(day), "%04d-%02d-01", y, m);
		if (strcmp(day, to) >= 0) {
			json_decref(by);
			break;
		}
		if (store_rows(s, monthly_sql, p, 1, &rows, e)) {
			json_decref(by);
			json_decref(months);
			return -1;
		}
		json_array_foreach(rows, i, row) {
			json_object_set(by, json_string_value(json_object_get(row,
				"nation")), json_object_get(row, "deployed"));
			total += (long)json_integer_value(json_object_get(row, "deployed"));
		}
		json_decref(rows);
		json_array_append_new(months, json_pack("{s:s, s:I, s:o}", "month",
			day, "deployed", (json_int_t)total, "by_nation", by));
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	*out = json_pack("{s:s, s:s, s:o}", "from", from, "to", to, "months",
			 months);
	return 0;
}

/*==== Training output ==================================================*/

static const char output_sql[] =
	"SELECT substr(s.valid_to, 1, 7) AS month, s.course, s.site,"
	" coalesce(a.host, '') AS institution, count(*) AS trainees,"
	" sum(en.result = 'pass') AS passed,"
	" sum(en.certificate IS NOT NULL) AS certificates"
	" FROM session s JOIN enrolment en ON en.session = s.key"
	" JOIN course c ON c.code = s.course JOIN activity a ON a.code = c.activity"
	" WHERE s.status = 'completed' AND s.valid_to > ?1 AND s.valid_to <= ?2"
	" GROUP BY month, s.course, s.site, institution"
	" ORDER BY month, s.course, s.site";

int report_training_output(struct store *s, const char *from, const char *to,
			   json_t **out, struct error *e)
{
	const char *p[2] = { from, to };
	json_t *rows, *row;
	long trainees = 0, passed = 0;
	size_t i;

	*out = NULL;
	if (store_rows(s, output_sql, p, 2, &rows, e))
		return -1;
	json_array_foreach(rows, i, row) {
		long t = (long)json_integer_value(json_object_get(row, "trainees"));
		long ps = (long)json_integer_value(json_object_get(row, "passed"));

		trainees += t;
		passed += ps;
		json_object_set_new(row, "pass_rate", json_real(t ? (double)ps / (double)t : 0));
	}
	*out = json_pack("{s:s, s:s, s:I, s:I, s:f, s:o}", "from", from, "to", to,
			 "trainees", (json_int_t)trainees, "passed", (json_int_t)passed,
			 "pass_rate", trainees ? (double)passed / (double)trainees : 0.0,
			 "rows", rows);
	return 0;
}

/*==== Capability =======================================================*/

static const char capability_sql[] =
	"SELECT organisation, competency, assessed_on, level, target FROM assessment"
	" WHERE assessed_on <= ?1 ORDER BY organisation, competency, assessed_on";

int report_capability(struct store *s, const char *asof, json_t **out,
		      struct error *e)
{
	const char *p[1] = { asof };
	json_t *rows, *row, *list = json_array(), *cur = NULL;
	size_t i;

	*out = NULL;
	if (store_rows(s, capability_sql, p, 1, &rows, e)) {
		json_decref(list);
		return -1;
	}
	json_array_foreach(rows, i, row) {
		const char *org = json_string_value(json_object_get(row, "organisation"));
		const char *comp = json_string_value(json_object_get(row, "competency"));

		if (!cur || strcmp(org, json_string_value(json_object_get(cur, "organisation"))) ||
		    strcmp(comp, json_string_value(json_object_get(cur, "competency")))) {
			cur = json_pack("{s:s, s:s, s:O, s:[]}", "organisation", org,
					"competency", comp, "first_level",
					json_object_get(row, "level"), "series");
			json_array_append_new(list, cur);
		}
		json_array_append_new(json_object_get(cur, "series"), json_pack(
			"{s:O, s:O}", "on", json_object_get(row, "assessed_on"),
			"level", json_object_get(row, "level")));
		json_object_set(cur, "level", json_object_get(row, "level"));
		json_object_set(cur, "target", json_object_get(row, "target"));
		json_object_set(cur, "assessed_on", json_object_get(row, "assessed_on"));
		json_object_set_new(cur, "at_target", json_boolean(
			!json_is_null(json_object_get(row, "target")) &&
			json_integer_value(json_object_get(row, "level")) >=
			json_integer_value(json_object_get(row, "target"))));
	}
	json_decref(rows);
	*out = json_pack("{s:s, s:o}", "as_of", asof, "competencies", list);
	return 0;
}

/*==== Suspension impact ================================================*/

static const char impact_sql[] =
	"SELECT s.key, s.course, s.site, s.valid_from, s.valid_to,"
	" (SELECT count(*) FROM enrolment en WHERE en.session = s.key) AS trainees,"
	" (SELECT n.key FROM session n WHERE n.replaces = s.key) AS rerun,"
	" (SELECT n.valid_from FROM session n WHERE n.replaces = s.key) AS rerun_from"
	" FROM session s JOIN course c ON c.code = s.course"
	" WHERE s.status = 'postponed' AND s.valid_from < ?2 AND s.valid_to > ?1"
	" AND (?3 = 'mission' OR ?3 = 'site:' || s.site"
	" OR ?3 = 'activity:' || c.activity) ORDER BY s.valid_from, s.key";

int report_suspension_impact(struct store *s, const char *event, json_t **out,
			     struct error *e)
{
	static const char ev_sql[] =
		"SELECT code, scope, reason, valid_from,"
		" coalesce(valid_to, '9999-12-31') AS valid_to FROM status_event"
		" WHERE code = ?1 AND action = 'suspend'";
	json_t *evs = NULL, *rows = NULL, *ev, *row;
	const char *p[3];
	long trainee_days = 0, rerun = 0;
	size_t i;

	*out = NULL;
	if (store_rows(s, ev_sql, &event, 1, &evs, e))
		return -1;
	if (!(ev = json_array_get(evs, 0))) {
		json_decref(evs);
		return error_set(e, ERR_NOTFOUND, "no suspension '%s'", event);
	}
	p[0] = json_string_value(json_object_get(ev, "valid_from"));
	p[1] = json_string_value(json_object_get(ev, "valid_to"));
	p[2] = json_string_value(json_object_get(ev, "scope"));
	if (store_rows(s, impact_sql, p, 3, &rows, e)) {
		json_decref(evs);
		return -1;
	}
	json_array_foreach(rows, i, row) {
		int32_t a = date_days(json_string_value(json_object_get(row, "valid_from")));
		int32_t b = date_days(json_string_value(json_object_get(row, "valid_to")));
		int32_t sa = date_days(p[0]), sb = date_days(p[1]);
		int32_t lost = (b < sb ? b : sb) - (a > sa ? a : sa);
		long n = (long)json_integer_value(json_object_get(row, "trainees"));
		const char *rf = json_string_value(json_object_get(row, "rerun_from"));

		json_object_set_new(row, "days_lost", json_integer(lost));
		trainee_days += lost * n;
		if (rf) {
			rerun++;
			json_object_set_new(row, "delay_days", json_integer(date_days(rf) - a));
		}
	}
	*out = json_pack("{s:O, s:I, s:I, s:I, s:o}", "suspension", ev,
			 "sessions_postponed", (json_int_t)json_array_size(rows),
			 "sessions_rerun", (json_int_t)rerun,
			 "trainee_days_lost", (json_int_t)trainee_days,
			 "sessions", rows);
	json_decref(evs);
	return 0;
}

/*==== Transfer =========================================================*/

/* The sessions of each transferred activity from its day, found through
 * their courses, and their enrolments through the session index: a scan
 * of every enrolment, joined back, took 8 times a full scan at scale. */
static const char transfer_sql[] =
	"WITH moved AS (SELECT a.code, s.key AS session FROM activity a"
	"  JOIN course c ON c.activity = a.code"
	"  JOIN session s ON s.course = c.code AND s.valid_from >= a.owner_from"
	"  WHERE a.previous_owner IS NOT NULL AND (?1 IS NULL OR a.code = ?1))"
	" SELECT a.code, a.title, a.previous_owner AS from_org, a.owner AS to_org,"
	" a.owner_from AS on_day,"
	" (SELECT count(*) FROM moved m WHERE m.code = a.code) AS sessions,"
	" (SELECT count(*) FROM moved m JOIN enrolment en"
	"  ON en.session = m.session WHERE m.code = a.code) AS enrolments,"
	" (SELECT count(DISTINCT en.trainee) FROM moved m JOIN enrolment en"
	"  ON en.session = m.session WHERE m.code = a.code) AS trainees"
	" FROM activity a WHERE a.previous_owner IS NOT NULL"
	" AND (?1 IS NULL OR a.code = ?1) ORDER BY a.owner_from, a.code";

/* The people re-assigned: on posts the transfer opened for the new owner
 * (NUMBER@OWNER) from the day. A post does not say which of the day's
 * activities brought it, so people are counted per owner and day. */
static const char transfer_people_sql[] =
	"SELECT substr(x.post, instr(x.post, '@') + 1) AS to_org,"
	" x.valid_from AS on_day, pe.nation, count(DISTINCT pe.code) AS people"
	" FROM assignment x JOIN person pe ON pe.code = x.person"
	" WHERE instr(x.post, '@') > 0 AND x.valid_from = (SELECT p.valid_from"
	"  FROM post p WHERE p.number = x.post)"
	" GROUP BY to_org, on_day, pe.nation ORDER BY on_day, to_org, people DESC";

int report_transfer(struct store *s, const char *activity, json_t **out,
		    struct error *e)
{
	const char *p[1] = { activity };
	json_t *rows = NULL, *people = NULL, *row;
	long total = 0;
	size_t i;

	*out = NULL;
	if (store_rows(s, transfer_sql, p, 1, &rows, e) ||
	    store_rows(s, transfer_people_sql, NULL, 0, &people, e)) {
		json_decref(rows);
		return -1;
	}
	json_array_foreach(people, i, row)
		total += (long)json_integer_value(json_object_get(row, "people"));
	*out = json_pack("{s:I, s:I, s:o, s:o}", "activities",
			 (json_int_t)json_array_size(rows), "people_reassigned",
			 (json_int_t)total, "transfers", rows,
			 "people_by_nation", people);
	return 0;
}
