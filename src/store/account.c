/* Accounts and tokens; see account.h. */
#include "store/account.h"
#include "store/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void now_utc(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The account as the audit log shows it: no password hash. */
static char *audit_json(const struct account *a)
{
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:b, s:b}",
			      "login", a->login, "role", a->role,
			      "nation", a->nation[0] ? a->nation : NULL,
			      "clearance", a->clearance, "disabled", a->disabled,
			      "password_set", a->password_hash[0] != '\0');
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return s;
}

static void row_account(struct db_stmt *st, struct account *a)
{
	const char *v;

	memset(a, 0, sizeof(*a));
	snprintf(a->login, sizeof(a->login), "%s", db_column_text(st, 0));
	snprintf(a->role, sizeof(a->role), "%s", db_column_text(st, 1));
	v = db_column_text(st, 2);
	snprintf(a->nation, sizeof(a->nation), "%s", v ? v : "");
	snprintf(a->clearance, sizeof(a->clearance), "%s", db_column_text(st, 3));
	v = db_column_text(st, 4);
	snprintf(a->password_hash, sizeof(a->password_hash), "%s", v ? v : "");
	a->disabled = db_column_int(st, 5);
	snprintf(a->created, sizeof(a->created), "%s", db_column_text(st, 6));
}

#define ACCOUNT_COLUMNS "login, role, nation, clearance, password_hash," \
	" disabled, created"

int store_account_get(struct store *s, const char *login, struct account *out,
		      struct error *e)
{
	struct db_stmt *st;
	int rc;

	if (store_stmt(s, "SELECT " ACCOUNT_COLUMNS " FROM account WHERE login = ?1",
		       &st, e))
		return -1;
	db_bind_text(st, 1, login, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		row_account(st, out);
	db_reset(st);
	if (rc == DB_ROW)
		return 1;
	if (rc == DB_DONE)
		return 0;
	return store_fail(s, e, "reading an account");
}

int store_account_each(struct store *s, account_fn fn, void *arg,
		       struct error *e)
{
	struct db_stmt *st;
	int rc, ret = 0;

	if (store_stmt(s, "SELECT " ACCOUNT_COLUMNS " FROM account ORDER BY login",
		       &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		struct account a;

		row_account(st, &a);
		if ((ret = fn(arg, &a)))
			break;
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, e, "listing accounts");
	return ret;
}

int store_account_put(struct store *s, const struct account *a, int create,
		      struct error *e)
{
	struct account old;
	struct db_stmt *st;
	char *before = NULL, *after = NULL, created[21];
	int found, rc, ret = -1;

	if (!s->in_tx)
		return error_set(e, ERR_STORE, "write outside a transaction");
	found = store_account_get(s, a->login, &old, e);
	if (found < 0)
		return -1;
	if (create && found)
		return error_set(e, ERR_CONFLICT, "account %s exists already", a->login);
	if (!create && !found)
		return error_set(e, ERR_NOTFOUND, "no account '%s'", a->login);
	now_utc(created);
	if (store_stmt(s, create ?
		       "INSERT INTO account (login, role, nation, clearance,"
		       " password_hash, disabled, created)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)" :
		       "UPDATE account SET role = ?2, nation = ?3, clearance = ?4,"
		       " password_hash = ?5, disabled = ?6 WHERE login = ?1", &st, e))
		return -1;
	db_bind_text(st, 1, a->login, -1);
	db_bind_text(st, 2, a->role, -1);
	if (a->nation[0])
		db_bind_text(st, 3, a->nation, -1);
	db_bind_text(st, 4, a->clearance, -1);
	if (a->password_hash[0])
		db_bind_text(st, 5, a->password_hash, -1);
	db_bind_int64(st, 6, a->disabled);
	if (create)
		db_bind_text(st, 7, created, -1);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE) {
		store_fail(s, e, "writing an account");
		goto out;
	}
	after = audit_json(a);
	before = found ? audit_json(&old) : NULL;
	if (!after || (found && !before)) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (audit_append(s, create ? "insert" : "update", "account", a->login,
			 before, after, e))
		goto out;
	ret = 0;
out:
	free(before);
	free(after);
	return ret;
}

int store_token_put(struct store *s, const char *login, const char *hash,
		    const char *scope, struct error *e)
{
	struct db_stmt *st;
	char created[21], after[200];
	int rc;

	if (!s->in_tx)
		return error_set(e, ERR_STORE, "write outside a transaction");
	now_utc(created);
	if (store_stmt(s, "INSERT INTO token (hash, login, created, scope)"
		       " VALUES (?1, ?2, ?3, ?4)", &st, e))
		return -1;
	db_bind_text(st, 1, hash, -1);
	db_bind_text(st, 2, login, -1);
	db_bind_text(st, 3, created, -1);
	db_bind_text(st, 4, scope, -1);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE)
		return store_fail(s, e, "writing a token");
	/* The audit names the token by the start of its hash only; an
	 * API token's entry is as it was before scopes. */
	if (strcmp(scope, "api"))
		snprintf(after, sizeof(after), "{\"login\":\"%s\",\"token\":"
			 "\"%.12s…\",\"scope\":\"%s\"}", login, hash, scope);
	else
		snprintf(after, sizeof(after), "{\"login\":\"%s\",\"token\":"
			 "\"%.12s…\"}", login, hash);
	return audit_append(s, "insert", "token", login, NULL, after, e);
}

int store_token_each(struct store *s, const char *login, token_fn fn, void *arg,
		     struct error *e)
{
	struct db_stmt *st;
	int rc, ret = 0;

	if (store_stmt(s, "SELECT substr(hash, 1, 12), login, scope, created,"
		       " revoked FROM token WHERE ?1 IS NULL OR login = ?1"
		       " ORDER BY id", &st, e))
		return -1;
	if (login)
		db_bind_text(st, 1, login, -1);
	else
		db_bind_null(st, 1);
	while ((rc = db_step(st)) == DB_ROW) {
		struct token_info t;

		memset(&t, 0, sizeof(t));
		snprintf(t.id, sizeof(t.id), "%s", db_column_text(st, 0));
		snprintf(t.login, sizeof(t.login), "%s", db_column_text(st, 1));
		snprintf(t.scope, sizeof(t.scope), "%s", db_column_text(st, 2));
		snprintf(t.created, sizeof(t.created), "%s", db_column_text(st, 3));
		t.revoked = db_column_int(st, 4);
		if ((ret = fn(arg, &t)))
			break;
	}
	db_reset(st);
	if (!ret && rc != DB_DONE)
		return store_fail(s, e, "reading the tokens");
	return ret;
}

int store_token_revoke(struct store *s, const char *login, const char *id,
		       const char *scope, int *n, struct error *e)
{
	struct db_stmt *st;
	char after[200], hit[13];
	int rc;

	*n = 0;
	if (!s->in_tx)
		return error_set(e, ERR_STORE, "write outside a transaction");
	/* One at a time, each audited: the first still in force, until
	 * none is left. */
	for (;;) {
		if (store_stmt(s, "SELECT substr(hash, 1, 12) FROM token WHERE"
			       " login = ?1 AND revoked = 0 AND (?2 IS NULL OR"
			       " substr(hash, 1, 12) = ?2) AND (?3 IS NULL OR"
			       " scope = ?3) ORDER BY id LIMIT 1", &st, e))
			return -1;
		db_bind_text(st, 1, login, -1);
		if (id)
			db_bind_text(st, 2, id, -1);
		else
			db_bind_null(st, 2);
		if (scope)
			db_bind_text(st, 3, scope, -1);
		else
			db_bind_null(st, 3);
		rc = db_step(st);
		if (rc == DB_ROW)
			snprintf(hit, sizeof(hit), "%s", db_column_text(st, 0));
		db_reset(st);
		if (rc == DB_DONE)
			return 0;
		if (rc != DB_ROW)
			return store_fail(s, e, "reading the tokens");
		if (store_stmt(s, "UPDATE token SET revoked = 1 WHERE login = ?1"
			       " AND revoked = 0 AND substr(hash, 1, 12) = ?2", &st, e))
			return -1;
		db_bind_text(st, 1, login, -1);
		db_bind_text(st, 2, hit, -1);
		rc = db_step(st);
		db_reset(st);
		if (rc != DB_DONE)
			return store_fail(s, e, "revoking a token");
		snprintf(after, sizeof(after), "{\"login\":\"%s\",\"token\":"
			 "\"%s…\",\"revoked\":true}", login, hit);
		if (audit_append(s, "update", "token", login, NULL, after, e))
			return -1;
		(*n)++;
	}
}

int store_token_account(struct store *s, const char *hash, struct account *out,
			char scope[TOKEN_SCOPE_MAX], struct error *e)
{
	struct db_stmt *st;
	int rc;

	if (store_stmt(s, "SELECT a.login, a.role, a.nation, a.clearance,"
		       " a.password_hash, a.disabled, a.created, t.scope"
		       " FROM token t JOIN account a ON a.login = t.login"
		       " WHERE t.hash = ?1 AND t.revoked = 0", &st, e))
		return -1;
	db_bind_text(st, 1, hash, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		row_account(st, out);
		snprintf(scope, TOKEN_SCOPE_MAX, "%s", db_column_text(st, 7));
	}
	db_reset(st);
	if (rc == DB_ROW)
		return 1;
	if (rc == DB_DONE)
		return 0;
	return store_fail(s, e, "reading a token");
}

