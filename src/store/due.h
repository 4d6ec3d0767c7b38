/*
 * What needs attention: the store's questions for core/due.c, each over
 * what the caller WHO may see (store/access.h; NULL or the system: all).
 * As store/report.h: FN is called once per row with strings that live
 * until it returns; its non-zero stops the walk and is returned;
 * otherwise 0, or -1 with E set. FN must not ask the store anything.
 */
#ifndef CADRE_STORE_DUE_H
#define CADRE_STORE_DUE_H

#include "store/store.h"

struct principal;

/* A session that runs (not postponed nor cancelled) and has not ended by
 * ASOF (valid_to > ASOF), with its trainers as stored (';'-list, NULL for
 * none): who trains next, and when. By start. */
struct due_trainer_session {
	const char *key, *valid_from, *valid_to, *trainers;
};
typedef int (*due_trainer_session_fn)(void *arg,
				      const struct due_trainer_session *r);
int store_due_trainer_sessions(struct store *s, const struct principal *who,
			       const char *asof, due_trainer_session_fn fn,
			       void *arg, struct error *e);

/* A person in force on ASOF whose qualifications carry an expiry. */
struct due_person {
	const char *code, *name, *qualifications;
};
typedef int (*due_person_fn)(void *arg, const struct due_person *r);
int store_due_persons(struct store *s, const struct principal *who,
		      const char *asof, due_person_fn fn, void *arg,
		      struct error *e);

/* A consent whose validity ends in (FROM, TO]. */
struct due_consent {
	const char *code, *title, *state, *valid_to;
};
typedef int (*due_consent_fn)(void *arg, const struct due_consent *r);
int store_due_consents(struct store *s, const struct principal *who,
		       const char *from, const char *to, due_consent_fn fn,
		       void *arg, struct error *e);

/* A session that runs and starts in [FROM, TO], with its course's
 * trainer_ratio, the trainees enrolled (not withdrawn) and the trainers
 * named, each as WHO sees them. */
struct due_session {
	const char *key, *course, *valid_from;
	long ratio, enrolled, trainers;
};
typedef int (*due_session_fn)(void *arg, const struct due_session *r);
int store_due_sessions(struct store *s, const struct principal *who,
		       const char *from, const char *to, due_session_fn fn,
		       void *arg, struct error *e);

/* A post of the mission's establishment in force on ASOF, with its end
 * (NULL: none), the last end of an assignment to it on or before ASOF
 * (NULL: none) — and, once per assignment to it that ends after ASOF,
 * that assignment's start and end (a post without one: one row with
 * both NULL). By post, then start. */
struct due_post {
	const char *number, *title, *valid_to, *last_end;
	const char *from, *to;		/* the assignment, or NULL */
};
typedef int (*due_post_fn)(void *arg, const struct due_post *r);
int store_due_posts(struct store *s, const struct principal *who,
		    const char *asof, due_post_fn fn, void *arg,
		    struct error *e);

/* An assignment to a mission post ending in (FROM, TO] with no later
 * assignment to the same post: a rotation without a relief. */
struct due_rotation {
	const char *key, *person, *name, *post, *valid_to;
};
typedef int (*due_rotation_fn)(void *arg, const struct due_rotation *r);
int store_due_rotations(struct store *s, const struct principal *who,
			const char *from, const char *to, due_rotation_fn fn,
			void *arg, struct error *e);

#endif
