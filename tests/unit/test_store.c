/* store: migrations from every version, transactions, records. */
#include "helpers.h"

#include "store/audit.h"
#include "store/access.h"

static void put_nation(struct store *s, const char *code, const char *name)
{
	put_raw(s, "nations", "code", code, "name", name, NULL);
}

Test(store, migrates_from_every_earlier_version)
{
	int latest = store_latest_version();

	cr_assert_geq(latest, 2);
	for (int v = 0; v < latest; v++) {
		struct store *s = NULL;
		struct error e;
		char *path = scratch_db();
		long long n;

		error_init(&e);
		cr_assert_eq(store_open_at(path, v, &s, &e), 0, "v%d: %s", v, e.message);
		cr_assert_eq(store_schema_version(s), v);
		if (v >= 1) {
			/* Data written under the old schema survives. */
			sqlite3_exec(test_sqlite(s), "INSERT INTO nation (code, name)"
				     " VALUES ('IRQ', 'Iraq')", NULL, NULL, NULL);
		}
		store_close(s);
		cr_assert_eq(store_open(path, &s, &e), 0, "from v%d: %s", v, e.message);
		cr_assert_eq(store_schema_version(s), latest);
		n = store_count(s, NULL, kind_find("nations"), &e);
		cr_assert_eq(n, v >= 1 ? 1 : 0, "from v%d", v);
		put_nation(s, "CAN", "Canada");
		{
			int64_t count, broken;
			char head[65];

			cr_assert_eq(audit_verify(s, &count, &broken, head, &e), 0,
				     "from v%d: %s", v, e.message);
			cr_assert_eq(count, 1);
		}
		store_close(s);
		error_release(&e);
		free(path);
	}
}

static char said[512];
static int nsaid;

static void hear(const char *note)
{
	snprintf(said, sizeof(said), "%s", note);
	nsaid++;
}

Test(store, says_before_it_upgrades_an_older_schema)
{
	struct store *s = NULL;
	struct error e;
	char *path = scratch_db(), latest[32];

	error_init(&e);
	store_on_upgrade(hear);
	cr_assert_eq(store_open_at(path, store_latest_version() - 1, &s, &e), 0,
		     "%s", e.message);
	store_close(s);
	cr_assert_eq(nsaid, 0, "a new file is created, not upgraded");
	cr_assert_eq(store_open(path, &s, &e), 0, "%s", e.message);
	store_close(s);
	cr_assert_eq(nsaid, 1);
	snprintf(latest, sizeof(latest), "to %d", store_latest_version());
	cr_assert(strstr(said, path) && strstr(said, latest), "%s", said);
	cr_assert_eq(store_open(path, &s, &e), 0, "%s", e.message);
	store_close(s);
	cr_assert_eq(nsaid, 1, "nothing to say once upgraded");
	store_on_upgrade(NULL);
	error_release(&e);
	free(path);
}

Test(store, refuses_a_newer_schema)
{
	struct store *s = NULL;
	struct error e;
	char *path;

	s = open_scratch(&path);
	sqlite3_exec(test_sqlite(s), "PRAGMA user_version = 999", NULL, NULL, NULL);
	store_close(s);
	error_init(&e);
	cr_assert_neq(store_open(path, &s, &e), 0);
	cr_assert_null(s);
	cr_assert(strstr(e.message, "newer"), "%s", e.message);
	error_release(&e);
	free(path);
}

Test(store, wal_and_foreign_keys_are_on)
{
	struct store *s = open_scratch(NULL);
	sqlite3_stmt *st;

	sqlite3_prepare_v2(test_sqlite(s), "PRAGMA journal_mode", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_prepare_v2(test_sqlite(s), "PRAGMA foreign_keys", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	store_close(s);
}

Test(store, rollback_leaves_nothing_behind)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("nations");
	struct record r;
	enum put_result res;
	struct error e;
	long long audit;

	error_init(&e);
	record_init(&r, k);
	record_set(&r, 0, "IRQ");
	record_set(&r, 1, "Iraq");
	for (size_t i = 0; i < k->nfields; i++)
		if (k->fields[i].def)
			record_set(&r, i, k->fields[i].def);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_put(s, &r, &res, &e), 0);
	cr_assert_eq(res, PUT_INSERTED);
	store_rollback(s);
	cr_assert_eq(store_count(s, NULL, k, &e), 0);
	audit = sql_int(s, "SELECT count(*) FROM audit");
	cr_assert_eq(audit, 0, "the audit entry went with the change");
	cr_assert_neq(store_put(s, &r, &res, &e), 0, "no write outside a transaction");
	record_release(&r);
	error_release(&e);
	store_close(s);
}

Test(store, put_inserts_updates_and_leaves_identical_records_alone)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("nations");
	struct record r, got;
	enum put_result res;
	struct error e;
	long long audit;

	error_init(&e);
	record_init(&r, k);
	record_set(&r, 0, "SWE");
	record_set(&r, 1, "Sweden");
	record_set(&r, (size_t)kind_field_index(k, "classification"), "NU");
	record_set(&r, (size_t)kind_field_index(k, "releasability"), "MISSION");
	record_set(&r, (size_t)kind_field_index(k, "provenance"), "entered");
	store_begin(s, &e);
	cr_assert_eq(store_put(s, &r, &res, &e), 0, "%s", e.message);
	cr_assert_eq(res, PUT_INSERTED);
	cr_assert_eq(store_put(s, &r, &res, &e), 0);
	cr_assert_eq(res, PUT_UNCHANGED);
	record_set(&r, (size_t)kind_field_index(k, "member_since"), "2024-03-07");
	cr_assert_eq(store_put(s, &r, &res, &e), 0);
	cr_assert_eq(res, PUT_UPDATED);
	store_commit(s, &e);
	audit = sql_int(s, "SELECT count(*) FROM audit");
	cr_assert_eq(audit, 2, "insert and update audited, the no-op not");

	record_init(&got, k);
	cr_assert_eq(store_get(s, k, "SWE", &got, &e), 1);
	cr_assert_str_eq(got.v[kind_field_index(k, "member_since")], "2024-03-07");
	cr_assert_eq(store_get(s, k, "FIN", &got, &e), 0);
	record_release(&got);
	record_release(&r);
	error_release(&e);
	store_close(s);
}

struct collect {
	char keys[16][32];
	char derived[16][32];
	int n;
};

static int collect(void *arg, const struct record *r, const char *const *d)
{
	struct collect *c = arg;

	snprintf(c->keys[c->n], 32, "%s", r->key);
	snprintf(c->derived[c->n], 32, "%s", d[0] ? d[0] : "");
	c->n++;
	return 0;
}

Test(store, each_answers_as_of_a_date)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("nations");
	struct filter member = { "status", "member" };
	struct query q = { .asof = "2020-03-26" };
	struct collect c = { 0 };
	struct error e;

	error_init(&e);
	put_raw(s, "nations", "code", "CAN", "name", "Canada",
		"member_since", "1949-04-04", NULL);
	put_raw(s, "nations", "code", "MKD", "name", "North Macedonia",
		"member_since", "2020-03-27", NULL);
	put_raw(s, "nations", "code", "AUS", "name", "Australia",
		"partner_since", "2018-10-01", NULL);
	cr_assert_eq(store_each(s, k, &q, collect, &c, &e), 0, "%s", e.message);
	cr_assert_eq(c.n, 3, "nations are not filtered by date");
	cr_assert_str_eq(c.derived[0], "member");
	cr_assert_str_eq(c.derived[1], "", "MKD not yet a member on 26 March");
	cr_assert_str_eq(c.derived[2], "partner");

	q.filters = &member;
	q.nfilters = 1;
	q.asof = "2020-03-27";
	c.n = 0;
	cr_assert_eq(store_each(s, k, &q, collect, &c, &e), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.keys[1], "MKD", "a member from the day of accession");

	member.field = "no_such_field";
	cr_assert_neq(store_each(s, k, &q, collect, &c, &e), 0);
	cr_assert_eq(e.code, ERR_USAGE);
	error_release(&e);
	store_close(s);
}

Test(store, intervals_are_half_open)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("organisations");
	struct query q = { 0 };
	struct collect c = { 0 };
	struct error e;

	error_init(&e);
	put_raw(s, "organisations", "code", "CJTF", "name", "Coalition",
		"kind", "coalition", "valid_from", "2014-10-17",
		"valid_to", "2020-04-01", NULL);
	q.asof = "2020-03-31";
	store_each(s, k, &q, collect, &c, &e);
	cr_assert_eq(c.n, 1, "in force on its last day");
	c.n = 0;
	q.asof = "2020-04-01";
	store_each(s, k, &q, collect, &c, &e);
	cr_assert_eq(c.n, 0, "valid_to is the first day it no longer holds");
	c.n = 0;
	q.asof = "2014-10-16";
	store_each(s, k, &q, collect, &c, &e);
	cr_assert_eq(c.n, 0, "not before valid_from");
	error_release(&e);
	store_close(s);
}

/* Fill every field of K with the I-th of some awkward values. */
static void awkward(struct record *r, const struct kind *k, size_t i)
{
	static const char *const text[] = {
		"plain", "quote \" and backslash \\", "a/b", "tab\tnew\nline\r",
		"\x01\x02\x1f", "Ba\xc4\x9f" "dad \xd8\xa8\xd8\xba\xd8\xaf\xd8\xa7\xd8\xaf",
		"\xf0\x9f\x9a\x81 4-byte", "", "not UTF-8 \xff", NULL,
	};
	static const char *const num[] = {
		"42", "-7", "0012", "0", NULL, "9223372036854775807",
	};
	static const char *const real[] = {
		"0.8", "1e-7", "33.3", "-44.0", "12345678901234567", NULL,
	};
	static const char *const yesno[] = { "yes", "no", NULL, "true" };

	for (size_t f = 0; f < k->nfields; f++) {
		const char *v;

		switch (k->fields[f].type) {
		case FT_INT:
			v = num[(i + f) % 6];
			break;
		case FT_REAL:
			v = real[(i + f) % 6];
			break;
		case FT_BOOL:
			v = yesno[(i + f) % 4];
			break;
		default:
			v = text[(i + f) % 10];
		}
		free(r->v[f]);
		r->v[f] = v ? strdup(v) : NULL;
	}
}

Test(store, record_json_is_the_text_jansson_writes)
{
	/* The audit chain hashes these bytes: they must not move. */
	for (size_t ki = 0; ki < nkinds; ki++) {
		const struct kind *k = kinds[ki];
		struct record r;

		cr_assert_eq(record_init(&r, k), 0);
		for (size_t i = 0; i < 60; i++) {
			json_t *o;
			char *want, *got;

			awkward(&r, k, i);
			o = record_json(&r);
			want = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
					  JSON_REAL_PRECISION(15));
			got = record_to_json(&r);
			cr_assert_not_null(got);
			cr_assert_str_eq(got, want, "%s, values %zu", k->name, i);
			free(want);
			free(got);
			json_decref(o);
		}
		record_release(&r);
	}
}

Test(store, exists_forgets_what_a_rollback_removed)
{
	/* store_exists() remembers the last key it found in a transaction;
	 * a rollback, whole or to a savepoint, must not leave it behind. */
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("nations");
	struct error e;

	error_init(&e);
	put_nation(s, "FRA", "France");
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_exists(s, k, "FRA", &e), 1);
	cr_assert_eq(store_exists(s, k, "FRA", &e), 1, "remembered");
	cr_assert_eq(store_savepoint(s, &e), 0);
	put_in_tx(s, "ITA");
	cr_assert_eq(store_exists(s, k, "ITA", &e), 1);
	cr_assert_eq(store_exists(s, k, "ITA", &e), 1);
	store_savepoint_rollback(s);
	cr_assert_eq(store_exists(s, k, "ITA", &e), 0, "rolled back to the savepoint");
	put_in_tx(s, "ESP");
	cr_assert_eq(store_exists(s, k, "ESP", &e), 1);
	store_rollback(s);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_exists(s, k, "ESP", &e), 0, "rolled back");
	cr_assert_eq(store_exists(s, k, "FRA", &e), 1);
	store_rollback(s);
	error_release(&e);
	store_close(s);
}

/* The first derived value of each record of kind K listed on ASOF as WHO
 * sees it, "key=value" joined by ' '. */
struct derived_seen {
	char text[256];
};

static int note_derived(void *arg, const struct record *r,
			const char *const *d)
{
	struct derived_seen *c = arg;
	size_t n = strlen(c->text);

	snprintf(c->text + n, sizeof(c->text) - n, "%s%s=%s", n ? " " : "",
		 r->key, d[0] ? d[0] : "");
	return 0;
}

static const char *derived_as(struct store *s, const char *kind,
			      const struct principal *who, const char *asof,
			      struct derived_seen *c)
{
	struct query q = { .who = who, .asof = asof };
	struct error e;

	error_init(&e);
	c->text[0] = '\0';
	cr_assert_eq(store_each(s, kind_find(kind), &q, note_derived, c, &e), 0,
		     "%s: %s", kind, e.message);
	error_release(&e);
	return c->text;
}

Test(store, derived_values_are_computed_as_the_reader_sees)
{
	struct store *s = open_scratch(NULL);
	struct principal nr = { .login = "t", .role = ROLE_TRAINER,
				.clearance = 1 };
	struct principal cts = nr, gbr = { .login = "c", .role = ROLE_CONTINGENT,
					   .nation = "GBR", .clearance = 3 };
	struct derived_seen c;

	cts.clearance = 4;
	put_raw(s, "nations", "code", "GBR", "name", "United Kingdom", NULL);
	put_raw(s, "nations", "code", "DEU", "name", "Germany", NULL);
	put_raw(s, "nations", "code", "IRQ", "name", "Iraq", NULL);
	put_raw(s, "sites", "code", "TAJI", "name", "Taji", "latitude", "33.5",
		"longitude", "44.2", "country", "IRQ", "valid_from", "2018-01-01",
		NULL);
	put_raw(s, "organisations", "code", "NMI", "name", "NMI", "kind",
		"mission", "valid_from", "2018-01-01", NULL);
	put_raw(s, "posts", "number", "P1", "title", "Adviser", "branch", "J7",
		"category", "military", "function", "advising", "site", "TAJI",
		"organisation", "NMI", "valid_from", "2018-01-01", NULL);
	put_raw(s, "persons", "code", "UK1", "name", "A", "nation", "GBR",
		"category", "military", "valid_from", "2018-01-01", NULL);
	put_raw(s, "persons", "code", "DE1", "name", "B", "nation", "DEU",
		"category", "military", "valid_from", "2018-01-01", NULL);
	put_raw(s, "persons", "code", "DE2", "name", "C", "nation", "DEU",
		"category", "military", "valid_from", "2018-01-01",
		"classification", "NS", NULL);
	put_raw(s, "assignments", "person", "UK1", "post", "P1",
		"valid_from", "2019-01-01", NULL);
	put_raw(s, "assignments", "person", "DE1", "post", "P1",
		"valid_from", "2019-01-01", NULL);
	put_raw(s, "assignments", "person", "DE2", "post", "P1",
		"valid_from", "2019-01-01", NULL);
	put_raw(s, "status-events", "code", "R1", "action", "restrict",
		"scope", "site:TAJI", "reason", "x", "valid_from", "2020-01-01",
		"classification", "CTS", NULL);

	cr_assert_str_eq(derived_as(s, "sites", NULL, "2020-01-01", &c),
			 "TAJI=restricted");
	cr_assert_str_eq(derived_as(s, "sites", &cts, "2020-01-01", &c),
			 "TAJI=restricted");
	cr_assert_str_eq(derived_as(s, "sites", &nr, "2020-01-01", &c),
			 "TAJI=open", "an event the reader may not see");
	cr_assert_str_eq(derived_as(s, "sites", &nr, "2019-12-31", &c),
			 "TAJI=open");

	cr_assert_str_eq(derived_as(s, "posts", NULL, "2020-01-01", &c),
			 "P1=UK1;DE1;DE2");
	cr_assert_str_eq(derived_as(s, "posts", &nr, "2020-01-01", &c),
			 "P1=UK1;DE1", "an NS person is no holder for an NR reader");
	cr_assert_str_eq(derived_as(s, "posts", &gbr, "2020-01-01", &c),
			 "P1=UK1", "a contingent commander: their own nation's");

	/* Filters and sorts on a derived value see what the list sees. */
	{
		struct filter f = { "status", "restricted" };
		struct query q = { .who = &nr, .asof = "2020-01-01",
				   .filters = &f, .nfilters = 1 };
		struct error e;

		error_init(&e);
		c.text[0] = '\0';
		cr_assert_eq(store_each(s, kind_find("sites"), &q, note_derived,
					&c, &e), 0);
		cr_assert_str_eq(c.text, "");
		q.who = &cts;
		cr_assert_eq(store_each(s, kind_find("sites"), &q, note_derived,
					&c, &e), 0);
		cr_assert_str_eq(c.text, "TAJI=restricted");
		error_release(&e);
	}
	store_close(s);
}

Test(store, every_derived_value_has_its_sql)
{
	/* The catalogue names derived values and the store computes them:
	 * a name without an expression would fail every list of its kind. */
	struct store *s = open_scratch(NULL);
	struct principal nr = { .login = "t", .role = ROLE_CONTINGENT,
				.nation = "GBR", .clearance = 1 };
	struct derived_seen c;

	for (size_t i = 0; i < nkinds; i++)
		if (kinds[i]->nderived) {
			derived_as(s, kinds[i]->name, NULL, "2020-01-01", &c);
			derived_as(s, kinds[i]->name, &nr, "2020-01-01", &c);
		}
	store_close(s);
}
