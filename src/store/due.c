/* What needs attention: the store's questions; see due.h. */
#include "store/due.h"

#include "store/access.h"
#include "store/derived.h"
#include "store/rows_int.h"
#include "store/store_int.h"

static int trainer_session_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct due_trainer_session r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_text(st, 3),
	};

	return ((due_trainer_session_fn)w->fn)(w->arg, &r);
}

int store_due_trainer_sessions(struct store *s, const struct principal *who,
			       const char *asof, due_trainer_session_fn fn,
			       void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	buf_adds(&b, "SELECT s.key, s.valid_from, s.valid_to, s.trainers"
		 " FROM session s WHERE ");
	derived_session_scheduled(&b, "s");
	buf_adds(&b, " AND s.valid_to > ?1 AND s.trainers IS NOT NULL");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " ORDER BY s.valid_from, s.key");
	return rq_run(s, &b, &asof, 1, trainer_session_row, &w, e);
}

static int person_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct due_person r = { rq_str(st, 0), rq_str(st, 1), rq_str(st, 2) };

	return ((due_person_fn)w->fn)(w->arg, &r);
}

int store_due_persons(struct store *s, const struct principal *who,
		      const char *asof, due_person_fn fn, void *arg,
		      struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	buf_adds(&b, "SELECT p.code, p.name, p.qualifications FROM person p"
		 " WHERE instr(p.qualifications, ':') > 0 AND p.valid_from <= ?1"
		 " AND (p.valid_to IS NULL OR p.valid_to > ?1)");
	rq_vis(&b, who, "person", "p");
	buf_adds(&b, " ORDER BY p.code");
	return rq_run(s, &b, &asof, 1, person_row, &w, e);
}

static int consent_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct due_consent r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3),
	};

	return ((due_consent_fn)w->fn)(w->arg, &r);
}

int store_due_consents(struct store *s, const struct principal *who,
		       const char *from, const char *to, due_consent_fn fn,
		       void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };
	const char *p[2] = { from, to };

	buf_adds(&b, "SELECT c.code, c.title, c.state, c.valid_to FROM consent c"
		 " WHERE c.valid_to > ?1 AND c.valid_to <= ?2");
	rq_vis(&b, who, "consent", "c");
	buf_adds(&b, " ORDER BY c.valid_to, c.code");
	return rq_run(s, &b, p, 2, consent_row, &w, e);
}

static int session_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct due_session r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_long(st, 3),
		rq_long(st, 4), rq_long(st, 5),
	};

	return ((due_session_fn)w->fn)(w->arg, &r);
}

int store_due_sessions(struct store *s, const struct principal *who,
		       const char *from, const char *to, due_session_fn fn,
		       void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };
	const char *p[2] = { from, to };

	/* Trainers and trainees as the caller sees them: one hidden counts
	 * nowhere (core/due.c gives this item only to those who see the
	 * mission's whole staffing). */
	buf_adds(&b, "SELECT s.key, s.course, s.valid_from, c.trainer_ratio,"
		 " (SELECT count(*) FROM enrolment en WHERE en.session = s.key"
		 "  AND en.attendance <> 'withdrawn'");
	access_clause_known(&b, who, kind_find("enrolments"), "en", "session");
	buf_adds(&b, "), (SELECT count(*) FROM person pe WHERE"
		 "  instr(';' || s.trainers || ';', ';' || pe.code || ';') > 0");
	rq_vis(&b, who, "person", "pe");
	buf_adds(&b, ") FROM session s JOIN course c ON c.code = s.course");
	rq_vis(&b, who, "course", "c");
	buf_adds(&b, " WHERE ");
	derived_session_scheduled(&b, "s");
	buf_adds(&b, " AND s.valid_from >= ?1 AND s.valid_from <= ?2");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " ORDER BY s.valid_from, s.key");
	return rq_run(s, &b, p, 2, session_row, &w, e);
}

static int post_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct due_post r = {
		rq_str(st, 0), rq_str(st, 1), rq_text(st, 2), rq_text(st, 3),
		rq_text(st, 4), rq_text(st, 5),
	};

	return ((due_post_fn)w->fn)(w->arg, &r);
}

int store_due_posts(struct store *s, const struct principal *who,
		    const char *asof, due_post_fn fn, void *arg,
		    struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT p.number, p.title, p.valid_to, (SELECT"
		 " max(l.valid_to) FROM assignment l WHERE l.post = p.number"
		 " AND l.valid_to <= ?1");
	rq_vis(&b, who, "assignment", "l");
	buf_adds(&b, "), a.valid_from, a.valid_to FROM post p LEFT JOIN"
		 " assignment a ON a.post = p.number"
		 " AND (a.valid_to IS NULL OR a.valid_to > ?1)");
	rq_vis(&b, who, "assignment", "a");
	buf_adds(&b, " WHERE p.organisation IN (SELECT code FROM mission)"
		 " AND p.valid_from <= ?1 AND (p.valid_to IS NULL OR"
		 " p.valid_to > ?1)");
	rq_vis(&b, who, "post", "p");
	buf_adds(&b, " ORDER BY p.number, a.valid_from");
	return rq_run(s, &b, &asof, 1, post_row, &w, e);
}

static int rotation_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct due_rotation r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3),
		rq_str(st, 4),
	};

	return ((due_rotation_fn)w->fn)(w->arg, &r);
}

int store_due_rotations(struct store *s, const struct principal *who,
			const char *from, const char *to, due_rotation_fn fn,
			void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };
	const char *p[2] = { from, to };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT a.key, a.person, coalesce(pe.name, a.person),"
		 " a.post, a.valid_to FROM assignment a JOIN person pe"
		 " ON pe.code = a.person");
	rq_vis(&b, who, "person", "pe");
	buf_adds(&b, " JOIN post po ON po.number = a.post");
	rq_vis(&b, who, "post", "po");
	buf_adds(&b, " WHERE po.organisation IN (SELECT code FROM mission)"
		 " AND a.valid_to > ?1 AND a.valid_to <= ?2");
	rq_vis(&b, who, "assignment", "a");
	/* A relief: a later assignment to the post, however far off (a
	 * late one leaves a gap, which the post's item tells). */
	buf_adds(&b, " AND NOT EXISTS (SELECT 1 FROM assignment n WHERE"
		 " n.post = a.post AND n.valid_from > a.valid_from");
	rq_vis(&b, who, "assignment", "n");
	buf_adds(&b, ") ORDER BY a.valid_to, a.key");
	return rq_run(s, &b, p, 2, rotation_row, &w, e);
}
