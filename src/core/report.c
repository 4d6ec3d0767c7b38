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
	if (ceilings_each(s, from, to, ceil_day, &c, e)) {
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

static int32_t dnum(const char *iso)
{
	const char *why;
	int32_t d = 0;

	date_parse(iso, &d, &why);
	return d;
}

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
	int32_t a = dnum(json_string_value(json_object_get(row, "valid_from")));
	int32_t b = dnum(json_string_value(json_object_get(row, "valid_to")));
	int32_t end = dnum(asof) + 1;
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
