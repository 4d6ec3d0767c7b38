/* The actions' questions of the store; see actions.h. */
#include "store/actions.h"

#include "model/kind.h"
#include "store/access.h"

#include "store/rows_int.h"
#include "util/buf.h"

static int suspension_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct suspension_row r = { c[0], c[1], c[2], c[3] };

	(void)n;
	return ((suspension_row_fn)x->fn)(x->arg, &r);
}

/*==== Visibility and counts ============================================*/

int store_enrolment_count(struct store *s, const struct principal *who,
			  const char *session, long long *n, struct error *e)
{
	struct buf sql = BUF_INIT;
	const char *p[1] = { session };

	buf_adds(&sql, "SELECT count(*) FROM enrolment en WHERE en.session = ?1");
	rq_vis(&sql, who, "enrolments", "en");
	return rows_int_sql(s, &sql, p, 1, n, e);
}

int store_assignments_in_scope_count(struct store *s,
				     const struct principal *who,
				     const char *scope, const char *from,
				     long long *n, struct error *e)
{
	struct buf sql = BUF_INIT;
	const char *p[2] = { from, scope };

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT count(*) FROM assignment a JOIN post p ON p.number = a.post"
		 " LEFT JOIN activity act ON act.code = substr(?2, 10)"
		 " WHERE p.organisation IN (SELECT code FROM mission)"
		 " AND (a.valid_to IS NULL OR a.valid_to > ?1)"
		 " AND (?2 = 'mission' OR ?2 = 'site:' || p.site"
		 " OR (act.code IS NOT NULL AND p.site = act.site"
		 " AND p.function = act.kind))");
	rq_vis(&sql, who, "assignments", "a");
	rq_vis(&sql, who, "posts", "p");
	return rows_int_sql(s, &sql, p, 2, n, e);
}

int store_activities_in_scope_each(struct store *s,
				   const struct principal *who,
				   const char *from, const char *scope,
				   const char *sites, const char *akinds,
				   store_text_fn fn, void *arg,
				   struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[4] = { from, scope, sites, akinds };

	buf_adds(&sql, "SELECT a.code FROM activity a"
		 " WHERE (a.valid_to IS NULL OR a.valid_to > ?1)"
		 " AND (CASE WHEN ?2 IS NOT NULL THEN ?2 = 'mission'"
		 "  OR ?2 = 'site:' || a.site OR ?2 = 'activity:' || a.code"
		 "  ELSE (?3 IS NULL OR instr(';' || ?3 || ';', ';' || a.site || ';') > 0)"
		 "  AND instr(';' || ?4 || ';', ';' || a.kind || ';') > 0 END)");
	rq_vis(&sql, who, "activities", "a");
	buf_adds(&sql, " ORDER BY a.code");
	return rows_each_sql(s, &sql, p, 4, rows_text_row, &x, e);
}

/*==== Suspensions ======================================================*/

int store_scope_suspensions_each(struct store *s, const struct principal *who,
				 const char *scope, const char *on,
				 suspension_row_fn fn, void *arg,
				 struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { scope, on };

	buf_adds(&sql, "SELECT ev.code, ev.scope, ev.valid_from, ev.valid_to"
		 " FROM status_event ev WHERE ev.action = 'suspend'"
		 " AND ev.scope = ?1 AND ev.valid_from < ?2"
		 " AND (ev.valid_to IS NULL OR ev.valid_to >= ?2)");
	rq_vis(&sql, who, "status-events", "ev");
	buf_adds(&sql, " ORDER BY ev.valid_from");
	return rows_each_sql(s, &sql, p, 2, suspension_row, &x, e);
}

int store_suspensions_for_each(struct store *s, const struct principal *who,
			       const char *reason, const char *on,
			       suspension_row_fn fn, void *arg,
			       struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { reason, on };

	buf_adds(&sql, "SELECT ev.code, ev.scope, ev.valid_from, ev.valid_to"
		 " FROM status_event ev WHERE ev.action = 'suspend'"
		 " AND ev.reason = ?1 AND ev.valid_from <= ?2"
		 " AND ev.valid_to IS NULL");
	rq_vis(&sql, who, "status-events", "ev");
	return rows_each_sql(s, &sql, p, 2, suspension_row, &x, e);
}

/*==== Under a consent ==================================================*/

int store_sessions_under_consent_each(struct store *s,
				      const struct principal *who,
				      const char *on, const char *sites,
				      const char *akinds, store_text_fn fn,
				      void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { on, sites, akinds };

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT s.key FROM session s JOIN course c ON c.code = s.course"
		 " JOIN activity a ON a.code = c.activity"
		 " WHERE s.status NOT IN ('postponed', 'cancelled') AND s.valid_to > ?1"
		 " AND" SQL_SESSION_OF_MISSION
		 " AND (?2 IS NULL OR instr(';' || ?2 || ';', ';' || s.site || ';') > 0)"
		 " AND instr(';' || ?3 || ';', ';' || a.kind || ';') > 0");
	rq_vis(&sql, who, "sessions", "s");
	buf_adds(&sql, " ORDER BY s.valid_from, s.key");
	return rows_each_sql(s, &sql, p, 3, rows_text_row, &x, e);
}

static int assignment_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct assignment_row r = { c[0], c[1] };

	(void)n;
	return ((assignment_row_fn)x->fn)(x->arg, &r);
}

int store_assignments_under_consent_each(struct store *s,
					 const struct principal *who,
					 const char *on, const char *sites,
					 const char *akinds, assignment_row_fn fn,
					 void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { on, sites, akinds };

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT a.key, a.valid_from FROM assignment a"
		 " JOIN post p ON p.number = a.post"
		 " WHERE p.organisation IN (SELECT code FROM mission)"
		 " AND (a.valid_to IS NULL OR a.valid_to > ?1)"
		 " AND (?2 IS NULL OR instr(';' || ?2 || ';', ';' || p.site || ';') > 0)"
		 " AND instr(';' || ?3 || ';', ';' || CASE p.function"
		 " WHEN 'training' THEN 'training' WHEN 'advising' THEN 'advising'"
		 " ELSE 'support' END || ';') > 0");
	rq_vis(&sql, who, "assignments", "a");
	rq_vis(&sql, who, "posts", "p");
	buf_adds(&sql, " ORDER BY a.valid_from, a.key");
	return rows_each_sql(s, &sql, p, 3, assignment_row, &x, e);
}

/*==== Transfer =========================================================*/

int store_activity_future(struct store *s, const struct principal *who,
			  const char *activity, const char *on,
			  long long *sessions, long long *enrolments,
			  struct error *e)
{
	struct buf sql = BUF_INIT;
	const char *p[2] = { activity, on };

	buf_adds(&sql, "SELECT count(*) FROM session s JOIN course c"
		 " ON c.code = s.course WHERE c.activity = ?1 AND s.valid_from >= ?2");
	rq_vis(&sql, who, "sessions", "s");
	if (rows_int_sql(s, &sql, p, 2, sessions, e))
		return -1;
	buf_adds(&sql, "SELECT count(*) FROM enrolment en"
		 " JOIN session s ON s.key = en.session JOIN course c"
		 " ON c.code = s.course WHERE c.activity = ?1 AND s.valid_from >= ?2");
	rq_vis(&sql, who, "sessions", "s");
	rq_vis(&sql, who, "enrolments", "en");
	return rows_int_sql(s, &sql, p, 2, enrolments, e);
}

static int holder_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct holder_row r = { c[0], c[1], c[2], c[3], c[4] };

	(void)n;
	return ((holder_row_fn)x->fn)(x->arg, &r);
}

int store_post_holders_each(struct store *s, const struct principal *who,
			    const char *org, const char *site,
			    const char *function, const char *on,
			    holder_row_fn fn, void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[4] = { org, site, function, on };

	buf_adds(&sql, "SELECT a.key, a.person, a.post, a.valid_to, pe.nation"
		 " FROM assignment a JOIN post p ON p.number = a.post"
		 " JOIN person pe ON pe.code = a.person"
		 " WHERE p.organisation = ?1 AND p.site = ?2 AND p.function = ?3"
		 " AND a.valid_from < ?4 AND (a.valid_to IS NULL OR a.valid_to > ?4)");
	rq_vis(&sql, who, "assignments", "a");
	rq_vis(&sql, who, "posts", "p");
	rq_vis(&sql, who, "persons", "pe");
	buf_adds(&sql, " ORDER BY a.post, a.valid_from");
	return rows_each_sql(s, &sql, p, 4, holder_row, &x, e);
}
