/* The mission's status on a day, as the caller sees it; see status.h. */
#include "store/status.h"

#include <stdio.h>

#include "store/access.h"
#include "store/derived.h"
#include "store/rows_int.h"
#include "util/buf.h"

/* In force on ?1: the interval of alias A covers the date. */
#define IN_FORCE(a) \
	a ".valid_from <= ?1 AND (" a ".valid_to IS NULL OR " a ".valid_to > ?1)"

/* Assignment A is on a post of the mission: the " JOIN …" of its person
 * p and its post po (needs rows_mission_cte). */
static void on_mission_post(struct buf *b, const char *a)
{
	buf_addf(b, " JOIN person p ON p.code = %s.person"
		 " JOIN post po ON po.number = %s.post"
		 " AND po.organisation IN (SELECT code FROM mission)", a, a);
}

/* …and, after the WHERE, A, its person and its post are WHO's to see. */
static void on_mission_post_visible(struct buf *b,
				    const struct principal *who, const char *a)
{
	rq_vis(b, who, "assignments", a);
	rq_vis(b, who, "persons", "p");
	rq_vis(b, who, "posts", "po");
}

/* The one integer of a count's row. */
static int int_row(struct db_stmt *st, void *ctx)
{
	*(long long *)ctx = db_column_int64(st, 0);
	return 0;
}

/*==== Nations ==========================================================*/

struct code_walk {
	status_code_fn fn;
	void *arg;
};

static int code_row(struct db_stmt *st, void *ctx)
{
	struct code_walk *w = ctx;

	return w->fn(w->arg, rq_text(st, 0));
}

int store_status_members(struct store *s, const struct principal *who,
			 const char *asof, status_code_fn fn, void *arg,
			 struct error *e)
{
	struct buf b = BUF_INIT;
	struct code_walk w = { fn, arg };

	buf_adds(&b, "SELECT n.code FROM nation n WHERE n.member_since <= ?1");
	rq_vis(&b, who, "nations", "n");
	buf_adds(&b, " ORDER BY n.code");
	return rq_run(s, &b, &asof, 1, code_row, &w, e);
}

int store_status_partners(struct store *s, const struct principal *who,
			  const char *asof, status_code_fn fn, void *arg,
			  struct error *e)
{
	struct buf b = BUF_INIT;
	struct code_walk w = { fn, arg };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT n.code FROM nation n WHERE n.partner_since <= ?1"
		 " AND (n.partner_until IS NULL OR n.partner_until > ?1)"
		 " AND (n.member_since IS NULL OR n.member_since > ?1)");
	rq_vis(&b, who, "nations", "n");
	buf_adds(&b, " AND EXISTS (SELECT 1 FROM assignment a");
	on_mission_post(&b, "a");
	buf_adds(&b, " WHERE p.nation = n.code AND " IN_FORCE("a"));
	on_mission_post_visible(&b, who, "a");
	buf_adds(&b, ") ORDER BY n.code");
	return rq_run(s, &b, &asof, 1, code_row, &w, e);
}

/*==== Headcount and suspensions ========================================*/

int store_status_headcount(struct store *s, const struct principal *who,
			   const char *asof, long long *out, struct error *e)
{
	struct buf b = BUF_INIT;

	*out = 0;
	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT count(DISTINCT a.person) FROM assignment a");
	on_mission_post(&b, "a");
	buf_adds(&b, " WHERE " IN_FORCE("a"));
	on_mission_post_visible(&b, who, "a");
	return rq_run(s, &b, &asof, 1, int_row, out, e);
}

int store_status_suspensions(struct store *s, const struct principal *who,
			     const char *asof, long long *out,
			     struct error *e)
{
	struct buf b = BUF_INIT;

	*out = 0;
	buf_adds(&b, "SELECT count(*) FROM status_event e WHERE e.action ="
		 " 'suspend' AND e.scope = 'mission' AND " IN_FORCE("e"));
	rq_vis(&b, who, "status-events", "e");
	return rq_run(s, &b, &asof, 1, int_row, out, e);
}

/*==== When the mission began ==========================================*/

static void copy_day(char out[11], const char *v)
{
	snprintf(out, 11, "%s", v ? v : "");
}

static int dates_row(struct db_stmt *st, void *ctx)
{
	struct status_dates *out = ctx;

	copy_day(out->mission_from, rq_text(st, 0));
	copy_day(out->first_consent, rq_text(st, 1));
	return 0;
}

int store_status_dates(struct store *s, const struct principal *who,
		       struct status_dates *out, struct error *e)
{
	struct buf b = BUF_INIT;

	*out = (struct status_dates){ "", "" };
	buf_adds(&b, "SELECT (SELECT min(o.valid_from) FROM organisation o"
		 " WHERE o.kind = 'mission'");
	rq_vis(&b, who, "organisations", "o");
	buf_adds(&b, "), (SELECT min(c.valid_from) FROM consent c WHERE TRUE");
	rq_vis(&b, who, "consents", "c");
	buf_adds(&b, ")");
	return rq_run(s, &b, NULL, 0, dates_row, out, e);
}

/*==== Status events and consents =======================================*/

struct event_walk {
	status_event_fn fn;
	void *arg;
};

static int event_row(struct db_stmt *st, void *ctx)
{
	struct event_walk *w = ctx;
	struct status_event_row r = {
		.code = rq_text(st, 0), .action = rq_text(st, 1), .scope = rq_text(st, 2),
		.reason = rq_text(st, 3), .ordered_by = rq_text(st, 4),
		.valid_from = rq_text(st, 5), .valid_to = rq_text(st, 6),
	};

	return w->fn(w->arg, &r);
}

int store_status_events(struct store *s, const struct principal *who,
			const char *asof, status_event_fn fn, void *arg,
			struct error *e)
{
	struct buf b = BUF_INIT;
	struct event_walk w = { fn, arg };

	buf_adds(&b, "SELECT e.code, e.action, e.scope, e.reason, e.ordered_by,"
		 " e.valid_from, e.valid_to FROM status_event e WHERE "
		 IN_FORCE("e"));
	rq_vis(&b, who, "status-events", "e");
	buf_adds(&b, " ORDER BY e.valid_from, e.code");
	return rq_run(s, &b, &asof, 1, event_row, &w, e);
}

struct consent_walk {
	status_consent_fn fn;
	void *arg;
};

static int consent_row(struct db_stmt *st, void *ctx)
{
	struct consent_walk *w = ctx;
	struct status_consent_row r = {
		.code = rq_text(st, 0), .title = rq_text(st, 1), .state = rq_text(st, 2),
		.ceiling = db_column_int64(st, 3),
		.valid_from = rq_text(st, 4), .valid_to = rq_text(st, 5),
	};

	return w->fn(w->arg, &r);
}

int store_status_consents(struct store *s, const struct principal *who,
			  const char *asof, status_consent_fn fn, void *arg,
			  struct error *e)
{
	struct buf b = BUF_INIT;
	struct consent_walk w = { fn, arg };

	buf_adds(&b, "SELECT c.code, c.title, c.state, c.ceiling, c.valid_from,"
		 " c.valid_to FROM consent c WHERE " IN_FORCE("c"));
	rq_vis(&b, who, "consents", "c");
	buf_adds(&b, " ORDER BY c.valid_from, c.code");
	return rq_run(s, &b, &asof, 1, consent_row, &w, e);
}

/*==== Sessions =========================================================*/

static int sessions_row(struct db_stmt *st, void *ctx)
{
	struct status_sessions *out = ctx;

	out->running = db_column_int64(st, 0);
	out->planned = db_column_int64(st, 1);
	out->postponed = db_column_int64(st, 2);
	return 0;
}

int store_status_sessions(struct store *s, const struct principal *who,
			  const char *asof, struct status_sessions *out,
			  struct error *e)
{
	struct buf b = BUF_INIT;

	*out = (struct status_sessions){ 0 };
	/* Running and planned are what the dates say (store/derived.h),
	 * whatever status was stored when the session was written. */
	buf_adds(&b, "SELECT count(CASE WHEN s.st = 'running' THEN 1 END),"
		 " count(CASE WHEN s.st = 'planned'"
		 "  AND s.valid_from <= date(?1, '+90 days') THEN 1 END),"
		 " count(CASE WHEN s.status = 'postponed'"
		 "  AND s.valid_from >= date(?1, '-365 days')"
		 "  AND s.valid_from <= date(?1, '+90 days')"
		 "  AND NOT EXISTS (SELECT 1 FROM session r WHERE r.replaces = s.key"
		 "  AND r.valid_from <= ?1");
	/* A replacement the caller may not see has not, for them, run. */
	rq_vis(&b, who, "sessions", "r");
	buf_adds(&b, ") THEN 1 END) FROM (SELECT s.*, ");
	derived_session_state(&b, "s", "?1");
	buf_adds(&b, " AS st FROM session s WHERE TRUE");
	rq_vis(&b, who, "sessions", "s");
	buf_adds(&b, ") s");
	return rq_run(s, &b, &asof, 1, sessions_row, out, e);
}
