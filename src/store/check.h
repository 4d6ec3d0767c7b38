/*
 * The questions `cadre check` (core/check.c) asks of the store: the span
 * of the mission's dated records, the sessions that book people, rooms
 * and units, the pairs of records that claim one thing on the same day,
 * the assignments with the qualifications their posts need, and the
 * certificates given.
 *
 * Every function takes WHO and answers over what WHO may see; the check
 * holds over the whole mission and passes &principal_system.
 *
 * Intervals are [valid_from, valid_to); a range [FROM, TO) selects the
 * records whose interval meets it. Rows come in a fixed order (by key)
 * through FN, with strings borrowed for the call; every row is read
 * before the first call, so FN may query the store. A non-zero return
 * from FN stops the walk and is returned; else 0, or -1 with E set.
 */
#ifndef CADRE_STORE_CHECK_H
#define CADRE_STORE_CHECK_H

#include "store/store.h"

struct principal;

/* What a walk is narrowed to: every row (NULL, or CHECK_ALL), or the rows
 * that involve the record KEY of one kind. A write's guard
 * (core/check.c) asks only about what the records it touched may break.
 * Each walk says which it honours; it is not called with others. */
enum check_by {
	CHECK_ALL,
	CHECK_BY_SESSION,	/* sessions */
	CHECK_BY_TRAINEE,	/* trainees */
	CHECK_BY_PERSON,	/* persons: their posts held, the sessions
				 * they train */
	CHECK_BY_POST,		/* posts */
	CHECK_BY_COURSE,	/* courses: their sessions */
	CHECK_BY_SITE,		/* sites: what is at them */
};
struct check_focus {
	enum check_by by;
	const char *key;
};

/* The first and the last day any session, assignment, consent, activity
 * or status event starts or ends on, into FIRST and LAST: 1, 0 when the
 * mission has no dated record, -1. */
int store_check_span(struct store *s, const struct principal *who,
		     char first[11], char last[11], struct error *e);

/* A session that books its trainers, room and host unit: not postponed
 * nor cancelled. room, host_unit, trainers and rooms (the site's,
 * NAME:CAPACITY;…) NULL when none; enrolled counts its enrolments not
 * withdrawn. */
struct check_session {
	const char *key, *course, *site, *room, *host_unit, *trainers;
	const char *valid_from, *valid_to, *rooms;
	long capacity, enrolled;
};
typedef int (*check_session_fn)(void *arg, const struct check_session *r);
/* F: all, or by session, course or site. */
int store_check_sessions(struct store *s, const struct principal *who,
			 const char *from, const char *to,
			 const struct check_focus *f, check_session_fn fn,
			 void *arg, struct error *e);

/* Two records that claim one thing (a trainee, a person) over
 * overlapping days: a trainee enrolled (not withdrawn) in two booking
 * sessions, or a person on two posts neither of which may be held
 * alongside another (posts.concurrent). key_a < key_b; what_a, what_b
 * the sessions' courses or the assignments' posts. F: all, or for
 * trainee pairs by trainee or session, for assignment pairs by person
 * or post. */
struct check_pair {
	const char *who;
	const char *key_a, *what_a, *from_a, *to_a;
	const char *key_b, *what_b, *from_b, *to_b;
};
typedef int (*check_pair_fn)(void *arg, const struct check_pair *r);
int store_check_trainee_pairs(struct store *s, const struct principal *who,
			      const char *from, const char *to,
			      const struct check_focus *f, check_pair_fn fn,
			      void *arg, struct error *e);
/* The trainee pairs of each of N trainees (1 to CHECK_TRAINEES_MAX) in
 * KEYS, as store_check_trainee_pairs() by trainee asks of one: a guard
 * that asks of thousands of new trainees asks a statement a batch. */
#define CHECK_TRAINEES_MAX 64
int store_check_trainees_pairs(struct store *s, const struct principal *who,
			       const char *from, const char *to,
			       const char *const *keys, size_t n,
			       check_pair_fn fn, void *arg, struct error *e);
int store_check_assignment_pairs(struct store *s, const struct principal *who,
				 const char *from, const char *to,
				 const struct check_focus *f, check_pair_fn fn,
				 void *arg, struct error *e);

/* An assignment to a post that requires qualifications (needs, ';'-
 * separated), with its holder's (held, CODE[:EXPIRY];…, NULL: none).
 * F: all, or by person or post. */
struct check_assignment {
	const char *key, *person, *post, *valid_from, *valid_to;
	const char *needs, *held;
};
typedef int (*check_assignment_fn)(void *arg,
				   const struct check_assignment *r);
int store_check_qualified_posts(struct store *s, const struct principal *who,
				const char *from, const char *to,
				const struct check_focus *f,
				check_assignment_fn fn, void *arg,
				struct error *e);

/* An enrolment holding a certificate without a pass of a trainee who
 * came (result not pass, or attendance absent or withdrawn), of a
 * session meeting the range. */
struct check_certificate {
	const char *key, *session, *trainee, *attendance, *result;
	const char *certificate, *session_to;
};
typedef int (*check_certificate_fn)(void *arg,
				    const struct check_certificate *r);
int store_check_certificates(struct store *s, const struct principal *who,
			     const char *from, const char *to,
			     check_certificate_fn fn, void *arg,
			     struct error *e);

/* Keys of the records of kind K (sessions, assignments, activities, posts)
 * whose interval meets the range, by key: those the record rules
 * (core/rules.c) are run over again. F: all, or sessions by session,
 * person (a trainer), course or site; assignments by person, post or
 * site (the post's); activities by site. A kind F does not apply to has
 * no rows. */
typedef int (*check_key_fn)(void *arg, const char *key);
int store_check_keys(struct store *s, const struct principal *who,
		     const struct kind *k, const char *from, const char *to,
		     const struct check_focus *f, check_key_fn fn, void *arg,
		     struct error *e);

#endif
