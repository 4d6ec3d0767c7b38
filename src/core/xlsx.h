/*
 * Excel workbooks (.xlsx, Office Open XML) read as rows of text: the ZIP
 * through libzip, the XML through expat, never by hand. A cell becomes
 * the text a person sees in it: shared and inline strings as they are,
 * numbers as people write them (0.8, never 0.80000000000000004),
 * booleans as yes/no, and a number in a date format as its ISO date
 * (YYYY-MM-DD), in the workbook's date system (1900, with Excel's
 * phantom 1900-02-29, or 1904).
 */
#ifndef CADRE_CORE_XLSX_H
#define CADRE_CORE_XLSX_H

#include <stddef.h>

#include "util/error.h"

struct xlsx_reader {
	/* The sheet chosen, before its first row. */
	void (*sheet)(void *arg, const char *name);
	/* Row ROW (1-based, as Excel numbers it) of N cells: CELLS[c] is
	 * column c + 1's text, or NULL for no cell. The callee may take a
	 * cell (and set it NULL). Rows with no cell at all are not given.
	 * Nonzero stops the reading. */
	int (*row)(void *arg, long row, char **cells, size_t n);
	/* A cell that holds no value cadre can read (an error such as
	 * #N/A, a date Excel invented): its row is given with it NULL. */
	void (*problem)(void *arg, long row, long col, const char *value,
			const char *reason);
	void *arg;
};

/* Read the SIZE bytes at DATA, a workbook named NAME in messages: the
 * sheet named SHEET, or the first when NULL. -1 with E set (ERR_INPUT)
 * when it is not a workbook, has no such sheet or its XML is broken. */
int xlsx_read(const void *data, size_t size, const char *name,
	      const char *sheet, const struct xlsx_reader *rd,
	      struct error *e);

/* Excel's serial date SERIAL as "YYYY-MM-DD" into OUT (11 bytes), in
 * the 1904 date system when DATE1904. NULL, or why not a date. */
const char *xlsx_serial_date(double serial, int date1904, char out[11]);

/* Is the number format ID (with its CODE when custom, else NULL) a
 * date or time format? */
int xlsx_format_is_date(long id, const char *code);

#endif
