/* The rules' questions of the store; see rules.h. */
#include "store/rules.h"

#include <stdio.h>

#include "model/kind.h"
#include "store/access.h"

#include "store/rows_int.h"
#include "util/buf.h"

/*==== Organisations ====================================================*/

int store_org_in_mission(struct store *s, const struct principal *who,
			 const char *org, struct error *e)
{
	struct buf sql = BUF_INIT;
	const char *p[1] = { org };
	long long n;
	int rc;

	if (!org)
		return 0;
	buf_adds(&sql, "WITH RECURSIVE up(code, parent, kind) AS ("
		 " SELECT x.code, x.parent, x.kind FROM organisation x"
		 " WHERE x.code = ?1");
	rq_vis(&sql, who, "organisations", "x");
	buf_adds(&sql, " UNION SELECT o.code, o.parent, o.kind FROM organisation o"
		 " JOIN up ON o.code = up.parent WHERE TRUE");
	rq_vis(&sql, who, "organisations", "o");
	buf_adds(&sql, ") SELECT count(*) FROM up WHERE kind = 'mission'");
	rc = rows_int_sql(s, &sql, p, 1, &n, e);
	return rc ? -1 : n > 0;
}

/*==== Consents =========================================================*/

struct consent_ctx {
	consent_row_fn fn;
	void *arg;
};

static int consent_row(void *arg, const char *const *c, size_t n)
{
	struct consent_ctx *x = arg;
	struct consent_row r = { c[0], c[1], c[2], c[3], c[4], c[5],
				 rows_long(c[6]) };

	(void)n;
	return x->fn(x->arg, &r);
}

int store_consents_each(struct store *s, const struct principal *who,
			const char *from, const char *to, consent_row_fn fn,
			void *arg, struct error *e)
{
	struct consent_ctx x = { fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { from, to ? to : OPEN_END };
	int rc;

	buf_adds(&sql, "SELECT c.code, c.valid_from, c.valid_to, c.activity_kinds,"
		 " c.sites, c.institutions, c.ceiling FROM consent c"
		 " WHERE (c.state = 'granted' OR c.valid_to IS NOT NULL)"
		 " AND c.valid_from < ?2 AND (c.valid_to IS NULL OR c.valid_to > ?1)");
	rq_vis(&sql, who, "consents", "c");
	buf_adds(&sql, " ORDER BY c.valid_from, c.code");
	rc = rows_each_sql(s, &sql, p, 2, consent_row, &x, e);
	return rc;
}

/*==== Caveats ==========================================================*/

struct caveat_ctx {
	caveat_row_fn fn;
	void *arg;
};

static int caveat_row(void *arg, const char *const *c, size_t n)
{
	struct caveat_ctx *x = arg;
	struct caveat_row r = { c[0], c[1], c[2], c[3], c[4] };

	(void)n;
	return x->fn(x->arg, &r);
}

int store_caveats_each(struct store *s, const struct principal *who,
		       const char *nation, const char *person,
		       const char *from, const char *to, caveat_row_fn fn,
		       void *arg, struct error *e)
{
	struct caveat_ctx x = { fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[4] = { nation, person, from, to ? to : OPEN_END };
	int rc;

	buf_adds(&sql, "SELECT v.code, v.kind, v.target, coalesce(v.reason, ''),"
		 " v.valid_from FROM caveat v"
		 " WHERE (v.nation = ?1 OR v.person = ?2) AND v.valid_from < ?4"
		 " AND (v.valid_to IS NULL OR v.valid_to > ?3)");
	rq_vis(&sql, who, "caveats", "v");
	buf_adds(&sql, " ORDER BY v.code");
	rc = rows_each_sql(s, &sql, p, 4, caveat_row, &x, e);
	return rc;
}

/*==== Suspensions and the sessions they stop ===========================*/

struct suspension_ctx {
	suspension_row_fn fn;
	void *arg;
};

static int suspension_row(void *arg, const char *const *c, size_t n)
{
	struct suspension_ctx *x = arg;
	struct suspension_row r = { c[0], c[1], c[2], c[3] };

	(void)n;
	return x->fn(x->arg, &r);
}

int store_suspensions_each(struct store *s, const struct principal *who,
			   const char *from, const char *to, const char *site,
			   const char *activity, suspension_row_fn fn,
			   void *arg, struct error *e)
{
	struct suspension_ctx x = { fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[4] = { from, to ? to : OPEN_END, site, activity };
	int rc;

	buf_adds(&sql, "SELECT ev.code, ev.scope, ev.valid_from, ev.valid_to"
		 " FROM status_event ev WHERE ev.action = 'suspend'"
		 " AND ev.valid_from < ?2"
		 " AND (ev.valid_to IS NULL OR ev.valid_to > ?1)"
		 " AND (ev.scope = 'mission' OR ev.scope = 'site:' || ?3"
		 " OR ev.scope = 'activity:' || ?4)");
	rq_vis(&sql, who, "status-events", "ev");
	buf_adds(&sql, " ORDER BY ev.valid_from, ev.code");
	rc = rows_each_sql(s, &sql, p, 4, suspension_row, &x, e);
	return rc;
}

int store_sessions_in_scope_each(struct store *s, const struct principal *who,
				 const char *scope, const char *from,
				 const char *to, long limit, store_text_fn fn,
				 void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to ? to : OPEN_END, scope };
	int rc;

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT s.key FROM session s JOIN course c ON c.code = s.course"
		 " JOIN activity a ON a.code = c.activity"
		 " WHERE s.status NOT IN ('postponed', 'cancelled') AND s.valid_from < ?2"
		 " AND s.valid_to > ?1 AND (?3 = 'mission' OR ?3 = 'site:' || s.site"
		 " OR ?3 = 'activity:' || c.activity) AND" SQL_SESSION_OF_MISSION);
	rq_vis(&sql, who, "sessions", "s");
	buf_adds(&sql, " ORDER BY s.valid_from, s.key");
	if (limit > 0)
		buf_addf(&sql, " LIMIT %ld", limit);
	rc = rows_each_sql(s, &sql, p, 3, rows_text_row, &x, e);
	return rc;
}

/*==== Assignments (CEILING) ============================================*/

static int copy_day(void *arg, const char *const *c, size_t n)
{
	char *last = arg;

	(void)n;
	if (!c[0])
		return 0;
	snprintf(last, 11, "%.10s", c[0]);
	return 1;
}

int store_assignments_horizon(struct store *s, const struct principal *who,
			      char last[11], struct error *e)
{
	struct buf sql = BUF_INIT;
	int rc;

	last[0] = '\0';
	buf_adds(&sql, "SELECT max(max(a.valid_from, coalesce(a.valid_to,"
		 " a.valid_from))) FROM assignment a WHERE TRUE");
	rq_vis(&sql, who, "assignments", "a");
	rc = rows_each_sql(s, &sql, NULL, 0, copy_day, last, e);
	return rc < 0 ? -1 : rc;
}

struct assigned_ctx {
	assigned_row_fn fn;
	void *arg;
};

static int assigned_row(void *arg, const char *const *c, size_t n)
{
	struct assigned_ctx *x = arg;
	struct assigned_row r = { c[0], c[1], c[2], c[3] };

	(void)n;
	return x->fn(x->arg, &r);
}

int store_mission_assignments_each(struct store *s,
				   const struct principal *who,
				   const char *from, const char *to,
				   assigned_row_fn fn, void *arg,
				   struct error *e)
{
	struct assigned_ctx x = { fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { from, to ? to : OPEN_END };
	int rc;

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT a.valid_from, a.valid_to, p.site, a.person FROM assignment a"
		 " JOIN post p ON p.number = a.post"
		 " WHERE p.organisation IN (SELECT code FROM mission)"
		 " AND a.valid_from < ?2 AND (a.valid_to IS NULL OR a.valid_to > ?1)");
	rq_vis(&sql, who, "assignments", "a");
	rq_vis(&sql, who, "posts", "p");
	buf_adds(&sql, " ORDER BY a.person, a.valid_from");
	rc = rows_each_sql(s, &sql, p, 2, assigned_row, &x, e);
	return rc;
}
