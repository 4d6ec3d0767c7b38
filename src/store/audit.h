/*
 * The audit log: one entry per change, written in the transaction of the
 * change, chained by hash. Entry n's hash is BLAKE2b-256 (libsodium's
 * generic hash) over entry n-1's hash and every field of entry n, each
 * length-prefixed; the table audit_head holds the last sequence number
 * and hash so that entries cut off the end are noticed too.
 *
 * The chain is keyed (docs/audit.md): each entry also carries a MAC,
 * HMAC-SHA512-256 under the key in the file DB.key beside the database,
 * over the MAC before it and its own hash; the first keyed entry chains
 * from the seal, the MAC of the chain as it stood when a key first met
 * it. After each commit that appends, the chain's end (seq and MAC) is
 * written to DB.head, so that a log cut back or put back is found too.
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

/* The file beside database DB named DB followed by EXT (".key",
 * ".head") into OUT; -1 when DB has no files beside it (":memory:"). */
#define AUDIT_PATH_MAX 4096
int audit_file(const char *db, const char *ext, char out[AUDIT_PATH_MAX]);
/* The same for S's database, wherever it keeps them: beside a SQLite
 * file, in the state folder for a PostgreSQL database (store.c). */
int store_audit_file(struct store *s, const char *ext, char out[AUDIT_PATH_MAX]);

/* Seal the log if no key has met it yet: the key made (DB.key), the
 * seal written in a transaction of its own and the head file after it;
 * nothing when it is sealed already. 0, or -1 with E set. */
int audit_seal_now(struct store *s, struct error *e);

enum audit_keyed {
	AUDIT_UNSEALED,		/* no key has met the log yet: hashes only */
	AUDIT_MACS_VERIFIED,	/* every MAC after the seal checked */
	AUDIT_NO_KEY,		/* sealed, but DB.key is missing: MACs unchecked */
};

enum audit_head_file {
	HEAD_FILE_NONE,		/* no DB.head (or the log is not sealed) */
	HEAD_FILE_AT_END,	/* it names the log's last entry */
	HEAD_FILE_BEHIND,	/* it names an earlier entry, which matches */
};

/* What audit_check() found and how far it could look. */
struct audit_report {
	int64_t entries;	/* entries that verified */
	int64_t broken;		/* the first entry that breaks; 0 none */
	char head[65];		/* the last entry's hash, hex */
	enum audit_keyed keyed;
	int64_t seal_seq;	/* entries 1..seal_seq were sealed on first use */
	enum audit_head_file head_file;
	int64_t head_file_seq;	/* the entry DB.head names */
};

/* Walk the chain, its MACs (when the key is there) and compare the head
 * file. 0 when nothing was found broken (R says how much could be
 * checked: without the key the MACs were not); -1 with E->code
 * ERR_TAMPER, R->broken the first entry that breaks and E->message why;
 * other codes for a failing database. */
int audit_check(struct store *s, struct audit_report *r, struct error *e);

/* Walk the chain. Returns 0 when intact (*COUNT entries, HEAD the last
 * entry's hash, or 64 zeros for an empty log), or -1 with E->code
 * ERR_TAMPER, *BROKEN the sequence number of the first entry that breaks
 * and E->message why; other codes for a failing database. As
 * audit_check(), and a missing key is a failure (ERR_IO): the MACs could
 * not be checked. */
int audit_verify(struct store *s, int64_t *count, int64_t *broken,
		 char head[65], struct error *e);

#endif
