/*
 * The mission as it stood on a date: alliance members and contributing
 * partners, headcount, whether training may run, each site's status,
 * suspensions and consents in force.
 */
#ifndef CADRE_CORE_STATUS_H
#define CADRE_CORE_STATUS_H

#include <jansson.h>

#include "store/store.h"

struct principal;

/* Build the status as of ASOF ("YYYY-MM-DD") as WHO sees the mission
 * (NULL or &principal_system: everything): every figure, list and site
 * status is over the records WHO may see, so an event hidden from them
 * neither appears nor suspends. Whether WHO may read the status at all
 * is policy_may_see_totals()'s to say, before. *OUT is a new JSON object
 * with stable keys (documented in docs/cli.md):
 *   as_of, members, member_nations, partners, partner_nations, headcount,
 *   training_suspended, suspensions, consents, sessions, sites[{code,name,
 *   status}] */
int mission_status(struct store *s, const struct principal *who,
		   const char *asof, json_t **out, struct error *e);

#endif
