/* The reports' queries, as the caller sees the mission; see report.h. */
#include "store/report.h"

#include <stdlib.h>
#include <string.h>

#include "store/access.h"
#include "store/derived.h"
#include "store/rows_int.h"
#include "store/store_int.h"

/*==== Running a query ==================================================*/

/* An enrolment the caller may see, of a trainee they may see: a hidden
 * trainee's enrolments count nowhere. Every query here counts the
 * enrolments of a session it has already restricted to what the caller
 * sees, so that check is not repeated per enrolment. Nothing for the
 * system, whose figures (and their cost) stay as they were. */
static void vis_enrolment(struct buf *b, const struct principal *who,
			  const char *alias)
{
	access_clause_known(b, who, kind_find("enrolments"), alias, "session");
}

/*==== Transition =======================================================*/

static int transition_session_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct transition_session r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_str(st, 4),
		rq_str(st, 5), rq_long(st, 6), rq_long(st, 7),
	};

	return ((transition_session_fn)w->fn)(w->arg, &r);
}

int store_transition_sessions(struct store *s, const struct principal *who,
			      const char *asof, transition_session_fn fn,
			      void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	/* The state on the day, from the dates (store/derived.h): a
	 * session stored "planned" that ended is completed. */
	buf_adds(&b, "SELECT s.key, s.course, s.valid_from, s.valid_to, s.lead, ");
	derived_session_state(&b, "s", "?1");
	buf_adds(&b, ", (SELECT count(*) FROM enrolment en WHERE"
		 " en.session = s.key AND en.result = 'pass'");
	vis_enrolment(&b, who, "en");
	buf_adds(&b, ") AS passed, (SELECT count(*) FROM enrolment en WHERE"
		 " en.session = s.key AND en.result IN ('pass', 'fail')");
	vis_enrolment(&b, who, "en");
	buf_adds(&b, ") AS assessed FROM session s WHERE ");
	derived_session_scheduled(&b, "s");
	buf_adds(&b, " AND s.valid_from <= ?1");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " ORDER BY s.course, s.valid_from");
	return rq_run(s, &b, &asof, 1, transition_session_row, &w, e);
}

static int transition_course_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct transition_course r = {
		rq_str(st, 0), rq_str(st, 1), rq_long(st, 2),
		db_column_double(st, 3),
	};

	return ((transition_course_fn)w->fn)(w->arg, &r);
}

int store_transition_courses(struct store *s, const struct principal *who,
			     transition_course_fn fn, void *arg,
			     struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	buf_adds(&b, "SELECT c.code, c.title, c.transition_sessions,"
		 " c.pass_target FROM course c WHERE TRUE");
	rq_vis(&b, who, "course", "c");
	buf_adds(&b, " ORDER BY c.code");
	return rq_run(s, &b, NULL, 0, transition_course_row, &w, e);
}

/*==== Manning ==========================================================*/

static int manning_post_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct manning_post r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_str(st, 4),
		rq_str(st, 5), rq_text(st, 6),
	};

	return ((manning_post_fn)w->fn)(w->arg, &r);
}

/* The mission's establishment: posts of its organisations (the
 * coalition's, before a transfer, are another establishment). */
int store_manning_posts(struct store *s, const struct principal *who,
			const char *asof, manning_post_fn fn, void *arg,
			struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT p.number, p.title, p.branch, p.category,"
		 " coalesce(");
	rows_seen_ref(&b, who, "sites", "p.site", 1);
	buf_adds(&b, ", ''), coalesce(p.nation, '') AS designated,"
		 " (SELECT group_concat(pe.nation, ';') FROM assignment a"
		 "  JOIN person pe ON pe.code = a.person");
	rq_vis(&b, who, "person", "pe");
	buf_adds(&b, " WHERE a.post = p.number AND a.valid_from <= ?1"
		 " AND (a.valid_to IS NULL OR a.valid_to > ?1)");
	rq_vis(&b, who, "assignment", "a");
	buf_adds(&b, ") AS holders FROM post p WHERE p.organisation IN"
		 " (SELECT code FROM mission) AND p.valid_from <= ?1 AND"
		 " (p.valid_to IS NULL OR p.valid_to > ?1)");
	rq_vis(&b, who, "post", "p");
	buf_adds(&b, " ORDER BY p.number");
	return rq_run(s, &b, &asof, 1, manning_post_row, &w, e);
}

static int manning_rotation_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct manning_rotation r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_text(st, 4),
	};

	return ((manning_rotation_fn)w->fn)(w->arg, &r);
}

int store_manning_rotations(struct store *s, const struct principal *who,
			    const char *from, const char *to,
			    manning_rotation_fn fn, void *arg,
			    struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };
	const char *p[2] = { from, to };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT a.post, a.person, pe.nation, a.valid_to AS ends,"
		 " (SELECT min(n.valid_from) FROM assignment n WHERE"
		 "  n.post = a.post AND n.valid_from > a.valid_from");
	rq_vis(&b, who, "assignment", "n");
	buf_adds(&b, ") AS next_from FROM assignment a JOIN person pe"
		 " ON pe.code = a.person");
	rq_vis(&b, who, "person", "pe");
	buf_adds(&b, " JOIN post po ON po.number = a.post");
	rq_vis(&b, who, "post", "po");
	buf_adds(&b, " WHERE po.organisation IN (SELECT code FROM mission)"
		 " AND a.valid_to > ?1 AND a.valid_to <= ?2");
	rq_vis(&b, who, "assignment", "a");
	buf_adds(&b, " ORDER BY a.valid_to, a.post");
	return rq_run(s, &b, p, 2, manning_rotation_row, &w, e);
}

/*==== Contributions ====================================================*/

/* " AND a.person is on a mission post on ?1", for assignment a: the
 * person and the post as the caller sees them. */
static void deployed_on(struct buf *b, const struct principal *who)
{
	buf_adds(b, " JOIN person pe ON pe.code = a.person");
	rq_vis(b, who, "person", "pe");
	buf_adds(b, " JOIN post po ON po.number = a.post");
	rq_vis(b, who, "post", "po");
	buf_adds(b, " WHERE po.organisation IN (SELECT code FROM mission)"
		 " AND a.valid_from <= ?1 AND (a.valid_to IS NULL OR"
		 " a.valid_to > ?1)");
	rq_vis(b, who, "assignment", "a");
}

static int contribution_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct contribution r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_long(st, 3),
		rq_long(st, 4), db_column_type(st, 4) != DB_NULL,
	};

	return ((contribution_fn)w->fn)(w->arg, &r);
}

int store_contributions(struct store *s, const struct principal *who,
			const char *asof, contribution_fn fn, void *arg,
			struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT n.code, n.name, CASE WHEN n.member_since <= ?1"
		 " THEN 'member' WHEN n.partner_since <= ?1 AND"
		 " (n.partner_until IS NULL OR n.partner_until > ?1)"
		 " THEN 'partner' ELSE 'other' END AS status,"
		 " (SELECT count(DISTINCT a.person) FROM assignment a");
	deployed_on(&b, who);
	buf_adds(&b, " AND pe.nation = n.code) AS deployed,"
		 " (SELECT sum(pl.personnel) FROM pledge pl WHERE"
		 " pl.nation = n.code AND pl.valid_from <= ?1 AND"
		 " (pl.valid_to IS NULL OR pl.valid_to > ?1)");
	rq_vis(&b, who, "pledge", "pl");
	buf_adds(&b, ") AS pledged FROM nation n WHERE TRUE");
	rq_vis(&b, who, "nation", "n");
	buf_adds(&b, " ORDER BY deployed DESC, n.code");
	return rq_run(s, &b, &asof, 1, contribution_row, &w, e);
}

static int deployed_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct deployed r = { rq_str(st, 0), rq_long(st, 1) };

	return ((deployed_fn)w->fn)(w->arg, &r);
}

int store_deployed_on(struct store *s, const struct principal *who,
		      const char *day, deployed_fn fn, void *arg,
		      struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	rows_mission_cte(&b, who);
	buf_adds(&b, "SELECT pe.nation, count(DISTINCT a.person) AS deployed"
		 " FROM assignment a");
	deployed_on(&b, who);
	buf_adds(&b, " GROUP BY pe.nation ORDER BY pe.nation");
	return rq_run(s, &b, &day, 1, deployed_row, &w, e);
}

/*==== Training output ==================================================*/

static int training_output_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct training_output r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_long(st, 4),
		rq_long(st, 5), rq_long(st, 6),
	};

	return ((training_output_fn)w->fn)(w->arg, &r);
}

int store_training_output(struct store *s, const struct principal *who,
			  const char *from, const char *to,
			  training_output_fn fn, void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };
	const char *p[2] = { from, to };

	buf_adds(&b, "SELECT substr(s.valid_to, 1, 7) AS month, s.course, s.site,"
		 " coalesce(a.host, '') AS institution, count(*) AS trainees,"
		 " count(CASE WHEN en.result = 'pass' THEN 1 END) AS passed,"
		 " count(en.certificate) AS certificates"
		 " FROM session s JOIN enrolment en ON en.session = s.key");
	vis_enrolment(&b, who, "en");
	buf_adds(&b, " JOIN course c ON c.code = s.course");
	rq_vis(&b, who, "course", "c");
	buf_adds(&b, " JOIN activity a ON a.code = c.activity");
	rq_vis(&b, who, "activity", "a");
	/* Completed by its dates: it ended in the period (valid_to is the
	 * day after its last), and was neither cancelled nor postponed. */
	buf_adds(&b, " WHERE ");
	derived_session_scheduled(&b, "s");
	buf_adds(&b, " AND s.valid_to > ?1 AND s.valid_to <= ?2");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " GROUP BY month, s.course, s.site, institution"
		 " ORDER BY month, s.course, s.site");
	return rq_run(s, &b, p, 2, training_output_row, &w, e);
}

/*==== Capability =======================================================*/

static int assessment_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct assessment_row r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_long(st, 3),
		rq_long(st, 4), db_column_type(st, 4) != DB_NULL,
	};

	return ((assessment_fn)w->fn)(w->arg, &r);
}

int store_assessments(struct store *s, const struct principal *who,
		      const char *asof, assessment_fn fn, void *arg,
		      struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	buf_adds(&b, "SELECT a.organisation, a.competency, a.assessed_on,"
		 " a.level, a.target FROM assessment a WHERE a.assessed_on <= ?1");
	rq_vis(&b, who, "assessment", "a");
	buf_adds(&b, " ORDER BY a.organisation, a.competency, a.assessed_on");
	return rq_run(s, &b, &asof, 1, assessment_row, &w, e);
}

/*==== Suspension impact ================================================*/

void suspension_release(struct suspension *sp)
{
	if (!sp)
		return;
	free(sp->code);
	free(sp->scope);
	free(sp->reason);
	free(sp->valid_from);
	free(sp->valid_to);
	memset(sp, 0, sizeof(*sp));
}

static char *dup_col(struct db_stmt *st, int i)
{
	return strdup(rq_str(st, i));
}

static int suspension_row(struct db_stmt *st, void *ctx)
{
	struct suspension *sp = ctx;

	sp->code = dup_col(st, 0);
	sp->scope = dup_col(st, 1);
	sp->reason = dup_col(st, 2);
	sp->valid_from = dup_col(st, 3);
	sp->valid_to = dup_col(st, 4);
	return 1;	/* one row */
}

int store_suspension(struct store *s, const struct principal *who,
		     const char *code, struct suspension *out,
		     struct error *e)
{
	struct buf b = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_adds(&b, "SELECT ev.code, ev.scope, ev.reason, ev.valid_from,"
		 " coalesce(ev.valid_to, '9999-12-31') FROM status_event ev"
		 " WHERE ev.code = ?1 AND ev.action = 'suspend'");
	rq_vis(&b, who, "status_event", "ev");
	rc = rq_run(s, &b, &code, 1, suspension_row, out, e);
	if (rc < 0)
		return -1;
	if (rc && !(out->code && out->scope && out->reason &&
		    out->valid_from && out->valid_to)) {
		suspension_release(out);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	return rc;
}

static int postponed_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct postponed r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_str(st, 4),
		rq_long(st, 5), rq_text(st, 6), rq_text(st, 7),
	};

	return ((postponed_fn)w->fn)(w->arg, &r);
}

int store_postponed(struct store *s, const struct principal *who,
		    const char *from, const char *to, const char *scope,
		    postponed_fn fn, void *arg, struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };
	const char *p[3] = { from, to, scope };

	buf_adds(&b, "SELECT s.key, s.course, s.site, s.valid_from, s.valid_to,"
		 " (SELECT count(*) FROM enrolment en WHERE en.session = s.key");
	vis_enrolment(&b, who, "en");
	buf_adds(&b, ") AS trainees, (SELECT n.key FROM session n WHERE"
		 " n.replaces = s.key");
	rq_vis(&b, who, "session", "n");
	buf_adds(&b, ") AS rerun, (SELECT n.valid_from FROM session n WHERE"
		 " n.replaces = s.key");
	rq_vis(&b, who, "session", "n");
	buf_adds(&b, ") AS rerun_from FROM session s JOIN course c"
		 " ON c.code = s.course");
	rq_vis(&b, who, "course", "c");
	buf_adds(&b, " WHERE s.status = 'postponed' AND s.valid_from < ?2"
		 " AND s.valid_to > ?1 AND (?3 = 'mission' OR"
		 " ?3 = 'site:' || s.site OR ?3 = 'activity:' || c.activity)");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " ORDER BY s.valid_from, s.key");
	return rq_run(s, &b, p, 3, postponed_row, &w, e);
}

/*==== Transfer =========================================================*/

static int transfer_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct transfer r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_str(st, 4),
		rq_long(st, 5), rq_long(st, 6), rq_long(st, 7),
	};

	return ((transfer_fn)w->fn)(w->arg, &r);
}

/* The sessions of each transferred activity from its day, found through
 * their courses, and their enrolments through the session index: a scan
 * of every enrolment, joined back, took 8 times a full scan at scale.
 * The distinct trainees are a DISTINCT under a count, not
 * count(DISTINCT …), which PostgreSQL computes by sorting (0.25 s for
 * 220,000 enrolments at scale 1, hashed a third of that); SQLite plans
 * both alike. */
int store_transfers(struct store *s, const struct principal *who,
		    const char *activity, transfer_fn fn, void *arg,
		    struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	buf_adds(&b, "WITH moved AS (SELECT a.code, s.key AS session FROM"
		 " activity a JOIN course c ON c.activity = a.code");
	rq_vis(&b, who, "course", "c");
	buf_adds(&b, " JOIN session s ON s.course = c.code AND"
		 " s.valid_from >= a.owner_from");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " WHERE a.previous_owner IS NOT NULL AND (?1 IS NULL OR"
		 " a.code = ?1)");
	rq_vis(&b, who, "activity", "a");
	buf_adds(&b, ") SELECT a.code, a.title, a.previous_owner AS from_org,"
		 " a.owner AS to_org, a.owner_from AS on_day,"
		 " (SELECT count(*) FROM moved m WHERE m.code = a.code) AS sessions,"
		 " (SELECT count(*) FROM moved m JOIN enrolment en"
		 "  ON en.session = m.session");
	vis_enrolment(&b, who, "en");
	buf_adds(&b, " WHERE m.code = a.code) AS enrolments,"
		 " (SELECT count(*) FROM (SELECT DISTINCT en.trainee FROM moved m"
		 "  JOIN enrolment en ON en.session = m.session");
	vis_enrolment(&b, who, "en");
	buf_adds(&b, " WHERE m.code = a.code) d) AS trainees FROM activity a"
		 " WHERE a.previous_owner IS NOT NULL AND (?1 IS NULL OR"
		 " a.code = ?1)");
	rq_vis(&b, who, "activity", "a");
	buf_adds(&b, " ORDER BY a.owner_from, a.code");
	return rq_run(s, &b, &activity, 1, transfer_row, &w, e);
}

static int reassigned_row(struct db_stmt *st, void *ctx)
{
	struct rows_ctx *w = ctx;
	struct reassigned r = { rq_str(st, 0), rq_str(st, 1), rq_str(st, 2),
				rq_long(st, 3) };

	return ((reassigned_fn)w->fn)(w->arg, &r);
}

/* The people a transfer moved, and only those: each on a post the
 * transfer opened (NUMBER@OWNER, of the activity's site and kind of
 * work, from its day), from that very day, having left the post it
 * replaces that day. An assignment to such a post begun later is a
 * posting, not a transfer; one of another activity's transfer is
 * that transfer's. */
int store_reassigned(struct store *s, const struct principal *who,
		     const char *activity, reassigned_fn fn, void *arg,
		     struct error *e)
{
	struct buf b = BUF_INIT;
	struct rows_ctx w = { (void (*)(void))fn, arg };

	buf_adds(&b, "SELECT np.organisation AS to_org, x.valid_from AS on_day,"
		 " pe.nation, count(DISTINCT pe.code) AS people FROM assignment x"
		 " JOIN post np ON np.number = x.post");
	rq_vis(&b, who, "post", "np");
	buf_adds(&b, " JOIN person pe ON pe.code = x.person");
	rq_vis(&b, who, "person", "pe");
	buf_adds(&b, " WHERE x.valid_from = np.valid_from AND EXISTS (SELECT 1"
		 " FROM activity a WHERE a.previous_owner IS NOT NULL AND"
		 " (?1 IS NULL OR a.code = ?1) AND a.owner = np.organisation AND"
		 " a.owner_from = np.valid_from AND a.site = np.site AND"
		 " a.kind = np.function");
	rq_vis(&b, who, "activity", "a");
	buf_adds(&b, ") AND EXISTS (SELECT 1 FROM assignment y WHERE"
		 " y.person = x.person AND y.valid_to = x.valid_from AND"
		 " x.post = y.post || '@' || np.organisation");
	rq_vis(&b, who, "assignment", "y");
	buf_adds(&b, ")");
	rq_vis(&b, who, "assignment", "x");
	buf_adds(&b, " GROUP BY to_org, on_day, pe.nation"
		 " ORDER BY on_day, to_org, people DESC");
	return rq_run(s, &b, &activity, 1, reassigned_row, &w, e);
}
