/* CSV import and export of records; see csvio.h. */
#include "core/csvio.h"

#include <csv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "core/validate.h"
#include "core/write.h"
#include "core/xlsx.h"
#include "util/buf.h"
#include "util/keyset.h"

/*==== Import ===========================================================*/

struct importer {
	struct store *s;
	const struct kind *k;
	const char *name;
	/* Where a row is: a CSV file's line, a sheet's row, a JSON array's
	 * element (its index + 1, in the line fields below). */
	enum { SRC_CSV, SRC_XLSX, SRC_JSON } src;
	char *sheet;		/* SRC_XLSX: the sheet read */
	struct error *e;
	struct import_stats *st;

	long line;		/* physical line being fed */
	long row_line;		/* line where the current row starts */
	long next_row;		/* line after the last complete row */
	char **fields;		/* current row's fields */
	size_t nfields, capfields;
	int header_done;
	int header_bad;		/* no use reading rows under a bad header */
	int row_poisoned;	/* a NUL byte in this row: reported, skip it */
	int *colfield;		/* column -> field index, -1 unknown */
	size_t ncols;
	long problems;
	int fatal;		/* the store failed: stop */
	struct write_tx *tx;	/* the one write path's transaction */
	struct error rule;	/* the first rule refusal, for the summary */
	size_t *fieldcol;	/* field index -> column (1-based), 0 absent */
	/* A key given twice in the file is refused. The rows this import
	 * inserted are known by their row ids, which grow: (id, line) in id
	 * order. The keys of records that were there before, which it
	 * updated or left alone, are kept with their line in a set. */
	struct own_row {
		int64_t id;
		long line;
	} *own;
	size_t nown, capown;
	struct keyset keys;
	/* For a kind whose writes the rules between records ask about:
	 * each key written and its line, to name the row a refusal at the
	 * end of the file (TRAINER-CLASH, say) begins with. */
	struct keyset lines;
	int lines_kept;
};

static void bad(struct importer *im, long line, long col, const char *field,
		const char *value, const char *reason)
{
	if (im->src == SRC_XLSX)
		error_add_at(im->e, im->name, im->sheet ? im->sheet : "", line,
			     col, 0, field, value, reason);
	else if (im->src == SRC_JSON)
		error_add_at(im->e, im->name, NULL, 0, 0, line, field, value,
			     reason);
	else
		error_add(im->e, im->name, line, col, field, value, reason);
	im->problems++;
}

/* "line 7", "row 7" or "element 6": where LINE is, in words. */
static const char *where(const struct importer *im, long line, char out[40])
{
	if (im->src == SRC_JSON)
		snprintf(out, 40, "element %ld", line - 1);
	else
		snprintf(out, 40, "%s %ld", im->src == SRC_XLSX ? "row" : "line",
			 line);
	return out;
}

/* Room in im->fields for one more: 0, or -1 out of memory. */
static int grow_fields(struct importer *im)
{
	size_t cap = im->capfields ? im->capfields * 2 : 16;
	char **p;

	if (im->nfields < im->capfields)
		return 0;
	if (!(p = realloc(im->fields, cap * sizeof(*p))))
		return -1;
	im->fields = p;
	im->capfields = cap;
	return 0;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct importer *im = arg;
	char *copy;

	if (memchr(data, '\0', len)) {
		/* A C string would end there: refuse rather than cut. */
		const char *field = NULL;

		if (im->header_done && im->nfields < im->ncols &&
		    im->colfield[im->nfields] >= 0)
			field = im->k->fields[im->colfield[im->nfields]].name;
		bad(im, im->line, (long)im->nfields + 1, field, NULL,
		    "holds a NUL byte");
		im->row_poisoned = 1;
	}
	if (im->nfields == 0) {
		long nl = 0;

		for (size_t i = 0; i < len; i++)
			nl += ((char *)data)[i] == '\n';
		im->row_line = im->line - nl;
	}
	if (grow_fields(im)) {
		im->fatal = 1;
		return;
	}
	copy = malloc(len + 1);
	if (!copy) {
		im->fatal = 1;
		return;
	}
	memcpy(copy, data, len);
	copy[len] = '\0';
	im->fields[im->nfields++] = copy;
}

static void clear_row(struct importer *im)
{
	for (size_t i = 0; i < im->nfields; i++)
		free(im->fields[i]);
	im->nfields = 0;
}

static void header(struct importer *im)
{
	const struct kind *k = im->k;

	im->ncols = im->nfields;
	im->colfield = calloc(im->ncols ? im->ncols : 1, sizeof(int));
	im->fieldcol = calloc(k->nfields, sizeof(size_t));
	if (!im->colfield || !im->fieldcol) {
		im->fatal = 1;
		return;
	}
	for (size_t c = 0; c < im->ncols; c++) {
		const char *h = im->fields[c];
		int f = kind_field_index(k, h);

		im->colfield[c] = f;
		if (f < 0) {
			bad(im, im->row_line, (long)c + 1, h, NULL,
			    "unknown column");
			continue;
		}
		if (im->fieldcol[f]) {
			bad(im, im->row_line, (long)c + 1, h, NULL,
			    "column given twice");
			continue;
		}
		im->fieldcol[f] = c + 1;
	}
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];

		if ((f->flags & FF_REQUIRED) && !f->def && !im->fieldcol[i])
			bad(im, im->row_line, 0, f->name, NULL,
			    "required column missing");
	}
	im->header_done = 1;
	im->header_bad = im->problems > 0;
}

struct row_ctx {
	struct importer *im;
	long line;
};

static void on_problem(void *arg, size_t field, const char *value,
		       const char *reason)
{
	struct row_ctx *rc = arg;
	struct importer *im = rc->im;

	bad(im, rc->line, (long)im->fieldcol[field], im->k->fields[field].name,
	    value, reason);
}

/* Remember that this import inserted row ID, from the current row. */
static int own_add(struct importer *im, int64_t id)
{
	size_t at = im->nown;

	if (im->nown == im->capown) {
		size_t cap = im->capown ? im->capown * 2 : 1024;
		struct own_row *p = realloc(im->own, cap * sizeof(*p));

		if (!p)
			return -1;
		im->own = p;
		im->capown = cap;
	}
	/* Ids come in increasing order; keep the order if one does not. */
	while (at > 0 && im->own[at - 1].id > id)
		at--;
	memmove(im->own + at + 1, im->own + at,
		(im->nown - at) * sizeof(*im->own));
	im->own[at] = (struct own_row){ id, im->row_line };
	im->nown++;
	return 0;
}

/* The line of the row that inserted row ID, or 0 when this import did not. */
static long own_line(const struct importer *im, int64_t id)
{
	size_t lo = 0, hi = im->nown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (im->own[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < im->nown && im->own[lo].id == id ? im->own[lo].line : 0;
}

/* After the row's record was written (RES): has the file given its key
 * before? 1 with that line in *FIRST, 0 when not, -1 out of memory. */
static int seen_before(struct importer *im, const struct record *r,
		       enum put_result res, long *first)
{
	int64_t id = store_put_id(im->s);
	int rc;

	if (res == PUT_INSERTED)
		return own_add(im, id) ? -1 : 0;
	if ((*first = own_line(im, id)))
		return 1;
	rc = keyset_add(&im->keys, r->key, strlen(r->key), im->row_line, first);
	return rc < 0 ? -1 : !rc;
}

/* The row's record R was refused (ERR): a row's problem when the refusal
 * is the row's (a rule, its markings, a key taken), else the import
 * stops with the cause kept (the database failed: not a row's fault). */
static void refused(struct importer *im, const struct record *r,
		    struct error *err)
{
	const struct kind *k = im->k;
	struct buf why = BUF_INIT;

	switch (err->code) {
	case ERR_RULE:
		/* Whole: a message cut might end inside a character. */
		buf_addf(&why, "%s: %s", err->rule, err->message);
		bad(im, im->row_line, 0, k->key_column, r->key,
		    why.failed ? err->message : buf_str(&why));
		buf_release(&why);
		if (!im->rule.rule) {
			im->rule = *err;	/* keep the first */
			error_init(err);
		}
		return;
	case ERR_FORBIDDEN:
		if (err->nitems && err->items[0].field) {
			const struct error_item *it = &err->items[0];
			int f = kind_field_index(k, it->field);

			bad(im, im->row_line, f < 0 ? 0 : (long)im->fieldcol[f],
			    it->field, it->value, it->reason);
		} else {
			bad(im, im->row_line, 0, NULL, r->key, err->message);
		}
		return;
	case ERR_CONFLICT:
		bad(im, im->row_line, 0, k->key_column, r->key, err->message);
		return;
	default: {
		char at[40];

		error_set(im->e, err->code, "%s: %s: %s", im->name,
			  where(im, im->row_line, at),
			  err->message ? err->message : "failed");
		im->fatal = 1;
	}
	}
}

/* Write the record R that the current row gave, as one row of the file. */
static void put_row(struct importer *im, struct record *r)
{
	const struct kind *k = im->k;
	struct row_ctx rc = { im, im->row_line };
	struct write_opts wo = { .mode = WRITE_PUT, .problem = on_problem,
				 .problem_arg = &rc };
	enum put_result res;
	struct error err;
	long first;
	int n;

	im->st->rows++;
	error_init(&err);
	n = write_put(im->tx, r, &wo, &res, &err);
	if (n > 0) {
		error_release(&err);
		return;		/* each problem reported */
	}
	if (n < 0) {
		refused(im, r, &err);
		error_release(&err);
		return;
	}
	error_release(&err);
	/* The second row of a key has just been written over the first:
	 * the file is refused, so that write is rolled back with the rest. */
	switch (seen_before(im, r, res, &first)) {
	case -1:
		im->fatal = 1;
		return;
	case 1: {
		char why[96], at[40];

		snprintf(why, sizeof(why), "the same record as %s",
			 where(im, first, at));
		bad(im, im->row_line, 0, k->key_column, r->key, why);
		return;
	}
	}
	if (im->lines_kept &&
	    keyset_add(&im->lines, r->key, strlen(r->key), im->row_line,
		       &first) < 0)
		im->lines_kept = 0;	/* out of memory: no line, no harm */
	im->st->inserted += res == PUT_INSERTED;
	im->st->updated += res == PUT_UPDATED;
	im->st->unchanged += res == PUT_UNCHANGED;
}

/* The current row's fields (under the header's columns) as a record. */
static void row(struct importer *im)
{
	struct record r = { 0 };

	if (im->nfields != im->ncols) {
		char why[96];

		snprintf(why, sizeof(why), "row has %zu fields, the header %zu",
			 im->nfields, im->ncols);
		bad(im, im->row_line, 0, NULL, NULL, why);
		return;
	}
	if (record_init(&r, im->k)) {
		im->fatal = 1;
		return;
	}
	/* The parsed fields become the record's values: no second copy. */
	for (size_t c = 0; c < im->ncols; c++)
		if (im->colfield[c] >= 0)
			record_take(&r, (size_t)im->colfield[c], &im->fields[c]);
	put_row(im, &r);
	record_release(&r);
}

/* The line of the first record RULE names that this file wrote (0:
 * none), and which record it is, into *KEY. */
static long rule_line(struct importer *im, const struct error *rule,
		      const char **key)
{
	for (size_t i = 0; im->lines_kept && i < rule->nrecords; i++) {
		long line = 0;
		const char *k = rule->records[i];

		if (keyset_add(&im->lines, k, strlen(k), 0, &line) == 0 && line) {
			*key = k;
			return line;
		}
	}
	return 0;
}

static void on_row(int c, void *arg)
{
	struct importer *im = arg;

	(void)c;
	im->next_row = im->line + 1;
	if (im->fatal)
		goto out;
	if (im->row_poisoned && !im->header_done)
		im->header_done = im->header_bad = 1;	/* reported already */
	else if (im->row_poisoned)
		;	/* reported already */
	else if (!im->header_done)
		header(im);
	else if (!im->header_bad)
		row(im);
out:
	im->row_poisoned = 0;
	clear_row(im);
}

static const char *csv_reason(int err)
{
	switch (err) {
	case CSV_EPARSE:
		return "malformed CSV in the row starting on this line: a "
		       "quote inside an unquoted field, or a quoted field "
		       "never closed";
	case CSV_ENOMEM:
		return "out of memory";
	case CSV_ETOOBIG:
		return "field too large";
	}
	return "malformed CSV";
}

/* What the file's reading needs inside the write's transaction. */
struct reading {
	struct importer *im;
	FILE *file;
	const struct import_opts *o;
	struct csv_parser *p;
	const void *data;	/* a workbook's bytes */
	size_t size;
};

/* Excel in many locales writes ';' between fields, where ',' is the
 * decimal mark: the header line tells, by which of the two it has more
 * of outside quotes (a header names fields, so holds neither in them). */
static char guess_delimiter(const char *line, size_t n)
{
	size_t commas = 0, semis = 0;
	int quoted = 0;

	for (size_t i = 0; i < n; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			commas += line[i] == ',', semis += line[i] == ';';
	}
	return semis > commas ? ';' : ',';
}

/* After every row was read and written in T: 0 when the whole file may
 * be committed, -1 with E set (each problem an item). */
static int finish(struct importer *im, struct write_tx *t, struct error *e)
{
	const char *name = im->name;

	if (im->fatal) {
		if (!e->message)
			error_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	if (!im->header_done && im->src != SRC_JSON)
		bad(im, 1, 0, NULL, NULL, im->src == SRC_XLSX ?
		    "empty sheet: no header row" : "empty file: no header row");
	if (!im->problems && write_tx_finish(t, e)) {
		if (e->code != ERR_RULE)
			return -1;
		/* A rule over the whole file: the row of the first record
		 * it names that the file wrote, if any. */
		const char *key = NULL;
		long at;

		error_release(&im->rule);
		im->rule = *e;
		error_init(e);
		at = rule_line(im, &im->rule, &key);
		bad(im, at, 0, at ? im->k->key_column : NULL, key,
		    im->rule.message);
	}
	if (im->problems) {
		error_set(e, im->rule.rule ? ERR_RULE : ERR_INPUT,
			  "%s: %ld problem%s; nothing was imported%s%s", name,
			  im->problems, im->problems == 1 ? "" : "s",
			  im->rule.rule ? ". First: " : "",
			  im->rule.rule ? im->rule.message : "");
		if (im->rule.rule) {
			error_set_rule(e, im->rule.rule);
			for (size_t i = 0; i < im->rule.nrecords; i++)
				error_add_record(e, im->rule.records[i]);
			for (size_t i = 0; i < im->rule.ndates; i++)
				error_add_date(e, im->rule.dates[i]);
		}
		return -1;
	}
	return 0;
}

/* Read and write every row in T (the one write path's transaction);
 * 0 when the whole file may be committed, -1 with E set. */
static int read_rows(struct write_tx *t, void *arg, struct error *e)
{
	struct reading *rd = arg;
	struct importer *im = rd->im;
	struct csv_parser *p = rd->p;
	const char *name = im->name;
	struct stat sb;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t total = 0, done = 0;
	int ret = -1;

	im->tx = t;
	if (!fstat(fileno(rd->file), &sb) && S_ISREG(sb.st_mode))
		total = (uint64_t)sb.st_size;
	while (!im->fatal && (len = getline(&line, &cap, rd->file)) > 0) {
		const char *data = line;
		size_t n = (size_t)len;

		im->line++;
		done += n;
		if (im->line == 1 && n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
			data += 3;
			n -= 3;
		}
		if (im->line == 1 && !rd->o->delimiter)
			csv_set_delim(p, guess_delimiter(data, n));
		if (csv_parse(p, data, n, on_field, on_row, im) != n) {
			bad(im, im->next_row, 0, NULL, NULL, csv_reason(csv_error(p)));
			break;
		}
		if (rd->o->progress)
			rd->o->progress(rd->o->progress_arg, done, total);
	}
	if (ferror(rd->file)) {
		error_set(e, ERR_IO, "%s: read error", name);
		goto out;
	}
	if (!im->fatal && csv_fini(p, on_field, on_row, im))
		bad(im, im->next_row, 0, NULL, NULL, csv_reason(csv_error(p)));
	ret = finish(im, t, e);
out:
	free(line);
	return ret;
}

/*---- Excel workbooks -------------------------------------------------*/

static void xlsx_sheet(void *arg, const char *name)
{
	struct importer *im = arg;

	free(im->sheet);
	if (!(im->sheet = strdup(name)))
		im->fatal = 1;
}

static void xlsx_problem(void *arg, long at, long col, const char *value,
			 const char *reason)
{
	struct importer *im = arg;
	const char *field = NULL;

	if (im->header_done && (size_t)col <= im->ncols &&
	    im->colfield[col - 1] >= 0)
		field = im->k->fields[im->colfield[col - 1]].name;
	bad(im, at, col, field, value, reason);
	im->row_line = at;
	im->row_poisoned = 1;	/* its row is not read */
}

/* A sheet's row: the header's columns are its fields, cells absent or
 * empty are empty fields as in CSV, and a row of empty cells (Excel
 * keeps formatted ones) is no row. */
static int xlsx_row(void *arg, long at, char **cells, size_t n)
{
	struct importer *im = arg;
	int poisoned = im->row_poisoned && im->row_line == at, empty = 1;

	im->row_poisoned = 0;
	im->row_line = at;
	for (size_t c = 0; c < n; c++)
		empty &= !cells[c] || !*cells[c];
	if (im->fatal)
		return 1;
	if (empty && !poisoned)
		return 0;
	if (!im->header_done && poisoned) {
		im->header_done = im->header_bad = 1;
		return 0;
	}
	if (im->header_bad || poisoned)
		return 0;
	/* Cells past the header's last name are styled, not named. */
	while (!im->header_done && n && (!cells[n - 1] || !*cells[n - 1]))
		n--;
	if (im->header_done) {
		for (size_t c = im->ncols; c < n; c++)
			if (cells[c] && *cells[c])
				bad(im, at, (long)c + 1, NULL, cells[c],
				    "a value in a column the header does not "
				    "name");
		if (n > im->ncols)
			n = im->ncols;
	}
	clear_row(im);
	for (size_t c = 0; c < (im->header_done ? im->ncols : n); c++) {
		char *v = c < n && cells[c] ? cells[c] : strdup("");

		if (c < n)
			cells[c] = NULL;
		if (!v || grow_fields(im)) {
			free(v);
			im->fatal = 1;
			return 1;
		}
		im->fields[im->nfields++] = v;
	}
	if (!im->header_done)
		header(im);
	else
		row(im);
	clear_row(im);
	return im->fatal;
}

static int read_sheet(struct write_tx *t, void *arg, struct error *e)
{
	struct reading *rd = arg;
	struct importer *im = rd->im;
	struct xlsx_reader x = { xlsx_sheet, xlsx_row, xlsx_problem, im };

	im->tx = t;
	if (xlsx_read(rd->data, rd->size, im->name, rd->o->sheet, &x, e))
		return -1;
	return finish(im, t, e);
}

/*---- JSON, as `export --format json` writes it ------------------------*/

/* Element I of the array, an object of fields by name, as a record. */
static void json_element(struct importer *im, size_t i, json_t *o)
{
	struct record r = { 0 };
	const char *name;
	json_t *v;

	im->row_line = (long)i + 1;
	if (!json_is_object(o)) {
		bad(im, im->row_line, 0, NULL, NULL, "not an object of fields");
		return;
	}
	if (record_init(&r, im->k)) {
		im->fatal = 1;
		return;
	}
	json_object_foreach(o, name, v) {
		int f = kind_field_index(im->k, name);
		char *text = NULL;
		int rc;

		/* A composite key is its fields joined: export writes it,
		 * the fields say it. */
		if (f < 0 && !strcmp(name, "key") && kind_composite_key(im->k))
			continue;
		if (f < 0) {
			bad(im, im->row_line, 0, name, NULL, "unknown field");
			continue;
		}
		rc = json_cell_dup(v, &text);
		if (rc == -2) {
			im->fatal = 1;
			break;
		}
		if (rc) {
			bad(im, im->row_line, 0, name, NULL, "not a string, "
			    "number, boolean or null");
			continue;
		}
		record_take(&r, (size_t)f, &text);
	}
	/* Its other fields are checked all the same (every problem
	 * reported); the file is refused, so nothing of it stays. */
	if (!im->fatal)
		put_row(im, &r);
	record_release(&r);
}

static int read_json(struct write_tx *t, void *arg, struct error *e)
{
	struct reading *rd = arg;
	struct importer *im = rd->im;
	json_error_t je;
	json_t *doc, *o;
	size_t i;
	int rc;

	im->tx = t;
	if (!(doc = json_loadf(rd->file, JSON_REJECT_DUPLICATES, &je)))
		return error_set(e, ERR_INPUT, "%s: line %d, column %d: not "
				 "JSON: %s", im->name, je.line, je.column,
				 je.text);
	if (!json_is_array(doc)) {
		json_decref(doc);
		return error_set(e, ERR_INPUT, "%s: not a JSON array of "
				 "records (as `cadre export %s --format json` "
				 "writes)", im->name, im->k->name);
	}
	/* No header: each element names its fields. */
	im->header_done = 1;
	im->fieldcol = calloc(im->k->nfields, sizeof(size_t));
	if (!im->fieldcol)
		im->fatal = 1;
	json_array_foreach(doc, i, o) {
		if (im->fatal)
			break;
		json_element(im, i, o);
		if (rd->o->progress)
			rd->o->progress(rd->o->progress_arg, i + 1,
					json_array_size(doc));
	}
	json_decref(doc);
	rc = finish(im, t, e);
	return rc;
}

/*---- One import, whatever the file ------------------------------------*/

static int run_import(struct importer *im, struct reading *rd,
		      int (*read)(struct write_tx *, void *, struct error *))
{
	const struct import_opts *o = rd->o;
	struct error *e = im->e;
	unsigned flags = (o->dry_run ? WRITE_DRY_RUN : 0) |
			 (o->nested ? WRITE_NESTED : 0);
	int ret;

	memset(im->st, 0, sizeof(*im->st));
	if (write_may(o->who, im->k, e))
		return -1;
	error_init(&im->rule);
	if (keyset_init(&im->keys))
		return error_set(e, ERR_STORE, "libsodium cannot start");
	im->lines_kept = check_guard_asks(im->k) && !keyset_init(&im->lines);
	/* One transaction, as the caller, through the one write path: every
	 * row is checked as that caller's write (core/write.h). */
	ret = write_many(im->s, o->who, flags, read, rd, e);
	keyset_release(&im->keys);
	keyset_release(&im->lines);
	free(im->own);
	error_release(&im->rule);
	clear_row(im);
	free(im->fields);
	free(im->colfield);
	free(im->fieldcol);
	free(im->sheet);
	return ret;
}

int import_csv(struct store *s, const struct kind *k, FILE *file,
	       const char *name, const struct import_opts *o,
	       struct import_stats *st, struct error *e)
{
	struct importer im = { .s = s, .k = k, .name = name, .e = e, .st = st,
			       .next_row = 1 };
	struct csv_parser p;
	struct reading rd = { .im = &im, .file = file, .o = o, .p = &p };
	int ret;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL))
		return error_set(e, ERR_NOMEM, "out of memory");
	if (o->delimiter)
		csv_set_delim(&p, (unsigned char)o->delimiter);
	ret = run_import(&im, &rd, read_rows);
	csv_free(&p);
	return ret;
}

int import_xlsx(struct store *s, const struct kind *k, const void *data,
		size_t size, const char *name, const struct import_opts *o,
		struct import_stats *st, struct error *e)
{
	struct importer im = { .s = s, .k = k, .name = name, .e = e, .st = st,
			       .src = SRC_XLSX };
	struct reading rd = { .im = &im, .o = o, .data = data, .size = size };

	return run_import(&im, &rd, read_sheet);
}

int import_json(struct store *s, const struct kind *k, FILE *file,
		const char *name, const struct import_opts *o,
		struct import_stats *st, struct error *e)
{
	struct importer im = { .s = s, .k = k, .name = name, .e = e, .st = st,
			       .src = SRC_JSON };
	struct reading rd = { .im = &im, .file = file, .o = o };

	return run_import(&im, &rd, read_json);
}

/*==== Export ===========================================================*/

struct exporter {
	FILE *out;
	long rows;
	long total;
	progress_fn progress;
	void *progress_arg;
};

/* RFC 4180: quote a field holding a comma, quote, CR or LF, or with
 * surrounding spaces. */
void csv_put_field(FILE *out, const char *v)
{
	if (!v)
		return;
	if (!strpbrk(v, ",\"\r\n") && v[0] != ' ' &&
	    (!*v || v[strlen(v) - 1] != ' ')) {
		fputs(v, out);
		return;
	}
	csv_fwrite(out, v, strlen(v));
}

static int export_row(void *arg, const struct record *r,
		      const char *const *derived)
{
	struct exporter *x = arg;

	(void)derived;
	for (size_t i = 0; i < r->kind->nfields; i++) {
		if (i)
			fputc(',', x->out);
		csv_put_field(x->out, r->v[i]);
	}
	fputs("\r\n", x->out);
	x->rows++;
	if (x->progress)
		x->progress(x->progress_arg, (uint64_t)x->rows,
			    (uint64_t)x->total);
	return ferror(x->out) ? -2 : 0;
}

long export_csv(struct store *s, const struct principal *who,
		const struct kind *k, FILE *out, progress_fn progress,
		void *progress_arg, struct error *e)
{
	struct exporter x = { .out = out, .progress = progress,
			      .progress_arg = progress_arg };
	struct query q = { .who = who };
	int rc;

	x.total = progress ? (long)store_count(s, who, k, e) : 0;
	for (size_t i = 0; i < k->nfields; i++)
		fprintf(out, "%s%s", i ? "," : "", k->fields[i].name);
	fputs("\r\n", out);
	rc = store_each(s, k, &q, export_row, &x, e);
	if (rc == -2 || ferror(out))
		return error_set(e, ERR_IO, "write error");
	return rc ? -1 : x.rows;
}

int json_cell_dup(json_t *v, char **out)
{
	char tmp[40];

	*out = NULL;
	if (json_is_string(v))
		return (*out = strndup(json_string_value(v),
				       json_string_length(v))) ? 0 : -2;
	if (json_is_integer(v))
		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(tmp, sizeof(tmp), "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(tmp, sizeof(tmp), "%s", json_is_true(v) ? "yes" : "no");
	else if (v && !json_is_null(v))
		return -1;
	else
		return 0;
	return (*out = strdup(tmp)) ? 0 : -2;
}

int json_cell_text(json_t *v, char *out, size_t n)
{
	char *text;
	int rc = json_cell_dup(v, &text);

	out[0] = '\0';
	if (rc == -2)
		return -2;
	if (text && strlen(text) >= n)
		rc = -2;
	else if (text)
		memcpy(out, text, strlen(text) + 1);
	free(text);
	return rc;
}
