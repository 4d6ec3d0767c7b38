/*
 * The instance model of curriculum-based course timetabling (ITC 2007
 * track 3) and the parser of its `.ctt` file format.
 *
 * Invariants of a parsed `struct ctt`:
 *   - every index is 0-based and in range: a course's teacher indexes
 *     teachers[], a curriculum's courses index courses[];
 *   - periods are numbered day * periods_per_day + slot (0 .. nperiods-1);
 *   - unavail[c * nperiods + p] is 1 when course c may not be taught in p;
 *   - conflict[c1 * ncourses + c2] is 1 when c1 != c2 share a teacher or a
 *     curriculum (it is symmetric, its diagonal is 0);
 *   - lectures are numbered course by course: the lectures of course c are
 *     first_lecture[c] .. first_lecture[c + 1] - 1, lecture_course[] maps
 *     back.
 * The struct owns all its arrays; ctt_release() frees them.
 */
#ifndef CADRE_SCHED_CTT_H
#define CADRE_SCHED_CTT_H

#include <stddef.h>

struct ctt_course {
	char *name;
	int teacher;		/* index into ctt.teachers */
	int lectures;
	int min_days;		/* minimum number of working days */
	int students;
};

struct ctt_room {
	char *name;
	int capacity;
};

struct ctt_curriculum {
	char *name;
	int ncourses;
	int *courses;		/* distinct course indexes */
};

struct keyset;

struct ctt {
	char *name;
	int ncourses, nrooms, ndays, periods_per_day, nperiods;
	int ncurricula, nteachers, nconstraints;
	struct ctt_course *courses;
	struct ctt_room *rooms;
	struct ctt_curriculum *curricula;
	char **teachers;
	unsigned char *unavail;		/* ncourses x nperiods */
	unsigned char *conflict;	/* ncourses x ncourses */
	int *course_curricula_start;	/* ncourses + 1, CSR into ... */
	int *course_curricula;		/* ... the curricula of each course */
	int nlectures;
	int *lecture_course;		/* nlectures */
	int *first_lecture;		/* ncourses + 1 */
	/* Names to indexes, so that reading is linear (ctt_parse fills
	 * them; NULL in an instance made by hand: names are then looked up
	 * one by one). */
	struct keyset *course_names, *room_names, *teacher_names;
};

/* Longest error message the parsers write (including the NUL). */
#define CTT_ERR_MAX 256

/*
 * Parse the `.ctt` text BUF of LEN bytes into *OUT (which is overwritten).
 * Fields may be separated by any white space, lines may end in CRLF, blank
 * lines are ignored. Returns 0 on success; on failure returns -1, leaves
 * *OUT empty (safe to ctt_release) and writes "line N: reason" into ERR.
 */
int ctt_parse(struct ctt *out, const char *buf, size_t len,
	      char err[CTT_ERR_MAX]);

/* Frees everything *C owns and zeroes it; C may be NULL. */
void ctt_release(struct ctt *c);

/* Index of the course/room named NAME (LEN bytes), or -1. */
int ctt_course_index(const struct ctt *c, const char *name, size_t len);
int ctt_room_index(const struct ctt *c, const char *name, size_t len);

#endif
