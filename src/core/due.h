/*
 * What needs attention (`cadre due`, GET /api/v1/due): the items falling
 * due in the DAYS after ASOF, as WHO sees the mission, each with the day
 * it falls due, its kind, a one-line reason and the record it is about.
 * Documented in docs/cli.md and docs/api.md.
 *
 *   qualification  a trainer's qualification (CODE:EXPIRY) that ends
 *                  within the days, or before the last day of the next
 *                  session they train
 *   consent        a consent whose validity ends within the days
 *   rotation       an assignment to a mission post ending within the
 *                  days with no later assignment to the post (no relief)
 *   session        a session that runs and starts within the days with
 *                  fewer trainers than its trainees need:
 *                  max(1, ceil(enrolled / trainer_ratio))
 *   post           a mission post vacant on ASOF, or left vacant within
 *                  the days until a relief arrives late
 *
 * Every item is over what WHO may see, and names only what WHO may see.
 * The last three tell of an absence (no relief, no trainer, no holder),
 * which a reader who sees only part of the mission's people cannot tell
 * from one hidden from them: they are given only to readers who see the
 * mission's totals (policy_may_see_totals()); the liaison and a contingent
 * commander get the first two.
 */
#ifndef CADRE_CORE_DUE_H
#define CADRE_CORE_DUE_H

#include <jansson.h>

#include "store/store.h"

struct principal;

#define DUE_DAYS_DEFAULT 30
#define DUE_DAYS_MAX 3650

/* *OUT: {as_of, days, until, count, items[{due, kind, reason,
 * record{kind, key}}]}, by day, kind and key; until is ASOF + DAYS, the
 * last day asked about. 0, or -1 with E. */
int due_list(struct store *s, const struct principal *who, const char *asof,
	     int days, json_t **out, struct error *e);

#endif
