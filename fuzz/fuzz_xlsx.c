/*
 * Fuzz harness for the workbook importer: any bytes as an .xlsx of any
 * kind into a scratch in-memory database, libzip and expat under the
 * reader's own handling of parts, rows, cells, styles and dates
 * (core/xlsx.c). Builds with libFuzzer (-Dfuzzing=true, clang) or,
 * without it, as a program that replays the files named on its command
 * line (the corpus), so CI runs the corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvio.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store *s;
	struct import_opts o = { .dry_run = 1 };
	struct import_stats st;
	struct error e;
	const struct kind *k;

	if (!s) {
		error_init(&e);
		if (store_open(":memory:", &s, &e))
			abort();
		error_release(&e);
	}
	if (size < 1)
		return 0;
	k = kinds[data[0] % nkinds];
	error_init(&e);
	import_xlsx(s, k, data + 1, size - 1, "fuzz.xlsx", &o, &st, &e);
	error_release(&e);
	return 0;
}
