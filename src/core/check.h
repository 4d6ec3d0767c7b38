/*
 * `cadre check`: the mission's fsck. Every invariant of docs/rules.md is
 * evaluated over the whole database, every day of a range, and each
 * violation is listed with its rule id, the records involved (their
 * keys) and its first and last day.
 *
 * The invariants are those the writes enforce record by record (the
 * rules of core/rules.c, run again on every session, assignment and
 * activity, each cut to the range) and those that hold between records:
 * no trainer, room (site and room), trainee or host unit in two booking
 * sessions on one day, no session filled above its capacity, no person
 * on two posts at once, no post held without its qualifications, no
 * certificate without a pass, no ceiling exceeded on any day. Postponed
 * and cancelled sessions book nothing.
 *
 * The check runs as the system (it counts what no one reader may see);
 * what it reports is the caller's: a violation naming a record WHO may
 * not see is counted in `hidden`, never listed.
 */
#ifndef CADRE_CORE_CHECK_H
#define CADRE_CORE_CHECK_H

#include <jansson.h>

#include "store/check.h"
#include "store/store.h"

struct principal;

/* Check the days [FROM, TO) (both NULL: the whole span of the mission's
 * dated records). WHO must be allowed by policy_may_check() (else
 * ERR_FORBIDDEN). On success *OUT is a new object: {from, to,
 * violations[{rule, message, records, dates}], count, hidden}, dates
 * being the first and the last day the violation holds in the range
 * (one when they are the same). 0, or -1 with E set. */
int mission_check(struct store *s, const struct principal *who,
		  const char *from, const char *to, json_t **out,
		  struct error *e);

/* mission_check() for any caller, without its policy gate: for a view
 * that marks the conflicts its reader may see (the calendar), never for
 * the whole list. */
int check_run(struct store *s, const struct principal *who, const char *from,
	      const char *to, json_t **out, struct error *e);

/* ---- The guard: no write adds a violation ---------------------------- */

/* What a transaction's writes may break, asked before each is made
 * (mission_put() in core/rules.c): each record written names the rules
 * and the records it may affect (a session its bookings and its class, a
 * person the posts they hold and the sessions they train, a consent
 * whatever meets its days…), and the guard asks the store, as the
 * system, what violates them before the write. At the end of the
 * transaction it asks again: a violation that was not there before (or
 * that holds on more days than before) refuses the whole transaction.
 * Violations that were there (data from before the rules) do not stop
 * a write that does not add to them. */
struct check_guard;

/* Does a write of kind K ever affect a rule between records? (Trainees,
 * nations, pledges, assessments and plans do not.) */
int check_guard_asks(const struct kind *k);

/* Note what R, about to be written over OLD (NULL when new), may break;
 * *G is created on first use. *MARK is what to forget if the write turns
 * out to change nothing. 0, or -1 with E set. */
int check_guard_note(struct store *s, struct check_guard **g,
		     const struct record *old, const struct record *r,
		     size_t *mark, struct error *e);
void check_guard_forget(struct check_guard *g, size_t mark);

/* Refuse (ERR_RULE: each new violation's rule and message, the records
 * it names and the first one's days, as READER may see them; one on
 * records READER may not see is counted, not named) or 0. */
int check_guard_finish(struct store *s, struct check_guard *g,
		       const struct principal *reader, struct error *e);
void check_guard_free(struct check_guard *g);

/* Violations in a result of mission_check(), listed or hidden. */
long check_total(const json_t *result);

#endif
