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
		cr_assert_eq(sqlite3_prepare_v2(test_sqlite(s), sql, -1, &st, NULL),
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

/*==== Keys that read one way only ======================================*/

/* The number of '/'-separated parts in a key of K: one for each key field
 * that is not a reference, the parts of its key for each that is. A
 * reference to K itself or to a kind after it would make the count
 * unbounded: the catalogue has none among its keys. */
static size_t key_parts(const struct kind *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];

		if (!(f->flags & FF_KEY))
			continue;
		if (f->type == FT_REF) {
			const struct kind *to = kind_find(f->ref);

			cr_assert_not_null(to, "%s.%s", k->name, f->name);
			cr_assert_neq(to, k, "%s.%s: a key part refers to its own "
				      "kind", k->name, f->name);
			n += key_parts(to);
		} else {
			n++;
		}
	}
	return n;
}

/* The longest key of K the validation lets through. */
static size_t key_max(const struct kind *k)
{
	size_t n = 0, parts = 0;

	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];

		if (!(f->flags & FF_KEY))
			continue;
		parts++;
		n += f->type == FT_REF ? key_max(kind_find(f->ref)) :
		     f->type == FT_ISO3 ? 3 : f->type == FT_DATE ? 10 :
		     VALUE_KEY_MAX;
	}
	return n + parts - 1;
}

/* A valid value of the key field F, different for each SEED. */
static void key_sample(const struct field *f, int seed, char *out, size_t n)
{
	static const char *const iso[] = { "IRQ", "DEU", "CAN" };

	if (f->type == FT_ISO3)
		snprintf(out, n, "%s", iso[seed % 3]);
	else if (f->type == FT_DATE)
		snprintf(out, n, "2024-0%d-1%d", 1 + seed % 9, seed % 10);
	else
		snprintf(out, n, "K-%d.x:é", seed);
}

/* R's key fields filled in, as the key of a record of their kind for a
 * reference: returns the key. */
static char *sample_key(const struct kind *k, int *seed)
{
	struct record r;
	char *key;

	record_init(&r, k);
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		char v[64];

		if (!(f->flags & FF_KEY))
			continue;
		if (f->type == FT_REF) {
			char *sub = sample_key(kind_find(f->ref), seed);

			record_set(&r, i, sub);
			free(sub);
			continue;
		}
		key_sample(f, (*seed)++, v, sizeof(v));
		record_set(&r, i, v);
	}
	cr_assert_eq(record_make_key(&r), 0);
	key = strdup(r.key);
	record_release(&r);
	return key;
}

/* Split KEY of K back into its fields' values: the parts are counted
 * from the catalogue alone, so this is the one reading there is. */
static void key_decode(const struct kind *k, const char *key, struct record *r)
{
	const char *p = key;

	record_init(r, k);
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		size_t parts, len = 0;
		char *v;

		if (!(f->flags & FF_KEY))
			continue;
		parts = f->type == FT_REF ? key_parts(kind_find(f->ref)) : 1;
		for (size_t j = 0; j < parts; j++) {
			len += strcspn(p + len, "/");
			if (j + 1 < parts) {
				cr_assert_eq(p[len], '/', "%s: key '%s' too short",
					     k->name, key);
				len++;
			}
		}
		v = strndup(p, len);
		record_set(r, i, v);
		free(v);
		p += len;
		if (*p == '/')
			p++;
	}
	cr_assert_eq(*p, '\0', "%s: key '%s' has parts left over", k->name, key);
}

Test(validate, every_kind_has_keys_that_decode_one_way)
{
	int seed = 0;

	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];
		struct record back;
		char *key;

		for (size_t j = 0; j < k->nfields; j++) {
			const struct field *f = &k->fields[j];
			const char *why;
			char *out = NULL;

			if (!(f->flags & FF_KEY) || f->type == FT_REF)
				continue;
			/* A part of its own: a type that cannot hold the
			 * separators, or text the validation keeps from them. */
			cr_assert(f->type == FT_TEXT || f->type == FT_ISO3 ||
				  f->type == FT_DATE, "%s.%s: a key of a type not "
				  "checked here", k->name, f->name);
			for (const char *const *bad = (const char *const[]){
				"A/B", "A;B", "/", "A\tB", "A\nB", "A\rB", NULL };
			     *bad; bad++) {
				cr_assert_neq(value_canonical(f, *bad, &out, &why), 0,
					      "%s.%s takes '%s'", k->name, f->name,
					      *bad);
			}
		}
		cr_assert_gt(key_parts(k), 0, "%s has a key", k->name);
		cr_assert_leq(key_max(k), VALUE_REF_MAX, "%s: a key may be %zu "
			      "bytes, more than a reference holds", k->name,
			      key_max(k));
		/* Made and read back, the key gives the same fields. */
		key = sample_key(k, &seed);
		key_decode(k, key, &back);
		cr_assert_eq(record_make_key(&back), 0);
		cr_assert_str_eq(back.key, key, "%s", k->name);
		record_release(&back);
		free(key);
	}
	cr_assert_eq(key_parts(kind_find("enrolments")), 3,
		     "course/start/trainee: a reference counts its parts");
}

/* The collision: persons PCOL and PCOL/X, posts X/Y and Y made
 * two assignments of one key PCOL/X/Y. Neither PCOL/X nor X/Y is a key. */
Test(validate, the_slash_collision_cannot_be_written)
{
	CANON_EQ("persons", "code", "PCOL", "PCOL");
	CANON_BAD("persons", "code", "PCOL/X", "may not hold '/'");
	CANON_BAD("posts", "number", "X/Y", "may not hold '/'");
	CANON_BAD("trainees", "service_number", "A;B", "may not hold ';'");
	CANON_BAD("persons", "code", " PCOL", "begin or end with a space");
	/* U+202E (RLO) makes PCOL display as LOCP; U+2067 (RLI) isolates. */
	CANON_BAD("persons", "code", "P\xe2\x80\xaeLOC", "bidirectional control U+202E");
	CANON_BAD("persons", "name", "Ann \xe2\x81\xa7x", "bidirectional control U+2067");
	/* The right-to-left mark U+200F, which Arabic text may need, stays. */
	CANON_EQ("persons", "name", "\xd8\xb9\xd9\x84\xd9\x8a\xe2\x80\x8f",
		 "\xd8\xb9\xd9\x84\xd9\x8a\xe2\x80\x8f");
	/* In a code a mark is only unseen: PCOL and PCOL+LRM look alike. */
	CANON_BAD("persons", "code", "PCOL\xe2\x80\x8e", "direction mark U+200E");
	CANON_BAD("persons", "nation", "\xe2\x80\x8fIRQ", "direction mark U+200F");
	CANON_BAD("persons", "code", "PCOL ", "begin or end with a space");
	CANON_BAD("assessments", "competency", "a/b", "composite key");
	/* A reference holds a whole key, '/' and all. */
	CANON_EQ("enrolments", "session", "CIED-TTT/2024-01-01",
		 "CIED-TTT/2024-01-01");
}

Test(validate, control_characters_and_free_text)
{
	CANON_BAD("persons", "code", "A\tB", "control character 0x09 at byte 2");
	CANON_BAD("persons", "code", "AB\n", "control character 0x0A at byte 3");
	CANON_BAD("persons", "code", "\rAB", "0x0D");
	CANON_BAD("sites", "code", "A\x7f", "0x7F");
	CANON_BAD("courses", "competencies", "a\nb", "only free text");
	CANON_BAD("persons", "qualifications", "PDT\t", "control character");
	CANON_BAD("sessions", "course", "A\nB", "control character");
	/* Free text keeps TAB, LF and CR; never the other controls. */
	CANON_EQ("persons", "name", "Line one\nLine two", "Line one\nLine two");
	CANON_EQ("persons", "rank", "a\r\nb\tc", "a\r\nb\tc");
	CANON_EQ("pledges", "note", "x\ty", "x\ty");
	CANON_BAD("persons", "name", "bell\x07", "0x07");
	CANON_BAD("persons", "name", "esc\x1b[31m", "0x1B");
	CANON_BAD("persons", "name", "del\x7f", "0x7F");
}

static char *filled(size_t n, const char *tail)
{
	size_t t = strlen(tail);
	char *s = malloc(n + t + 1);

	cr_assert_not_null(s);
	memset(s, 'x', n);
	memcpy(s + n, tail, t + 1);
	return s;
}

Test(validate, long_values_are_refused_never_cut)
{
	char *key = filled(VALUE_KEY_MAX, ""), *key1 = filled(VALUE_KEY_MAX + 1, "");
	char *text = filled(VALUE_MAX, ""), *text1 = filled(VALUE_MAX + 1, "");
	char *big = filled(5000, ""), *ref1 = filled(VALUE_REF_MAX + 1, "");
	/* 4,094 bytes and a two-byte character: the old cut at 4,095 fell
	 * inside it. */
	char *straddle = filled(4094, "é");

	CANON_EQ("persons", "code", key, key);
	CANON_BAD("persons", "code", key1, "too long: 49 bytes, the limit for "
		  "this field is 48");
	CANON_EQ("persons", "name", text, text);
	CANON_BAD("persons", "name", text1, "the limit for this field is 4000");
	CANON_BAD("persons", "name", big, "too long: 5000 bytes");
	CANON_BAD("persons", "name", straddle, "too long: 4096 bytes");
	CANON_BAD("persons", "nation", ref1, "limit for this field is 128");
	CANON_BAD("sessions", "trainers", ref1, "a reference in the list is "
		  "too long");
	
	CANON_EQ("sites", "rooms", "A:10;B:20", "A:10;B:20");
	CANON_BAD("sites", "rooms", "A:10;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:3",
		  "at most 48 bytes");
	free(key), free(key1), free(text), free(text1), free(big), free(ref1);
	free(straddle);
}

Test(validate, invalid_utf8_in_every_kind_of_field)
{
	/* A string cut inside a character, and bytes no UTF-8 holds. */
	CANON_BAD("persons", "name", "Ann \xc3", "not valid UTF-8");
	CANON_BAD("persons", "code", "P\xe2\x82", "not valid UTF-8");
	CANON_BAD("pledges", "note", "\xff", "not valid UTF-8");
	CANON_BAD("persons", "qualifications", "PDT\xc0\xaf", "not valid UTF-8");
	CANON_BAD("sessions", "course", "C\xed\xa0\x80", "not valid UTF-8");
}

/* A problem repeats the value only when it is text of a sane length. */
static void note_value(void *arg, size_t field, const char *value,
		       const char *reason)
{
	int *shown = arg;

	(void)field, (void)reason;
	*shown = value != NULL;
}

Test(validate, unfit_values_are_not_repeated_in_problems)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("nations");
	char *big = filled(5000, "");
	struct record r;
	struct error e;
	int shown = -1;

	error_init(&e);
	record_init(&r, k);
	record_set(&r, (size_t)kind_field_index(k, "code"), "IRQ");
	record_set(&r, (size_t)kind_field_index(k, "name"), big);
	cr_assert_eq(record_validate(s, &r, note_value, &shown, &e), 1);
	cr_assert_eq(shown, 0, "a 5,000-byte value is not repeated");
	record_set(&r, (size_t)kind_field_index(k, "name"), "Iraq\xc3");
	cr_assert_eq(record_validate(s, &r, note_value, &shown, &e), 1);
	cr_assert_eq(shown, 0, "bytes that are not UTF-8 are not repeated");
	record_set(&r, (size_t)kind_field_index(k, "name"), "Iraq\x1b[2J");
	cr_assert_eq(record_validate(s, &r, note_value, &shown, &e), 1);
	cr_assert_eq(shown, 0, "control characters are not repeated");
	record_set(&r, (size_t)kind_field_index(k, "code"), "XXX");
	record_set(&r, (size_t)kind_field_index(k, "name"), "Iraq");
	cr_assert_eq(record_validate(s, &r, note_value, &shown, &e), 1);
	cr_assert_eq(shown, 1, "text is");
	record_release(&r);
	error_release(&e);
	free(big);
	store_close(s);
}
