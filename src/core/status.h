/*
 * The mission as it stood on a date: alliance members and contributing
 * partners, headcount, whether training may run, each site's status,
 * suspensions and consents in force.
 */
#ifndef CADRE_CORE_STATUS_H
#define CADRE_CORE_STATUS_H

#include <jansson.h>

#include "store/store.h"

/* Build the status as of ASOF ("YYYY-MM-DD"). *OUT is a new JSON object
 * with stable keys (documented in docs/cli.md):
 *   as_of, members, member_nations, partners, partner_nations, headcount,
 *   training_suspended, suspensions, consents, sites[{code,name,status}] */
int mission_status(struct store *s, const char *asof, json_t **out,
		   struct error *e);

#endif
