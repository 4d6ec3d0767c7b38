/* core/kind: the catalogue agrees with the schema and with itself. */
#include "helpers.h"

#include <sqlite3.h>

static int has_column(sqlite3 *db, const char *table, const char *col)
{
	char sql[128];
	sqlite3_stmt *st;
	int found = 0;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_table_info('%s')"
		 " WHERE name = ?1", table);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, col, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

Test(kind, every_field_is_a_column_and_every_column_a_field)
{
	struct store *s = open_scratch(NULL);
	sqlite3 *db = test_sqlite(s);

	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];
		char sql[128];
		sqlite3_stmt *st;

		for (size_t f = 0; f < k->nfields; f++)
			cr_assert(has_column(db, k->table, k->fields[f].name),
				  "%s.%s missing from the schema", k->table,
				  k->fields[f].name);
		snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')",
			 k->table);
		cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *col = (const char *)sqlite3_column_text(st, 0);

			if (!strcmp(col, "id") || !strcmp(col, "key"))
				continue;
			cr_assert_geq(kind_field_index(k, col), 0,
				      "%s.%s is not in the catalogue", k->table, col);
		}
		sqlite3_finalize(st);
		if (kind_composite_key(k))
			cr_assert(has_column(db, k->table, "key"), "%s", k->table);
	}
	store_close(s);
}

Test(kind, field_names_are_plain_identifiers)
{
	/* record_json_text() writes them into JSON without escaping. */
	for (size_t i = 0; i < nkinds; i++)
		for (size_t f = 0; f < kinds[i]->nfields; f++) {
			const char *n = kinds[i]->fields[f].name;

			cr_assert(n[0] && strspn(n, "abcdefghijklmnopqrstuvwxyz_0123456789")
				  == strlen(n), "%s.%s", kinds[i]->table, n);
		}
}

Test(kind, references_point_backwards_so_import_order_resolves)
{
	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];

		for (size_t f = 0; f < k->nfields; f++) {
			const char *ref = k->fields[f].ref;
			size_t j;

			if (!ref)
				continue;
			for (j = 0; j <= i; j++)
				if (!strcmp(kinds[j]->name, ref))
					break;
			cr_assert_leq(j, i, "%s.%s refers to %s, which comes later",
				      k->name, k->fields[f].name, ref);
		}
	}
}

Test(kind, each_kind_has_a_key_and_marking)
{
	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];
		int keys = 0;

		for (size_t f = 0; f < k->nfields; f++)
			keys += !!(k->fields[f].flags & FF_KEY);
		cr_assert_geq(keys, 1, "%s has no key", k->name);
		cr_assert_eq(keys > 1, kind_composite_key(k), "%s", k->name);
		cr_assert_not_null(kind_field(k, "classification"), "%s", k->name);
		cr_assert_not_null(kind_field(k, "releasability"), "%s", k->name);
		cr_assert_eq(kind_find(k->name), k);
		cr_assert_eq(kind_find(k->table), k);
	}
	cr_assert_eq(nkinds, 17);
	cr_assert_null(kind_find("users"));
}

Test(kind, iso3166_codes_come_from_the_standard)
{
	cr_assert(iso3166_alpha3_valid("IRQ"));
	cr_assert(iso3166_alpha3_valid("MKD"));
	cr_assert(iso3166_alpha3_valid("USA"));
	cr_assert_not(iso3166_alpha3_valid("XXX"));
	cr_assert_not(iso3166_alpha3_valid("irq"));
	cr_assert_not(iso3166_alpha3_valid("IQ"));
	cr_assert_str_eq(iso3166_alpha3_name("IRQ"), "Iraq");
}

Test(kind, enum_values_match_whole_words)
{
	cr_assert(enum_has("granted|suspended|withdrawn", "suspended"));
	cr_assert(enum_has("granted|suspended|withdrawn", "withdrawn"));
	cr_assert_not(enum_has("granted|suspended|withdrawn", "grant"));
	cr_assert_not(enum_has("granted|suspended|withdrawn", "granted|suspended"));
	cr_assert_not(enum_has("granted|suspended|withdrawn", ""));
}
