/*
 * Who may do what: the one answer the HTTP API and the command line both
 * ask. Which records a caller may *see* is the store's (store/access.h),
 * applied in the SQL of every read; what a caller may *do* — write a kind,
 * run an action or a report, read the status or the audit log, change a
 * record's markings — is decided here, once. DESIGN.md §1 gives the roles
 * their authority; docs/api.md has the table.
 *
 * NULL or the system principal (the local operator, the rules) may do
 * everything.
 */
#ifndef CADRE_CORE_POLICY_H
#define CADRE_CORE_POLICY_H

#include "model/kind.h"
#include "store/access.h"
#include "util/error.h"

struct record;

/* May P create, change or delete records of kind K? */
int policy_may_write(const struct principal *p, const struct kind *k);

/* May P run the action NAME ("suspend", "resume", "consent", "transfer",
 * "plan-sessions")? Unknown names: no. */
int policy_may_act(const struct principal *p, const char *name);

/* The mission's totals — its status, its reports, the calendars, the
 * sites' map — are for the mission's own staff: not for the host
 * nation's liaison nor a national contingent commander, who read records,
 * filtered. */
int policy_may_see_totals(const struct principal *p);

/* The same as a refusal: 0, or -1 with E (ERR_FORBIDDEN) saying that
 * WHAT ("the mission's reports are") is not open to P's role. The core's
 * functions that compute totals ask it themselves. */
int policy_totals(const struct principal *p, const char *what,
		  struct error *e);

/* The audit log is the auditor's and the administrator's. */
int policy_may_read_audit(const struct principal *p);

/* The mission's check (`cadre check`, core/check.h) runs over the whole
 * mission: for those who answer for it — the commander — and those who
 * verify it — the auditor and the administrator. */
int policy_may_check(const struct principal *p);

/* May P give AFTER the markings it has, BEFORE being the record as
 * stored (NULL for a new one)? Only the roles with the authority to
 * classify (admin, commander) may change a stored record's
 * classification or releasability; nobody may mark a record above their
 * own clearance, or release it beyond the mission, NATO, their own
 * nation and — for the mission's staff, who train its forces — the host
 * nation HOST (ISO alpha-3, "" or NULL for none); a release BEFORE
 * already has is not given again, and is not checked. On refusal E says
 * why (ERR_FORBIDDEN) with one item naming the field and its value, and
 * -1 is returned; 0 when allowed. */
int policy_check_markings(const struct principal *p, const char *host,
			  const struct record *before,
			  const struct record *after, struct error *e);

#endif
