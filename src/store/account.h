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

/* What a token opens (schema 11): "api", everything its account may do,
 * or "calendar", the calendar feeds only. */
#define TOKEN_SCOPE_MAX 12

/* Record a token by the hex of its hash, for LOGIN, of SCOPE (audited). */
int store_token_put(struct store *s, const char *login, const char *hash,
		    const char *scope, struct error *e);

/* The account of the token whose hash is HASH, and the token's scope, in
 * one statement (a bearer's every request asks): 1, 0 unknown or revoked,
 * -1 on error. */
int store_token_account(struct store *s, const char *hash, struct account *out,
			char scope[TOKEN_SCOPE_MAX], struct error *e);

/* A token as listed: named by the start of its hash (as the audit log
 * names it), never by the token. */
struct token_info {
	char id[13];
	char login[64];
	char scope[TOKEN_SCOPE_MAX];
	char created[21];
	int revoked;
};

typedef int (*token_fn)(void *arg, const struct token_info *t);
/* LOGIN's tokens (NULL: everyone's), oldest first. */
int store_token_each(struct store *s, const char *login, token_fn fn, void *arg,
		     struct error *e);

/* Revoke LOGIN's tokens not yet revoked whose hash begins with ID (NULL:
 * any) and of SCOPE (NULL: any), each audited; *N how many. Must be in a
 * transaction. */
int store_token_revoke(struct store *s, const char *login, const char *id,
		       const char *scope, int *n, struct error *e);

#endif
