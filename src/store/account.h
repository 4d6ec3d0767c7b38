/*
 * Accounts and tokens in the store. Writes are audited in the same
 * transaction like every other change; the audit entry never holds the
 * password hash, only whether a password is set.
 */
#ifndef CADRE_STORE_ACCOUNT_H
#define CADRE_STORE_ACCOUNT_H

#include "store/store.h"

struct account {
	char login[64];
	char role[16];
	char nation[4];		/* "" when none */
	char clearance[4];
	int disabled;
	char password_hash[160];	/* "" when none; crypto_pwhash_str */
	char created[21];
};

/* Insert (CREATE) or update the account; must be inside a transaction. */
int store_account_put(struct store *s, const struct account *a, int create,
		      struct error *e);

/* 1 found, 0 absent, -1 error. */
int store_account_get(struct store *s, const char *login, struct account *out,
		      struct error *e);

typedef int (*account_fn)(void *arg, const struct account *a);
int store_account_each(struct store *s, account_fn fn, void *arg,
		       struct error *e);

/* Record a token by the hex of its hash, for LOGIN (audited). */
int store_token_put(struct store *s, const char *login, const char *hash,
		    struct error *e);

/* The account of the token whose hash is HASH, in one statement (a
 * bearer's every request asks): 1, 0 unknown or revoked, -1 on error. */
int store_token_account(struct store *s, const char *hash, struct account *out,
			struct error *e);

#endif
