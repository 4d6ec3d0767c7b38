/* The reports, and the table of them by name; see report.h. */
#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "core/rules.h"
#include "store/report.h"
#include "util/date.h"

/* A store walk's result: the row functions below stop it (non-zero)
 * only when out of memory, with E not set. 0 or -1 with E. */
static int walked(int rc, struct error *e)
{
	if (rc && e->code == ERR_OK)
		return error_set(e, ERR_NOMEM, "out of memory");
	return rc ? -1 : 0;
}

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

int report_ceilings(struct store *s, const struct principal *who,
		    const char *from, const char *to, json_t **out,
		    struct error *e)
{
	struct ceil_ctx c = { .days = json_array() };

	*out = NULL;
	if (ceilings_each(s, who, from, to, ceil_day, &c, e)) {
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

/* The sessions kept as objects: the report goes over them once per
 * course, then once for the months. */
static int keep_session(void *arg, const struct transition_session *r)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
		"key", r->key, "course", r->course, "valid_from", r->valid_from,
		"valid_to", r->valid_to, "lead", r->lead, "status", r->status,
		"passed", (json_int_t)r->passed,
		"assessed", (json_int_t)r->assessed));
}

static int keep_course(void *arg, const struct transition_course *r)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:I, s:f}",
		"code", r->code, "title", r->title, "transition_sessions",
		(json_int_t)r->transition_sessions, "pass_target",
		r->pass_target));
}

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

int report_transition(struct store *s, const struct principal *who,
		      const char *asof, json_t **out, struct error *e)
{
	json_t *sessions = json_array(), *courses = json_array();
	json_t *list = json_array();
	json_t *months = json_object(), *monthly = json_array(), *c, *m;
	const char *key;
	size_t i, j;
	long host_days = 0, all_days = 0, transitioned = 0;

	*out = NULL;
	if (walked(store_transition_sessions(s, who, asof, keep_session,
					     sessions, e), e) ||
	    walked(store_transition_courses(s, who, keep_course, courses, e), e)) {
		json_decref(sessions);
		json_decref(courses);
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
			/* A run broken by a mission-led (or failed) session
			 * undoes the transition: the course is co-led again,
			 * and transitions anew when a new run reaches N. A
			 * host-led session whose results are not in yet
			 * neither extends nor breaks it. */
			if (!strcmp(lead, "host") && !assessed)
				continue;
			if (!strcmp(lead, "host") &&
			    (double)passed / (double)assessed >= target - 1e-9)
				run++;
			else
				run = 0, transitioned_on = NULL;
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
		/* Transitioned is host-led, and only that: the headline
		 * count below and the table's state say the same. */
		transitioned += run >= need;
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

		if (!keys) {
			json_decref(sessions);
			json_decref(courses);
			json_decref(list);
			json_decref(months);
			json_decref(monthly);
			return error_set(e, ERR_NOMEM, "out of memory");
		}
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
	*out = json_pack("{s:s, s:o, s:o, s:f, s:I, s:I}", "as_of", asof,
			 "courses", list, "monthly", monthly, "host_share",
			 all_days ? (double)host_days / (double)all_days : 0.0,
			 "courses_transitioned", (json_int_t)transitioned,
			 "courses_total", (json_int_t)json_array_size(list));
	json_decref(sessions);
	json_decref(courses);
	json_decref(months);
	return 0;
}

/*==== Manning ==========================================================*/

struct manning_ctx {
	json_t *by_branch, *by_site, *by_category, *by_nation, *rotations;
	long posts, filled, vacant, overlaps;
};

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

static int count_post(void *arg, const struct manning_post *r)
{
	struct manning_ctx *c = arg;
	int is_filled = r->holders && *r->holders;
	const char *keys[3] = { r->branch, r->site, r->category };
	json_t *maps[3] = { c->by_branch, c->by_site, c->by_category };

	c->posts++;
	for (int m = 0; m < 3; m++) {
		bump(maps[m], keys[m], "posts");
		bump(maps[m], keys[m], is_filled ? "filled" : "vacant");
	}
	/* By nation is by the nation the post is designated for, as the
	 * other tables are by the post's own branch, site and category: a
	 * vacant post counts against its nation, and a post held by
	 * another nation's officer is filled for the nation it is
	 * designated for. A post designated for none is "any". */
	bump(c->by_nation, *r->designated ? r->designated : "any", "posts");
	bump(c->by_nation, *r->designated ? r->designated : "any",
	     is_filled ? "filled" : "vacant");
	if (is_filled) {
		c->filled++;
		c->overlaps += strchr(r->holders, ';') != NULL;
	} else {
		c->vacant++;
	}
	return 0;
}

static int add_rotation(void *arg, const struct manning_rotation *r)
{
	struct manning_ctx *c = arg;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?}", "post", r->post,
			      "person", r->person, "nation", r->nation,
			      "ends", r->ends, "next_from", r->next_from);

	/* Positive: days without a holder; negative: days of relief in
	 * place; no successor yet: gap open. */
	if (r->next_from)
		json_object_set_new(o, "gap_days", json_integer(
			date_days(r->next_from) - date_days(r->ends)));
	json_array_append_new(c->rotations, o);
	return 0;
}

int report_manning(struct store *s, const struct principal *who,
		   const char *asof, int days, json_t **out, struct error *e)
{
	struct manning_ctx c = {
		.by_branch = json_object(), .by_site = json_object(),
		.by_category = json_object(), .by_nation = json_object(),
		.rotations = json_array(),
	};
	char horizon[11];

	*out = NULL;
	date_format(date_days(asof) + days, horizon);
	if (store_manning_posts(s, who, asof, count_post, &c, e) ||
	    store_manning_rotations(s, who, asof, horizon, add_rotation, &c, e)) {
		json_decref(c.by_branch);
		json_decref(c.by_site);
		json_decref(c.by_category);
		json_decref(c.by_nation);
		json_decref(c.rotations);
		return -1;
	}
	*out = json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
		"as_of", asof, "horizon_days", days,
		"posts", (json_int_t)c.posts,
		"filled", (json_int_t)c.filled, "vacant", (json_int_t)c.vacant,
		"handover_overlaps", (json_int_t)c.overlaps,
		"by_branch", c.by_branch, "by_site", c.by_site,
		"by_category", c.by_category, "by_nation", c.by_nation,
		"rotations_due", c.rotations);
	return 0;
}

/*==== Contributions ====================================================*/

struct contrib_ctx {
	json_t *list;
	long members, partners;
};

static int add_contribution(void *arg, const struct contribution *r)
{
	struct contrib_ctx *c = arg;

	if (!r->deployed && !r->has_pledge)
		return 0;
	if (!strcmp(r->status, "member"))
		c->members += r->deployed;
	else
		c->partners += r->deployed;
	json_array_append_new(c->list, json_pack("{s:s, s:s, s:s, s:I, s:o}",
		"code", r->code, "name", r->name, "status", r->status,
		"deployed", (json_int_t)r->deployed, "pledged", r->has_pledge ?
		json_integer(r->pledged) : json_null()));
	return 0;
}

int report_contributions(struct store *s, const struct principal *who,
			 const char *asof, json_t **out, struct error *e)
{
	struct contrib_ctx c = { .list = json_array() };

	*out = NULL;
	if (store_contributions(s, who, asof, add_contribution, &c, e)) {
		json_decref(c.list);
		return -1;
	}
	*out = json_pack("{s:s, s:I, s:I, s:o}", "as_of", asof,
			 "from_members", (json_int_t)c.members,
			 "from_partners", (json_int_t)c.partners, "nations", c.list);
	return 0;
}

struct month_ctx {
	json_t *by;
	long total;
};

static int add_deployed(void *arg, const struct deployed *r)
{
	struct month_ctx *c = arg;

	json_object_set_new(c->by, r->nation, json_integer(r->people));
	c->total += r->people;
	return 0;
}

int report_contributions_over_time(struct store *s,
				   const struct principal *who,
				   const char *from, const char *to,
				   json_t **out, struct error *e)
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
		struct month_ctx c = { .by = json_object() };

		snprintf(day, sizeof(day), "%04d-%02d-01", y, m);
		if (strcmp(day, to) >= 0) {
			json_decref(c.by);
			break;
		}
		if (store_deployed_on(s, who, day, add_deployed, &c, e)) {
			json_decref(c.by);
			json_decref(months);
			return -1;
		}
		json_array_append_new(months, json_pack("{s:s, s:I, s:o}", "month",
			day, "deployed", (json_int_t)c.total, "by_nation", c.by));
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

struct output_ctx {
	json_t *rows;
	long trainees, passed;
};

static int add_output(void *arg, const struct training_output *r)
{
	struct output_ctx *c = arg;

	c->trainees += r->trainees;
	c->passed += r->passed;
	json_array_append_new(c->rows, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:f}",
		"month", r->month, "course", r->course, "site", r->site,
		"institution", r->institution, "trainees", (json_int_t)r->trainees,
		"passed", (json_int_t)r->passed,
		"certificates", (json_int_t)r->certificates, "pass_rate",
		r->trainees ? (double)r->passed / (double)r->trainees : 0.0));
	return 0;
}

int report_training_output(struct store *s, const struct principal *who,
			   const char *from, const char *to, json_t **out,
			   struct error *e)
{
	struct output_ctx c = { .rows = json_array() };

	*out = NULL;
	if (store_training_output(s, who, from, to, add_output, &c, e)) {
		json_decref(c.rows);
		return -1;
	}
	*out = json_pack("{s:s, s:s, s:I, s:I, s:f, s:o}", "from", from, "to", to,
			 "trainees", (json_int_t)c.trainees,
			 "passed", (json_int_t)c.passed, "pass_rate", c.trainees ?
			 (double)c.passed / (double)c.trainees : 0.0,
			 "rows", c.rows);
	return 0;
}

/*==== Capability =======================================================*/

struct capability_ctx {
	json_t *list;
	json_t *cur;	/* borrowed: the last of list */
};

static int add_assessment(void *arg, const struct assessment_row *r)
{
	struct capability_ctx *c = arg;
	json_t *cur = c->cur;

	if (!cur || strcmp(r->organisation, json_string_value(
			json_object_get(cur, "organisation"))) ||
	    strcmp(r->competency, json_string_value(
			json_object_get(cur, "competency")))) {
		cur = json_pack("{s:s, s:s, s:I, s:[]}", "organisation",
				r->organisation, "competency", r->competency,
				"first_level", (json_int_t)r->level, "series");
		json_array_append_new(c->list, cur);
		c->cur = cur;
	}
	json_array_append_new(json_object_get(cur, "series"), json_pack(
		"{s:s, s:I}", "on", r->assessed_on, "level", (json_int_t)r->level));
	json_object_set_new(cur, "level", json_integer(r->level));
	json_object_set_new(cur, "target", r->has_target ?
			    json_integer(r->target) : json_null());
	json_object_set_new(cur, "assessed_on", json_string(r->assessed_on));
	json_object_set_new(cur, "at_target", json_boolean(
		r->has_target && r->level >= r->target));
	return 0;
}

int report_capability(struct store *s, const struct principal *who,
		      const char *asof, json_t **out, struct error *e)
{
	struct capability_ctx c = { .list = json_array() };

	*out = NULL;
	if (store_assessments(s, who, asof, add_assessment, &c, e)) {
		json_decref(c.list);
		return -1;
	}
	*out = json_pack("{s:s, s:o}", "as_of", asof, "competencies", c.list);
	return 0;
}

/*==== Suspension impact ================================================*/

struct impact_ctx {
	json_t *rows;
	int32_t from, to;	/* the suspension's days */
	long trainee_days, rerun;
};

static int add_postponed(void *arg, const struct postponed *r)
{
	struct impact_ctx *c = arg;
	int32_t a = date_days(r->valid_from), b = date_days(r->valid_to);
	int32_t lost = (b < c->to ? b : c->to) - (a > c->from ? a : c->from);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:i}",
		"key", r->key, "course", r->course, "site", r->site,
		"valid_from", r->valid_from, "valid_to", r->valid_to,
		"trainees", (json_int_t)r->trainees,
		"rerun", r->rerun ? json_string(r->rerun) : json_null(),
		"rerun_from", r->rerun_from ? json_string(r->rerun_from) : json_null(),
		"days_lost", (int)lost);

	c->trainee_days += lost * r->trainees;
	if (r->rerun_from) {
		c->rerun++;
		json_object_set_new(o, "delay_days",
				    json_integer(date_days(r->rerun_from) - a));
	}
	json_array_append_new(c->rows, o);
	return 0;
}

int report_suspension_impact(struct store *s, const struct principal *who,
			     const char *event, json_t **out,
			     struct error *e)
{
	struct suspension sp;
	struct impact_ctx c = { .rows = json_array() };
	int rc;

	*out = NULL;
	rc = store_suspension(s, who, event, &sp, e);
	if (rc <= 0) {
		json_decref(c.rows);
		return rc < 0 ? -1 : error_set(e, ERR_NOTFOUND,
					       "no suspension '%s'", event);
	}
	c.from = date_days(sp.valid_from);
	c.to = date_days(sp.valid_to);
	if (store_postponed(s, who, sp.valid_from, sp.valid_to, sp.scope,
			    add_postponed, &c, e)) {
		suspension_release(&sp);
		json_decref(c.rows);
		return -1;
	}
	*out = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:I, s:I, s:I, s:o}",
			 "suspension", "code", sp.code, "scope", sp.scope,
			 "reason", sp.reason, "valid_from", sp.valid_from,
			 "valid_to", sp.valid_to,
			 "sessions_postponed", (json_int_t)json_array_size(c.rows),
			 "sessions_rerun", (json_int_t)c.rerun,
			 "trainee_days_lost", (json_int_t)c.trainee_days,
			 "sessions", c.rows);
	suspension_release(&sp);
	return 0;
}

/*==== Transfer =========================================================*/

static int add_transfer(void *arg, const struct transfer *r)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
		"code", r->code, "title", r->title, "from_org", r->from_org,
		"to_org", r->to_org, "on_day", r->on_day,
		"sessions", (json_int_t)r->sessions,
		"enrolments", (json_int_t)r->enrolments,
		"trainees", (json_int_t)r->trainees));
}

static int add_reassigned(void *arg, const struct reassigned *r)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:I}",
		"to_org", r->to_org, "on_day", r->on_day, "nation", r->nation,
		"people", (json_int_t)r->people));
}

int report_transfer(struct store *s, const struct principal *who,
		    const char *activity, json_t **out, struct error *e)
{
	json_t *rows = json_array(), *people = json_array(), *row;
	long total = 0;
	size_t i;

	*out = NULL;
	if (walked(store_transfers(s, who, activity, add_transfer, rows, e), e) ||
	    walked(store_reassigned(s, who, activity, add_reassigned, people,
				    e), e)) {
		json_decref(rows);
		json_decref(people);
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

/*==== The reports by name ==============================================*/

static int run_ceilings(struct store *s, const struct principal *who,
			const struct report_args *a, json_t **out,
			struct error *e)
{
	return report_ceilings(s, who, a->from, a->to, out, e);
}

static int run_transition(struct store *s, const struct principal *who,
			  const struct report_args *a, json_t **out,
			  struct error *e)
{
	return report_transition(s, who, a->as_of, out, e);
}

static int run_manning(struct store *s, const struct principal *who,
		       const struct report_args *a, json_t **out,
		       struct error *e)
{
	return report_manning(s, who, a->as_of, a->days, out, e);
}

/* With a period, month by month; else on the one day. */
static int run_contributions(struct store *s, const struct principal *who,
			     const struct report_args *a, json_t **out,
			     struct error *e)
{
	if (a->from[0])
		return report_contributions_over_time(s, who, a->from, a->to,
						      out, e);
	return report_contributions(s, who, a->as_of, out, e);
}

static int run_training_output(struct store *s, const struct principal *who,
			       const struct report_args *a, json_t **out,
			       struct error *e)
{
	return report_training_output(s, who, a->from, a->to, out, e);
}

static int run_capability(struct store *s, const struct principal *who,
			  const struct report_args *a, json_t **out,
			  struct error *e)
{
	return report_capability(s, who, a->as_of, out, e);
}

static int run_suspension_impact(struct store *s, const struct principal *who,
				 const struct report_args *a, json_t **out,
				 struct error *e)
{
	return report_suspension_impact(s, who, a->event, out, e);
}

static int run_transfer(struct store *s, const struct principal *who,
			const struct report_args *a, json_t **out,
			struct error *e)
{
	return report_transfer(s, who, a->activity, out, e);
}

#define AS_OF { "as_of", "--as-of", REPORT_DATE, 0, "today", \
		"the day the report is as of" }

const struct report_def reports[] = {
	{ "ceilings", "Daily headcount against the ceilings", {
		{ "from", "--from", REPORT_DATE, 0, "as_of, else today",
		  "the first day" },
		{ "to", "--to", REPORT_DATE, 0, "tomorrow",
		  "the day after the last" },
		AS_OF,
	  }, 1, run_ceilings },
	{ "transition", "Transition to self-sufficiency", { AS_OF }, 0,
	  run_transition },
	{ "manning", "Posts filled and vacant, rotations due", {
		AS_OF,
		{ "days", "--days", REPORT_INT, 0, "30",
		  "rotations due within this many days" },
	  }, 0, run_manning },
	{ "contributions", "People deployed by nation (with from: month by "
	  "month)", {
		AS_OF,
		{ "from", "--from", REPORT_DATE, 0, NULL,
		  "month by month from this day" },
		{ "to", "--to", REPORT_DATE, 0, "tomorrow",
		  "up to this day (with from)" },
	  }, 0, run_contributions },
	{ "training-output", "Trainees, passes, certificates by month", {
		{ "from", "--from", REPORT_DATE, 1, NULL,
		  "sessions completed after this day" },
		{ "to", "--to", REPORT_DATE, 1, NULL, "up to this day" },
	  }, 0, run_training_output },
	{ "capability", "Institutions' assessments against the target",
	  { AS_OF }, 0, run_capability },
	{ "suspension-impact", "A suspension's postponed sessions and re-runs", {
		{ "event", "--event", REPORT_STRING, 1, NULL,
		  "a suspension's code" },
	  }, 0, run_suspension_impact },
	{ "transfer", "What passed from the coalition", {
		{ "activity", "--activity", REPORT_STRING, 0, "every one",
		  "one transferred activity's code" },
	  }, 0, run_transfer },
};
const size_t nreports = sizeof(reports) / sizeof(reports[0]);
_Static_assert(sizeof(reports) / sizeof(reports[0]) <= REPORTS_MAX,
	       "REPORTS_MAX: the API declares each report's parameters in a table "
	       "of that size");

const struct report_def *report_find(const char *name)
{
	for (size_t i = 0; i < nreports; i++)
		if (!strcmp(reports[i].name, name))
			return &reports[i];
	return NULL;
}

static int given(const struct report_param *p, const struct report_args *a)
{
	if (!strcmp(p->name, "as_of"))
		return a->as_of[0] != '\0';
	if (!strcmp(p->name, "from"))
		return a->from[0] != '\0';
	if (!strcmp(p->name, "to"))
		return a->to[0] != '\0';
	if (!strcmp(p->name, "days"))
		return a->days_set;
	if (!strcmp(p->name, "event"))
		return a->event != NULL;
	return a->activity != NULL;
}

static const char *spelt(const struct report_param *p,
			 enum report_spelling sp)
{
	return sp == REPORT_CLI_FLAGS ? p->flag : p->name;
}

int report_arg(struct report_args *a, const struct report_param *p,
	       const char *v, enum report_spelling sp, struct error *e)
{
	const char *why;
	int32_t day;
	char *end;
	long n;

	switch (p->type) {
	case REPORT_DATE:
		if (date_parse(v, &day, &why))
			return error_set(e, ERR_USAGE, "%s: %s", spelt(p, sp), why);
		date_format(day, !strcmp(p->name, "as_of") ? a->as_of :
			    !strcmp(p->name, "from") ? a->from : a->to);
		return 0;
	case REPORT_INT:
		n = strtol(v, &end, 10);
		if (!*v || *end || n < 0 || n > REPORT_DAYS_MAX)
			return error_set(e, ERR_USAGE, "%s: a number of days from "
					 "0 to %d", spelt(p, sp), REPORT_DAYS_MAX);
		a->days = (int)n;
		a->days_set = 1;
		return 0;
	case REPORT_STRING:
		if (!strcmp(p->name, "event"))
			a->event = v;
		else
			a->activity = v;
		return 0;
	}
	return 0;
}

int report_check(const struct report_def *d, struct report_args *a,
		 enum report_spelling sp, struct error *e)
{
	const struct report_param *p = d->params;
	const struct report_param *from = NULL, *to = NULL;

	for (size_t i = 0; i < REPORT_PARAMS_MAX && p[i].name; i++) {
		if (!strcmp(p[i].name, "from"))
			from = &p[i];
		if (!strcmp(p[i].name, "to"))
			to = &p[i];
		if (!p[i].required || given(&p[i], a))
			continue;
		/* Name every required one: "needs from and to". */
		{
			char need[128] = "";
			size_t n = 0;

			for (size_t j = 0; j < REPORT_PARAMS_MAX && p[j].name; j++)
				if (p[j].required)
					n += (size_t)snprintf(need + n, sizeof(need) - n,
						"%s%s%s", n ? " and " : "",
						spelt(&p[j], sp), p[j].type ==
						REPORT_STRING ? " CODE" : "");
			return error_set(e, ERR_USAGE, "%s needs %s", d->name,
					 need);
		}
	}
	if (!a->as_of[0])
		date_format(date_today(), a->as_of);
	if (!a->days_set)
		a->days = 30;
	if (from && !a->from[0] && !from->required && from->fallback)
		snprintf(a->from, sizeof(a->from), "%s", a->as_of);
	if (to && !a->to[0] && !to->required)
		date_format(date_today() + 1, a->to);
	if (d->from_before_to && strcmp(a->from, a->to) >= 0)
		return error_set(e, ERR_USAGE, "%s must be before %s",
				 spelt(from, sp), spelt(to, sp));
	return 0;
}

int report_run(struct store *s, const struct principal *who,
	       const struct report_def *d, struct report_args *a,
	       enum report_spelling sp, json_t **out, struct error *e)
{
	*out = NULL;
	if (policy_totals(who, "the mission's reports are", e) ||
	    report_check(d, a, sp, e))
		return -1;
	return d->run(s, who, a, out, e);
}
