/*
 * Fuzz harness for the ITC 2007 parsers: the input is a .ctt instance,
 * optionally followed by a line "%%" and a solution for it. Builds with
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
					 size - (size_t)(split - text), &sol, err))
		ctt_solution_release(&sol);
	ctt_release(&inst);
	return 0;
}

#ifndef CADRE_LIBFUZZER
int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc((size_t)len + 1);
		if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			free(buf);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	printf("1..1\nok 1 - replayed %d corpus files without a crash\n", n);
	return 0;
}
#endif
