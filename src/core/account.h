/*
 * The people who use cadre: accounts with a role, a nation and a
 * clearance, passwords hashed with Argon2id and tokens for scripts kept
 * only as BLAKE2b hashes (libsodium). Each account maps to the principal
 * that every read takes (store/access.h).
 */
#ifndef CADRE_CORE_ACCOUNT_H
#define CADRE_CORE_ACCOUNT_H

#include "store/access.h"
#include "store/account.h"

/* Create LOGIN with ROLE, NATION (or NULL) and CLEARANCE (or NULL: NU),
 * and PASSWORD (or NULL: none yet). One transaction, audited. */
int account_add(struct store *s, const char *login, const char *role,
		const char *nation, const char *clearance,
		const char *password, struct error *e);

int account_passwd(struct store *s, const char *login, const char *password,
		   struct error *e);
int account_disable(struct store *s, const char *login, struct error *e);

/* A new token for LOGIN of SCOPE ("api" or "calendar": see
 * store/account.h), written into OUT (shown once, never stored). */
int account_token_add(struct store *s, const char *login, const char *scope,
		      char out[64], struct error *e);

/* Revoke LOGIN's token ID (the start of its hash, as listed; NULL: every
 * token of SCOPE, or every token when SCOPE is NULL too). One
 * transaction, audited; *N how many. An ID that names none of LOGIN's
 * tokens still in force is ERR_NOTFOUND. */
int account_token_revoke(struct store *s, const char *login, const char *id,
			 const char *scope, int *n, struct error *e);

/* The principal of LOGIN; refused (ERR_INPUT) when disabled or unknown. */
int account_principal(struct store *s, const char *login,
		      struct principal *p, struct error *e);

/*
 * A password is checked in two steps, so that the server can run the
 * slow one (Argon2id: about 0.1 s and 64 MiB) outside any lock its other
 * requests share: read the hash with the store, then verify it with no
 * store at all. The caller checks the account again (account_principal)
 * before it trusts the answer: it may have been disabled in between.
 */
#define ACCOUNT_HASH_MAX 160

/* LOGIN's password hash into HASH: "" when the account is unknown,
 * disabled or has no password (verifying "" then says no, in the same
 * time). 0, -1 when the store fails. */
int account_password_hash(struct store *s, const char *login,
			  char hash[ACCOUNT_HASH_MAX], struct error *e);
/* PASSWORD against HASH from account_password_hash: 1 right, 0 wrong,
 * -1 out of memory. Thread-safe; touches no store. */
int account_verify_password(const char *hash, const char *password,
			    struct error *e);

/* The principal of a token's account, and the token's scope: 1, 0 when
 * the token is unknown or revoked or its account disabled, -1 on error. */
int account_token_principal(struct store *s, const char *token,
			    struct principal *p, char scope[TOKEN_SCOPE_MAX],
			    struct error *e);

#define PASSWORD_MIN 12

#endif
