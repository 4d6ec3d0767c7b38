/*
 * Parser of the ITC 2007 track 3 `.ctt` instance format and the derived
 * tables (conflicts, curricula per course, lecture numbering).
 */
#include "sched/ctt.h"
#include "sched/lex.h"
#include "util/keyset.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds that keep a hostile header from asking for huge tables. */
#define MAX_ENTITIES 100000
#define MAX_PERIODS 10000
#define MAX_LECTURES 1000000
/* Working days a course may ask for: past the week is legal, and at most
 * MAX_ENTITIES courses times 5 times this stays within an int. */
#define MAX_MIN_DAYS 1000

/*==== Line lexer (shared with the solution reader) ====*/

void ctt_lex_init(struct ctt_lex *lx, const char *buf, size_t len)
{
	lx->p = buf;
	lx->end = buf + len;
	lx->line = 0;
	lx->ntok = 0;
	lx->overflow = 0;
	lx->nul = 0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

int ctt_lex_next(struct ctt_lex *lx)
{
	while (lx->p < lx->end) {
		const char *eol = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
		const char *stop = eol ? eol : lx->end;
		const char *q = lx->p;

		lx->line++;
		lx->ntok = 0;
		lx->overflow = 0;
		lx->nul = memchr(q, '\0', (size_t)(stop - q)) != NULL;
		while (q < stop) {
			while (q < stop && is_space(*q))
				q++;
			if (q == stop)
				break;
			const char *s = q;
			while (q < stop && !is_space(*q))
				q++;
			if (lx->ntok == CTT_LEX_MAXTOK) {
				lx->overflow = 1;
				continue;
			}
			lx->tok[lx->ntok].s = s;
			lx->tok[lx->ntok].len = (size_t)(q - s);
			lx->ntok++;
		}
		lx->p = eol ? eol + 1 : lx->end;
		if (lx->ntok > 0 || lx->overflow || lx->nul)
			return 1;
	}
	lx->ntok = 0;
	return 0;
}

int ctt_lex_refuse(const struct ctt_lex *lx, char err[CTT_ERR_MAX])
{
	if (lx->nul) {
		ctt_errf(err, lx->line, "a NUL byte: this is not a text file");
		return -1;
	}
	if (lx->overflow) {
		ctt_errf(err, lx->line, "too many fields (more than %d)",
			 CTT_LEX_MAXTOK);
		return -1;
	}
	return 0;
}

int ctt_tok_is(const struct ctt_tok *t, const char *word)
{
	size_t n = strlen(word);
	return t->len == n && memcmp(t->s, word, n) == 0;
}

int ctt_tok_int(const struct ctt_tok *t, long lo, long hi, int *out)
{
	char tmp[32];
	char *endp;
	long v;

	if (t->len == 0 || t->len >= sizeof tmp)
		return -1;
	memcpy(tmp, t->s, t->len);
	tmp[t->len] = '\0';
	errno = 0;
	v = strtol(tmp, &endp, 10);
	/* All of the token: strtol stops at a NUL inside it too. */
	if (errno || endp != tmp + t->len || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

void ctt_errf(char err[CTT_ERR_MAX], int line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (line > 0)
		n = snprintf(err, CTT_ERR_MAX, "line %d: ", line);
	else
		n = snprintf(err, CTT_ERR_MAX, "at end of file: ");
	if (n < 0 || n >= CTT_ERR_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, (size_t)(CTT_ERR_MAX - n), fmt, ap);
	va_end(ap);
}

/*==== Helpers ====*/

static char *dup_tok(const struct ctt_tok *t)
{
	char *s = malloc(t->len + 1);
	if (s) {
		memcpy(s, t->s, t->len);
		s[t->len] = '\0';
	}
	return s;
}

/* Is the stored NAME exactly the LEN bytes at S? By length: S is a
 * token, not a C string, and NAME may be shorter than LEN. */
static int name_eq(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && memcmp(name, s, len) == 0;
}

/* NAME's index in NAMES (a set ctt_parse filled): 1 with *AT, 0 when not
 * there; -1 when there is no set. */
static int named(const struct keyset *names, const char *name, size_t len,
		 int *at)
{
	long v;

	if (!names)
		return -1;
	if (!keyset_find(names, name, len, &v))
		return 0;
	*at = (int)v;
	return 1;
}

/* Note NAME at index I in *NAMES. 0, or -1 out of memory. */
static int name_add(struct keyset *names, const char *name, size_t len, int i)
{
	long old;

	return !names || keyset_add(names, name, len, i, &old) >= 0 ? 0 : -1;
}

int ctt_course_index(const struct ctt *c, const char *name, size_t len)
{
	int at, rc = named(c->course_names, name, len, &at);

	if (rc >= 0)
		return rc ? at : -1;
	for (int i = 0; i < c->ncourses; i++)
		if (c->courses[i].name && name_eq(c->courses[i].name, name, len))
			return i;
	return -1;
}

int ctt_room_index(const struct ctt *c, const char *name, size_t len)
{
	int at, rc = named(c->room_names, name, len, &at);

	if (rc >= 0)
		return rc ? at : -1;
	for (int i = 0; i < c->nrooms; i++)
		if (c->rooms[i].name && name_eq(c->rooms[i].name, name, len))
			return i;
	return -1;
}

static void names_free(struct keyset *names);

void ctt_release(struct ctt *c)
{
	if (!c)
		return;
	names_free(c->course_names);
	names_free(c->room_names);
	names_free(c->teacher_names);
	free(c->name);
	if (c->courses)
		for (int i = 0; i < c->ncourses; i++)
			free(c->courses[i].name);
	free(c->courses);
	if (c->rooms)
		for (int i = 0; i < c->nrooms; i++)
			free(c->rooms[i].name);
	free(c->rooms);
	if (c->curricula)
		for (int i = 0; i < c->ncurricula; i++) {
			free(c->curricula[i].name);
			free(c->curricula[i].courses);
		}
	free(c->curricula);
	if (c->teachers)
		for (int i = 0; i < c->nteachers; i++)
			free(c->teachers[i]);
	free(c->teachers);
	free(c->unavail);
	free(c->conflict);
	free(c->course_curricula_start);
	free(c->course_curricula);
	free(c->lecture_course);
	free(c->first_lecture);
	memset(c, 0, sizeof *c);
}

/*==== Sections ====*/

/* Next non-blank line, or an error naming what was expected. */
static int expect_line(struct ctt_lex *lx, const char *what,
		       char err[CTT_ERR_MAX])
{
	if (!ctt_lex_next(lx)) {
		ctt_errf(err, 0, "expected %s", what);
		return -1;
	}
	return ctt_lex_refuse(lx, err);
}

static int expect_section(struct ctt_lex *lx, const char *title,
			  char err[CTT_ERR_MAX])
{
	if (expect_line(lx, title, err))
		return -1;
	if (lx->ntok != 1 || !ctt_tok_is(&lx->tok[0], title)) {
		ctt_errf(err, lx->line, "expected \"%s\"", title);
		return -1;
	}
	return 0;
}

static int parse_header(struct ctt_lex *lx, struct ctt *c,
			char err[CTT_ERR_MAX])
{
	static const char *const keys[] = {
		"Name:", "Courses:", "Rooms:", "Days:", "Periods_per_day:",
		"Curricula:", "Constraints:",
	};
	int *const vals[] = {
		NULL, &c->ncourses, &c->nrooms, &c->ndays,
		&c->periods_per_day, &c->ncurricula, &c->nconstraints,
	};
	static const long lo[] = { 0, 0, 1, 1, 1, 0, 0 };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (expect_line(lx, keys[i], err))
			return -1;
		if (!ctt_tok_is(&lx->tok[0], keys[i])) {
			ctt_errf(err, lx->line, "expected header \"%s\"",
				 keys[i]);
			return -1;
		}
		if (lx->ntok != 2) {
			ctt_errf(err, lx->line, "\"%s\" takes exactly one value",
				 keys[i]);
			return -1;
		}
		if (i == 0) {
			c->name = dup_tok(&lx->tok[1]);
			if (!c->name) {
				ctt_errf(err, lx->line, "out of memory");
				return -1;
			}
		} else if (ctt_tok_int(&lx->tok[1], lo[i], MAX_ENTITIES,
				       vals[i])) {
			ctt_errf(err, lx->line,
				 "\"%s\" needs an integer from %ld to %d",
				 keys[i], lo[i], MAX_ENTITIES);
			return -1;
		}
		if (vals[i] == &c->periods_per_day &&
		    (long)c->ndays * c->periods_per_day > MAX_PERIODS) {
			ctt_errf(err, lx->line,
				 "too many periods (days x periods > %d)",
				 MAX_PERIODS);
			return -1;
		}
	}
	c->nperiods = c->ndays * c->periods_per_day;
	return 0;
}

static int teacher_index(struct ctt *c, const struct ctt_tok *t)
{
	int at, rc = named(c->teacher_names, t->s, t->len, &at);

	if (rc > 0)
		return at;
	for (int i = 0; rc < 0 && i < c->nteachers; i++)
		if (name_eq(c->teachers[i], t->s, t->len))
			return i;
	char *s = dup_tok(t);
	if (!s || name_add(c->teacher_names, t->s, t->len, c->nteachers)) {
		free(s);
		return -1;
	}
	c->teachers[c->nteachers] = s;
	return c->nteachers++;
}

static int parse_courses(struct ctt_lex *lx, struct ctt *c,
			 char err[CTT_ERR_MAX])
{
	long total = 0;

	if (expect_section(lx, "COURSES:", err))
		return -1;
	c->courses = calloc((size_t)c->ncourses + 1, sizeof *c->courses);
	c->teachers = calloc((size_t)c->ncourses + 1, sizeof *c->teachers);
	if (!c->courses || !c->teachers)
		goto oom;
	for (int i = 0; i < c->ncourses; i++) {
		struct ctt_course *co = &c->courses[i];

		if (expect_line(lx, "a course line", err))
			return -1;
		if (lx->ntok != 5) {
			ctt_errf(err, lx->line,
				 "a course line has 5 fields (course teacher "
				 "lectures min_working_days students), found %d",
				 lx->ntok);
			return -1;
		}
		if (ctt_course_index(c, lx->tok[0].s, lx->tok[0].len) >= 0) {
			ctt_errf(err, lx->line, "course \"%.*s\" defined twice",
				 (int)lx->tok[0].len, lx->tok[0].s);
			return -1;
		}
		/* More working days than the week has is legal: the format
		 * allows it, and the cost counts the shortfall (the official
		 * validator does the same). The bound keeps the cost in an
		 * int over every course. */
		if (ctt_tok_int(&lx->tok[2], 0, c->nperiods, &co->lectures) ||
		    ctt_tok_int(&lx->tok[3], 0, MAX_MIN_DAYS, &co->min_days) ||
		    ctt_tok_int(&lx->tok[4], 0, INT_MAX / 2, &co->students)) {
			ctt_errf(err, lx->line,
				 "course \"%.*s\": lectures (0..%d), "
				 "min_working_days (0..%d) and students must "
				 "be non-negative integers",
				 (int)lx->tok[0].len, lx->tok[0].s,
				 c->nperiods, MAX_MIN_DAYS);
			return -1;
		}
		co->name = dup_tok(&lx->tok[0]);
		if (!co->name || name_add(c->course_names, lx->tok[0].s,
					  lx->tok[0].len, i))
			goto oom;
		co->teacher = teacher_index(c, &lx->tok[1]);
		if (co->teacher < 0)
			goto oom;
		total += co->lectures;
		if (total > MAX_LECTURES) {
			ctt_errf(err, lx->line, "too many lectures (more than %d)",
				 MAX_LECTURES);
			return -1;
		}
	}
	c->nlectures = (int)total;
	return 0;
oom:
	ctt_errf(err, lx->line, "out of memory");
	return -1;
}

static int parse_rooms(struct ctt_lex *lx, struct ctt *c,
		       char err[CTT_ERR_MAX])
{
	if (expect_section(lx, "ROOMS:", err))
		return -1;
	c->rooms = calloc((size_t)c->nrooms + 1, sizeof *c->rooms);
	if (!c->rooms) {
		ctt_errf(err, lx->line, "out of memory");
		return -1;
	}
	for (int i = 0; i < c->nrooms; i++) {
		if (expect_line(lx, "a room line", err))
			return -1;
		if (lx->ntok != 2) {
			ctt_errf(err, lx->line,
				 "a room line has 2 fields (room capacity), "
				 "found %d", lx->ntok);
			return -1;
		}
		if (ctt_room_index(c, lx->tok[0].s, lx->tok[0].len) >= 0) {
			ctt_errf(err, lx->line, "room \"%.*s\" defined twice",
				 (int)lx->tok[0].len, lx->tok[0].s);
			return -1;
		}
		if (ctt_tok_int(&lx->tok[1], 0, INT_MAX / 2,
				&c->rooms[i].capacity)) {
			ctt_errf(err, lx->line,
				 "room \"%.*s\": capacity must be a "
				 "non-negative integer",
				 (int)lx->tok[0].len, lx->tok[0].s);
			return -1;
		}
		c->rooms[i].name = dup_tok(&lx->tok[0]);
		if (!c->rooms[i].name ||
		    name_add(c->room_names, lx->tok[0].s, lx->tok[0].len, i)) {
			ctt_errf(err, lx->line, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int parse_curricula(struct ctt_lex *lx, struct ctt *c,
			   char err[CTT_ERR_MAX])
{
	if (expect_section(lx, "CURRICULA:", err))
		return -1;
	c->curricula = calloc((size_t)c->ncurricula + 1, sizeof *c->curricula);
	if (!c->curricula)
		goto oom;
	for (int i = 0; i < c->ncurricula; i++) {
		struct ctt_curriculum *g = &c->curricula[i];
		int n;

		if (expect_line(lx, "a curriculum line", err))
			return -1;
		if (lx->ntok < 2 ||
		    ctt_tok_int(&lx->tok[1], 0, c->ncourses, &n)) {
			ctt_errf(err, lx->line,
				 "a curriculum line is: curriculum n course1 "
				 "... coursen, with n from 0 to %d",
				 c->ncourses);
			return -1;
		}
		if (lx->ntok != n + 2) {
			ctt_errf(err, lx->line,
				 "curriculum \"%.*s\" announces %d courses but "
				 "lists %d", (int)lx->tok[0].len, lx->tok[0].s,
				 n, lx->ntok - 2);
			return -1;
		}
		for (int k = 0; k < i; k++)
			if (name_eq(c->curricula[k].name, lx->tok[0].s,
				    lx->tok[0].len)) {
				ctt_errf(err, lx->line,
					 "curriculum \"%.*s\" defined twice",
					 (int)lx->tok[0].len, lx->tok[0].s);
				return -1;
			}
		g->name = dup_tok(&lx->tok[0]);
		g->courses = malloc(((size_t)n + 1) * sizeof *g->courses);
		if (!g->name || !g->courses)
			goto oom;
		for (int k = 0; k < n; k++) {
			const struct ctt_tok *t = &lx->tok[k + 2];
			int ci = ctt_course_index(c, t->s, t->len);
			int dup = 0;

			if (ci < 0) {
				ctt_errf(err, lx->line,
					 "curriculum \"%s\": unknown course "
					 "\"%.*s\"", g->name, (int)t->len, t->s);
				return -1;
			}
			for (int j = 0; j < g->ncourses; j++)
				dup |= g->courses[j] == ci;
			if (!dup)
				g->courses[g->ncourses++] = ci;
		}
	}
	return 0;
oom:
	ctt_errf(err, lx->line, "out of memory");
	return -1;
}

static int parse_unavailability(struct ctt_lex *lx, struct ctt *c,
				char err[CTT_ERR_MAX])
{
	if (expect_section(lx, "UNAVAILABILITY_CONSTRAINTS:", err))
		return -1;
	c->unavail = calloc((size_t)c->ncourses * (size_t)c->nperiods + 1, 1);
	if (!c->unavail) {
		ctt_errf(err, lx->line, "out of memory");
		return -1;
	}
	for (int i = 0; i < c->nconstraints; i++) {
		int ci, d, s;

		if (expect_line(lx, "an unavailability line", err))
			return -1;
		if (lx->ntok != 3) {
			ctt_errf(err, lx->line,
				 "an unavailability line has 3 fields (course "
				 "day period), found %d", lx->ntok);
			return -1;
		}
		ci = ctt_course_index(c, lx->tok[0].s, lx->tok[0].len);
		if (ci < 0) {
			ctt_errf(err, lx->line, "unknown course \"%.*s\"",
				 (int)lx->tok[0].len, lx->tok[0].s);
			return -1;
		}
		if (ctt_tok_int(&lx->tok[1], 0, c->ndays - 1, &d) ||
		    ctt_tok_int(&lx->tok[2], 0, c->periods_per_day - 1, &s)) {
			ctt_errf(err, lx->line,
				 "day must be 0..%d and period 0..%d",
				 c->ndays - 1, c->periods_per_day - 1);
			return -1;
		}
		c->unavail[(size_t)ci * (size_t)c->nperiods +
			   (size_t)(d * c->periods_per_day + s)] = 1;
	}
	if (expect_section(lx, "END.", err))
		return -1;
	if (ctt_lex_next(lx)) {
		if (ctt_lex_refuse(lx, err) == 0)
			ctt_errf(err, lx->line, "text after \"END.\"");
		return -1;
	}
	return 0;
}

/*==== Derived tables ====*/

static int derive(struct ctt *c)
{
	size_t nc = (size_t)c->ncourses;
	int total = 0;

	c->conflict = calloc(nc * nc + 1, 1);
	c->course_curricula_start = calloc(nc + 1, sizeof(int));
	c->first_lecture = calloc(nc + 1, sizeof(int));
	c->lecture_course = calloc((size_t)c->nlectures + 1, sizeof(int));
	for (int g = 0; g < c->ncurricula; g++)
		total += c->curricula[g].ncourses;
	c->course_curricula = calloc((size_t)total + 1, sizeof(int));
	if (!c->conflict || !c->course_curricula_start || !c->first_lecture ||
	    !c->lecture_course || !c->course_curricula)
		return -1;

	for (size_t a = 0; a < nc; a++)
		for (size_t b = 0; b < nc; b++)
			if (a != b && c->courses[a].teacher == c->courses[b].teacher)
				c->conflict[a * nc + b] = 1;
	for (int g = 0; g < c->ncurricula; g++) {
		const struct ctt_curriculum *cu = &c->curricula[g];
		for (int i = 0; i < cu->ncourses; i++) {
			c->course_curricula_start[cu->courses[i] + 1]++;
			for (int j = 0; j < cu->ncourses; j++)
				if (i != j)
					c->conflict[(size_t)cu->courses[i] * nc +
						    (size_t)cu->courses[j]] = 1;
		}
	}
	for (size_t a = 0; a < nc; a++)
		c->course_curricula_start[a + 1] += c->course_curricula_start[a];
	{
		int *fill = calloc(nc + 1, sizeof(int));
		if (!fill)
			return -1;
		for (int g = 0; g < c->ncurricula; g++) {
			const struct ctt_curriculum *cu = &c->curricula[g];
			for (int i = 0; i < cu->ncourses; i++) {
				int co = cu->courses[i];
				c->course_curricula[c->course_curricula_start[co] +
						    fill[co]++] = g;
			}
		}
		free(fill);
	}
	for (size_t a = 0; a < nc; a++) {
		c->first_lecture[a + 1] = c->first_lecture[a] +
					  c->courses[a].lectures;
		for (int l = c->first_lecture[a]; l < c->first_lecture[a + 1]; l++)
			c->lecture_course[l] = (int)a;
	}
	return 0;
}

static int names_new(struct keyset **names)
{
	*names = malloc(sizeof(**names));
	if (*names && !keyset_init(*names))
		return 0;
	free(*names);
	*names = NULL;
	return -1;
}

static void names_free(struct keyset *names)
{
	keyset_release(names);
	free(names);
}

int ctt_parse(struct ctt *out, const char *buf, size_t len,
	      char err[CTT_ERR_MAX])
{
	struct ctt_lex lx;

	memset(out, 0, sizeof *out);
	err[0] = '\0';
	ctt_lex_init(&lx, buf, len);
	if (names_new(&out->course_names) || names_new(&out->room_names) ||
	    names_new(&out->teacher_names)) {
		ctt_errf(err, 0, "out of memory");
		goto fail;
	}
	if (parse_header(&lx, out, err) || parse_courses(&lx, out, err) ||
	    parse_rooms(&lx, out, err) || parse_curricula(&lx, out, err) ||
	    parse_unavailability(&lx, out, err))
		goto fail;
	if (derive(out)) {
		ctt_errf(err, lx.line, "out of memory");
		goto fail;
	}
	return 0;
fail:
	ctt_release(out);
	return -1;
}
