/* Reports as CSV (RFC 4180) and Excel workbooks (libxlsxwriter). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "cli/report_out.h"
#include "core/csvio.h"

/*==== Sections =========================================================*/

/* The tables of a report: each array of objects, and each object of
 * objects (counts by something) with its key as the first column. */
struct section {
	char name[32];
	json_t *rows;	/* borrowed or owned (owned set) */
	int owned;
};

static size_t sections(json_t *report, struct section *out, size_t max)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach(report, k, v) {
		if (n == max)
			break;
		if (json_is_array(v) && json_array_size(v) &&
		    json_is_object(json_array_get(v, 0))) {
			snprintf(out[n].name, sizeof(out[n].name), "%.31s", k);
			out[n].rows = v;
			out[n++].owned = 0;
		} else if (json_is_object(v) && json_object_size(v)) {
			json_t *rows = json_array(), *o;
			const char *name;

			json_object_foreach(v, name, o) {
				json_t *row = json_pack("{s:s}", "name", name);

				if (json_is_object(o))
					json_object_update(row, o);
				else
					json_object_set(row, "value", o);
				json_array_append_new(rows, row);
			}
			snprintf(out[n].name, sizeof(out[n].name), "%.31s", k);
			out[n].rows = rows;
			out[n++].owned = 1;
		}
	}
	return n;
}

static void sections_release(struct section *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].owned)
			json_decref(s[i].rows);
}

/* The scalar columns of ROWS in first-seen order (at most MAX). */
static size_t columns(json_t *rows, const char **cols, size_t max)
{
	size_t n = 0, i;
	json_t *row, *v;
	const char *k;

	json_array_foreach(rows, i, row)
		json_object_foreach(row, k, v) {
			size_t j;

			if (json_is_array(v) || json_is_object(v))
				continue;
			for (j = 0; j < n && strcmp(cols[j], k); j++)
				;
			if (j == n && n < max)
				cols[n++] = k;
		}
	return n;
}

/*==== CSV ==============================================================*/

int report_write_csv(json_t *report, FILE *out, struct error *e)
{
	struct section sec[16];
	size_t n = sections(report, sec, 16), nc;
	const char *cols[64];
	json_t *row;
	size_t i;

	if (!n)
		return error_set(e, ERR_INPUT, "this report has no table to write "
				 "as CSV");
	/* CSV holds one table: the report's first. */
	nc = columns(sec[0].rows, cols, 64);
	for (size_t c = 0; c < nc; c++) {
		if (c)
			fputc(',', out);
		csv_put_field(out, cols[c]);
	}
	fputs("\r\n", out);
	json_array_foreach(sec[0].rows, i, row) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				fputc(',', out);
			char *cell = NULL;

			/* Whole, however long: a report is not cut. */
			if (json_cell_dup(json_object_get(row, cols[c]), &cell) == -2) {
				sections_release(sec, n);
				return error_set(e, ERR_NOMEM, "out of memory");
			}
			csv_put_field(out, cell);
			free(cell);
		}
		fputs("\r\n", out);
	}
	sections_release(sec, n);
	return ferror(out) ? error_set(e, ERR_IO, "write error") : 0;
}

/*==== Excel ============================================================*/

static int iso_date(const char *s, lxw_datetime *d)
{
	int y, m, day;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &day, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-')
		return 0;
	*d = (lxw_datetime){ .year = y, .month = m, .day = day };
	return 1;
}

static void write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, json_t *v,
		       lxw_format *date_fmt, double *width)
{
	char *cell = NULL;
	lxw_datetime d;

	if (json_cell_dup(v, &cell) || !cell) {
		free(cell);
		return;	/* null, nested or out of memory: an empty cell */
	}
	if (json_is_integer(v) || json_is_real(v))
		worksheet_write_number(ws, r, c, json_number_value(v), NULL);
	else if (json_is_boolean(v))
		worksheet_write_boolean(ws, r, c, json_is_true(v), NULL);
	else if (json_is_string(v) && iso_date(cell, &d))
		worksheet_write_datetime(ws, r, c, &d, date_fmt);
	else if (json_is_string(v))
		worksheet_write_string(ws, r, c, cell, NULL);
	if (strlen(cell) + 2 > *width)
		*width = (double)strlen(cell) + 2;
	free(cell);
}

int report_write_xlsx(json_t *report, const char *path, struct error *e)
{
	struct section sec[16];
	size_t n = sections(report, sec, 16);
	lxw_workbook *wb = workbook_new(path);
	lxw_format *bold, *date_fmt;
	lxw_worksheet *ws;
	lxw_row_t r = 0;
	const char *k;
	json_t *v;

	if (!wb) {
		sections_release(sec, n);
		return error_set(e, ERR_IO, "cannot write %s", path);
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	date_fmt = workbook_add_format(wb);
	format_set_num_format(date_fmt, "yyyy-mm-dd");
	/* The report's scalars, one per row. */
	ws = workbook_add_worksheet(wb, "summary");
	worksheet_write_string(ws, 0, 0, "item", bold);
	worksheet_write_string(ws, 0, 1, "value", bold);
	worksheet_freeze_panes(ws, 1, 0);
	{
		double w0 = 6, w1 = 8;

		json_object_foreach(report, k, v) {
			if (json_is_array(v) || json_is_object(v))
				continue;
			r++;
			worksheet_write_string(ws, r, 0, k, NULL);
			if (strlen(k) + 2 > w0)
				w0 = (double)strlen(k) + 2;
			write_cell(ws, r, 1, v, date_fmt, &w1);
		}
		worksheet_set_column(ws, 0, 0, w0, NULL);
		worksheet_set_column(ws, 1, 1, w1 > 50 ? 50 : w1, NULL);
	}
	for (size_t s = 0; s < n; s++) {
		const char *cols[64];
		size_t nc = columns(sec[s].rows, cols, 64), i;
		double width[64];
		json_t *row;

		ws = workbook_add_worksheet(wb, sec[s].name);
		for (size_t c = 0; c < nc; c++) {
			worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c], bold);
			width[c] = (double)strlen(cols[c]) + 2;
		}
		worksheet_freeze_panes(ws, 1, 0);
		json_array_foreach(sec[s].rows, i, row)
			for (size_t c = 0; c < nc; c++)
				write_cell(ws, (lxw_row_t)i + 1, (lxw_col_t)c,
					   json_object_get(row, cols[c]), date_fmt,
					   &width[c]);
		for (size_t c = 0; c < nc; c++)
			worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
					     width[c] > 50 ? 50 : width[c], NULL);
	}
	sections_release(sec, n);
	if (workbook_close(wb) != LXW_NO_ERROR)
		return error_set(e, ERR_IO, "cannot write %s", path);
	return 0;
}
