/* Running the store's hand-written queries; see rows_int.h. */
#include "store/rows_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/access.h"
#include "store/store_int.h"

#define NO_VALUE SIZE_MAX

static int bind_all(struct db_stmt *st, const char *const *params, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (db_bind_text(st, (int)i + 1, params[i], -1))
			return -1;
	return 0;
}

int rows_each(struct store *s, const char *sql, const char *const *params,
	      size_t n, rows_fn fn, void *arg, struct error *e)
{
	struct buf text = BUF_INIT;
	size_t *at = NULL, nat = 0, capat = 0, ncol = 0;
	const char **col = NULL;
	struct db_stmt *st;
	int rc, ret = -1;

	if (store_stmt(s, sql, &st, e))
		return -1;
	if (bind_all(st, params, n)) {
		store_fail(s, e, "binding a query");
		db_reset(st);
		return -1;
	}
	ncol = (size_t)db_column_count(st);
	/* Every cell first: offsets into TEXT, NO_VALUE for NULL. */
	while ((rc = db_step(st)) == DB_ROW) {
		if (nat + ncol > capat) {
			size_t cap = capat ? capat * 2 : 64 * (ncol ? ncol : 1);
			size_t *p;

			while (cap < nat + ncol)
				cap *= 2;
			if (!(p = realloc(at, cap * sizeof(*p)))) {
				db_reset(st);
				error_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			at = p;
			capat = cap;
		}
		for (size_t c = 0; c < ncol; c++) {
			const char *v = db_column_text(st, (int)c);

			if (!v) {
				at[nat++] = NO_VALUE;
				continue;
			}
			at[nat++] = text.len;
			buf_add(&text, v, (size_t)db_column_bytes(st, (int)c));
			buf_addc(&text, '\0');
		}
	}
	db_reset(st);
	if (rc != DB_DONE) {
		store_fail(s, e, "running a query");
		goto out;
	}
	if (text.failed) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (ncol && !(col = calloc(ncol, sizeof(*col)))) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = 0;
	for (size_t r = 0; ncol && r < nat / ncol && !ret; r++) {
		for (size_t c = 0; c < ncol; c++) {
			size_t o = at[r * ncol + c];

			col[c] = o == NO_VALUE ? NULL : text.data + o;
		}
		ret = fn(arg, col, ncol);
	}
out:
	free(col);
	free(at);
	buf_release(&text);
	return ret;
}

int rows_int(struct store *s, const char *sql, const char *const *params,
	     size_t n, long long *out, struct error *e)
{
	struct db_stmt *st;
	int rc;

	*out = 0;
	if (store_stmt(s, sql, &st, e))
		return -1;
	if (bind_all(st, params, n)) {
		db_reset(st);
		return store_fail(s, e, "binding a query");
	}
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_column_int64(st, 0);
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, e, "running a query");
	return 0;
}

void rows_visible(struct buf *sql, const struct principal *who,
		  const struct kind *k, const char *a)
{
	buf_adds(sql, "(TRUE");
	access_clause(sql, who, k, a);
	buf_adds(sql, ")");
}

long rows_long(const char *v)
{
	return v ? strtol(v, NULL, 10) : 0;
}

void rq_vis(struct buf *b, const struct principal *who, const char *table,
	    const char *alias)
{
	access_clause(b, who, kind_find(table), alias);
}

void rows_mission_cte(struct buf *b, const struct principal *who)
{
	buf_adds(b, "WITH RECURSIVE mission(code) AS (SELECT o.code FROM"
		 " organisation o WHERE o.kind = 'mission'");
	rq_vis(b, who, "organisation", "o");
	buf_adds(b, " UNION SELECT o.code FROM organisation o JOIN mission m"
		 " ON o.parent = m.code");
	rq_vis(b, who, "organisation", "o");
	buf_adds(b, ") ");
}

int rq_run(struct store *s, struct buf *sql, const char *const *params,
	   size_t n, rq_row_fn row, void *ctx, struct error *e)
{
	struct db_stmt *st;
	int rc, stop = 0;

	if (sql->failed) {
		buf_release(sql);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	rc = store_stmt(s, buf_str(sql), &st, e);
	buf_release(sql);
	if (rc)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (db_bind_text(st, (int)i + 1, params[i], -1)) {
			db_reset(st);
			return store_fail(s, e, "binding a query");
		}
	while ((rc = db_step(st)) == DB_ROW)
		if ((stop = row(st, ctx)))
			break;
	db_reset(st);
	if (stop)
		return stop;
	if (rc != DB_DONE)
		return store_fail(s, e, "running a query");
	return 0;
}

const char *rq_text(struct db_stmt *st, int i)
{
	return db_column_text(st, i);
}

long rq_long(struct db_stmt *st, int i)
{
	return (long)db_column_int64(st, i);
}

void store_forget_seen(struct store *s)
{
	s->seen_valid = 0;
}

/* store_visible(), remembered in S->seen while nothing is written. */
static int seen_by(struct store *s, const struct principal *who,
		   const struct kind *k, const char *key, struct error *e)
{
	size_t n = strlen(key), h = (size_t)(uintptr_t)k;
	struct seen_slot *slot;
	int v;

	if (!s->seen_valid || memcmp(&s->seen_who, who, sizeof(*who))) {
		for (size_t i = 0; i < sizeof(s->seen) / sizeof(s->seen[0]); i++)
			s->seen[i].seen = -1;
		s->seen_who = *who;
		s->seen_valid = 1;
	}
	for (size_t i = 0; i < n; i++)
		h = h * 31 + (unsigned char)key[i];
	slot = &s->seen[h % (sizeof(s->seen) / sizeof(s->seen[0]))];
	if (slot->seen >= 0 && slot->k == k && !strcmp(slot->key, key))
		return slot->seen;
	if ((v = store_visible(s, who, k, key, e)) < 0)
		return -1;
	if (n < sizeof(slot->key)) {
		slot->k = k;
		memcpy(slot->key, key, n + 1);
		slot->seen = (signed char)v;
	}
	return v;
}

/* Keep in *V (a FT_REF value, or a FT_LIST of references) only the
 * records of kind REF that WHO may see. 0, or -1 with E set. */
int rows_mask_list(struct store *s, const struct principal *who,
		   const struct kind *ref, char **v, struct error *e)
{
	struct buf kept = BUF_INIT;
	const char *p = *v;
	int changed = 0;

	if (!who || who->system || !p)
		return 0;

	while (*p) {
		size_t n = strcspn(p, ";");
		char code[256];
		int seen;

		if (n && n < sizeof(code)) {
			memcpy(code, p, n);
			code[n] = '\0';
			if ((seen = seen_by(s, who, ref, code, e)) < 0) {
				buf_release(&kept);
				return -1;
			}
			if (seen)
				buf_addf(&kept, "%s%s", kept.len ? ";" : "", code);
			else
				changed = 1;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	if (kept.failed) {
		buf_release(&kept);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	if (changed) {
		free(*v);
		*v = kept.len ? buf_detach(&kept) : NULL;
	}
	buf_release(&kept);
	return 0;
}

/* Kinds of a few dozen records by nature, whatever the mission's size
 * (the nations, the sites, the catalogue), against those that grow with
 * it (people, sessions, trainees). */
static int few(const struct kind *k)
{
	static const char *const tables[] = { "nation", "site", "course",
		"activity", "organisation", NULL };

	for (const char *const *t = tables; *t; t++)
		if (!strcmp(k->table, *t))
			return 1;
	return 0;
}

void rows_seen_ref(struct buf *b, const struct principal *who,
		   const char *kind, const char *expr, int many)
{
	const struct kind *k = kind_find(kind);

	if (!who || who->system || !k) {
		buf_adds(b, expr);
		return;
	}
	/* Many rows naming a kind of few records: IN over the keys WHO may
	 * see, which is not correlated, so both engines find them once per
	 * statement (an ephemeral index; a hashed subplan) and each row is
	 * a lookup (the 50-person list's nations, two thirds of its SQL
	 * time in the correlated form). Otherwise EXISTS for each row: a
	 * set of every person would cost a list of a hundred sessions, or
	 * one record, more than a probe for each. */
	if (many && few(k)) {
		buf_addf(b, "(CASE WHEN %s IN (SELECT ref_.%s FROM %s ref_"
			 " WHERE TRUE", expr, k->key_column, k->table);
	} else {
		buf_addf(b, "(CASE WHEN EXISTS (SELECT 1 FROM %s ref_ WHERE"
			 " ref_.%s = %s", k->table, k->key_column, expr);
	}
	access_clause(b, who, k, "ref_");
	buf_addf(b, ") THEN %s END)", expr);
}

int rows_each_sql(struct store *s, struct buf *sql, const char *const *params,
		  size_t n, rows_fn fn, void *arg, struct error *e)
{
	int rc;

	if (sql->failed) {
		buf_release(sql);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	rc = rows_each(s, buf_str(sql), params, n, fn, arg, e);
	buf_release(sql);
	return rc;
}

int rows_int_sql(struct store *s, struct buf *sql, const char *const *params,
		 size_t n, long long *out, struct error *e)
{
	int rc;

	*out = 0;
	if (sql->failed) {
		buf_release(sql);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	rc = rows_int(s, buf_str(sql), params, n, out, e);
	buf_release(sql);
	return rc;
}

const char *rq_str(struct db_stmt *st, int i)
{
	const char *v = rq_text(st, i);

	return v ? v : "";
}

int rows_text_row(void *arg, const char *const *col, size_t ncol)
{
	struct rows_ctx *x = arg;

	(void)ncol;
	return ((int (*)(void *, const char *))x->fn)(x->arg, col[0]);
}
