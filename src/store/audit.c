/* The hash-chained audit log; see audit.h. */
#include "store/audit.h"
#include "store/access.h"
#include "store/rows_int.h"
#include "store/store_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* S preceded by its length, 8 bytes little-endian (all ones for NULL). */
static void feed(struct buf *b, const char *s)
{
	unsigned char len[8];
	size_t n = s ? strlen(s) : 0;
	uint64_t v = s ? (uint64_t)n : UINT64_MAX;

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(v >> (8 * i));
	buf_add(b, len, sizeof(len));
	buf_add(b, s ? s : "", n);
}

/* MD in lower-case hex. sodium_bin2hex() is built to take the same time
 * for every input, which a public hash does not need, and costs 1% of an
 * import. */
static void hex32(const unsigned char md[32], char out[65])
{
	static const char digit[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digit[md[i] >> 4];
		out[2 * i + 1] = digit[md[i] & 15];
	}
	out[64] = '\0';
}

/* The entry's hash over prev_hash (in hex) and every other column, each
 * fed with its length, gathered in B (emptied first) and hashed at once:
 * MD the 32 bytes, HEX the same in hex. */
static int entry_hash(const struct audit_entry *a, struct buf *b,
		      unsigned char md[32], char hex[65])
{
	char seq[24], *p = seq + sizeof(seq) - 1;
	uint64_t v = (uint64_t)a->seq;	/* from 1 up */

	/* "%lld" by hand: snprintf was a fifth of the hashing's own time. */
	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	buf_reset(b);
	feed(b, a->prev_hash);
	feed(b, p);
	feed(b, a->at);
	feed(b, a->actor);
	feed(b, a->action);
	feed(b, a->entity);
	feed(b, a->key);
	feed(b, a->before);
	feed(b, a->after);
	if (b->failed)
		return -1;
	crypto_generichash(md, 32, (const unsigned char *)b->data, b->len,
			   NULL, 0);
	hex32(md, hex);
	return 0;
}

/* A stored hash column as hex into OUT: "" when it is not 32 bytes. */
static void hash_hex(sqlite3_stmt *st, int col, char out[65])
{
	const void *h = sqlite3_column_blob(st, col);

	if (h && sqlite3_column_bytes(st, col) == 32)
		hex32(h, out);
	else
		out[0] = '\0';
}

static int load_head(struct store *s, struct error *e)
{
	sqlite3_stmt *st;
	int rc;

	/* The chain's end as the log holds it (with this transaction's own
	 * entries); audit_head is written once, at commit. */
	if (sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM audit"
			       " ORDER BY seq DESC LIMIT 1", -1, &st, NULL))
		return store_fail(s, e, "reading the audit head");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->head_seq = sqlite3_column_int64(st, 0);
		hash_hex(st, 1, s->head_hash);
		if (!s->head_hash[0])
			snprintf(s->head_hash, sizeof(s->head_hash), "%s", GENESIS);
	} else {
		s->head_seq = 0;
		snprintf(s->head_hash, sizeof(s->head_hash), "%s", GENESIS);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, e, "reading the audit head");
	s->head_loaded = 1;
	return 0;
}

/* The time now as the log writes it, formatted once a second. */
static const char *now_utc(struct store *s)
{
	time_t t = time(NULL);
	struct tm tm;

	if (t != s->at_time || !s->at[0]) {
		gmtime_r(&t, &tm);
		strftime(s->at, sizeof(s->at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		s->at_time = t;
	}
	return s->at;
}

int audit_append(struct store *s, const char *action, const char *entity,
		 const char *key, const char *before, const char *after,
		 struct error *e)
{
	static const char sql[] =
		"INSERT INTO audit (seq, at, actor, action, entity, key,"
		" before, after, hash)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	struct audit_entry a;
	sqlite3_stmt *st = s->audit_insert;
	unsigned char md[32];
	char hash[65];
	int rc;

	if (!s->head_loaded && load_head(s, e))
		return -1;
	a = (struct audit_entry){
		.seq = s->head_seq + 1, .at = now_utc(s), .actor = store_actor(s),
		.action = action, .entity = entity, .key = key,
		.before = before, .after = after, .prev_hash = s->head_hash,
	};
	if (entry_hash(&a, &s->audit_hashed, md, hash))
		return error_set(e, ERR_NOMEM, "out of memory");
	if (!st) {
		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &st, NULL) != SQLITE_OK)
			return store_fail(s, e, "preparing a statement");
		s->audit_insert = st;
	}
	sqlite3_bind_int64(st, 1, a.seq);
	sqlite3_bind_text(st, 2, a.at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, after, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, md, sizeof(md), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, e, "writing the audit log");
	s->head_seq = a.seq;
	memcpy(s->head_hash, hash, sizeof(hash));
	s->head_dirty = 1;
	return 0;
}

int audit_write_head(struct store *s, struct error *e)
{
	sqlite3_stmt *st;
	int rc;

	if (!s->head_dirty)
		return 0;
	/* After a savepoint was rolled back, the log's end may have moved. */
	if (!s->head_loaded && load_head(s, e))
		return -1;
	if (store_stmt(s, "UPDATE audit_head SET seq = ?1, hash = ?2", &st, e))
		return -1;
	sqlite3_bind_int64(st, 1, s->head_seq);
	sqlite3_bind_text(st, 2, s->head_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, e, "writing the audit head");
	s->head_dirty = 0;
	return 0;
}

static const char *text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* The entry of the current row; its hash in hex into HASH (the row's
 * text stays the statement's until the next step). prev_hash is NULL:
 * it is the hash of the entry before. */
static void row_entry(sqlite3_stmt *st, struct audit_entry *a, char hash[65])
{
	a->seq = sqlite3_column_int64(st, 0);
	a->at = text(st, 1);
	a->actor = text(st, 2);
	a->action = text(st, 3);
	a->entity = text(st, 4);
	a->key = text(st, 5);
	a->before = text(st, 6);
	a->after = text(st, 7);
	hash_hex(st, 8, hash);
	a->hash = hash;
	a->prev_hash = NULL;
}

#define AUDIT_COLUMNS "seq, at, actor, action, entity, key, before, after, hash"

/* Append to B the condition that WHO may see the record the entry
 * describes, as it was before (X "before") or after the change. */
static void seen_in(struct buf *b, const struct principal *who, const char *x)
{
	char cls[64], rel[64], nation[64], person[64], pre[64];
	struct access_cols c = { cls, rel, nation, person, "entity", pre, "')" };

	snprintf(cls, sizeof(cls), "json_extract(%s, '$.classification')", x);
	snprintf(rel, sizeof(rel), "json_extract(%s, '$.releasability')", x);
	snprintf(nation, sizeof(nation), "json_extract(%s, '$.nation')", x);
	snprintf(person, sizeof(person), "json_extract(%s, '$.person')", x);
	snprintf(pre, sizeof(pre), "json_extract(%s, '$.", x);
	buf_addf(b, " AND (%s IS NULL OR (1", x);
	access_clause_cols(b, who, NULL, &c);
	buf_adds(b, "))");
}

/* An entry exists for WHO only when WHO may see its record in both its
 * before and its after markings. Accounts and tokens are not records and
 * carry no markings: their entries are for whoever may read the log. */
static void entry_visible(struct buf *b, const struct principal *who)
{
	if (!who || who->system)
		return;
	buf_adds(b, " AND (entity IN ('account', 'token') OR (1");
	seen_in(b, who, "before");
	seen_in(b, who, "after");
	buf_adds(b, "))");
}

/* JSON, an entry's record of table ENTITY, with its references (other
 * than its key's) to records WHO may not see left out: *OUT is the new
 * text, or NULL when nothing changed. 0, or -1 with E set. */
static int masked_json(struct store *s, const struct principal *who,
		       const char *entity, const char *json, char **out,
		       struct error *e)
{
	const struct kind *k = entity ? kind_find(entity) : NULL;
	json_t *o;
	int changed = 0, ret = -1;

	*out = NULL;
	if (!k || !json || !(o = json_loads(json, 0, NULL)))
		return 0;
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		const char *v = json_string_value(json_object_get(o, f->name));
		const struct kind *ref;
		char *copy;

		if (!v || !f->ref || (f->flags & FF_KEY) ||
		    (f->type != FT_REF && f->type != FT_LIST) ||
		    !(ref = kind_find(f->ref)))
			continue;
		if (!(copy = strdup(v))) {
			error_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (rows_mask_list(s, who, ref, &copy, e)) {
			free(copy);
			goto out;
		}
		if (!copy || strcmp(copy, v)) {
			json_object_set_new(o, f->name, copy ? json_string(copy) :
					    json_null());
			changed = 1;
		}
		free(copy);
	}
	if (changed && !(*out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = 0;
out:
	json_decref(o);
	return ret;
}

int audit_each(struct store *s, const struct principal *who,
	       const struct audit_filter *f, audit_fn fn, void *arg,
	       struct error *e)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	store_forget_seen(s);
	buf_adds(&b, "SELECT " AUDIT_COLUMNS " FROM audit WHERE 1");
	entry_visible(&b, who);
	if (f->entity)
		buf_adds(&b, " AND entity = ?1");
	if (f->key)
		buf_adds(&b, " AND key = ?2");
	if (f->actor)
		buf_adds(&b, " AND actor = ?3");
	if (f->since)
		buf_adds(&b, " AND at >= ?4");
	if (f->until)
		buf_adds(&b, " AND at < ?5");
	buf_adds(&b, " ORDER BY seq");
	if (f->limit > 0)
		buf_addf(&b, " LIMIT %ld", f->limit);
	if (b.failed) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, buf_str(&b), -1, &st, NULL)) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	sqlite3_bind_text(st, 1, f->entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->until, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry a;
		char hash[65];

		char *before = NULL, *after = NULL;

		row_entry(st, &a, hash);
		/* The entry as its reader may read its record: references to
		 * records they may not see left out, as store_each() does. */
		if (who && !who->system &&
		    (masked_json(s, who, a.entity, a.before, &before, e) ||
		     masked_json(s, who, a.entity, a.after, &after, e))) {
			free(before);
			goto out;
		}
		if (before)
			a.before = before;
		if (after)
			a.after = after;
		ret = fn(arg, &a);
		free(before);
		free(after);
		if (ret)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	buf_release(&b);
	return ret;
}

static int tamper(struct error *e, int64_t *broken, int64_t seq,
		  const char *what)
{
	*broken = seq;	/* the entries before it verified */
	error_set(e, ERR_TAMPER, "entry %lld %s", (long long)seq, what);
	return -1;
}

int audit_verify(struct store *s, int64_t *count, int64_t *broken,
		 char head[65], struct error *e)
{
	sqlite3_stmt *st = NULL;
	struct buf hashed = BUF_INIT;
	char prev[65], hash[65];
	unsigned char md[32];
	int64_t expect = 1, head_seq;
	int rc, ret = -1;

	*count = 0;
	*broken = 0;
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	if (sqlite3_prepare_v2(s->db, "SELECT " AUDIT_COLUMNS
			       " FROM audit ORDER BY rowid", -1, &st, NULL))
		return store_fail(s, e, "reading the audit log");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry a;
		char stored[65];

		row_entry(st, &a, stored);
		*count = expect - 1;
		if (a.seq != expect) {
			tamper(e, broken, expect, "is missing or out of order: "
			       "the log was cut, reordered or added to");
			goto out;
		}
		/* Each hash is over the one before: an entry removed, added
		 * or moved breaks the next one as an edit breaks its own. */
		a.prev_hash = prev;
		if (entry_hash(&a, &hashed, md, hash)) {
			error_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (strcmp(a.hash, hash)) {	/* "" when not 32 bytes */
			tamper(e, broken, a.seq, "does not match its hash: it "
			       "was altered, or the entry before it was "
			       "removed, inserted or moved");
			goto out;
		}
		memcpy(prev, hash, sizeof(prev));
		expect++;
	}
	if (rc != SQLITE_DONE) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	*count = expect - 1;
	{
		/* The recorded head, not the log's end. */
		sqlite3_stmt *h;
		const unsigned char *hh;

		if (sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM audit_head",
				       -1, &h, NULL)) {
			store_fail(s, e, "reading the audit head");
			goto out;
		}
		head_seq = 0;
		snprintf(s->head_hash, sizeof(s->head_hash), "%s", GENESIS);
		if (sqlite3_step(h) == SQLITE_ROW) {
			head_seq = sqlite3_column_int64(h, 0);
			hh = sqlite3_column_text(h, 1);
			snprintf(s->head_hash, sizeof(s->head_hash), "%s",
				 hh && *hh ? (const char *)hh : GENESIS);
		}
		sqlite3_finalize(h);
		s->head_loaded = 0;
	}
	if (head_seq != expect - 1 ||
	    (head_seq && strcmp(s->head_hash, prev))) {
		tamper(e, broken, expect, "is missing: the log ends before "
		       "its recorded head, so entries were removed from the "
		       "end (or the head was altered)");
		goto out;
	}
	memcpy(head, prev, 65);
	ret = 0;
out:
	sqlite3_finalize(st);
	buf_release(&hashed);
	return ret;
}
