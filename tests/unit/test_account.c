/* core/account: the password check the server runs outside its locks. */
#include "helpers.h"

#include "core/account.h"

static const char pw[] = "a long enough password";

static int verify(const char *hash, const char *password)
{
	struct error e;
	int rc;

	error_init(&e);
	rc = account_verify_password(hash, password, &e);
	error_release(&e);
	return rc;
}

static void hash_of(struct store *s, const char *login, char hash[ACCOUNT_HASH_MAX])
{
	struct error e;

	error_init(&e);
	cr_assert_eq(account_password_hash(s, login, hash, &e), 0, "%s", e.message);
	error_release(&e);
}

Test(account, the_right_password_and_only_it)
{
	struct store *s = open_scratch(NULL);
	char hash[ACCOUNT_HASH_MAX];
	struct error e;

	error_init(&e);
	cr_assert_eq(account_add(s, "u1", "training", NULL, "NS", pw, &e), 0,
		     "%s", e.message);
	hash_of(s, "u1", hash);
	cr_assert(!strncmp(hash, "$argon2id$", 10), "an Argon2id hash: %s", hash);
	cr_assert_eq(verify(hash, pw), 1);
	cr_assert_eq(verify(hash, "a long enough passworD"), 0);
	cr_assert_eq(verify(hash, ""), 0);
	/* A new password replaces the old one. */
	cr_assert_eq(account_passwd(s, "u1", "another long password", &e), 0,
		     "%s", e.message);
	hash_of(s, "u1", hash);
	cr_assert_eq(verify(hash, pw), 0);
	cr_assert_eq(verify(hash, "another long password"), 1);
	error_release(&e);
	store_close(s);
}

Test(account, unknown_and_disabled_accounts_never_verify)
{
	struct store *s = open_scratch(NULL);
	char hash[ACCOUNT_HASH_MAX];
	struct error e;

	error_init(&e);
	hash_of(s, "nobody", hash);
	cr_assert_str_eq(hash, "", "an unknown account has no hash");
	cr_assert_eq(verify(hash, pw), 0);
	cr_assert_eq(verify(hash, ""), 0);
	cr_assert_eq(account_add(s, "u2", "trainer", NULL, "NR", pw, &e), 0,
		     "%s", e.message);
	cr_assert_eq(account_disable(s, "u2", &e), 0, "%s", e.message);
	hash_of(s, "u2", hash);
	cr_assert_str_eq(hash, "", "a disabled account has no hash to check");
	cr_assert_eq(verify(hash, pw), 0);
	error_release(&e);
	store_close(s);
}

Test(account, a_token_is_its_accounts_principal_until_the_account_is_disabled)
{
	struct store *s = open_scratch(NULL);
	struct principal p;
	char tok[64], other[64], scope[TOKEN_SCOPE_MAX];
	int n;
	struct error e;

	error_init(&e);
	cr_assert_eq(account_add(s, "u3", "trainer", NULL, "NR", pw, &e), 0,
		     "%s", e.message);
	cr_assert_eq(account_add(s, "u4", "commander", NULL, "NS", pw, &e), 0,
		     "%s", e.message);
	cr_assert_eq(account_token_add(s, "u3", "api", tok, &e), 0, "%s", e.message);
	cr_assert_eq(account_token_add(s, "u4", "calendar", other, &e), 0, "%s", e.message);
	cr_assert_eq(account_token_principal(s, tok, &p, scope, &e), 1, "%s", e.message);
	cr_expect_str_eq(p.login, "u3");
	cr_expect_eq(p.role, ROLE_TRAINER);
	cr_expect_str_eq(p.nation, "");
	cr_expect_eq(p.clearance, clearance_parse("NR"));
	cr_assert_eq(account_token_principal(s, other, &p, scope, &e), 1, "%s", e.message);
	cr_expect_str_eq(p.login, "u4", "each token its own account");
	cr_expect_str_eq(scope, "calendar");
	cr_expect_eq(account_token_add(s, "u4", "everything", other, &e), -1);
	cr_expect_eq(e.code, ERR_USAGE);
	error_release(&e);
	/* Revoked by the start of its hash, as listed: at once. */
	cr_expect_eq(account_token_revoke(s, "u4", "000000000000", NULL, &n, &e), -1);
	cr_expect_eq(e.code, ERR_NOTFOUND, "%s", e.message);
	error_release(&e);
	cr_assert_eq(account_token_revoke(s, "u4", NULL, "calendar", &n, &e), 0,
		     "%s", e.message);
	cr_expect_eq(n, 1);
	cr_expect_eq(account_token_principal(s, other, &p, scope, &e), 0,
		     "a revoked token is no one's");
	cr_assert_eq(account_token_principal(s, tok, &p, scope, &e), 1, "%s", e.message);
	cr_expect_str_eq(scope, "api");
	cr_expect_eq(account_token_principal(s, "not a token", &p, scope, &e), 0);
	tok[5] ^= 1;
	cr_expect_eq(account_token_principal(s, tok, &p, scope, &e), 0, "one character off");
	tok[5] ^= 1;
	cr_assert_eq(account_disable(s, "u3", &e), 0, "%s", e.message);
	cr_expect_eq(account_token_principal(s, tok, &p, scope, &e), 0,
		     "a disabled account's token is no one's");
	error_release(&e);
	store_close(s);
}
