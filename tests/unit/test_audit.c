/* store/audit: the hash chain finds every kind of tampering. */
#include "helpers.h"

#include "store/audit.h"

#include <sodium.h>

/* Five audited changes; returns the open store. */
static struct store *five(void)
{
	struct store *s = open_scratch(NULL);

	put_raw(s, "nations", "code", "CAN", "name", "Canada", NULL);
	put_raw(s, "nations", "code", "DNK", "name", "Denmark", NULL);
	put_raw(s, "nations", "code", "ITA", "name", "Italy", NULL);
	put_raw(s, "nations", "code", "ESP", "name", "Spain", NULL);
	put_raw(s, "nations", "code", "NLD", "name", "Netherlands", NULL);
	return s;
}

#define GENESIS_HEX "0000000000000000000000000000000000000000000000000000000000000000"

static void sql(struct store *s, const char *q)
{
	char *err = NULL;

	cr_assert_eq(sqlite3_exec(test_sqlite(s), q, NULL, NULL, &err), SQLITE_OK,
		     "%s: %s", q, err);
}

/* What an attacker with the file does first. */
static void untrigger(struct store *s)
{
	sql(s, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete");
}

static int64_t broken_at(struct store *s, const char *expect_word)
{
	int64_t count, broken;
	char head[65];
	struct error e;

	error_init(&e);
	cr_assert_neq(audit_verify(s, &count, &broken, head, &e), 0, "tamper missed");
	cr_assert_eq(e.code, ERR_TAMPER);
	if (expect_word)
		cr_assert(strstr(e.message, expect_word), "%s", e.message);
	error_release(&e);
	return broken;
}

Test(audit, an_untouched_chain_verifies)
{
	struct store *s = five();
	int64_t count, broken;
	char head[65];
	struct error e;

	error_init(&e);
	cr_assert_eq(audit_verify(s, &count, &broken, head, &e), 0, "%s", e.message);
	cr_assert_eq(count, 5);
	error_release(&e);
	store_close(s);
}

/* The input of docs/audit.md, built here apart from audit.c: each value
 * preceded by its length in 8 bytes little-endian, all ones for NULL. */
static void spec_feed(unsigned char *buf, size_t *n, const char *v)
{
	uint64_t len = v ? strlen(v) : UINT64_MAX;

	for (int i = 0; i < 8; i++)
		buf[(*n)++] = (unsigned char)(len >> (8 * i));
	if (v) {
		memcpy(buf + *n, v, strlen(v));
		*n += strlen(v);
	}
}

Test(audit, each_hash_is_the_documented_blake2b_of_its_entry)
{
	static const char *const more[] = { "BEL", "Belgium", "FRA", "France",
		"DEU", "Germany", "NOR", "Norway", "POL", "Poland", "PRT",
		"Portugal", "TUR", "Turkey" };
	struct store *s = five();
	sqlite3_stmt *st;
	char prev[65] = GENESIS_HEX;
	int rows = 0;

	for (size_t i = 0; i < 14; i += 2)	/* seq 10 and on: two digits */
		put_raw(s, "nations", "code", more[i], "name", more[i + 1], NULL);
	cr_assert_eq(sqlite3_prepare_v2(test_sqlite(s), "SELECT seq, at, actor,"
		     " action, entity, key, before, after, hash FROM audit"
		     " ORDER BY seq", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		unsigned char in[4096], md[32];
		size_t n = 0;

		spec_feed(in, &n, prev);
		for (int c = 0; c < 8; c++)
			spec_feed(in, &n, (const char *)sqlite3_column_text(st, c));
		crypto_generichash(md, sizeof(md), in, n, NULL, 0);
		cr_assert_eq(sqlite3_column_bytes(st, 8), 32);
		cr_assert(!memcmp(md, sqlite3_column_blob(st, 8), 32),
			  "entry %d", sqlite3_column_int(st, 0));
		sodium_bin2hex(prev, sizeof(prev), md, sizeof(md));
		rows++;
	}
	sqlite3_finalize(st);
	cr_assert_eq(rows, 12);
	store_close(s);
}

/* Nation number N put in the open transaction of S. */
static void put_nth(struct store *s, int n)
{
	char code[16];

	snprintf(code, sizeof(code), "N%03d", n);
	put_in_tx(s, code);
}

static int count_entry(void *arg, const struct audit_entry *a)
{
	(void)a;
	++*(int *)arg;
	return 0;
}

static int entries(struct store *s)
{
	struct audit_filter f = { 0 };
	struct error e;
	int n = 0;

	error_init(&e);
	cr_assert_eq(audit_each(s, NULL, &f, count_entry, &n, &e), 0, "%s", e.message);
	return n;
}

Test(audit, a_savepoint_rolled_back_takes_its_own_entries_and_no_others)
{
	struct store *s = open_scratch(NULL);
	int64_t count, broken;
	char head[65];
	struct error e;

	error_init(&e);
	cr_assert_eq(store_begin(s, &e), 0);
	for (int i = 0; i < 40; i++)
		put_nth(s, i);
	cr_assert_eq(entries(s), 40, "read in the transaction, all are seen");
	for (int i = 40; i < 45; i++)
		put_nth(s, i);
	cr_assert_eq(store_savepoint(s, &e), 0);
	for (int i = 45; i < 80; i++)
		put_nth(s, i);
	store_savepoint_rollback(s);
	cr_assert_eq(entries(s), 45, "the savepoint's 35 are gone, no more");
	for (int i = 80; i < 83; i++)
		put_nth(s, i);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.message);
	cr_assert_eq(audit_verify(s, &count, &broken, head, &e), 0, "%s", e.message);
	cr_assert_eq(count, 48);
	cr_assert_eq(entries(s), 48);
	/* A rolled back transaction leaves nothing pending behind. */
	cr_assert_eq(store_begin(s, &e), 0);
	for (int i = 90; i < 100; i++)
		put_nth(s, i);
	store_rollback(s);
	put_raw(s, "nations", "code", "ZZZ", "name", "Last", NULL);
	cr_assert_eq(audit_verify(s, &count, &broken, head, &e), 0, "%s", e.message);
	cr_assert_eq(count, 49);
	error_release(&e);
	store_close(s);
}

Test(audit, entries_cannot_be_changed_through_sql_by_accident)
{
	struct store *s = five();

	cr_assert_neq(sqlite3_exec(test_sqlite(s), "UPDATE audit SET actor = 'x'",
				   NULL, NULL, NULL), SQLITE_OK);
	cr_assert_neq(sqlite3_exec(test_sqlite(s), "DELETE FROM audit",
				   NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
}

Test(audit, an_edited_entry_is_named)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "UPDATE audit SET after = replace(after, 'Italy', 'Itały')"
	       " WHERE seq = 3");
	cr_assert_eq(broken_at(s, "altered"), 3);
	store_close(s);
}

Test(audit, an_edited_actor_is_named)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "UPDATE audit SET actor = 'someone else' WHERE seq = 2");
	cr_assert_eq(broken_at(s, "altered"), 2);
	store_close(s);
}

Test(audit, a_deleted_entry_is_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "DELETE FROM audit WHERE seq = 2");
	cr_assert_eq(broken_at(s, NULL), 2);
	store_close(s);
}

Test(audit, a_renumbered_deletion_is_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "DELETE FROM audit WHERE seq = 2;"
	       " UPDATE audit SET seq = seq - 1 WHERE seq > 2");
	cr_assert_eq(broken_at(s, "removed, inserted or moved"), 2);
	store_close(s);
}

Test(audit, an_inserted_entry_is_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "UPDATE audit SET seq = seq + 100 WHERE seq >= 3;"
	       " UPDATE audit SET seq = seq - 99 WHERE seq >= 103;"
	       " INSERT INTO audit (seq, at, actor, action, entity, key, before,"
	       " after, hash) SELECT 3, at, actor, action, entity,"
	       " 'XXX', before, after, hash FROM audit WHERE seq = 2");
	cr_assert_eq(broken_at(s, NULL), 3);
	store_close(s);
}

Test(audit, reordered_entries_are_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "UPDATE audit SET seq = 100 WHERE seq = 2;"
	       " UPDATE audit SET seq = 2 WHERE seq = 4;"
	       " UPDATE audit SET seq = 4 WHERE seq = 100");
	cr_assert_eq(broken_at(s, "removed, inserted or moved"), 2);
	store_close(s);
}

/* A new database at schema 7 holding the log of SRC as schema 7 held it
 * (prev_hash, both hashes in hex), its `after` passed through EDIT (an
 * SQL expression over `after`); migrated to the newest schema on open. */
static struct store *log_of_schema_7(const char *src, const char *edit)
{
	struct store *s;
	struct error e;
	char *path = scratch_db(), q[1024];

	error_init(&e);
	cr_assert_eq(store_open_at(path, 7, &s, &e), 0, "%s", e.message);
	snprintf(q, sizeof(q), "ATTACH '%s' AS src;"
		 " INSERT INTO audit (seq, at, actor, action, entity, key, before,"
		 " after, prev_hash, hash) SELECT seq, at, actor, action, entity,"
		 " key, before, %s, coalesce((SELECT lower(hex(p.hash)) FROM"
		 " src.audit p WHERE p.seq = a.seq - 1), '" GENESIS_HEX "'),"
		 " lower(hex(a.hash)) FROM src.audit a ORDER BY seq;"
		 " UPDATE audit_head SET seq = (SELECT max(seq) FROM audit),"
		 " hash = (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1);"
		 " DETACH src", src, edit);
	sql(s, q);
	cr_assert_eq(sqlite3_exec(test_sqlite(s), "SELECT prev_hash FROM audit",
				  NULL, NULL, NULL), SQLITE_OK, "schema 7 has prev_hash");
	store_close(s);
	cr_assert_eq(store_open(path, &s, &e), 0, "%s", e.message);
	free(path);
	return s;
}

/* Schema 8 stopped storing prev_hash and stores hash as bytes: a chain
 * written under schema 7 verifies after the migration, with the same
 * head, and an edit made before it is still found. */
Test(audit, a_chain_of_schema_7_verifies_after_the_migration)
{
	struct store *now = five(), *old;
	char *src, head7[65], head8[65];
	int64_t count, broken;
	struct error e;

	error_init(&e);
	cr_assert_eq(audit_verify(now, &count, &broken, head7, &e), 0);
	src = strdup(sqlite3_db_filename(test_sqlite(now), "main"));
	store_close(now);

	old = log_of_schema_7(src, "after");
	cr_assert_eq(audit_verify(old, &count, &broken, head8, &e), 0, "%s",
		     e.message);
	cr_assert_eq(count, 5);
	cr_assert_str_eq(head8, head7, "the same head after the migration");
	cr_assert_neq(sqlite3_exec(test_sqlite(old), "SELECT prev_hash FROM audit",
				   NULL, NULL, NULL), SQLITE_OK, "prev_hash is gone");
	/* The chain goes on from there. */
	put_raw(old, "nations", "code", "PRT", "name", "Portugal", NULL);
	cr_assert_eq(audit_verify(old, &count, &broken, head8, &e), 0, "%s",
		     e.message);
	cr_assert_eq(count, 6);
	store_close(old);

	/* An edit made under schema 7 is found after the migration. */
	old = log_of_schema_7(src, "replace(after, 'Italy', 'Itały')");
	cr_assert_eq(broken_at(old, "altered"), 3);
	store_close(old);
	free(src);
	error_release(&e);
}

Test(audit, entries_cut_off_the_end_are_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "DELETE FROM audit WHERE seq >= 4");
	cr_assert_eq(broken_at(s, "removed from the end"), 4);
	store_close(s);
}

static int count_entries(void *arg, const struct audit_entry *a)
{
	int *n = arg;

	cr_assert_str_eq(a->actor, "tester");
	(*n)++;
	return 0;
}

Test(audit, the_log_filters_by_entity_and_key)
{
	struct store *s = five();
	struct audit_filter f = { .entity = "nation", .key = "ESP" };
	struct error e;
	int n = 0;

	error_init(&e);
	cr_assert_eq(audit_each(s, NULL, &f, count_entries, &n, &e), 0);
	cr_assert_eq(n, 1);
	f.key = NULL;
	n = 0;
	audit_each(s, NULL, &f, count_entries, &n, &e);
	cr_assert_eq(n, 5);
	error_release(&e);
	store_close(s);
}

/* The MACs are as docs/audit.md says: the seal over the tag, seq 0 and 32
 * zeros; each entry's over the MAC before it and its own hash, under the
 * 32 bytes of DB.key. Computed here from the documentation alone. */
Test(audit, macs_are_as_documented)
{
	char *path = NULL;
	struct store *s;
	unsigned char key[32], mac[32], msg[64], seal_msg[18 + 8 + 32] = { 0 };
	char keypath[128];
	sqlite3_stmt *st;
	FILE *f;
	int n = 0;

	s = open_scratch(&path);
	put_raw(s, "nations", "code", "CAN", "name", "Canada", NULL);
	put_raw(s, "nations", "code", "DNK", "name", "Denmark", NULL);
	snprintf(keypath, sizeof(keypath), "%s.key", path);
	f = fopen(keypath, "rb");
	cr_assert(f, "the key file %s", keypath);
	cr_assert_eq(fread(key, 1, 32, f), 32);
	fclose(f);
	memcpy(seal_msg, "cadre audit seal 1", 18);
	crypto_auth(mac, seal_msg, sizeof(seal_msg), key);
	cr_assert_eq(sqlite3_prepare_v2(test_sqlite(s), "SELECT seq, mac FROM audit_seal",
					-1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int64(st, 0), 0, "a fresh log is sealed at 0");
	cr_assert_eq(memcmp(sqlite3_column_blob(st, 1), mac, 32), 0, "the seal");
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(test_sqlite(s), "SELECT hash, mac FROM audit"
					" ORDER BY seq", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		memcpy(msg, mac, 32);
		memcpy(msg + 32, sqlite3_column_blob(st, 0), 32);
		crypto_auth(mac, msg, sizeof(msg), key);
		cr_assert_eq(sqlite3_column_bytes(st, 1), 32);
		cr_assert_eq(memcmp(sqlite3_column_blob(st, 1), mac, 32), 0,
			     "entry %d's MAC", n + 1);
		n++;
	}
	sqlite3_finalize(st);
	cr_assert_eq(n, 2);
	store_close(s);
	free(path);
}

/* A MAC changed by one bit is found, the entry named. */
Test(audit, an_altered_mac_is_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "UPDATE audit SET mac = zeroblob(32) WHERE seq = 3");
	cr_assert_eq(broken_at(s, "MAC"), 3);
	store_close(s);
}

/* The i-th entry's stamp of S, into AT. */
static void stamp(struct store *s, int seq, char at[21])
{
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_prepare_v2(test_sqlite(s), "SELECT at FROM audit"
					" WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, seq);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "entry %d", seq);
	snprintf(at, 21, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The demo's clock stamps what is written while it is set, never a
 * moment to come nor one before the log's last entry, and the log so
 * stamped verifies. */
Test(audit, the_demo_clock_stamps_in_order_and_verifies)
{
	struct store *s = open_scratch(NULL);
	int64_t count, broken;
	char head[65], at[21];
	struct error e;

	error_init(&e);
	cr_assert_eq(store_set_clock(s, "2018-09-30T12:00:00Z", &e), 0, "%s", e.message);
	put_raw(s, "nations", "code", "CAN", "name", "Canada", NULL);
	cr_assert_eq(store_set_clock(s, "2020-01-04T06:00:00Z", &e), 0, "%s", e.message);
	put_raw(s, "nations", "code", "DNK", "name", "Denmark", NULL);
	stamp(s, 1, at);
	cr_assert_str_eq(at, "2018-09-30T12:00:00Z");
	stamp(s, 2, at);
	cr_assert_str_eq(at, "2020-01-04T06:00:00Z");
	/* Back along the log, to come, or not a moment: refused, unchanged. */
	cr_assert_eq(store_set_clock(s, "2019-01-01T00:00:00Z", &e), -1);
	cr_assert_eq(e.code, ERR_INPUT);
	cr_assert(strstr(e.message, "before the audit log's last entry"), "%s", e.message);
	error_release(&e);
	cr_assert_eq(store_set_clock(s, "2999-01-01T00:00:00Z", &e), -1);
	cr_assert(strstr(e.message, "after now"), "%s", e.message);
	error_release(&e);
	for (size_t i = 0; i < 4; i++) {
		static const char *const bad[] = { "2020-01-04", "2020-01-04T06:00:00",
			"2020-01-04 06:00:00Z", "2020-01-0xT06:00:00Z" };

		cr_assert_eq(store_set_clock(s, bad[i], &e), -1, "%s", bad[i]);
		cr_assert_eq(e.code, ERR_INPUT);
		error_release(&e);
	}
	put_raw(s, "nations", "code", "ITA", "name", "Italy", NULL);
	stamp(s, 3, at);
	cr_assert_str_eq(at, "2020-01-04T06:00:00Z", "a refusal keeps the clock");
	/* Cleared: the time of day again. */
	cr_assert_eq(store_set_clock(s, NULL, &e), 0);
	put_raw(s, "nations", "code", "ESP", "name", "Spain", NULL);
	stamp(s, 4, at);
	cr_assert(strcmp(at, "2020-01-04T06:00:00Z") > 0, "%s", at);
	cr_assert_eq(audit_verify(s, &count, &broken, head, &e), 0, "%s", e.message);
	cr_assert_eq(count, 4);
	error_release(&e);
	store_close(s);
}
