/*
 * Who is asking: the principal every read takes, so that no way in can
 * forget to filter. A record is visible when its classification is at or
 * below the principal's clearance and its releasability reaches them: the
 * host nation's liaison sees only what is releasable to their nation;
 * everyone else what is releasable to the mission, NATO or their nation;
 * a national contingent commander sees only their own nation's people
 * (persons, their assignments and caveats). The system principal (the
 * local operator of the command line, and the rules) sees everything.
 */
#ifndef CADRE_STORE_ACCESS_H
#define CADRE_STORE_ACCESS_H

#include <stddef.h>

enum role {
	ROLE_ADMIN, ROLE_COMMANDER, ROLE_MANNING, ROLE_TRAINING, ROLE_TRAINER,
	ROLE_CONTINGENT, ROLE_LIAISON, ROLE_AUDITOR,
};

struct principal {
	char login[64];
	enum role role;
	char nation[4];		/* ISO 3166 alpha-3, or "" */
	int clearance;		/* 0 NU, 1 NR, 2 NC, 3 NS, 4 CTS */
	int system;		/* sees everything */
};

extern const struct principal principal_system;

/* Role by name ("liaison"); -1 when unknown. */
int role_parse(const char *name);
const char *role_name(enum role r);
/* Clearance by code ("NS"); -1 when unknown. */
int clearance_parse(const char *code);
const char *clearance_name(int level);

struct kind;

/* Append to SQL (a struct buf) " AND (…)" restricting alias A of kind K
 * to what P may see: its markings, the contingent commander's nation
 * rule, and — for a record whose key names other records (an enrolment's
 * session and trainee, an assignment's person and post) — those records
 * too, since the key shows theirs. Nothing for the system principal or
 * NULL. */
struct buf;
void access_clause(struct buf *sql, const struct principal *p,
		   const struct kind *k, const char *a);

/* The same where the query has already restricted the record its key
 * field KNOWN names to what P may see (an enrolment counted per visible
 * session): that check is not made twice, per row. */
void access_clause_known(struct buf *sql, const struct principal *p,
			 const struct kind *k, const char *a, const char *known);

/* The same over SQL expressions rather than the columns of an alias: a
 * record kept as JSON (the audit log's before and after) is judged by
 * json_extract(before, '$.classification') and so on. NATION and PERSON
 * are the record's own nation and the person it concerns (the contingent
 * commander's rule). K NULL: the kind varies row by row and TABLE is the
 * expression naming each row's table. The expressions are cadre's own
 * SQL, never the caller's input. */
struct access_cols {
	const char *classification, *releasability;
	const char *nation, *person;
	const char *table;		/* with K NULL only */
	/* A field's value is REF_PRE || name || REF_POST: a record whose
	 * key names other records is visible only with them (NULL: not
	 * checked). */
	const char *ref_pre, *ref_post;
};
void access_clause_cols(struct buf *sql, const struct principal *p,
			const struct kind *k, const struct access_cols *c);

#endif
