/* sched/ctt: the .ctt parser, on good files and on malformed ones. */
#include "sched_helpers.h"

#define TOY_HEAD \
	"Name: Tiny\nCourses: 2\nRooms: 1\nDays: 2\nPeriods_per_day: 2\n" \
	"Curricula: 1\nConstraints: 1\n\n"

static const char good[] = TOY_HEAD
	"COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n\n"
	"ROOMS:\nrA 20\n\n"
	"CURRICULA:\nq1 2 c1 c2\n\n"
	"UNAVAILABILITY_CONSTRAINTS:\nc2 1 1\n\nEND.\n";

/* Parses TEXT, expecting failure with a message containing WHAT. */
static void expect_error(const char *text, const char *what)
{
	struct ctt inst;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, text, strlen(text), err), -1,
		     "accepted a malformed file (expected: %s)", what);
	cr_assert(strstr(err, what), "error \"%s\" does not say \"%s\"", err,
		  what);
	cr_assert_eq(inst.courses, NULL);
	ctt_release(&inst);
}

Test(ctt, toy_instance)
{
	struct ctt inst;

	load_instance("toy.ctt", &inst);
	cr_assert_str_eq(inst.name, "ToyExample");
	cr_assert_eq(inst.ncourses, 4);
	cr_assert_eq(inst.nrooms, 2);
	cr_assert_eq(inst.nperiods, 20);
	cr_assert_eq(inst.nlectures, 16);
	cr_assert_eq(inst.nteachers, 4);
	cr_assert_str_eq(inst.courses[2].name, "TecCos");
	cr_assert_eq(inst.courses[2].min_days, 4);
	cr_assert_eq(inst.rooms[1].capacity, 50);
	/* TecCos is unavailable on day 2 period 0, available day 2 period 2. */
	cr_assert_eq(inst.unavail[2 * 20 + 2 * 4 + 0], 1);
	cr_assert_eq(inst.unavail[2 * 20 + 2 * 4 + 2], 0);
	/* SceCosC and ArcTec share Cur1; SceCosC and Geotec share nothing. */
	cr_assert_eq(inst.conflict[0 * 4 + 1], 1);
	cr_assert_eq(inst.conflict[0 * 4 + 3], 0);
	cr_assert_eq(inst.conflict[3 * 4 + 2], 1);
	cr_assert_eq(inst.lecture_course[15], 3);
	cr_assert_eq(inst.first_lecture[2], 6);
	ctt_release(&inst);
}

Test(ctt, shared_teacher_is_a_conflict)
{
	struct ctt inst;
	char err[CTT_ERR_MAX];
	static const char text[] = TOY_HEAD
		"COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		"ROOMS:\nrA 20\nCURRICULA:\nq1 1 c1\n"
		"UNAVAILABILITY_CONSTRAINTS:\nc2 1 1\nEND.\n";

	cr_assert_eq(ctt_parse(&inst, text, strlen(text), err), 0, "%s", err);
	cr_assert_eq(inst.conflict[1], 1);
	cr_assert_eq(inst.conflict[2], 1);
	ctt_release(&inst);
}

Test(ctt, tabs_crlf_and_blank_lines)
{
	static const char text[] =
		"\r\nName:\tTiny\r\nCourses:  2\r\nRooms: 1\r\nDays: 2\r\n"
		"Periods_per_day: 2\r\n\r\n\r\nCurricula: 1\r\nConstraints: 1\r\n"
		"COURSES:\r\nc1\tt1\t2\t2\t10\r\n \t \r\nc2 t1 1 1 30   \r\n"
		"ROOMS:\r\nrA\t20\r\nCURRICULA:\r\nq1 2\tc1  c2\r\n"
		"UNAVAILABILITY_CONSTRAINTS:\r\nc2 1 1\r\nEND.\r\n\r\n";
	struct ctt inst;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, text, strlen(text), err), 0, "%s", err);
	cr_assert_str_eq(inst.courses[1].name, "c2");
	cr_assert_eq(inst.courses[1].students, 30);
	cr_assert_eq(inst.curricula[0].ncourses, 2);
	cr_assert_eq(inst.unavail[1 * 4 + 3], 1);
	ctt_release(&inst);
}

Test(ctt, good_file_parses)
{
	struct ctt inst;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, good, strlen(good), err), 0, "%s", err);
	cr_assert_eq(inst.nlectures, 3);
	ctt_release(&inst);
}

Test(ctt, malformed_files)
{
	expect_error("", "at end of file: expected Name:");
	expect_error("Name: x\nCourses: two\n", "line 2: \"Courses:\" needs an integer");
	expect_error("Name: x\nRooms: 2\n", "line 2: expected header \"Courses:\"");
	expect_error("Name: x y\n", "line 1: \"Name:\" takes exactly one value");
	expect_error(TOY_HEAD "COURSE:\n", "line 9: expected \"COURSES:\"");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2\n",
		     "line 10: a course line has 5 fields");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 -2 2 10\n",
		     "line 10: course \"c1\": lectures");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc1 t2 1 1 1\n",
		     "line 11: course \"c1\" defined twice");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 2x0\n", "line 13: room \"rA\": capacity");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1 c9\n",
		     "line 15: curriculum \"q1\": unknown course \"c9\"");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1\n",
		     "line 15: curriculum \"q1\" announces 2 courses but lists 1");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1 c2\n"
		     "UNAVAILABILITY_CONSTRAINTS:\nc2 2 0\nEND.\n",
		     "line 17: day must be 0..1 and period 0..1");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1 c2\n"
		     "UNAVAILABILITY_CONSTRAINTS:\nc3 1 0\nEND.\n",
		     "line 17: unknown course \"c3\"");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1 c2\n"
		     "UNAVAILABILITY_CONSTRAINTS:\nc2 1 0\n",
		     "at end of file: expected END.");
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 2 10\nc2 t1 1 1 30\n"
		     "ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1 c2\n"
		     "UNAVAILABILITY_CONSTRAINTS:\nc2 1 0\nEND.\nmore\n",
		     "line 19: text after \"END.\"");
	expect_error("Name: x\nCourses: 1\nRooms: 1\nDays: 100000\n"
		     "Periods_per_day: 100000\n", "line 5: too many periods");
}

Test(ctt, truncated_prefixes_never_parse)
{
	/* Every proper prefix of a valid file is refused, cleanly. */
	for (size_t n = 0; n + 5 < sizeof good - 1; n++) {
		struct ctt inst;
		char err[CTT_ERR_MAX];
		cr_assert_eq(ctt_parse(&inst, good, n, err), -1,
			     "prefix of %zu bytes accepted", n);
		cr_assert(strstr(err, "line ") || strstr(err, "end of file"),
			  "%s", err);
	}
}

/* As expect_error(), for a text of LEN bytes that may hold NUL bytes. */
static void expect_error_len(const char *text, size_t len, const char *what)
{
	struct ctt inst;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, text, len, err), -1,
		     "accepted a file with a NUL byte (expected: %s)", what);
	cr_assert(strstr(err, what), "error \"%s\" does not say \"%s\"", err,
		  what);
	ctt_release(&inst);
}

Test(ctt, nul_byte_is_refused_with_its_line)
{
	/* Issue 13: a course name "c1\0zzz..." compared equal to "c1" up to
	 * the NUL and then read past the end of the stored name. */
	static const char name[] = TOY_HEAD
		"COURSES:\nc1 t1 2 2 10\nc1\0zzz t1 1 1 30\n"
		"ROOMS:\nrA 20\nCURRICULA:\nq1 2 c1 c2\n"
		"UNAVAILABILITY_CONSTRAINTS:\nc2 1 1\nEND.\n";
	/* A number cut by a NUL was read as the digits before it. */
	static const char number[] = "Name: x\nCourses: 2\0 junk\n";
	/* A NUL alone on a line is not a blank line. */
	static const char alone[] = "Name: x\n\0\nCourses: 2\n";

	expect_error_len(name, sizeof name - 1, "line 11: a NUL byte");
	expect_error_len(number, sizeof number - 1, "line 2: a NUL byte");
	expect_error_len(alone, sizeof alone - 1, "line 2: a NUL byte");
}

Test(ctt, nul_byte_in_a_solution_is_refused)
{
	static const char sol[] = "c1 rA 0 0\nc1\0zz rA 0 1\n";
	static const char num[] = "c1 rA 0 0\0\n";
	struct ctt inst;
	struct ctt_solution s;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, good, strlen(good), err), 0, "%s", err);
	cr_assert_eq(ctt_solution_parse(&inst, sol, sizeof sol - 1, &s, err),
		     -1, "accepted a solution with a NUL byte");
	cr_assert(strstr(err, "line 2: a NUL byte"), "%s", err);
	cr_assert_eq(ctt_solution_parse(&inst, num, sizeof num - 1, &s, err),
		     -1, "accepted a solution with a NUL byte");
	cr_assert(strstr(err, "line 1: a NUL byte"), "%s", err);
	ctt_release(&inst);
}

Test(ctt, names_compare_by_length)
{
	struct ctt inst;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, good, strlen(good), err), 0, "%s", err);
	cr_assert_eq(ctt_course_index(&inst, "c1", 2), 0);
	cr_assert_eq(ctt_course_index(&inst, "c1x", 2), 0);
	cr_assert_eq(ctt_course_index(&inst, "c1", 1), -1);
	cr_assert_eq(ctt_course_index(&inst, "c1\0x", 4), -1);
	cr_assert_eq(ctt_room_index(&inst, "rA\0", 3), -1);
	ctt_release(&inst);
}

/* A course may ask for more working days than the week has: legal in the
 * format (the official validator accepts it and counts the shortfall),
 * refused at parse before (issue 18). */
Test(ctt, more_working_days_than_the_week_is_legal)
{
	static const char text[] = TOY_HEAD
		"COURSES:\nc1 t1 2 5 10\nc2 t1 1 1 30\n\n"
		"ROOMS:\nrA 20\n\n"
		"CURRICULA:\nq1 2 c1 c2\n\n"
		"UNAVAILABILITY_CONSTRAINTS:\nc2 1 1\n\nEND.\n";
	struct ctt inst;
	char err[CTT_ERR_MAX];

	cr_assert_eq(ctt_parse(&inst, text, strlen(text), err), 0, "%s", err);
	cr_assert_eq(inst.courses[0].min_days, 5, "the week has 2 days");
	ctt_release(&inst);
	expect_error(TOY_HEAD "COURSES:\nc1 t1 2 1001 10\n", "min_working_days (0..1000)");
}
