/* Shared fixtures of the sched tests: loading instances and solutions from
 * tests/data/itc2007 (the directory comes from CADRE_TESTDATA). */
#ifndef CADRE_TEST_SCHED_HELPERS_H
#define CADRE_TEST_SCHED_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/ctt.h"
#include "sched/eval.h"

/* Contents of tests/data/itc2007/NAME; the caller frees it. */
static inline char *slurp_testdata(const char *name, size_t *len)
{
	const char *dir = getenv("CADRE_TESTDATA");
	char path[512];
	FILE *f;
	char *buf;
	long n;

	cr_assert(dir, "CADRE_TESTDATA is not set");
	snprintf(path, sizeof path, "%s/itc2007/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static inline void load_instance(const char *name, struct ctt *inst)
{
	size_t len;
	char err[CTT_ERR_MAX];
	char *text = slurp_testdata(name, &len);

	cr_assert_eq(ctt_parse(inst, text, len, err), 0, "%s: %s", name, err);
	free(text);
}

static inline void load_solution(const struct ctt *inst, const char *name,
				 struct ctt_solution *sol)
{
	size_t len;
	char err[CTT_ERR_MAX];
	char *text = slurp_testdata(name, &len);

	cr_assert_eq(ctt_solution_parse(inst, text, len, sol, err), 0,
		     "%s: %s", name, err);
	free(text);
}

#endif
