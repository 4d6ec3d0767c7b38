/* The calendars' queries, as the caller sees the sessions; see
 * calendar.h. */
#include "store/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "store/derived.h"
#include "store/rows_int.h"
#include "util/date.h"

static int one(struct db_stmt *st, void *ctx)
{
	(void)st;
	(void)ctx;
	return 1;
}

int store_calendar_owner(struct store *s, const struct principal *who,
			 enum calendar_of of, const char *key,
			 struct error *e)
{
	struct buf b = BUF_INIT;

	if (of == CALENDAR_SITE) {
		buf_adds(&b, "SELECT 1 FROM site t WHERE t.code = ?1");
		rq_vis(&b, who, "site", "t");
	} else {
		buf_adds(&b, "SELECT 1 FROM person t WHERE t.code = ?1");
		rq_vis(&b, who, "person", "t");
	}
	return rq_run(s, &b, &key, 1, one, NULL, e);
}

struct walk {
	calendar_session_fn fn;
	void *arg;
	struct store *s;
	const struct principal *who;
	struct error *e;
	json_t *names;		/* code -> name, each asked once a walk */
};

/* The name of person CODE, the reader's to see already: the walk's, or
 * asked (the code itself when the person is gone). NULL with E set. */
static const char *name_of(struct walk *w, const char *code)
{
	json_t *known = json_object_get(w->names, code);
	struct db_stmt *st;
	int rc;

	if (known)
		return json_string_value(known);
	if (store_stmt(w->s, "SELECT name FROM person WHERE code = ?1", &st, w->e))
		return NULL;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	known = json_string(rc == DB_ROW ? db_column_text(st, 0) : code);
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(known);
		store_fail(w->s, w->e, "reading a trainer's name");
		return NULL;
	}
	if (!known || json_object_set_new(w->names, code, known)) {
		error_set(w->e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	return json_string_value(known);
}

/* The names of the persons of CODES ("A;B"), ", "-separated in their
 * order, into OUT. 0, or -1 with W's error. */
static int names_of(struct walk *w, const char *codes, struct buf *out)
{
	const char *p = codes;

	while (*p) {
		size_t n = strcspn(p, ";");
		const char *name;
		char code[64];

		snprintf(code, sizeof(code), "%.*s", (int)n, p);
		p += n + (p[n] == ';');
		if (!*code)
			continue;
		if (!(name = name_of(w, code)))
			return -1;
		if (out->len)
			buf_adds(out, ", ");
		buf_adds(out, name);
	}
	return out->failed ? error_set(w->e, ERR_NOMEM, "out of memory") : 0;
}

static int session_row(struct db_stmt *st, void *ctx)
{
	struct walk *w = ctx;
	struct calendar_session r = {
		rq_str(st, 0), rq_str(st, 1), rq_str(st, 2), rq_str(st, 3), rq_str(st, 4),
		rq_str(st, 5), rq_str(st, 6), rq_str(st, 7), rq_str(st, 8), rq_str(st, 9),
		"", rq_str(st, 10), rq_str(st, 11), db_column_int64(st, 12),
	};
	char *trainers = *r.trainers ? strdup(r.trainers) : NULL;
	struct buf names = BUF_INIT;
	int rc;

	/* The trainers the reader may see; the others are not named. */
	if (*r.trainers && !trainers)
		return error_set(w->e, ERR_NOMEM, "out of memory");
	if (rows_mask_list(w->s, w->who, kind_find("persons"), &trainers, w->e) ||
	    (trainers && names_of(w, trainers, &names))) {
		free(trainers);
		buf_release(&names);
		return -1;
	}
	r.trainers = trainers ? trainers : "";
	r.trainer_names = buf_str(&names);
	rc = w->fn(w->arg, &r);
	free(trainers);
	buf_release(&names);
	return rc;
}

int store_calendar_sessions(struct store *s, const struct principal *who,
			    enum calendar_of of, const char *key,
			    calendar_session_fn fn, void *arg,
			    struct error *e)
{
	struct buf b = BUF_INIT;
	struct walk w = { fn, arg, s, who, e, json_object() };
	char today[DATE_LEN + 1];
	const char *p[2] = { key, today };
	int rc;

	store_forget_seen(s);
	/* The state today, from the dates (store/derived.h). */
	buf_adds(&b, "SELECT s.key, s.valid_from, s.valid_to, ");
	derived_session_state(&b, "s", "?2");
	buf_adds(&b, ", c.title, s.site, si.name, s.room, s.trainers, s.lead,");
	/* The lead instructor's name, if the reader may see them. */
	buf_adds(&b, " (SELECT p.name FROM person p WHERE p.code = ");
	rows_seen_ref(&b, who, "persons", "s.lead_instructor", 1);
	buf_adds(&b, "), (SELECT max(a.at) FROM audit a WHERE a.entity = 'session'"
		 " AND a.key = s.key), (SELECT count(*) FROM audit a WHERE"
		 " a.entity = 'session' AND a.key = s.key)"
		 " FROM session s JOIN course c ON c.code = s.course");
	rq_vis(&b, who, "course", "c");
	buf_adds(&b, " JOIN site si ON si.code = s.site");
	rq_vis(&b, who, "site", "si");
	buf_adds(&b, of == CALENDAR_SITE ? " WHERE s.site = ?1" :
		 " WHERE instr(';' || s.trainers || ';', ';' || ?1 || ';') > 0");
	rq_vis(&b, who, "session", "s");
	buf_adds(&b, " ORDER BY s.valid_from, s.key");
	date_format(date_today(), today);
	if (!w.names) {
		buf_release(&b);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	rc = rq_run(s, &b, p, 2, session_row, &w, e);
	json_decref(w.names);
	return rc;
}
