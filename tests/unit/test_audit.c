/* store/audit: the hash chain finds every kind of tampering. */
#include "helpers.h"

#include "store/audit.h"

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

static void sql(struct store *s, const char *q)
{
	char *err = NULL;

	cr_assert_eq(sqlite3_exec(store_db(s), q, NULL, NULL, &err), SQLITE_OK,
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

Test(audit, entries_cannot_be_changed_through_sql_by_accident)
{
	struct store *s = five();

	cr_assert_neq(sqlite3_exec(store_db(s), "UPDATE audit SET actor = 'x'",
				   NULL, NULL, NULL), SQLITE_OK);
	cr_assert_neq(sqlite3_exec(store_db(s), "DELETE FROM audit",
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
	cr_assert_eq(broken_at(s, "does not follow"), 2);
	store_close(s);
}

Test(audit, an_inserted_entry_is_found)
{
	struct store *s = five();

	untrigger(s);
	sql(s, "UPDATE audit SET seq = seq + 100 WHERE seq >= 3;"
	       " UPDATE audit SET seq = seq - 99 WHERE seq >= 103;"
	       " INSERT INTO audit (seq, at, actor, action, entity, key, before,"
	       " after, prev_hash, hash) SELECT 3, at, actor, action, entity,"
	       " 'XXX', before, after, hash, hash FROM audit WHERE seq = 2");
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
	cr_assert_eq(broken_at(s, "does not follow"), 2);
	store_close(s);
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
	cr_assert_eq(audit_each(s, &f, count_entries, &n, &e), 0);
	cr_assert_eq(n, 1);
	f.key = NULL;
	n = 0;
	audit_each(s, &f, count_entries, &n, &e);
	cr_assert_eq(n, 5);
	error_release(&e);
	store_close(s);
}
