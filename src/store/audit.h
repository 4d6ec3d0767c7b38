/*
 * The audit log: one entry per change, written in the transaction of the
 * change, chained by hash. Entry n's hash is BLAKE2b-256 (libsodium's
 * generic hash) over entry n-1's hash and every field of entry n, each
 * length-prefixed; the table audit_head holds the last sequence number
 * and hash so that entries cut off the end are noticed too.
 */
#ifndef CADRE_STORE_AUDIT_H
#define CADRE_STORE_AUDIT_H

#include <stdint.h>

#include "store/store.h"

struct audit_entry {
	int64_t seq;
	const char *at, *actor, *action, *entity, *key;
	const char *before, *after;	/* JSON or NULL */
	/* In hex. prev_hash is not stored (it is the hash of the entry
	 * before): audit_each() gives NULL. */
	const char *prev_hash, *hash;
};

struct audit_filter {
	const char *entity;	/* table name, or NULL */
	const char *key;
	const char *actor;
	const char *since;	/* date: entries at or after */
	const char *until;	/* date: entries before */
	long limit;
};

typedef int (*audit_fn)(void *arg, const struct audit_entry *a);

/* The entries matching F, in order, as WHO may see them: an entry is
 * given only when WHO may see the record it describes in both its before
 * and its after markings (store/access.h, applied in the SQL to the
 * entry's JSON); otherwise it does not exist for WHO. Entries of accounts
 * and tokens, which carry no markings, are given to every reader: who may
 * read the log at all is the policy's (core/policy.h). NULL or the
 * system principal: every entry. */
struct principal;
int audit_each(struct store *s, const struct principal *who,
	       const struct audit_filter *f, audit_fn fn, void *arg,
	       struct error *e);

/* Walk the chain. Returns 0 when intact (*COUNT entries, HEAD the last
 * entry's hash, or 64 zeros for an empty log), or -1 with E->code
 * ERR_TAMPER, *BROKEN the sequence number of the first entry that breaks
 * and E->message why; other codes for a failing database. */
int audit_verify(struct store *s, int64_t *count, int64_t *broken,
		 char head[65], struct error *e);

#endif
