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

/* Violations in a result of mission_check(), listed or hidden. */
long check_total(const json_t *result);

#endif
