/*
 * The mission's actions that change many records at once, each in one
 * transaction through the rules: suspend and resume a scope, change a
 * consent, transfer an activity from the coalition. Each returns a report
 * (JSON, stable keys, documented in docs/rules.md) of exactly what it did
 * or, with DRY_RUN, would do: the work is done and then rolled back, so
 * the report of a dry run has passed every rule too.
 */
#ifndef CADRE_CORE_ACTIONS_H
#define CADRE_CORE_ACTIONS_H

#include <jansson.h>

#include "core/rules.h"
#include "store/store.h"

/*
 * WHO is the caller (NULL: the system). An action works on the whole
 * mission, whatever WHO may see: a suspension postpones every session in
 * scope. Its report lists only the records WHO may see, and "hidden"
 * counts the ones it left out (records changed or counted), never naming
 * them. A record WHO names (a scope, a consent, an activity, an
 * organisation) and may not see is refused as a missing one.
 */
struct principal;

/* SCOPE is mission, site:CODE or activity:CODE. Sessions in scope that
 * would run on or after FROM are postponed (enrolments kept) and a
 * suspension is recorded. */
int action_suspend(struct store *s, const struct principal *who,
		   const char *scope, const char *from, const char *reason,
		   const char *ordered_by, int dry_run, json_t **report,
		   struct error *e);

/* End the suspension of SCOPE in force on ON; list the sessions it
 * postponed with new dates (shifted by the suspension's length, not
 * before ON). With APPLY, create the re-dated sessions (each naming the
 * one it replaces) with the same trainees. */
int action_resume(struct store *s, const struct principal *who,
		  const char *scope, const char *on, int apply, int dry_run,
		  json_t **report, struct error *e);

/* VERB is grant, suspend or withdraw. suspend/withdraw end consent ID on
 * ON: sessions it covered are postponed, mission assignments under it
 * end that day, its sites are suspended; nothing is deleted. grant
 * restores a suspended consent from ON as a new record ID/ON. */
int action_consent(struct store *s, const struct principal *who,
		   const char *verb, const char *id, const char *on,
		   int dry_run, json_t **report, struct error *e);

/* Move ACTIVITY's ownership to TO_ORG from ON (the coalition owns it the
 * day before). With WITH_PERSONNEL, the previous owner's people on posts
 * of that activity move to new posts of TO_ORG from ON. */
int action_transfer(struct store *s, const struct principal *who,
		    const char *activity, const char *to_org, const char *on,
		    int with_personnel, int dry_run, json_t **report,
		    struct error *e);

/* The same, inside the caller's transaction (the demo). */
int resume_in_tx(struct store *s, const struct principal *who,
		 struct rules_tx *t, const char *scope, const char *on,
		 int apply, json_t **report, struct error *e);
int transfer_in_tx(struct store *s, const struct principal *who,
		   struct rules_tx *t, const char *activity, const char *to_org,
		   const char *on, int with_personnel, json_t **report,
		   struct error *e);

#endif
