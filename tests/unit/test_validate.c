/* core/validate: values and records against the catalogue. */
#include "helpers.h"

#include "core/validate.h"

static char *canon(const char *kind, const char *field, const char *in,
		   const char **why)
{
	char *out = NULL;

	*why = NULL;
	if (value_canonical(kind_field(kind_find(kind), field), in, &out, why))
		return NULL;
	return out;
}

#define CANON_EQ(kind, field, in, expect) do { \
	const char *why_; \
	char *got_ = canon(kind, field, in, &why_); \
	cr_assert_not_null(got_, "%s.%s '%s': %s", kind, field, in, why_); \
	cr_assert_str_eq(got_, expect); \
	free(got_); \
} while (0)

#define CANON_BAD(kind, field, in, reason) do { \
	const char *why_; \
	char *got_ = canon(kind, field, in, &why_); \
	cr_assert_null(got_, "%s.%s '%s' accepted", kind, field, in); \
	cr_assert(strstr(why_, reason), "%s.%s '%s': %s", kind, field, in, why_); \
} while (0)

Test(validate, numbers_are_canonical)
{
	CANON_EQ("courses", "capacity", "24", "24");
	CANON_EQ("courses", "capacity", "024", "24");
	CANON_EQ("courses", "pass_target", "0.80", "0.8");
	CANON_EQ("courses", "pass_target", "1", "1.0");
	CANON_EQ("sites", "latitude", "33.3", "33.3");
	CANON_BAD("courses", "capacity", "0", "greater than zero");
	CANON_BAD("courses", "capacity", "12a", "whole number");
	CANON_BAD("courses", "capacity", "", "whole number");
	CANON_BAD("courses", "pass_target", "1.5", "range");
	CANON_BAD("sites", "latitude", "91", "range");
	CANON_BAD("sites", "longitude", "east", "not a number");
	CANON_BAD("consents", "ceiling", "-1", "negative");
}

Test(validate, booleans_dates_codes_enums)
{
	CANON_EQ("sites", "mission_approved", "TRUE", "yes");
	CANON_EQ("sites", "mission_approved", "0", "no");
	CANON_BAD("sites", "mission_approved", "maybe", "yes or no");
	CANON_EQ("persons", "valid_from", "2020-02-29", "2020-02-29");
	CANON_BAD("persons", "valid_from", "2020-02-30", "no such day");
	CANON_EQ("nations", "code", "IRQ", "IRQ");
	CANON_BAD("nations", "code", "XXX", "ISO 3166");
	CANON_BAD("posts", "category", "mercenary", "allowed");
	CANON_EQ("consents", "activity_kinds", "training;advising", "training;advising");
	CANON_BAD("consents", "activity_kinds", "training;operation", "allowed");
	CANON_BAD("consents", "activity_kinds", "training;", "empty element");
	CANON_EQ("persons", "qualifications", "CIED-INSTR:2021-06-30;PDT", "CIED-INSTR:2021-06-30;PDT");
	CANON_BAD("persons", "qualifications", "CIED-INSTR:2021-06-31", "expiry");
	CANON_EQ("persons", "releasability", "MISSION;IRQ", "MISSION;IRQ");
	CANON_BAD("persons", "releasability", "MISSION;ZZZ", "releasability");
	CANON_BAD("persons", "classification", "SECRET", "NU, NR");
	CANON_EQ("status-events", "scope", "site:TAJI", "site:TAJI");
	CANON_BAD("status-events", "scope", "site:", "scope must be");
	CANON_BAD("status-events", "scope", "everywhere", "scope must be");
}

struct problems {
	int n;
	char field[8][32];
	char reason[8][96];
};

static void note(void *arg, size_t field, const char *value, const char *reason)
{
	struct problems *p = arg;

	(void)value;
	if (p->n < 8) {
		snprintf(p->field[p->n], 32, "%s", kind_find("caveats")->fields[field].name);
		snprintf(p->reason[p->n], 96, "%s", reason);
	}
	p->n++;
}

static int validate(struct store *s, struct record *r, struct problems *p)
{
	struct error e;
	int n;

	memset(p, 0, sizeof(*p));
	error_init(&e);
	n = record_validate(s, r, note, p, &e);
	cr_assert_geq(n, 0, "%s", e.message);
	error_release(&e);
	return n;
}

Test(validate, records_check_references_defaults_and_intervals)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("caveats");
	struct problems p;
	struct record r;

	put_raw(s, "nations", "code", "DEU", "name", "Germany", NULL);
	record_init(&r, k);
	record_set(&r, (size_t)kind_field_index(k, "code"), "CAV-1");
	record_set(&r, (size_t)kind_field_index(k, "nation"), "DEU");
	record_set(&r, (size_t)kind_field_index(k, "kind"), "region");
	record_set(&r, (size_t)kind_field_index(k, "target"), "Anbar");
	record_set(&r, (size_t)kind_field_index(k, "valid_from"), "2019-01-01");
	cr_assert_eq(validate(s, &r, &p), 0, "%s %s", p.field[0], p.reason[0]);
	cr_assert_str_eq(r.v[kind_field_index(k, "classification")], "NU",
			 "defaults filled in");
	cr_assert_str_eq(r.key, "CAV-1");

	record_set(&r, (size_t)kind_field_index(k, "valid_to"), "2019-01-01");
	cr_assert_eq(validate(s, &r, &p), 1);
	cr_assert_str_eq(p.field[0], "valid_to");
	cr_assert(strstr(p.reason[0], "after valid_from"));

	record_set(&r, (size_t)kind_field_index(k, "valid_to"), NULL);
	record_set(&r, (size_t)kind_field_index(k, "nation"), "FRA");
	cr_assert_eq(validate(s, &r, &p), 1);
	cr_assert_str_eq(p.field[0], "nation");
	cr_assert_str_eq(p.reason[0], "no nation 'FRA'");

	record_set(&r, (size_t)kind_field_index(k, "nation"), NULL);
	cr_assert_eq(validate(s, &r, &p), 1, "a caveat needs a nation or a person");
	cr_assert(strstr(p.reason[0], "exactly one"));

	record_set(&r, (size_t)kind_field_index(k, "target"), NULL);
	record_set(&r, (size_t)kind_field_index(k, "kind"), "weather");
	record_set(&r, (size_t)kind_field_index(k, "nation"), "DEU");
	cr_assert_eq(validate(s, &r, &p), 2, "every problem, not the first");
	cr_assert_str_eq(p.field[0], "kind");
	cr_assert_str_eq(p.field[1], "target");
	cr_assert_str_eq(p.reason[1], "required");
	record_release(&r);
	store_close(s);
}

/* An import turns SQLite's foreign keys off for its transaction
 * (store_begin_checked) because record_validate() checks every reference
 * itself: that holds only if every foreign key of every kind's table is a
 * reference field of the kind, to the same table and key. */
Test(validate, every_foreign_key_is_a_checked_reference)
{
	struct store *s = open_scratch(NULL);
	int nkeys = 0;

	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];
		char sql[128];
		sqlite3_stmt *st;

		snprintf(sql, sizeof(sql), "PRAGMA foreign_key_list(%s)", k->table);
		cr_assert_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
			     SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *table = (const char *)sqlite3_column_text(st, 2);
			const char *from = (const char *)sqlite3_column_text(st, 3);
			const char *to = (const char *)sqlite3_column_text(st, 4);
			const struct field *f = kind_field(k, from);
			const struct kind *target;

			nkeys++;
			cr_assert_not_null(f, "%s.%s is a foreign key and no field",
					   k->table, from);
			cr_assert_eq(f->type, FT_REF, "%s.%s is a foreign key and no "
				     "reference", k->table, from);
			target = kind_find(f->ref);
			cr_assert_not_null(target, "%s.%s", k->table, from);
			cr_assert_str_eq(target->table, table, "%s.%s", k->table, from);
			cr_assert_str_eq(target->key_column, to, "%s.%s", k->table, from);
		}
		sqlite3_finalize(st);
	}
	cr_assert_gt(nkeys, 10, "the schema's foreign keys were read");
	store_close(s);
}
