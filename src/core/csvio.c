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
#include "util/buf.h"
#include "util/keyset.h"

/*==== Import ===========================================================*/

struct importer {
	struct store *s;
	const struct kind *k;
	const char *name;
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
	error_add(im->e, im->name, line, col, field, value, reason);
	im->problems++;
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
	if (im->nfields == im->capfields) {
		size_t cap = im->capfields ? im->capfields * 2 : 16;
		char **p = realloc(im->fields, cap * sizeof(*p));

		if (!p) {
			im->fatal = 1;
			return;
		}
		im->fields = p;
		im->capfields = cap;
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
	default:
		error_set(im->e, err->code, "%s: line %ld: %s", im->name,
			  im->row_line, err->message ? err->message : "failed");
		im->fatal = 1;
	}
}

static void row(struct importer *im)
{
	const struct kind *k = im->k;
	struct record r = { 0 };
	struct row_ctx rc = { im, im->row_line };
	struct write_opts wo = { .mode = WRITE_PUT, .problem = on_problem,
				 .problem_arg = &rc };
	enum put_result res;
	struct error err;
	long first;
	int n;

	if (record_init(&r, k)) {
		im->fatal = 1;
		return;
	}
	if (im->nfields != im->ncols) {
		char why[96];

		snprintf(why, sizeof(why), "row has %zu fields, the header %zu",
			 im->nfields, im->ncols);
		bad(im, im->row_line, 0, NULL, NULL, why);
		goto out;
	}
	im->st->rows++;
	/* The parsed fields become the record's values: no second copy. */
	for (size_t c = 0; c < im->ncols; c++)
		if (im->colfield[c] >= 0)
			record_take(&r, (size_t)im->colfield[c], &im->fields[c]);
	error_init(&err);
	n = write_put(im->tx, &r, &wo, &res, &err);
	if (n > 0) {
		error_release(&err);
		goto out;	/* each problem reported */
	}
	if (n < 0) {
		refused(im, &r, &err);
		error_release(&err);
		goto out;
	}
	error_release(&err);
	/* The second row of a key has just been written over the first:
	 * the file is refused, so that write is rolled back with the rest. */
	switch (seen_before(im, &r, res, &first)) {
	case -1:
		im->fatal = 1;
		goto out;
	case 1: {
		char why[96];

		snprintf(why, sizeof(why), "the same record as line %ld", first);
		bad(im, im->row_line, 0, k->key_column, r.key, why);
		goto out;
	}
	}
	if (im->lines_kept &&
	    keyset_add(&im->lines, r.key, strlen(r.key), im->row_line,
		       &first) < 0)
		im->lines_kept = 0;	/* out of memory: no line, no harm */
	im->st->inserted += res == PUT_INSERTED;
	im->st->updated += res == PUT_UPDATED;
	im->st->unchanged += res == PUT_UNCHANGED;
out:
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
};

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
	if (im->fatal) {
		if (!e->message)
			error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!im->header_done)
		bad(im, 1, 0, NULL, NULL, "empty file: no header row");
	if (!im->problems && write_tx_finish(t, e)) {
		if (e->code != ERR_RULE)
			goto out;
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
		goto out;
	}
	ret = 0;
out:
	free(line);
	return ret;
}

int import_csv(struct store *s, const struct kind *k, FILE *file,
	       const char *name, const struct import_opts *o,
	       struct import_stats *st, struct error *e)
{
	struct importer im = { .s = s, .k = k, .name = name, .e = e, .st = st,
			       .next_row = 1 };
	struct csv_parser p;
	struct reading rd = { &im, file, o, &p };
	unsigned flags = (o->dry_run ? WRITE_DRY_RUN : 0) |
			 (o->nested ? WRITE_NESTED : 0);
	int ret;

	memset(st, 0, sizeof(*st));
	if (write_may(o->who, k, e))
		return -1;
	error_init(&im.rule);
	if (keyset_init(&im.keys))
		return error_set(e, ERR_STORE, "libsodium cannot start");
	im.lines_kept = check_guard_asks(k) && !keyset_init(&im.lines);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		keyset_release(&im.keys);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	/* One transaction, as the caller, through the one write path: every
	 * row is checked as that caller's write (core/write.h). */
	ret = write_many(s, o->who, flags, read_rows, &rd, e);
	csv_free(&p);
	keyset_release(&im.keys);
	keyset_release(&im.lines);
	free(im.own);
	error_release(&im.rule);
	clear_row(&im);
	free(im.fields);
	free(im.colfield);
	free(im.fieldcol);
	return ret;
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
