/*
 * Fuzz harness for the ITC 2007 parsers: the input is a .ctt instance,
 * optionally followed by a line "%%" and a solution for it, which is then
 * scored by the evaluator. Builds with
 * libFuzzer (-Dfuzzing=true) or replays its corpus in the test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/ctt.h"
#include "sched/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *split = NULL;
	char err[CTT_ERR_MAX];
	struct ctt inst;
	struct ctt_solution sol;
	size_t ilen = size;

	for (size_t i = 0; i + 2 < size; i++) {
		if (text[i] == '\n' && text[i + 1] == '%' && text[i + 2] == '%') {
			split = text + i + 3;
			ilen = i + 1;
			break;
		}
	}
	memset(&sol, 0, sizeof(sol));
	if (ctt_parse(&inst, text, ilen, err))
		return 0;
	if (split && !ctt_solution_parse(&inst, split,
					 size - (size_t)(split - text), &sol, err)) {
		/* A solution the reader took is one the evaluator must
		 * score, whatever it holds (`plan itc --check`). */
		struct ctt_cost cost;

		if (!ctt_evaluate(&inst, &sol, &cost))
			(void)ctt_cost_soft(&cost);
		ctt_solution_release(&sol);
	}
	ctt_release(&inst);
	return 0;
}
