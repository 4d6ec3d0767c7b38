/* Reports written as CSV or an Excel workbook. */
#ifndef CADRE_CLI_REPORT_OUT_H
#define CADRE_CLI_REPORT_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "util/error.h"

/* The report's first table as CSV (RFC 4180, CRLF). */
int report_write_csv(json_t *report, FILE *out, struct error *e);

/* A workbook: a summary sheet of the report's single values, then one
 * sheet per table with a bold frozen header row, typed cells (numbers,
 * booleans, dates as dates) and widths that fit. */
int report_write_xlsx(json_t *report, const char *path, struct error *e);

#endif
