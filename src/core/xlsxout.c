/* Records as an Excel workbook (libxlsxwriter); see csvio.h. */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/csvio.h"
#include "util/date.h"

struct xlsx_out {
	lxw_worksheet *ws;
	lxw_format *date_fmt;
	double *width;
	long rows;
	long total;
	progress_fn progress;
	void *progress_arg;
};

/* One value in its cell, typed as its field is: numbers as numbers,
 * yes/no as booleans, dates as dates (a date number format, so that
 * Excel sorts and filters them as dates), the rest as text. */
static void put_cell(struct xlsx_out *x, lxw_row_t r, lxw_col_t c,
		     const struct field *f, const char *v)
{
	int32_t days;
	const char *why;

	switch (f->type) {
	case FT_INT:
	case FT_REAL:
		worksheet_write_number(x->ws, r, c, strtod(v, NULL), NULL);
		break;
	case FT_BOOL:
		worksheet_write_boolean(x->ws, r, c, !strcmp(v, "yes"), NULL);
		break;
	case FT_DATE:
		if (!date_parse(v, &days, &why)) {
			lxw_datetime d = { 0 };

			sscanf(v, "%4d-%2d-%2d", &d.year, &d.month, &d.day);
			worksheet_write_datetime(x->ws, r, c, &d, x->date_fmt);
			break;
		}
		worksheet_write_string(x->ws, r, c, v, NULL);	/* as it is */
		break;
	default:
		worksheet_write_string(x->ws, r, c, v, NULL);
	}
}

static int xlsx_row(void *arg, const struct record *r,
		    const char *const *derived)
{
	struct xlsx_out *x = arg;
	const struct kind *k = r->kind;

	(void)derived;
	x->rows++;
	for (size_t i = 0; i < k->nfields; i++) {
		const char *v = r->v[i];

		if (!v || !*v)
			continue;	/* empty: no cell */
		put_cell(x, (lxw_row_t)x->rows, (lxw_col_t)i, &k->fields[i], v);
		if (strlen(v) + 2 > x->width[i])
			x->width[i] = (double)strlen(v) + 2;
	}
	if (x->progress)
		x->progress(x->progress_arg, (uint64_t)x->rows,
			    (uint64_t)x->total);
	return 0;
}

long export_xlsx(struct store *s, const struct principal *who,
		 const struct kind *k, const char *path, progress_fn progress,
		 void *progress_arg, struct error *e)
{
	lxw_workbook *wb = workbook_new(path);
	struct xlsx_out x = { .progress = progress,
			      .progress_arg = progress_arg };
	struct query q = { .who = who };
	lxw_format *bold;
	int rc;

	if (!wb)
		return error_set(e, ERR_IO, "cannot write %s", path);
	if (!(x.width = calloc(k->nfields, sizeof(double)))) {
		workbook_close(wb);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	x.date_fmt = workbook_add_format(wb);
	format_set_num_format(x.date_fmt, "yyyy-mm-dd");
	/* The sheet is named for the kind, so that a roll sent back reads. */
	x.ws = workbook_add_worksheet(wb, k->name);
	for (size_t i = 0; i < k->nfields; i++) {
		worksheet_write_string(x.ws, 0, (lxw_col_t)i, k->fields[i].name,
				       bold);
		x.width[i] = (double)strlen(k->fields[i].name) + 2;
	}
	worksheet_freeze_panes(x.ws, 1, 0);
	x.total = progress ? (long)store_count(s, who, k, e) : 0;
	rc = store_each(s, k, &q, xlsx_row, &x, e);
	for (size_t i = 0; i < k->nfields; i++)
		worksheet_set_column(x.ws, (lxw_col_t)i, (lxw_col_t)i,
				     x.width[i] > 50 ? 50 : x.width[i], NULL);
	free(x.width);
	if (workbook_close(wb) != LXW_NO_ERROR && !rc)
		return error_set(e, ERR_IO, "cannot write %s", path);
	return rc ? -1 : x.rows;
}
