/* The mission's status on a day, as the caller sees it; see status.h. */
#include "store/status.h"

#include "store/access.h"
#include "store/store_int.h"
#include "util/buf.h"

/* In force on ?1: the interval of alias A covers the date. */
#define IN_FORCE(a) \
	a ".valid_from <= ?1 AND (" a ".valid_to IS NULL OR " a ".valid_to > ?1)"

/* Append " AND …" restricting alias A of the kind named KIND to WHO. */
static void visible(struct buf *b, const struct principal *who,
		    const char *kind, const char *a)
{
	access_clause(b, who, kind_find(kind), a);
}

/* A common table `mission(code)` of the mission's organisations WHO may
 * see: a part of the mission hidden from them is not the mission's. */
static void mission_cte(struct buf *b, const struct principal *who)
{
	buf_adds(b, "WITH RECURSIVE mission(code) AS ("
		 " SELECT o.code FROM organisation o WHERE o.kind = 'mission'");
	visible(b, who, "organisations", "o");
	buf_adds(b, " UNION SELECT o.code FROM organisation o JOIN mission m"
		 " ON o.parent = m.code WHERE 1");
	visible(b, who, "organisations", "o");
	buf_adds(b, ") ");
}

/* Assignment A is on a post of the mission: the " JOIN …" of its person
 * p and its post po (needs mission_cte). */
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
	visible(b, who, "assignments", a);
	visible(b, who, "persons", "p");
	visible(b, who, "posts", "po");
}

/* The cached statement for SQL with ?1 bound to ASOF; B is released. */
static int prepare(struct store *s, struct buf *b, const char *asof,
		   sqlite3_stmt **st, struct error *e)
{
	int rc = -1;

	*st = NULL;
	if (b->failed)
		error_set(e, ERR_NOMEM, "out of memory");
	else if (!store_stmt(s, buf_str(b), st, e)) {
		if (sqlite3_bind_text(*st, 1, asof, -1, SQLITE_TRANSIENT)) {
			sqlite3_reset(*st);
			*st = NULL;
			store_fail(s, e, "binding a query");
		} else {
			rc = 0;
		}
	}
	buf_release(b);
	return rc;
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Step ST to its end, calling ROW(ST, CTX) per row (CTX holds the
 * caller's typed callback); resets ST. */
static int walk(struct store *s, sqlite3_stmt *st,
		int (*row)(sqlite3_stmt *st, void *ctx), void *ctx,
		struct error *e)
{
	int rc, stop = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((stop = row(st, ctx)))
			break;
	if (!stop && rc != SQLITE_DONE)
		stop = store_fail(s, e, "reading the mission's status");
	sqlite3_reset(st);
	return stop;
}

/* One row, one integer column (0 when there is no row). */
static int one_int(struct store *s, sqlite3_stmt *st, long long *out,
		   struct error *e)
{
	int rc = sqlite3_step(st);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, e, "reading the mission's status");
	return 0;
}

/*==== Nations ==========================================================*/

struct code_walk {
	status_code_fn fn;
	void *arg;
};

static int code_row(sqlite3_stmt *st, void *ctx)
{
	struct code_walk *w = ctx;

	return w->fn(w->arg, text(st, 0));
}

int store_status_members(struct store *s, const struct principal *who,
			 const char *asof, status_code_fn fn, void *arg,
			 struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	struct code_walk w = { fn, arg };

	buf_adds(&b, "SELECT n.code FROM nation n WHERE n.member_since <= ?1");
	visible(&b, who, "nations", "n");
	buf_adds(&b, " ORDER BY n.code");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	return walk(s, st, code_row, &w, e);
}

int store_status_partners(struct store *s, const struct principal *who,
			  const char *asof, status_code_fn fn, void *arg,
			  struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	struct code_walk w = { fn, arg };

	mission_cte(&b, who);
	buf_adds(&b, "SELECT n.code FROM nation n WHERE n.partner_since <= ?1"
		 " AND (n.partner_until IS NULL OR n.partner_until > ?1)"
		 " AND (n.member_since IS NULL OR n.member_since > ?1)");
	visible(&b, who, "nations", "n");
	buf_adds(&b, " AND EXISTS (SELECT 1 FROM assignment a");
	on_mission_post(&b, "a");
	buf_adds(&b, " WHERE p.nation = n.code AND " IN_FORCE("a"));
	on_mission_post_visible(&b, who, "a");
	buf_adds(&b, ") ORDER BY n.code");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	return walk(s, st, code_row, &w, e);
}

/*==== Headcount and suspensions ========================================*/

int store_status_headcount(struct store *s, const struct principal *who,
			   const char *asof, long long *out, struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;

	*out = 0;
	mission_cte(&b, who);
	buf_adds(&b, "SELECT count(DISTINCT a.person) FROM assignment a");
	on_mission_post(&b, "a");
	buf_adds(&b, " WHERE " IN_FORCE("a"));
	on_mission_post_visible(&b, who, "a");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	return one_int(s, st, out, e);
}

int store_status_suspensions(struct store *s, const struct principal *who,
			     const char *asof, long long *out,
			     struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;

	*out = 0;
	buf_adds(&b, "SELECT count(*) FROM status_event e WHERE e.action ="
		 " 'suspend' AND e.scope = 'mission' AND " IN_FORCE("e"));
	visible(&b, who, "status-events", "e");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	return one_int(s, st, out, e);
}

/*==== Status events and consents =======================================*/

struct event_walk {
	status_event_fn fn;
	void *arg;
};

static int event_row(sqlite3_stmt *st, void *ctx)
{
	struct event_walk *w = ctx;
	struct status_event_row r = {
		.code = text(st, 0), .action = text(st, 1), .scope = text(st, 2),
		.reason = text(st, 3), .ordered_by = text(st, 4),
		.valid_from = text(st, 5), .valid_to = text(st, 6),
	};

	return w->fn(w->arg, &r);
}

int store_status_events(struct store *s, const struct principal *who,
			const char *asof, status_event_fn fn, void *arg,
			struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	struct event_walk w = { fn, arg };

	buf_adds(&b, "SELECT e.code, e.action, e.scope, e.reason, e.ordered_by,"
		 " e.valid_from, e.valid_to FROM status_event e WHERE "
		 IN_FORCE("e"));
	visible(&b, who, "status-events", "e");
	buf_adds(&b, " ORDER BY e.valid_from, e.code");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	return walk(s, st, event_row, &w, e);
}

struct consent_walk {
	status_consent_fn fn;
	void *arg;
};

static int consent_row(sqlite3_stmt *st, void *ctx)
{
	struct consent_walk *w = ctx;
	struct status_consent_row r = {
		.code = text(st, 0), .title = text(st, 1), .state = text(st, 2),
		.ceiling = sqlite3_column_int64(st, 3),
		.valid_from = text(st, 4), .valid_to = text(st, 5),
	};

	return w->fn(w->arg, &r);
}

int store_status_consents(struct store *s, const struct principal *who,
			  const char *asof, status_consent_fn fn, void *arg,
			  struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	struct consent_walk w = { fn, arg };

	buf_adds(&b, "SELECT c.code, c.title, c.state, c.ceiling, c.valid_from,"
		 " c.valid_to FROM consent c WHERE " IN_FORCE("c"));
	visible(&b, who, "consents", "c");
	buf_adds(&b, " ORDER BY c.valid_from, c.code");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	return walk(s, st, consent_row, &w, e);
}

/*==== Sessions =========================================================*/

int store_status_sessions(struct store *s, const struct principal *who,
			  const char *asof, struct status_sessions *out,
			  struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	*out = (struct status_sessions){ 0 };
	buf_adds(&b, "SELECT coalesce(sum(s.status NOT IN ('postponed', 'cancelled')"
		 "  AND s.valid_from <= ?1 AND s.valid_to >= ?1), 0),"
		 " coalesce(sum(s.status NOT IN ('postponed', 'cancelled')"
		 "  AND s.valid_from > ?1"
		 "  AND s.valid_from <= date(?1, '+90 days')), 0),"
		 " coalesce(sum(s.status = 'postponed'"
		 "  AND s.valid_from >= date(?1, '-365 days')"
		 "  AND s.valid_from <= date(?1, '+90 days')"
		 "  AND NOT EXISTS (SELECT 1 FROM session r WHERE r.replaces = s.key"
		 "  AND r.valid_from <= ?1");
	/* A replacement the caller may not see has not, for them, run. */
	visible(&b, who, "sessions", "r");
	buf_adds(&b, ")), 0) FROM session s WHERE 1");
	visible(&b, who, "sessions", "s");
	if (prepare(s, &b, asof, &st, e))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->running = sqlite3_column_int64(st, 0);
		out->planned = sqlite3_column_int64(st, 1);
		out->postponed = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, e, "reading the mission's status");
	return 0;
}
