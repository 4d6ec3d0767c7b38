/*
 * The mission's rules (DESIGN.md §3), enforced in one place for every way
 * in: import, the command line, the demo, later the API and the planner.
 *
 * A write goes through mission_put(): the record is checked against the
 * rules that concern it alone (NONCOMBAT, CONSENT, QUALIFICATION, CAVEAT,
 * SUSPENDED) before it is stored; rules over the whole mission (CEILING)
 * are checked once per transaction by rules_finish(), over the dates the
 * transaction touched. A refusal is an ERR_RULE error carrying the rule
 * id, a message a staff officer understands, and the records and dates.
 */
#ifndef CADRE_CORE_RULES_H
#define CADRE_CORE_RULES_H

#include "store/rules.h"
#include "store/store.h"

struct check_guard;
struct principal;

/* What a transaction touched, for the checks deferred to its end. */
struct rules_tx {
	char ceiling_from[11];	/* "" when untouched */
	char ceiling_to[11];	/* "9999-12-31" for open intervals */
	struct check_guard *guard;	/* what its writes may break */
	const struct principal *reader;	/* to whom a refusal is told
					 * (NULL: the local operator) */
	int unguarded;		/* a mission cadre lays out itself (the
				 * demo, generate), proven by `cadre check` */
};

/* The rules read the whole mission: every store question they ask is
 * asked as the system (principal_system), for a rule counts what no
 * single reader may see (the headcount under a ceiling counts everyone). */

void rules_tx_init(struct rules_tx *t);
void rules_tx_release(struct rules_tx *t);

/* Check R (validated, defaults applied) against the rules that concern
 * it. 0, or -1 with E set (ERR_RULE, or another code if the store
 * failed). */
int rules_check(struct store *s, const struct record *r, struct error *e);

/* Rules check, store_put, and note what the transaction touched. */
int mission_put(struct store *s, struct rules_tx *t, struct record *r,
		enum put_result *res, struct error *e);

/* For records cadre writes itself (actions, planner): validate R
 * (defaults, types, references; the first problem becomes the error),
 * then mission_put(). User input goes through record_validate() instead,
 * which reports every problem. */
int mission_save(struct store *s, struct rules_tx *t, struct record *r,
		 struct error *e);

/* The deferred checks (CEILING, and no violation added: check_guard in
 * core/check.h). Call before committing. */
int rules_finish(struct store *s, struct rules_tx *t, struct error *e);

/* Is ORG the mission or one of its parts? 1 / 0 / -1. */
int org_in_mission(struct store *s, const char *org, struct error *e);

/* The last day (into UNTIL, OPEN_END without expiry) the qualification
 * CODE holds among HELD ("CODE[:EXPIRY];…"); 0 when not held at all. */
int qualification_until(const char *held, const char *code, char until[11]);

/* Do PERSON's caveats and their nation's allow SITE and ACTIVITY over
 * [FROM, TO)? 1 yes, 0 no, -1 on error. */
int caveats_allow(struct store *s, const char *person, const char *site,
		  const char *activity, const char *from, const char *to,
		  struct error *e);

/* For each day of [FROM, TO), 1 in OK when a session of ACTIVITY may run
 * at SITE that day (consent, suspensions, the site open and approved). */
int session_days(struct store *s, const char *site, const char *activity,
		 const char *from, const char *to, unsigned char *ok,
		 struct error *e);

/* ';'-separated LIST holds ITEM? */
int list_has(const char *list, const char *item);

/* Daily headcount against a consent's ceiling over [FROM, TO): calls FN
 * for each day with the consent code, the count and the ceiling. WHO:
 * the consents and assignments counted are those WHO may see; the
 * CEILING rule passes &principal_system (it counts everyone), a report
 * its reader. */
struct principal;
typedef int (*ceiling_fn)(void *arg, const char *day, const char *consent,
			  long count, long ceiling);
int ceilings_each(struct store *s, const struct principal *who,
		  const char *from, const char *to, ceiling_fn fn, void *arg,
		  struct error *e);

#endif
