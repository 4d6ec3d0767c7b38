/*
 * The one write path: every change a caller makes to the mission's
 * records — through the API, an import, and the actions —
 * runs here, whole or not at all. In one transaction:
 *
 *   1. the caller's role writes the kind (policy_may_write);
 *   2. the record is valid, its references checked as the caller sees
 *      them: a hidden record is a missing one (record_validate_as);
 *   3. the record as stored (the system's view) exists or not as the
 *      write expects, and the caller may see it;
 *   4. the caller's own check against it (the API's If-Match);
 *   5. its markings are the caller's to give (policy_check_markings,
 *      with the host nation from the store);
 *   6. the mission's rules hold, and it is put and audited under the
 *      caller's login (mission_put; rules_finish before commit).
 *
 * Any refusal or failure rolls the whole transaction back, and keeps its
 * cause: a database failure is ERR_STORE, never "exists" or "not found".
 * NULL or &principal_system writes as the local operator (every check
 * but validation passes; the audit keeps the connection's actor).
 */
#ifndef CADRE_CORE_WRITE_H
#define CADRE_CORE_WRITE_H

#include "core/validate.h"
#include "store/access.h"
#include "store/store.h"

enum write_mode {
	WRITE_PUT,	/* insert or update by key (an import's row) */
	WRITE_CREATE,	/* a new record: a key taken is ERR_CONFLICT, whether
			 * the caller may see its record or not */
	WRITE_UPDATE,	/* a record the caller sees: else ERR_NOTFOUND */
};

/* Called inside the transaction with the record as stored (NULL when
 * new) before anything is written. 0 goes on; -1 with E set refuses. */
typedef int (*write_check_fn)(void *arg, const struct record *before,
			      struct error *e);

struct write_opts {
	enum write_mode mode;
	problem_fn problem;	/* each validation problem; required */
	void *problem_arg;
	write_check_fn check;	/* may be NULL */
	void *check_arg;
};

/* May WHO write records of kind K (step 1)? 0, or -1 with E set
 * (ERR_FORBIDDEN), for a caller that refuses before it reads its input. */
int write_may(const struct principal *who, const struct kind *k,
	      struct error *e);

/* Write R as WHO in a transaction of its own (steps 1-6 above). R is
 * completed by validation (defaults, canonical values, key). Returns 0
 * when written (*RES says how); 1 when R is not valid: each problem was
 * told to O->problem, nothing was written and E is untouched; -1 with E
 * set: ERR_FORBIDDEN (role or markings; E's one item names the field),
 * ERR_CONFLICT, ERR_NOTFOUND, ERR_RULE, the check's, ERR_STORE or
 * ERR_NOMEM. */
int write_record(struct store *s, const struct principal *who,
		 struct record *r, const struct write_opts *o,
		 enum put_result *res, struct error *e);

/* ---- Several records in one transaction (import) ---------------------- */

struct write_tx;

enum write_flags {
	WRITE_DRY_RUN = 1 << 0,	/* check everything, then roll back */
	WRITE_NESTED = 1 << 1,	/* in the caller's transaction: no begin,
				 * commit or rollback here */
	WRITE_UNCHECKED = 1 << 2, /* writes that bypass write_put()'s
				   * validation: SQLite checks their keys */
};

/* FN writes its records with write_put(); 0 to commit, -1 with E set to
 * roll everything back. */
typedef int (*write_fn)(struct write_tx *t, void *arg, struct error *e);

/* Run FN as WHO in one transaction: begin (every record FN writes goes
 * through write_put(), whose validation checks its references, so the
 * store need not check them again: store_begin_checked()), FN, the
 * deferred rules (unless FN ran write_tx_finish()), commit. 0, or -1
 * with E set and nothing written. */
int write_many(struct store *s, const struct principal *who, unsigned flags,
	       write_fn fn, void *arg, struct error *e);

/* ---- An action (suspend, resume, consent, transfer, plan-sessions) -------- */

/* Run the action NAME as WHO in one transaction: refused with
 * ERR_FORBIDDEN unless policy_may_act(WHO, NAME); then begin, FN, the
 * deferred rules, commit (or, with WRITE_DRY_RUN, roll back once
 * everything was checked). An action acts on the whole mission on the
 * caller's authority: FN writes through mission_put()/mission_save() with
 * write_tx_rules(T), as the system, and reports only what WHO may see.
 * Its writes are not validated row by row as write_put()'s are, so
 * SQLite checks their foreign keys (store_begin, not
 * store_begin_checked). The audit names WHO. */
int write_action(struct store *s, const struct principal *who,
		 const char *name, unsigned flags, write_fn fn, void *arg,
		 struct error *e);

/* The rules' state of T's transaction, for an action's writes. */
struct rules_tx *write_tx_rules(struct write_tx *t);

/* One record in T, as write_record() answers. A refusal or an invalid
 * record does not end T: the caller decides (an import reports every
 * row, then fails). */
int write_put(struct write_tx *t, struct record *r, const struct write_opts *o,
	      enum put_result *res, struct error *e);

/* The rules over the whole transaction (CEILING), once, for a caller
 * that wants to report their refusal itself. 0, or -1 with E set. */
int write_tx_finish(struct write_tx *t, struct error *e);

#endif
