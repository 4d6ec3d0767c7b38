/* The planner's questions of the store; see planner.h. */
#include "store/planner.h"

#include <stdlib.h>
#include <string.h>

#include "model/kind.h"
#include "store/access.h"

#include "store/rows_int.h"
#include "util/buf.h"

/*==== Trainers =========================================================*/

static int trainer_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct trainer_row r = { c[0], c[1], c[2], c[3], c[4] };

	(void)n;
	return ((trainer_row_fn)x->fn)(x->arg, &r);
}

int store_trainers_each(struct store *s, const struct principal *who,
			const char *from, const char *to, const char *qual,
			trainer_row_fn fn, void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to, qual ? qual : "" };

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT pe.code, pe.qualifications, a.valid_from, a.valid_to,"
		 " p.site FROM assignment a JOIN post p ON p.number = a.post"
		 " JOIN person pe ON pe.code = a.person"
		 " WHERE p.organisation IN (SELECT code FROM mission)"
		 " AND a.valid_from < ?2 AND (a.valid_to IS NULL OR a.valid_to > ?1)"
		 " AND instr(';' || coalesce(pe.qualifications, '') , ';' || ?3) > 0");
	rq_vis(&sql, who, "assignments", "a");
	rq_vis(&sql, who, "posts", "p");
	rq_vis(&sql, who, "persons", "pe");
	buf_adds(&sql, " ORDER BY pe.code, a.valid_from");
	return rows_each_sql(s, &sql, p, 3, trainer_row, &x, e);
}

/*==== Courses ==========================================================*/

static char *dup_or_empty(const char *v)
{
	return strdup(v ? v : "");
}

static int course_row(void *arg, const char *const *c, size_t n)
{
	struct plan_course *o = arg;

	(void)n;
	o->duration_days = rows_long(c[0]);
	o->capacity = rows_long(c[1]);
	o->trainer_ratio = rows_long(c[2]);
	o->quals = dup_or_empty(c[3]);
	o->activity = dup_or_empty(c[4]);
	o->site = dup_or_empty(c[5]);
	o->rooms = dup_or_empty(c[6]);
	return o->quals && o->activity && o->site && o->rooms ? 1 : 2;
}

int store_plan_course(struct store *s, const struct principal *who,
		      const char *code, const char *site,
		      struct plan_course *out, struct error *e)
{
	struct buf sql = BUF_INIT;
	const char *p[2] = { code, site };
	int rc;

	memset(out, 0, sizeof(*out));
	buf_adds(&sql, "SELECT c.duration_days, c.capacity, c.trainer_ratio,"
		 " c.trainer_qualifications, c.activity, a.site, st.rooms"
		 " FROM course c JOIN activity a ON a.code = c.activity"
		 " LEFT JOIN site st ON st.code = coalesce(?2, a.site)");
	/* A site the reader may not see has no rooms for them. */
	buf_adds(&sql, " AND ");
	rows_visible(&sql, who, kind_find("sites"), "st");
	buf_adds(&sql, " WHERE c.code = ?1");
	rq_vis(&sql, who, "courses", "c");
	rq_vis(&sql, who, "activities", "a");
	rc = rows_each_sql(s, &sql, p, 2, course_row, out, e);
	if (rc == 2)
		return error_set(e, ERR_NOMEM, "out of memory");
	return rc;
}

void plan_course_release(struct plan_course *c)
{
	if (!c)
		return;
	free(c->quals);
	free(c->activity);
	free(c->site);
	free(c->rooms);
	memset(c, 0, sizeof(*c));
}

int store_course_starts_each(struct store *s, const struct principal *who,
			     const char *course, const char *from,
			     const char *to, const char *except,
			     store_text_fn fn, void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[4] = { course, from, to, except ? except : "" };

	buf_adds(&sql, "SELECT s.valid_from FROM session s WHERE s.course = ?1"
		 " AND s.valid_from >= ?2 AND s.valid_from < ?3 AND s.key <> ?4");
	rq_vis(&sql, who, "sessions", "s");
	return rows_each_sql(s, &sql, p, 4, rows_text_row, &x, e);
}

/*==== Commitments ======================================================*/

static int commitment_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct commitment_row r = { c[0], c[1], c[2], c[3], c[4], c[5] };

	(void)n;
	return ((commitment_row_fn)x->fn)(x->arg, &r);
}

int store_commitments_each(struct store *s, const struct principal *who,
			   const char *from, const char *to,
			   commitment_row_fn fn, void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { from, to };

	buf_adds(&sql, "SELECT s.site, coalesce(s.room, ''), s.valid_from,"
		 " s.valid_to, coalesce(s.trainers, ''), coalesce(s.host_unit, '')"
		 " FROM session s WHERE s.status NOT IN ('postponed', 'cancelled')"
		 " AND s.valid_from < ?2 AND s.valid_to > ?1");
	rq_vis(&sql, who, "sessions", "s");
	return rows_each_sql(s, &sql, p, 2, commitment_row, &x, e);
}

/*==== What to place ====================================================*/

static int training_plan_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct training_plan_row r = { c[0], c[1], c[2], c[3], c[4], c[5],
				       rows_long(c[6]), rows_long(c[7]) };

	(void)n;
	return ((training_plan_row_fn)x->fn)(x->arg, &r);
}

int store_training_plans_each(struct store *s, const struct principal *who,
			      const char *from, const char *to,
			      const char *site, training_plan_row_fn fn,
			      void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to, site };

	buf_adds(&sql, "SELECT t.code, t.course, t.window_from, t.window_to,"
		 " t.site, t.host_unit, t.sessions, t.trainees FROM training_plan t"
		 " WHERE t.window_from < ?2 AND t.window_to > ?1"
		 " AND (?3 IS NULL OR t.site = ?3 OR (t.site IS NULL AND"
		 " (SELECT a.site FROM course c JOIN activity a ON a.code = c.activity"
		 "  WHERE c.code = t.course) = ?3))");
	rq_vis(&sql, who, "training-plans", "t");
	/* The plans that name a host unit or a site first: a session counts
	 * toward one plan, and one made for the narrower plan is one the
	 * wider would also take. */
	buf_adds(&sql, " ORDER BY t.host_unit IS NULL, t.site IS NULL,"
		 " t.window_from, t.code");
	return rows_each_sql(s, &sql, p, 3, training_plan_row, &x, e);
}

int store_plan_sessions_each(struct store *s, const struct principal *who,
			     const char *course, const char *site,
			     const char *host_unit, const char *from,
			     const char *to, store_text_fn fn, void *arg,
			     struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[5] = { course, site, host_unit, from, to };

	buf_adds(&sql, "SELECT s.key FROM session s WHERE s.course = ?1"
		 " AND s.site = coalesce(?2, (SELECT a.site FROM course c"
		 " JOIN activity a ON a.code = c.activity WHERE c.code = ?1))"
		 " AND (?3 IS NULL OR s.host_unit = ?3)"
		 " AND s.valid_from >= ?4 AND s.valid_from < ?5"
		 " AND s.status <> 'cancelled' AND s.replaces IS NULL");
	rq_vis(&sql, who, "sessions", "s");
	buf_adds(&sql, " ORDER BY s.valid_from, s.key");
	return rows_each_sql(s, &sql, p, 5, rows_text_row, &x, e);
}

static int postponed_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct postponed_row r = { c[0], c[1], c[2], c[3], c[4], c[5], c[6],
				   c[7], c[8] };

	(void)n;
	return ((postponed_row_fn)x->fn)(x->arg, &r);
}

int store_postponed_each(struct store *s, const struct principal *who,
			 const char *scope, const char *since,
			 postponed_row_fn fn, void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { scope, since };

	rows_mission_cte(&sql, &principal_system);
	buf_adds(&sql,
		 "SELECT s.key, s.course, s.site, s.host_unit, s.valid_from,"
		 " s.valid_to, s.classification, s.releasability,"
		 " coalesce(s.trainers, '') FROM session s"
		 " JOIN course c ON c.code = s.course"
		 " JOIN activity a ON a.code = c.activity"
		 " WHERE s.status = 'postponed' AND (?2 IS NULL OR s.valid_to > ?2)"
		 " AND (?1 = 'mission' OR ?1 = 'site:' || s.site"
		 " OR ?1 = 'activity:' || c.activity) AND" SQL_SESSION_OF_MISSION
		 " AND NOT EXISTS (SELECT 1 FROM session n WHERE n.replaces = s.key)");
	rq_vis(&sql, who, "sessions", "s");
	buf_adds(&sql, " ORDER BY s.valid_from, s.key");
	return rows_each_sql(s, &sql, p, 2, postponed_row, &x, e);
}

static int enrolment_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct enrolment_row r = { c[0], c[1], c[2] };

	(void)n;
	return ((enrolment_row_fn)x->fn)(x->arg, &r);
}

int store_enrolments_each(struct store *s, const struct principal *who,
			  const char *session, enrolment_row_fn fn, void *arg,
			  struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[1] = { session };

	buf_adds(&sql, "SELECT en.trainee, en.classification, en.releasability"
		 " FROM enrolment en WHERE en.session = ?1");
	rq_vis(&sql, who, "enrolments", "en");
	buf_adds(&sql, " ORDER BY en.id");
	return rows_each_sql(s, &sql, p, 1, enrolment_row, &x, e);
}

int store_course_host_led(struct store *s, const struct principal *who,
			  const char *course, struct error *e)
{
	struct buf sql = BUF_INIT;
	const char *p[1] = { course };
	long long v;
	int rc;

	buf_adds(&sql, "SELECT s.lead = 'host' FROM session s WHERE s.course = ?1"
		 " AND s.status = 'completed'");
	rq_vis(&sql, who, "sessions", "s");
	buf_adds(&sql, " ORDER BY s.valid_from DESC LIMIT 1");
	rc = rows_int_sql(s, &sql, p, 1, &v, e);
	return rc ? -1 : (int)v;
}

static int span_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;

	(void)n;
	return ((store_span_fn)x->fn)(x->arg, c[0], c[1]);
}

int store_trainees_busy_each(struct store *s, const struct principal *who,
			     const char *session, const char *from,
			     const char *to, store_span_fn fn, void *arg,
			     struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { session, from, to };

	buf_adds(&sql, "SELECT DISTINCT o.valid_from, o.valid_to FROM enrolment e1"
		 " JOIN enrolment e2 ON e2.trainee = e1.trainee"
		 " AND e2.session <> e1.session"
		 " JOIN session o ON o.key = e2.session"
		 " WHERE e1.session = ?1 AND e1.attendance <> 'withdrawn'"
		 " AND e2.attendance <> 'withdrawn'"
		 " AND o.status NOT IN ('postponed', 'cancelled')"
		 " AND o.valid_from < ?3 AND o.valid_to > ?2");
	rq_vis(&sql, who, "enrolments", "e2");
	rq_vis(&sql, who, "sessions", "o");
	buf_adds(&sql, " ORDER BY o.valid_from, o.valid_to");
	return rows_each_sql(s, &sql, p, 3, span_row, &x, e);
}
