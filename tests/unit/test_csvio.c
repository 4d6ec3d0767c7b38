/* core/csvio: CSV import and export. */
#include "helpers.h"

#include "core/csvio.h"

static int import_text(struct store *s, const char *kind, const char *text,
		       int dry, struct import_stats *st, struct error *e)
{
	struct import_opts o = { .dry_run = dry };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	cr_assert_not_null(f);
	error_init(e);
	rc = import_csv(s, kind_find(kind), f, "t.csv", &o, st, e);
	fclose(f);
	return rc;
}

static long long count(struct store *s, const char *kind)
{
	struct error e;
	long long n;

	error_init(&e);
	n = store_count(s, NULL, kind_find(kind), &e);
	error_release(&e);
	return n;
}

static int fk_on(struct store *s)
{
	struct error e;
	long long on = -1;

	error_init(&e);
	on = sql_int(s, "PRAGMA foreign_keys");
	error_release(&e);
	return (int)on;
}

static void item(struct error *e, size_t i, long line, long col,
		 const char *field, const char *reason)
{
	cr_assert_lt(i, e->nitems, "only %zu items", e->nitems);
	cr_assert_eq(e->items[i].line, line, "item %zu line %ld", i, e->items[i].line);
	cr_assert_eq(e->items[i].column, col, "item %zu column %ld", i, e->items[i].column);
	if (field)
		cr_assert_str_eq(e->items[i].field, field);
	cr_assert(strstr(e->items[i].reason, reason), "item %zu: %s", i,
		  e->items[i].reason);
	cr_assert_str_eq(e->items[i].file, "t.csv");
}

Test(csvio, imports_quoted_fields_bom_and_crlf)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;
	struct record r;

	cr_assert_eq(import_text(s, "nations",
		"\xEF\xBB\xBFname,code\r\n"
		"\"Iraq, Republic of\",IRQ\r\n"
		"\"Two\r\nlines\",CAN\r\n", 0, &st, &e), 0, "%s", e.message);
	cr_assert_eq(st.inserted, 2);
	record_init(&r, kind_find("nations"));
	cr_assert_eq(store_get(s, kind_find("nations"), "IRQ", &r, &e), 1);
	cr_assert_str_eq(r.v[1], "Iraq, Republic of");
	cr_assert_eq(store_get(s, kind_find("nations"), "CAN", &r, &e), 1);
	cr_assert_str_eq(r.v[1], "Two\r\nlines");
	record_release(&r);
	error_release(&e);
	store_close(s);
}

Test(csvio, reimport_is_idempotent)
{
	static const char csv[] = "code,name\nIRQ,Iraq\nCAN,Canada\n";
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;

	cr_assert_eq(import_text(s, "nations", csv, 0, &st, &e), 0);
	error_release(&e);
	cr_assert_eq(import_text(s, "nations", csv, 0, &st, &e), 0);
	cr_assert_eq(st.rows, 2);
	cr_assert_eq(st.inserted, 0);
	cr_assert_eq(st.updated, 0);
	cr_assert_eq(st.unchanged, 2);
	cr_assert_eq(count(s, "nations"), 2);
	error_release(&e);
	store_close(s);
}

/* A key given twice is refused whether the first row inserted its record
 * or found it there, the same or changed, and nothing of the file stays. */
Test(csvio, a_key_twice_in_a_file_is_refused)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;
	struct record r;
	long long audit, after;

	cr_assert_eq(import_text(s, "nations", "code,name\nIRQ,Iraq\n", 0,
				 &st, &e), 0);
	error_release(&e);
	audit = sql_int(s, "SELECT count(*) FROM audit");
	cr_assert_neq(import_text(s, "nations",
		"code,name\n"
		"IRQ,Iraq\n"			/* 2: there before, unchanged */
		"CAN,Canada\n"			/* 3: inserted */
		"DEU,Germany\n"		/* 4: inserted */
		"IRQ,Republic of Iraq\n"	/* 5: twice: line 2 */
		"CAN,Canada\n"			/* 6: twice, the same: line 3 */
		"DEU,Deutschland\n"		/* 7: twice, changed: line 4 */
		"IRQ,Iraq\n",			/* 8: a third time: line 2 */
		0, &st, &e), 0);
	cr_assert_eq(e.nitems, 4, "%zu items", e.nitems);
	item(&e, 0, 5, 0, "code", "the same record as line 2");
	item(&e, 1, 6, 0, "code", "the same record as line 3");
	item(&e, 2, 7, 0, "code", "the same record as line 4");
	item(&e, 3, 8, 0, "code", "the same record as line 2");
	error_release(&e);
	cr_assert_eq(count(s, "nations"), 1, "nothing of the file stays");
	record_init(&r, kind_find("nations"));
	cr_assert_eq(store_get(s, kind_find("nations"), "IRQ", &r, &e), 1);
	cr_assert_str_eq(r.v[kind_field_index(r.kind, "name")], "Iraq");
	record_release(&r);
	after = sql_int(s, "SELECT count(*) FROM audit");
	cr_assert_eq(after, audit, "and no audit entry");
	error_release(&e);
	store_close(s);
}

Test(csvio, header_problems_are_all_reported)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;

	cr_assert_neq(import_text(s, "nations", "code,nmae,colour\nIRQ,Iraq,red\n",
				  0, &st, &e), 0);
	cr_assert_eq(e.code, ERR_INPUT);
	cr_assert_eq(e.nitems, 3);
	item(&e, 0, 1, 2, "nmae", "unknown column");
	item(&e, 1, 1, 3, "colour", "unknown column");
	item(&e, 2, 1, 0, "name", "required column missing");
	cr_assert_eq(count(s, "nations"), 0);
	error_release(&e);
	store_close(s);
}

Test(csvio, every_bad_row_with_its_line_and_nothing_written)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;
	long long audit;

	cr_assert_neq(import_text(s, "nations",
		"code,name,member_since\n"
		"IRQ,Iraq,\n"			/* 2: fine */
		"XXX,Nowhere,\n"		/* 3: not a country */
		"\"CAN\",\"Can\nada\",1949-04-04\n" /* 4-5: fine, two lines */
		"DNK,Denmark,1949-02-30\n"	/* 6: no such day */
		"IRQ,Iraq again,\n"		/* 7: duplicate of line 2 */
		"FRA,France\n",			/* 8: short row */
		0, &st, &e), 0);
	cr_assert_eq(e.nitems, 4, "%zu items", e.nitems);
	item(&e, 0, 3, 1, "code", "ISO 3166");
	cr_assert_str_eq(e.items[0].value, "XXX");
	item(&e, 1, 6, 3, "member_since", "no such day");
	item(&e, 2, 7, 0, "code", "the same record as line 2");
	item(&e, 3, 8, 0, NULL, "row has 2 fields");
	cr_assert_eq(count(s, "nations"), 0, "all or nothing");
	audit = sql_int(s, "SELECT count(*) FROM audit");
	cr_assert_eq(audit, 0);
	error_release(&e);
	store_close(s);
}

Test(csvio, malformed_csv_names_its_line)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;

	cr_assert_neq(import_text(s, "nations", "code,name\nIRQ,\"Iraq\nCAN,Canada\n",
				  0, &st, &e), 0);
	cr_assert_eq(e.nitems, 1);
	cr_assert(strstr(e.items[0].reason, "malformed CSV"), "%s", e.items[0].reason);
	error_release(&e);
	cr_assert_neq(import_text(s, "nations", "", 0, &st, &e), 0);
	cr_assert(strstr(e.items[0].reason, "no header"));
	error_release(&e);
	store_close(s);
}

Test(csvio, references_resolve_within_the_same_file)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;

	cr_assert_eq(import_text(s, "organisations",
		"code,name,kind,parent,valid_from\n"
		"NATO,NATO,alliance,,1949-04-04\n"
		"NMI,NATO Mission Iraq,mission,NATO,2018-10-01\n", 0, &st, &e), 0,
		"%s", e.message);
	error_release(&e);
	cr_assert_neq(import_text(s, "organisations",
		"code,name,kind,parent,valid_from\n"
		"A,Child first,other,B,2018-10-01\n"
		"B,Parent later,other,,2018-10-01\n", 0, &st, &e), 0);
	item(&e, 0, 2, 4, "parent", "no organisation 'B'");
	error_release(&e);
	/* The import ran with SQLite's foreign keys off, its own checks
	 * standing in: they are on again after it, failed or not. */
	cr_assert_eq(fk_on(s), 1, "foreign keys on after a refused import");
	cr_assert_eq(import_text(s, "nations", "code,name\nIRQ,Iraq\n", 0,
				 &st, &e), 0, "%s", e.message);
	cr_assert_eq(fk_on(s), 1, "foreign keys on after an import");
	cr_assert_neq(sqlite3_exec(test_sqlite(s), "INSERT INTO organisation"
				   " (code, name, kind, parent, valid_from) VALUES"
				   " ('X', 'X', 'other', 'NOWHERE', '2018-10-01')",
				   NULL, NULL, NULL), SQLITE_OK,
		      "and SQLite refuses a dangling reference again");
	error_release(&e);
	store_close(s);
}

Test(csvio, dry_run_changes_nothing)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;

	cr_assert_eq(import_text(s, "nations", "code,name\nIRQ,Iraq\n", 1, &st, &e), 0);
	cr_assert_eq(st.inserted, 1, "counts what would happen");
	cr_assert_eq(count(s, "nations"), 0);
	error_release(&e);
	store_close(s);
}

Test(csvio, export_quotes_only_where_needed)
{
	struct store *s = open_scratch(NULL);
	struct import_stats st;
	struct error e;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	cr_assert_eq(import_text(s, "nations",
		"code,name,partner_kind\nIRQ,\"Iraq, Republic of\",\"say \"\"hi\"\"\"\n",
		0, &st, &e), 0);
	f = open_memstream(&out, &len);
	cr_assert_eq(export_csv(s, NULL, kind_find("nations"), f, NULL, NULL, &e), 1);
	fclose(f);
	cr_assert_str_eq(out,
		"code,name,member_since,partner_since,partner_until,partner_kind,"
		"classification,releasability,provenance\r\n"
		"IRQ,\"Iraq, Republic of\",,,,\"say \"\"hi\"\"\",NU,MISSION,entered\r\n");
	free(out);
	error_release(&e);
	store_close(s);
}
