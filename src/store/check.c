/* The questions of `cadre check`, as the caller sees the mission; see
 * check.h. */
#include "store/check.h"

#include <stdio.h>
#include <string.h>

#include "store/access.h"
#include "store/rows_int.h"
#include "store/store_int.h"

/* Sessions that book what they name: postponed and cancelled ones
 * hold nothing. */
#define SQL_BOOKS(a) " " a ".status NOT IN ('postponed', 'cancelled') "

/*==== Focus ===========================================================*/

/* The condition a focus puts on a walk: for each focus the walk
 * honours, SQL naming the key as a parameter. */
struct narrowing {
	enum check_by by;
	const char *sql;
};

/* Append F's condition from N (ending with a NULL sql) to SQL. 0, or 1
 * when the walk has no row for F (a focus it does not name). */
static int narrow(struct buf *sql, const struct check_focus *f,
		  const struct narrowing *n)
{
	if (!f || f->by == CHECK_ALL)
		return 0;
	for (; n->sql; n++)
		if (n->by == f->by) {
			buf_addf(sql, " AND (%s)", n->sql);
			return 0;
		}
	return 1;
}

static const char *focus_key(const struct check_focus *f)
{
	return f && f->by != CHECK_ALL ? f->key : NULL;
}

/*==== Span =============================================================*/

static int copy_span(void *arg, const char *const *c, size_t n)
{
	char (*out)[11] = arg;

	(void)n;
	if (!c[0] || !c[1])
		return 0;
	snprintf(out[0], 11, "%.10s", c[0]);
	snprintf(out[1], 11, "%.10s", c[1]);
	return 1;
}

int store_check_span(struct store *s, const struct principal *who,
		     char first[11], char last[11], struct error *e)
{
	static const char *const tables[] = { "session", "assignment",
		"consent", "activity", "status_event" };
	struct buf sql = BUF_INIT;
	char out[2][11] = { "", "" };
	int rc;

	buf_adds(&sql, "SELECT min(d), max(d) FROM (");
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		buf_addf(&sql, "%sSELECT t.valid_from AS d FROM %s t WHERE TRUE",
			 i ? " UNION ALL " : "", tables[i]);
		rq_vis(&sql, who, tables[i], "t");
		buf_addf(&sql, " UNION ALL SELECT t.valid_to FROM %s t WHERE"
			 " t.valid_to IS NOT NULL", tables[i]);
		rq_vis(&sql, who, tables[i], "t");
	}
	buf_adds(&sql, ") AS days");
	rc = rows_each_sql(s, &sql, NULL, 0, copy_span, out, e);
	if (rc < 0)
		return -1;
	snprintf(first, 11, "%s", out[0]);
	snprintf(last, 11, "%s", out[1]);
	return rc;
}

/*==== Sessions =========================================================*/

static int session_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct check_session r = {
		c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8],
		rows_long(c[9]), rows_long(c[10]),
	};

	(void)n;
	return ((check_session_fn)x->fn)(x->arg, &r);
}

int store_check_sessions(struct store *s, const struct principal *who,
			 const char *from, const char *to,
			 const struct check_focus *f, check_session_fn fn,
			 void *arg, struct error *e)
{
	static const struct narrowing by[] = {
		{ CHECK_BY_SESSION, "s.key = ?3" },
		{ CHECK_BY_COURSE, "s.course = ?3" },
		{ CHECK_BY_SITE, "s.site = ?3" },
		{ CHECK_ALL, NULL },
	};
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to, focus_key(f) };

	buf_adds(&sql, "SELECT s.key, s.course, s.site, nullif(s.room, ''),"
		 " s.host_unit, nullif(s.trainers, ''), s.valid_from,"
		 " s.valid_to, nullif(st.rooms, ''), c.capacity,"
		 " (SELECT count(*) FROM enrolment en WHERE en.session = s.key"
		 "  AND en.attendance <> 'withdrawn'");
	rq_vis(&sql, who, "enrolments", "en");
	buf_adds(&sql, ") FROM session s JOIN course c ON c.code = s.course"
		 " JOIN site st ON st.code = s.site WHERE" SQL_BOOKS("s")
		 "AND s.valid_from < ?2 AND s.valid_to > ?1");
	if (narrow(&sql, f, by)) {
		buf_release(&sql);
		return 0;
	}
	rq_vis(&sql, who, "sessions", "s");
	buf_adds(&sql, " ORDER BY s.key");
	return rows_each_sql(s, &sql, p, p[2] ? 3 : 2, session_row, &x, e);
}

/*==== Pairs ============================================================*/

static int pair_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct check_pair r = {
		c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8],
	};

	(void)n;
	return ((check_pair_fn)x->fn)(x->arg, &r);
}

static void pairs_select(struct buf *sql)
{
	buf_adds(sql, "SELECT e1.trainee, s1.key, s1.course, s1.valid_from,"
		 " s1.valid_to, s2.key, s2.course, s2.valid_from, s2.valid_to"
		 " FROM enrolment e1 JOIN enrolment e2 ON e2.trainee = e1.trainee"
		 " AND e2.session > e1.session"
		 " JOIN session s1 ON s1.key = e1.session"
		 " JOIN session s2 ON s2.key = e2.session"
		 " WHERE e1.attendance <> 'withdrawn' AND e2.attendance <> 'withdrawn'"
		 " AND" SQL_BOOKS("s1") "AND" SQL_BOOKS("s2")
		 "AND s1.valid_from < s2.valid_to AND s2.valid_from < s1.valid_to"
		 " AND max(s1.valid_from, s2.valid_from) < ?2"
		 " AND min(s1.valid_to, s2.valid_to) > ?1");
}

static void pairs_seen(struct buf *sql, const struct principal *who)
{
	rq_vis(sql, who, "enrolments", "e1");
	rq_vis(sql, who, "enrolments", "e2");
	rq_vis(sql, who, "sessions", "s1");
	rq_vis(sql, who, "sessions", "s2");
}

int store_check_trainee_pairs(struct store *s, const struct principal *who,
			      const char *from, const char *to,
			      const struct check_focus *f, check_pair_fn fn,
			      void *arg, struct error *e)
{
	static const struct narrowing by[] = {
		{ CHECK_BY_TRAINEE, "e1.trainee = ?3" },
		/* By the session's trainees first: an OR of the two
		 * sessions alone would read every pair. */
		{ CHECK_BY_SESSION, "e1.trainee IN (SELECT trainee FROM enrolment"
		  " WHERE session = ?3) AND (e1.session = ?3 OR e2.session = ?3)" },
		{ CHECK_ALL, NULL },
	};
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to, focus_key(f) };

	pairs_select(&sql);
	if (narrow(&sql, f, by)) {
		buf_release(&sql);
		return 0;
	}
	pairs_seen(&sql, who);
	/* In order for a listing; a focused walk is the guard's, which
	 * compares what it finds as a set, and sorting its few rows cost
	 * an import as much as finding them. */
	if (!focus_key(f))
		buf_adds(&sql, " ORDER BY e1.trainee, s1.key, s2.key");
	return rows_each_sql(s, &sql, p, p[2] ? 3 : 2, pair_row, &x, e);
}

/* Always CHECK_TRAINEES_MAX keys in the statement, the last repeated,
 * so that its text, and so its prepared statement, is one. */
int store_check_trainees_pairs(struct store *s, const struct principal *who,
			       const char *from, const char *to,
			       const char *const *keys, size_t n,
			       check_pair_fn fn, void *arg, struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2 + CHECK_TRAINEES_MAX] = { from, to };

	if (!n || n > CHECK_TRAINEES_MAX)
		return error_set(e, ERR_STORE, "asking the pairs of %zu "
				 "trainees at once (1 to %d)", n,
				 CHECK_TRAINEES_MAX);
	pairs_select(&sql);
	buf_adds(&sql, " AND e1.trainee IN (");
	for (size_t i = 0; i < CHECK_TRAINEES_MAX; i++) {
		p[2 + i] = keys[i < n ? i : n - 1];
		buf_addf(&sql, "%s?%zu", i ? ", " : "", i + 3);
	}
	buf_adds(&sql, ")");
	pairs_seen(&sql, who);
	return rows_each_sql(s, &sql, p, 2 + CHECK_TRAINEES_MAX, pair_row,
			     &x, e);
}

int store_check_assignment_pairs(struct store *s, const struct principal *who,
				 const char *from, const char *to,
				 const struct check_focus *f, check_pair_fn fn,
				 void *arg, struct error *e)
{
	static const struct narrowing by[] = {
		{ CHECK_BY_PERSON, "a1.person = ?4" },
		{ CHECK_BY_POST, "a1.person IN (SELECT person FROM assignment"
		  " WHERE post = ?4) AND (a1.post = ?4 OR a2.post = ?4)" },
		{ CHECK_ALL, NULL },
	};
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[4] = { from, to, OPEN_END, focus_key(f) };

	buf_adds(&sql, "SELECT a1.person, a1.key, a1.post, a1.valid_from,"
		 " a1.valid_to, a2.key, a2.post, a2.valid_from, a2.valid_to"
		 " FROM assignment a1 JOIN assignment a2 ON a2.person = a1.person"
		 " AND a2.key > a1.key"
		 " JOIN post p1 ON p1.number = a1.post"
		 " JOIN post p2 ON p2.number = a2.post"
		 " WHERE p1.concurrent = 0 AND p2.concurrent = 0"
		 " AND a1.valid_from < coalesce(a2.valid_to, ?3)"
		 " AND a2.valid_from < coalesce(a1.valid_to, ?3)"
		 " AND max(a1.valid_from, a2.valid_from) < ?2"
		 " AND min(coalesce(a1.valid_to, ?3), coalesce(a2.valid_to, ?3)) > ?1");
	if (narrow(&sql, f, by)) {
		buf_release(&sql);
		return 0;
	}
	rq_vis(&sql, who, "assignments", "a1");
	rq_vis(&sql, who, "assignments", "a2");
	if (!focus_key(f))	/* as for the trainees' pairs */
		buf_adds(&sql, " ORDER BY a1.person, a1.key, a2.key");
	return rows_each_sql(s, &sql, p, p[3] ? 4 : 3, pair_row, &x, e);
}

/*==== Qualified posts ==================================================*/

static int assignment_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct check_assignment r = { c[0], c[1], c[2], c[3], c[4], c[5], c[6] };

	(void)n;
	return ((check_assignment_fn)x->fn)(x->arg, &r);
}

int store_check_qualified_posts(struct store *s, const struct principal *who,
				const char *from, const char *to,
				const struct check_focus *f,
				check_assignment_fn fn, void *arg,
				struct error *e)
{
	static const struct narrowing by[] = {
		{ CHECK_BY_PERSON, "a.person = ?3" },
		{ CHECK_BY_POST, "a.post = ?3" },
		{ CHECK_ALL, NULL },
	};
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to, focus_key(f) };

	buf_adds(&sql, "SELECT a.key, a.person, a.post, a.valid_from, a.valid_to,"
		 " p.qualifications, nullif(pe.qualifications, '')"
		 " FROM assignment a JOIN post p ON p.number = a.post"
		 " JOIN person pe ON pe.code = a.person"
		 " WHERE coalesce(p.qualifications, '') <> ''"
		 " AND a.valid_from < ?2 AND (a.valid_to IS NULL OR a.valid_to > ?1)");
	if (narrow(&sql, f, by)) {
		buf_release(&sql);
		return 0;
	}
	rq_vis(&sql, who, "assignments", "a");
	buf_adds(&sql, " ORDER BY a.key");
	return rows_each_sql(s, &sql, p, p[2] ? 3 : 2, assignment_row, &x, e);
}

/*==== Certificates =====================================================*/

static int certificate_row(void *arg, const char *const *c, size_t n)
{
	struct rows_ctx *x = arg;
	struct check_certificate r = { c[0], c[1], c[2], c[3], c[4], c[5], c[6] };

	(void)n;
	return ((check_certificate_fn)x->fn)(x->arg, &r);
}

int store_check_certificates(struct store *s, const struct principal *who,
			     const char *from, const char *to,
			     check_certificate_fn fn, void *arg,
			     struct error *e)
{
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[2] = { from, to };

	buf_adds(&sql, "SELECT en.key, en.session, en.trainee, en.attendance,"
		 " en.result, en.certificate, s.valid_to FROM enrolment en"
		 " JOIN session s ON s.key = en.session"
		 " WHERE coalesce(en.certificate, '') <> ''"
		 " AND (en.result <> 'pass' OR en.attendance IN ('absent', 'withdrawn'))"
		 " AND s.valid_from < ?2 AND s.valid_to > ?1");
	rq_vis(&sql, who, "enrolments", "en");
	buf_adds(&sql, " ORDER BY en.key");
	return rows_each_sql(s, &sql, p, 2, certificate_row, &x, e);
}

/*==== Records for the record rules =====================================*/

int store_check_keys(struct store *s, const struct principal *who,
		     const struct kind *k, const char *from, const char *to,
		     const struct check_focus *f, check_key_fn fn, void *arg,
		     struct error *e)
{
	static const struct narrowing sessions[] = {
		{ CHECK_BY_SESSION, "t.key = ?3" },
		{ CHECK_BY_PERSON, "instr(';' || coalesce(t.trainers, '') || ';',"
		  " ';' || ?3 || ';') > 0" },
		{ CHECK_BY_COURSE, "t.course = ?3" },
		{ CHECK_BY_SITE, "t.site = ?3" },
		{ CHECK_ALL, NULL },
	}, assignments[] = {
		{ CHECK_BY_PERSON, "t.person = ?3" },
		{ CHECK_BY_POST, "t.post = ?3" },
		{ CHECK_BY_SITE, "t.post IN (SELECT number FROM post"
		  " WHERE site = ?3)" },
		{ CHECK_ALL, NULL },
	}, activities[] = {
		{ CHECK_BY_SITE, "t.site = ?3" },
		{ CHECK_ALL, NULL },
	}, posts[] = {
		{ CHECK_BY_POST, "t.number = ?3" },
		{ CHECK_BY_SITE, "t.site = ?3" },
		{ CHECK_ALL, NULL },
	}, none[] = { { CHECK_ALL, NULL } };
	const struct narrowing *by = !strcmp(k->table, "session") ? sessions :
		!strcmp(k->table, "assignment") ? assignments :
		!strcmp(k->table, "activity") ? activities :
		!strcmp(k->table, "post") ? posts : none;
	struct rows_ctx x = { (void (*)(void))fn, arg };
	struct buf sql = BUF_INIT;
	const char *p[3] = { from, to, focus_key(f) };

	buf_addf(&sql, "SELECT t.%s FROM %s t WHERE t.valid_from < ?2 AND"
		 " (t.valid_to IS NULL OR t.valid_to > ?1)", k->key_column,
		 k->table);
	if (narrow(&sql, f, by)) {
		buf_release(&sql);
		return 0;
	}
	rq_vis(&sql, who, k->name, "t");
	buf_addf(&sql, " ORDER BY t.%s", k->key_column);
	return rows_each_sql(s, &sql, p, p[2] ? 3 : 2, rows_text_row, &x, e);
}
