/* Accounts, passwords and tokens; see account.h. */
#include "core/account.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "model/kind.h"

_Static_assert(sizeof(((struct account *)0)->password_hash) <= ACCOUNT_HASH_MAX,
	       "a stored hash fits account_password_hash's buffer");

static int login_ok(const char *login)
{
	size_t n = strlen(login);

	if (n < 2 || n > 63)
		return 0;
	for (const char *p = login; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

static int hash_password(const char *password, char out[160], struct error *e)
{
	if (strlen(password) < PASSWORD_MIN)
		return error_set(e, ERR_INPUT, "a password has at least %d "
				 "characters", PASSWORD_MIN);
	if (crypto_pwhash_str(out, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return error_set(e, ERR_NOMEM, "out of memory hashing a password");
	return 0;
}

int account_add(struct store *s, const char *login, const char *role,
		const char *nation, const char *clearance,
		const char *password, struct error *e)
{
	struct account a = { 0 };
	int rc;

	if (!login_ok(login))
		return error_set(e, ERR_INPUT, "login '%s': 2 to 63 of a-z, 0-9, "
				 ". - _", login);
	if (role_parse(role) < 0)
		return error_set(e, ERR_INPUT, "role '%s': one of admin, commander, "
				 "manning, training, trainer, contingent, liaison, "
				 "auditor", role);
	if (clearance && clearance_parse(clearance) < 0)
		return error_set(e, ERR_INPUT, "clearance '%s': one of NU, NR, NC, "
				 "NS, CTS", clearance);
	if ((!strcmp(role, "contingent") || !strcmp(role, "liaison")) && !nation)
		return error_set(e, ERR_INPUT, "a %s account needs --nation", role);
	if (nation) {
		rc = store_exists(s, kind_find("nations"), nation, e);
		if (rc < 0)
			return -1;
		if (!rc)
			return error_set(e, ERR_INPUT, "nation '%s': no such nation "
					 "in the database", nation);
	}
	snprintf(a.login, sizeof(a.login), "%s", login);
	snprintf(a.role, sizeof(a.role), "%s", role);
	snprintf(a.nation, sizeof(a.nation), "%s", nation ? nation : "");
	snprintf(a.clearance, sizeof(a.clearance), "%s", clearance ? clearance : "NU");
	if (password && hash_password(password, a.password_hash, e))
		return -1;
	if (store_begin(s, e))
		return -1;
	if (store_account_put(s, &a, 1, e) || store_commit(s, e)) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

static int change(struct store *s, const char *login, const char *password,
		  int disable, struct error *e)
{
	struct account a;
	int rc;

	if (store_begin(s, e))
		return -1;
	rc = store_account_get(s, login, &a, e);
	if (rc == 0)
		error_set(e, ERR_NOTFOUND, "no account '%s'", login);
	if (rc <= 0)
		goto fail;
	if (password && hash_password(password, a.password_hash, e))
		goto fail;
	if (disable)
		a.disabled = 1;
	if (store_account_put(s, &a, 0, e) || store_commit(s, e))
		goto fail;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int account_passwd(struct store *s, const char *login, const char *password,
		   struct error *e)
{
	return change(s, login, password, 0, e);
}

int account_disable(struct store *s, const char *login, struct error *e)
{
	return change(s, login, NULL, 1, e);
}

static void token_hash(const char *token, char hex[65])
{
	unsigned char md[32];

	crypto_generichash(md, sizeof(md), (const unsigned char *)token,
			   strlen(token), NULL, 0);
	sodium_bin2hex(hex, 65, md, sizeof(md));
}

int account_token_add(struct store *s, const char *login, const char *scope,
		      char out[64], struct error *e)
{
	unsigned char raw[32];
	struct account a;
	char hex[65];
	int rc;

	if (strcmp(scope, "api") && strcmp(scope, "calendar"))
		return error_set(e, ERR_USAGE, "a token's scope is api or "
				 "calendar, not '%s'", scope);

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, 64, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	token_hash(out, hex);
	if (store_begin(s, e))
		return -1;
	rc = store_account_get(s, login, &a, e);
	if (rc == 0 || (rc > 0 && a.disabled))
		error_set(e, rc ? ERR_INPUT : ERR_NOTFOUND, rc ?
			  "account %s is disabled" : "no account '%s'", login);
	if (rc <= 0 || a.disabled || store_token_put(s, login, hex, scope, e) ||
	    store_commit(s, e)) {
		store_rollback(s);
		sodium_memzero(out, 64);
		return -1;
	}
	return 0;
}

static void principal_of(const struct account *a, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->login, sizeof(p->login), "%s", a->login);
	p->role = (enum role)role_parse(a->role);
	snprintf(p->nation, sizeof(p->nation), "%s", a->nation);
	p->clearance = clearance_parse(a->clearance);
}

int account_token_revoke(struct store *s, const char *login, const char *id,
			 const char *scope, int *n, struct error *e)
{
	struct account a;
	int rc;

	*n = 0;
	if (id && strlen(id) != 12)
		return error_set(e, ERR_INPUT, "a token is named by the 12 "
				 "characters 'cadre token list' shows, not '%s'", id);
	if (store_begin(s, e))
		return -1;
	rc = store_account_get(s, login, &a, e);
	if (!rc)
		error_set(e, ERR_NOTFOUND, "no account '%s'", login);
	if (rc <= 0 || store_token_revoke(s, login, id, scope, n, e))
		goto fail;
	if (id && !*n) {
		error_set(e, ERR_NOTFOUND, "%s has no token %s in force", login, id);
		goto fail;
	}
	if (store_commit(s, e))
		goto fail;
	return 0;
fail:
	store_rollback(s);
	*n = 0;
	return -1;
}

int account_token_principal(struct store *s, const char *token,
			    struct principal *p, char scope[TOKEN_SCOPE_MAX],
			    struct error *e)
{
	struct account a;
	char hex[65];
	int rc;

	token_hash(token, hex);
	rc = store_token_account(s, hex, &a, scope, e);
	if (rc <= 0)
		return rc;
	if (a.disabled)
		return 0;
	principal_of(&a, p);
	return 1;
}

int account_principal(struct store *s, const char *login,
		      struct principal *p, struct error *e)
{
	struct account a;
	int rc = store_account_get(s, login, &a, e);

	if (rc < 0)
		return -1;
	if (!rc || a.disabled)
		return error_set(e, ERR_INPUT, "no usable account '%s'", login);
	principal_of(&a, p);
	return 0;
}

int account_password_hash(struct store *s, const char *login,
			  char hash[ACCOUNT_HASH_MAX], struct error *e)
{
	struct account a;
	int rc = store_account_get(s, login, &a, e);

	hash[0] = '\0';
	if (rc < 0)
		return -1;
	if (rc && !a.disabled)
		snprintf(hash, ACCOUNT_HASH_MAX, "%s", a.password_hash);
	sodium_memzero(&a, sizeof(a));
	return 0;
}

int account_verify_password(const char *hash, const char *password,
			    struct error *e)
{
	char dummy[crypto_pwhash_STRBYTES];

	if (hash[0])
		return crypto_pwhash_str_verify(hash, password,
						strlen(password)) == 0;
	/* No account, a disabled one or no password yet: spend the same
	 * work, so that the time taken does not tell which. */
	if (crypto_pwhash_str(dummy, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return error_set(e, ERR_NOMEM, "out of memory hashing a password");
	return 0;
}
