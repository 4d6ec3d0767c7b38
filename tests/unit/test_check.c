/* core/check.c: each invariant of `cadre check` on a small hand-made
 * mission, written without the rules (put_raw), so that a violating
 * fixture can exist: it is found with its rule, records and days, and
 * the clean mission passes. */
#include <jansson.h>

#include "core/check.h"
#include "core/write.h"
#include "helpers.h"
#include "store/access.h"

/* A mission at site S1 (rooms A:10, B:30), consent C1 (training,
 * ceiling 5) from 2026-01-01, course CRS (capacity 20, 5 days), trainers
 * T1 and T2, trainees R1 and R2, host units U1 and U2. */
static struct store *mission(void)
{
	struct store *s = open_scratch(NULL);

	put_raw(s, "nations", "code", "IRQ", "name", "Iraq", NULL);
	put_raw(s, "nations", "code", "CAN", "name", "Canada", NULL);
	put_raw(s, "organisations", "code", "NMI", "name", "Mission", "kind",
		"mission", "valid_from", "2025-01-01", NULL);
	put_raw(s, "organisations", "code", "U1", "name", "Unit 1", "kind",
		"host-unit", "nation", "IRQ", "valid_from", "2025-01-01", NULL);
	put_raw(s, "organisations", "code", "U2", "name", "Unit 2", "kind",
		"host-unit", "nation", "IRQ", "valid_from", "2025-01-01", NULL);
	put_raw(s, "sites", "code", "S1", "name", "Site", "latitude", "33",
		"longitude", "44", "country", "IRQ", "rooms", "A:10;B:30",
		"valid_from", "2025-01-01", NULL);
	put_raw(s, "consents", "code", "C1", "title", "Consent",
		"activity_kinds", "training;advising;support", "ceiling", "5",
		"valid_from", "2026-01-01", NULL);
	put_raw(s, "activities", "code", "ACT", "title", "Training", "kind",
		"training", "owner", "NMI", "site", "S1", "valid_from",
		"2026-01-01", NULL);
	put_raw(s, "courses", "code", "CRS", "title", "Course", "activity",
		"ACT", "duration_days", "5", "capacity", "20", NULL);
	put_raw(s, "courses", "code", "ALT", "title", "Other course",
		"activity", "ACT", "duration_days", "5", "capacity", "20", NULL);
	for (int i = 1; i <= 2; i++) {
		char code[8], name[8];

		snprintf(code, sizeof(code), "T%d", i);
		snprintf(name, sizeof(name), "Tr %d", i);
		put_raw(s, "persons", "code", code, "name", name, "nation", "CAN",
			"category", "military", "qualifications",
			"INSTR:2027-12-31", "valid_from", "2025-01-01", NULL);
		snprintf(code, sizeof(code), "R%d", i);
		put_raw(s, "trainees", "service_number", code, "name", name,
			"nation", "IRQ", "unit", "U1", NULL);
	}
	put_raw(s, "posts", "number", "N1", "title", "Trainer", "branch", "B",
		"category", "military", "function", "training",
		"qualifications", "INSTR", "site", "S1", "organisation", "NMI",
		"valid_from", "2026-01-01", NULL);
	put_raw(s, "posts", "number", "N2", "title", "Trainer", "branch", "B",
		"category", "military", "function", "training", "site", "S1",
		"organisation", "NMI", "valid_from", "2026-01-01", NULL);
	put_raw(s, "assignments", "person", "T1", "post", "N1", "valid_from",
		"2026-01-01", "valid_to", "2026-07-01", NULL);
	return s;
}

static void session(struct store *s, const char *course, const char *from,
		    const char *to, const char *room, const char *trainers,
		    const char *unit, const char *status)
{
	put_raw(s, "sessions", "course", course, "site", "S1", "room", room,
		"valid_from", from, "valid_to", to, "trainers", trainers,
		"host_unit", unit, "status", status, NULL);
}

/* The check over [FROM, TO) (NULL: the span), as the system. */
static json_t *check(struct store *s, const char *from, const char *to)
{
	struct error e;
	json_t *res = NULL;

	error_init(&e);
	cr_assert_eq(mission_check(s, &principal_system, from, to, &res, &e), 0,
		     "check: %s", e.message);
	error_release(&e);
	return res;
}

static char *joined(json_t *a)
{
	static char out[512];
	json_t *v;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(a, i, v)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
				      i ? " " : "", json_string_value(v));
	return out;
}

/* The one violation of RES, of RULE, naming RECORDS over DATES. */
static void only(json_t *res, const char *rule, const char *records,
		 const char *dates)
{
	json_t *list = json_object_get(res, "violations"), *v;
	char *dump = json_dumps(res, JSON_COMPACT);

	cr_assert_eq(json_array_size(list), 1, "want one %s: %s", rule, dump);
	v = json_array_get(list, 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "rule")), rule,
			 "%s", dump);
	cr_assert_str_eq(joined(json_object_get(v, "records")), records, "%s", dump);
	cr_assert_str_eq(joined(json_object_get(v, "dates")), dates, "%s", dump);
	cr_assert_eq(check_total(res), 1);
	free(dump);
	json_decref(res);
}

static void clean(json_t *res)
{
	char *dump = json_dumps(res, JSON_COMPACT);

	cr_assert_eq(check_total(res), 0, "want none: %s", dump);
	free(dump);
	json_decref(res);
}

Test(check, clean_mission_passes)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	/* The day one ends, the next may begin: [from, to). */
	session(s, "CRS", "2026-03-06", "2026-03-11", "A", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-01", "2026-03-06", "B", "T2", "U2", NULL);
	json_t *res = check(s, NULL, NULL);

	/* From the first dated record (a consent), with no end: what has
	 * no end holds on every day to come. */
	cr_assert_str_eq(json_string_value(json_object_get(res, "from")),
			 "2026-01-01");
	cr_assert_str_eq(json_string_value(json_object_get(res, "to")),
			 "9999-12-31");
	clean(res);
	store_close(s);
}

Test(check, trainer_in_two_sessions)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-04", "2026-03-09", "B", "T1", "U2", NULL);
	only(check(s, NULL, NULL), "TRAINER-CLASH",
	     "T1 ALT/2026-03-04 CRS/2026-03-01", "2026-03-04 2026-03-05");
	store_close(s);
}

Test(check, room_in_two_sessions)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "B", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-05", "2026-03-10", "B", "T2", "U2", NULL);
	only(check(s, NULL, NULL), "ROOM-CLASH",
	     "ALT/2026-03-05 CRS/2026-03-01 S1", "2026-03-05");
	store_close(s);
}

Test(check, host_unit_in_two_sessions)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-02", "2026-03-04", "B", "T2", "U1", NULL);
	only(check(s, NULL, NULL), "UNIT-CLASH",
	     "ALT/2026-03-02 CRS/2026-03-01 U1", "2026-03-02 2026-03-03");
	store_close(s);
}

Test(check, postponed_and_cancelled_book_nothing)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-01", "2026-03-06", "A", "T1", "U1",
		"postponed");
	session(s, "CRS", "2026-03-03", "2026-03-08", "A", "T1", "U1",
		"cancelled");
	clean(check(s, NULL, NULL));
	store_close(s);
}

Test(check, trainee_in_two_sessions)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-05", "2026-03-10", "B", "T2", "U2", NULL);
	put_raw(s, "enrolments", "session", "CRS/2026-03-01", "trainee", "R1", NULL);
	put_raw(s, "enrolments", "session", "ALT/2026-03-05", "trainee", "R1", NULL);
	put_raw(s, "enrolments", "session", "ALT/2026-03-05", "trainee", "R2", NULL);
	only(check(s, NULL, NULL), "TRAINEE-CLASH",
	     "R1 ALT/2026-03-05 CRS/2026-03-01", "2026-03-05");
	store_close(s);
}

Test(check, capacity_of_the_room)
{
	struct store *s = mission();
	char sn[16];

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	for (int i = 0; i < 11; i++) {
		snprintf(sn, sizeof(sn), "X%02d", i);
		put_raw(s, "trainees", "service_number", sn, "name", sn,
			"nation", "IRQ", "unit", "U1", NULL);
		put_raw(s, "enrolments", "session", "CRS/2026-03-01", "trainee",
			sn, NULL);
	}
	/* Room A holds 10: the eleventh is one too many. */
	only(check(s, NULL, NULL), "CAPACITY", "CRS/2026-03-01",
	     "2026-03-01 2026-03-05");
	store_close(s);
}

Test(check, one_person_two_posts)
{
	struct store *s = mission();

	put_raw(s, "assignments", "person", "T1", "post", "N2", "valid_from",
		"2026-06-20", NULL);
	only(check(s, NULL, NULL), "ONE-POST",
	     "T1 T1/N1/2026-01-01 T1/N2/2026-06-20", "2026-06-20 2026-06-30");
	store_close(s);
}

Test(check, post_qualification_lapses)
{
	struct store *s = mission();

	put_raw(s, "persons", "code", "T2", "name", "Tr 2", "nation", "CAN",
		"category", "military", "qualifications", "INSTR:2026-05-31",
		"valid_from", "2025-01-01", NULL);
	put_raw(s, "assignments", "person", "T2", "post", "N1", "valid_from",
		"2026-07-01", "valid_to", "2026-09-01", NULL);
	/* Held through 31 May: the whole assignment lacks it. */
	only(check(s, NULL, NULL), "POST-QUALIFICATION",
	     "T2/N1/2026-07-01 T2 N1", "2026-07-01 2026-08-31");
	store_close(s);
}

Test(check, certificate_without_pass)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1",
		"completed");
	put_raw(s, "enrolments", "session", "CRS/2026-03-01", "trainee", "R1",
		"attendance", "attended", "result", "pass", "certificate", "OK1",
		NULL);
	put_raw(s, "enrolments", "session", "CRS/2026-03-01", "trainee", "R2",
		"attendance", "absent", "result", "fail", "certificate", "BAD2",
		NULL);
	only(check(s, NULL, NULL), "CERTIFICATE", "CRS/2026-03-01/R2 "
	     "CRS/2026-03-01 R2", "2026-03-05");
	store_close(s);
}

Test(check, consent_rule_reused)
{
	struct store *s = mission();

	/* Before consent C1: the CONSENT rule of core/rules.c. */
	session(s, "CRS", "2025-12-29", "2026-01-03", "A", "T1", "U1", NULL);
	only(check(s, NULL, NULL), "CONSENT", "CRS/2025-12-29",
	     "2025-12-29");
	store_close(s);
}

Test(check, ceiling_exceeded_days)
{
	struct store *s = mission();

	put_raw(s, "consents", "code", "C1", "title", "Consent",
		"activity_kinds", "training;advising;support", "ceiling", "0",
		"valid_from", "2026-01-01", NULL);
	only(check(s, "2026-02-01", "2026-02-11"), "CEILING", "C1",
	     "2026-02-01 2026-02-10");
	store_close(s);
}

Test(check, range_limits_what_is_found)
{
	struct store *s = mission();

	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", "U1", NULL);
	session(s, "ALT", "2026-03-04", "2026-03-09", "B", "T1", "U2", NULL);
	clean(check(s, "2026-03-06", "2026-03-07"));
	only(check(s, "2026-03-05", "2026-03-06"), "TRAINER-CLASH",
	     "T1 ALT/2026-03-04 CRS/2026-03-01", "2026-03-05");
	store_close(s);
}

Test(check, forbidden_to_other_roles)
{
	struct store *s = mission();
	struct principal p = { .role = ROLE_TRAINING, .clearance = 4 };
	struct error e;
	json_t *res = NULL;

	error_init(&e);
	cr_assert_eq(mission_check(s, &p, NULL, NULL, &res, &e), -1);
	cr_assert_eq(e.code, ERR_FORBIDDEN);
	cr_assert_null(res);
	error_release(&e);
	error_init(&e);
	p.role = ROLE_AUDITOR;
	cr_assert_eq(mission_check(s, &p, NULL, NULL, &res, &e), 0, "%s", e.message);
	json_decref(res);
	error_release(&e);
	store_close(s);
}

/*==== The guard: writes through the one write path ====================*/

static void ignore(void *arg, size_t field, const char *value,
		   const char *reason)
{
	(void)arg;
	(void)field;
	(void)value;
	cr_log_info("problem: %s", reason);
}

/* Write a session through write_record() as the system: its result,
 * and E (the caller's to release). */
static int write_session(struct store *s, const char *course, const char *from,
			 const char *to, const char *room, const char *trainers,
			 const char *unit, struct error *e)
{
	const struct kind *k = kind_find("sessions");
	const struct write_opts o = { WRITE_PUT, ignore, NULL, NULL, NULL };
	const char *pairs[][2] = { { "course", course }, { "site", "S1" },
		{ "room", room }, { "valid_from", from }, { "valid_to", to },
		{ "trainers", trainers }, { "host_unit", unit } };
	enum put_result res;
	struct record r;
	int rc;

	cr_assert_eq(record_init(&r, k), 0);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		record_set(&r, (size_t)kind_field_index(k, pairs[i][0]),
			   pairs[i][1]);
	rc = write_record(s, &principal_system, &r, &o, &res, e);
	record_release(&r);
	return rc;
}

Test(guard, a_write_that_adds_a_clash_is_refused_naming_it)
{
	struct store *s = mission();
	struct error e;

	error_init(&e);
	cr_assert_eq(write_session(s, "CRS", "2026-03-01", "2026-03-06", "A",
				   "T1", "U1", &e), 0, "%s", e.message);
	cr_assert_eq(write_session(s, "ALT", "2026-03-04", "2026-03-09", "B",
				   "T1", "U2", &e), -1);
	cr_assert_eq(e.code, ERR_RULE);
	cr_assert_str_eq(e.rule, "TRAINER-CLASH");
	cr_assert_eq(e.nrecords, 3);
	cr_assert_str_eq(e.records[0], "T1");
	cr_assert_str_eq(e.dates[0], "2026-03-04");
	cr_assert_str_eq(e.dates[1], "2026-03-05");
	error_release(&e);
	cr_assert_eq(sql_int(s, "SELECT count(*) FROM session"), 1,
		     "nothing of it written");
	/* Another trainer and unit, the day the first ends: accepted. */
	error_init(&e);
	cr_assert_eq(write_session(s, "ALT", "2026-03-06", "2026-03-11", "A",
				   "T1", "U1", &e), 0, "%s", e.message);
	error_release(&e);
	clean(check(s, NULL, NULL));
	store_close(s);
}

Test(guard, a_clash_from_before_stops_no_other_write_but_may_not_grow)
{
	struct store *s = mission();
	struct error e;

	/* Written without the rules, as an older database holds it. */
	session(s, "CRS", "2026-03-01", "2026-03-06", "A", "T1", NULL, NULL);
	session(s, "ALT", "2026-03-04", "2026-03-09", "B", "T1", NULL, NULL);
	only(check(s, NULL, NULL), "TRAINER-CLASH",
	     "T1 ALT/2026-03-04 CRS/2026-03-01", "2026-03-04 2026-03-05");
	error_init(&e);
	cr_assert_eq(write_session(s, "CRS", "2026-05-01", "2026-05-06", "A",
				   "T2", NULL, &e), 0, "elsewhere: %s", e.message);
	/* The same session written again as it is: the clash as it was. */
	cr_assert_eq(write_session(s, "ALT", "2026-03-04", "2026-03-09", "B",
				   "T1", NULL, &e), 0, "unchanged: %s", e.message);
	/* Longer, it clashes on more days: refused. */
	cr_assert_eq(write_session(s, "CRS", "2026-03-01", "2026-03-08", "A",
				   "T1", NULL, &e), -1);
	cr_assert_str_eq(e.rule, "TRAINER-CLASH");
	error_release(&e);
	/* Moved off the other's days: the clash is gone, accepted. */
	error_init(&e);
	cr_assert_eq(write_session(s, "ALT", "2026-03-04", "2026-03-09", "B",
				   "T2", NULL, &e), 0, "%s", e.message);
	error_release(&e);
	clean(check(s, NULL, NULL));
	store_close(s);
}
