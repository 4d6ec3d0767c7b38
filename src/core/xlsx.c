/* Excel workbooks read as rows of text; see xlsx.h. */
#include "core/xlsx.h"

#include <ctype.h>
#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "util/buf.h"
#include "util/date.h"

/* Past these a file is refused rather than read: a few kilobytes of
 * ZIP can inflate to gigabytes of XML. */
#define PART_MAX ((zip_uint64_t)512 << 20)	/* bytes of one XML part */
#define COL_MAX 16384L				/* XFD, Excel's last */
#define ROW_MAX 1048576L

/*==== Dates and numbers ================================================*/

const char *xlsx_serial_date(double serial, int date1904, char out[11])
{
	double whole = floor(serial);
	long s;

	out[0] = '\0';
	if (!isfinite(serial) || whole < (date1904 ? 0 : 1) || whole > 2958465)
		return "not a date Excel can hold";
	s = (long)whole;
	/* Lotus 1-2-3 took 1900 for a leap year, and Excel keeps its
	 * 1900-02-29 (serial 60) so that old sheets keep their dates: days
	 * after it are one fewer than their serial says. */
	if (!date1904 && s == 60)
		return "1900-02-29, a day that never was (Excel's 1900 leap-year "
		       "bug): type the date again";
	if (date1904)
		s -= 24107;		/* 1904-01-01 is serial 0 */
	else
		s -= s < 60 ? 25568 : 25569;	/* 1900-01-01 is serial 1 */
	if (s > 2932896)	/* 9999-12-31 */
		return "a date after 9999";
	date_format((int32_t)s, out);
	return NULL;
}

/* Built-in formats 14-22 and 45-47 are dates and times; 27-36 and 50-58
 * the East Asian locales' dates. A custom format is one when a date or
 * time letter stands outside its quoted text, escapes and [colours]. */
int xlsx_format_is_date(long id, const char *code)
{
	if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
	    (id >= 45 && id <= 47) || (id >= 50 && id <= 58))
		return 1;
	if (!code)
		return 0;
	for (const char *p = code; *p; p++) {
		switch (*p) {
		case '"':
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
			continue;
		case '\\': case '_': case '*':
			if (p[1])
				p++;
			continue;
		case '[':
			/* [h], [mm], [ss]: elapsed time; [Red], [$-409]: not. */
			if (strchr("hHmMsS", p[1]))
				return 1;
			while (p[1] && p[1] != ']')
				p++;
			continue;
		}
		if (strchr("dDmMyYhHsS", *p))
			return 1;
	}
	return 0;
}

/* Excel's number as people write it: whole numbers without a point,
 * others to 15 significant digits (what Excel itself shows). */
static char *number_text(double x)
{
	char tmp[40];

	if (x == floor(x) && fabs(x) < 1e15)
		snprintf(tmp, sizeof(tmp), "%.0f", x);
	else
		snprintf(tmp, sizeof(tmp), "%.15g", x);
	return strdup(tmp);
}

/*==== Reading one XML part =============================================*/

struct book;

/* The element's name without its namespace prefix (x:row is row). */
static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');

	return c ? c + 1 : name;
}

/* The attribute ATTR of ATTS by local name, without a prefix unless
 * PREFIXED (r:id must be told from id), or NULL. */
static const char *attr(const char **atts, const char *name, int prefixed)
{
	for (size_t i = 0; atts[i]; i += 2) {
		const char *c = strrchr(atts[i], ':');

		if (prefixed ? c && !strcmp(c + 1, name) :
			       !c && !strcmp(atts[i], name))
			return atts[i + 1];
	}
	return NULL;
}

/* Stream the part PATH through PARSER: 0, 1 when the workbook has no
 * such part, -1 with E set. */
static int parse_part(zip_t *z, const char *name, const char *path,
		      XML_Parser parser, int *stop, struct error *e)
{
	char chunk[65536];
	zip_uint64_t total = 0;
	zip_int64_t n;
	zip_file_t *f;
	int rc = 0;

	if (zip_name_locate(z, path, 0) < 0)
		return 1;
	if (!(f = zip_fopen(z, path, 0)))
		return error_set(e, ERR_INPUT, "%s: cannot read %s in the "
				 "workbook: %s", name, path,
				 zip_strerror(z));
	while (!*stop && (n = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		total += (zip_uint64_t)n;
		if (total > PART_MAX) {
			rc = error_set(e, ERR_INPUT, "%s: %s is larger than "
				       "cadre reads (512 MiB)", name, path);
			goto out;
		}
		if (XML_Parse(parser, chunk, (int)n, 0) == XML_STATUS_ERROR)
			goto bad;
	}
	if (!*stop && n < 0) {
		rc = error_set(e, ERR_INPUT, "%s: cannot read %s in the "
			       "workbook: %s", name, path, zip_file_strerror(f));
		goto out;
	}
	if (!*stop && XML_Parse(parser, "", 0, 1) == XML_STATUS_ERROR)
		goto bad;
	goto out;
bad:
	if (XML_GetErrorCode(parser) == XML_ERROR_ABORTED)
		goto out;	/* the handlers stopped it, E set */
	rc = error_set(e, ERR_INPUT, "%s: %s, line %lu: broken XML: %s", name,
		       path, (unsigned long)XML_GetCurrentLineNumber(parser),
		       XML_ErrorString(XML_GetErrorCode(parser)));
out:
	zip_fclose(f);
	return rc;
}

/*==== The workbook's parts =============================================*/

struct rel {
	char *id, *type, *target;
};

struct sheet {
	char *name, *rid;
};

struct book {
	zip_t *z;
	const char *name;
	struct error *e;
	int failed;		/* out of memory, or E set: stop */
	int stop;

	struct rel *rels;
	size_t nrels;
	struct sheet *sheets;
	size_t nsheets;
	int date1904;
	char **strings;		/* the shared strings */
	size_t nstrings, capstrings;
	unsigned char *xf_date;	/* per cell style: a date format? */
	size_t nxf;
	struct {
		long id;
		char *code;
	} *fmts;
	size_t nfmts;

	/* While reading an element's text. */
	struct buf text;
	int in_text, skip;	/* in a <t>; depth inside <rPh> (phonetic) */
	int in_xfs;

	/* The sheet. */
	const struct xlsx_reader *rd;
	long row, col;		/* current row and cell (1-based) */
	char **cells;
	size_t ncells, capcells;
	char type[16];
	long style;
	int has_v;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (!(q = realloc(*p, n * size)))
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static void oom(struct book *b, XML_Parser p)
{
	if (!b->failed)
		error_set(b->e, ERR_NOMEM, "out of memory");
	b->failed = b->stop = 1;
	XML_StopParser(p, XML_FALSE);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* _rels/…: every Relationship's id, type and target. */
static void rels_start(void *arg, const char *el, const char **atts)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	size_t cap = b->nrels;
	struct rel *r;

	if (strcmp(local(el), "Relationship"))
		return;
	r = realloc(b->rels, (cap + 1) * sizeof(*r));
	if (!r)
		return oom(b, p);
	b->rels = r;
	r = &b->rels[b->nrels++];
	r->id = dup_or_empty(attr(atts, "Id", 0));
	r->type = dup_or_empty(attr(atts, "Type", 0));
	r->target = dup_or_empty(attr(atts, "Target", 0));
	if (!r->id || !r->type || !r->target)
		oom(b, p);
}

static void rels_free(struct book *b)
{
	for (size_t i = 0; i < b->nrels; i++) {
		free(b->rels[i].id);
		free(b->rels[i].type);
		free(b->rels[i].target);
	}
	free(b->rels);
	b->rels = NULL;
	b->nrels = 0;
}

/* The workbook: its date system and its sheets in order. */
static void book_start(void *arg, const char *el, const char **atts)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	const char *l = local(el);

	if (!strcmp(l, "workbookPr")) {
		const char *d = attr(atts, "date1904", 0);

		b->date1904 = d && (!strcmp(d, "1") || !strcmp(d, "true"));
	} else if (!strcmp(l, "sheet")) {
		struct sheet *s = realloc(b->sheets,
					  (b->nsheets + 1) * sizeof(*s));

		if (!s)
			return oom(b, p);
		b->sheets = s;
		s = &b->sheets[b->nsheets++];
		s->name = dup_or_empty(attr(atts, "name", 0));
		s->rid = dup_or_empty(attr(atts, "id", 1));
		if (!s->name || !s->rid)
			oom(b, p);
	}
}

/* Styles: the custom number formats, then each cell style's. */
static void styles_start(void *arg, const char *el, const char **atts)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	const char *l = local(el), *v;

	if (!strcmp(l, "numFmt")) {
		void *q = realloc(b->fmts, (b->nfmts + 1) * sizeof(*b->fmts));

		if (!q)
			return oom(b, p);
		b->fmts = q;
		v = attr(atts, "numFmtId", 0);
		b->fmts[b->nfmts].id = v ? strtol(v, NULL, 10) : -1;
		if (!(b->fmts[b->nfmts++].code =
		      dup_or_empty(attr(atts, "formatCode", 0))))
			oom(b, p);
	} else if (!strcmp(l, "cellXfs")) {
		b->in_xfs = 1;
	} else if (!strcmp(l, "xf") && b->in_xfs) {
		unsigned char *q = realloc(b->xf_date, b->nxf + 1);
		long id;
		const char *code = NULL;

		if (!q)
			return oom(b, p);
		b->xf_date = q;
		v = attr(atts, "numFmtId", 0);
		id = v ? strtol(v, NULL, 10) : 0;
		for (size_t i = 0; i < b->nfmts; i++)
			if (b->fmts[i].id == id)
				code = b->fmts[i].code;
		b->xf_date[b->nxf++] = (unsigned char)xlsx_format_is_date(id, code);
	}
}

static void styles_end(void *arg, const char *el)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);

	if (!strcmp(local(el), "cellXfs"))
		b->in_xfs = 0;
}

/* Text inside <t> (not in a phonetic run <rPh>) is kept in b->text. */
static void on_text(void *arg, const char *s, int len)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);

	if ((b->in_text && !b->skip) || b->has_v == 1)
		if (buf_add(&b->text, s, (size_t)len))
			oom(b, p);
}

/* Shared strings: each <si>'s text, its runs joined. */
static void sst_start(void *arg, const char *el, const char **atts)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	const char *l = local(el);

	(void)atts;
	if (!strcmp(l, "si"))
		buf_reset(&b->text);
	else if (!strcmp(l, "t"))
		b->in_text = 1;
	else if (!strcmp(l, "rPh"))
		b->skip++;
}

static void sst_end(void *arg, const char *el)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	const char *l = local(el);

	if (!strcmp(l, "t")) {
		b->in_text = 0;
	} else if (!strcmp(l, "rPh")) {
		b->skip--;
	} else if (!strcmp(l, "si")) {
		if (grow((void **)&b->strings, &b->capstrings, b->nstrings + 1,
			 sizeof(char *)) ||
		    !(b->strings[b->nstrings] = strdup(buf_str(&b->text))))
			return oom(b, p);
		b->nstrings++;
	}
}

/*==== The sheet ========================================================*/

/* "C7" into its column (3); 0 when not a cell reference. */
static long ref_col(const char *r)
{
	long col = 0;

	while (*r >= 'A' && *r <= 'Z' && col <= COL_MAX)
		col = col * 26 + (*r++ - 'A' + 1);
	return isdigit((unsigned char)*r) ? col : 0;
}

static void sheet_start(void *arg, const char *el, const char **atts)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	const char *l = local(el), *v;

	if (!strcmp(l, "row")) {
		v = attr(atts, "r", 0);
		b->row = v ? strtol(v, NULL, 10) : b->row + 1;
		b->col = 0;
		if (b->row < 1 || b->row > ROW_MAX) {
			error_set(b->e, ERR_INPUT, "%s: row %s: not a row "
				  "number Excel has", b->name, v ? v : "?");
			b->failed = b->stop = 1;
			XML_StopParser(p, XML_FALSE);
		}
	} else if (!strcmp(l, "c")) {
		v = attr(atts, "r", 0);
		b->col = v ? ref_col(v) : b->col + 1;
		if (b->col < 1 || b->col > COL_MAX) {
			error_set(b->e, ERR_INPUT, "%s: row %ld: '%s' is not "
				  "a cell Excel has", b->name, b->row,
				  v ? v : "?");
			b->failed = b->stop = 1;
			XML_StopParser(p, XML_FALSE);
			return;
		}
		v = attr(atts, "t", 0);
		snprintf(b->type, sizeof(b->type), "%s", v ? v : "n");
		v = attr(atts, "s", 0);
		b->style = v ? strtol(v, NULL, 10) : 0;
		b->has_v = 0;
		buf_reset(&b->text);
	} else if (!strcmp(l, "v")) {
		b->has_v = 1;	/* collecting */
		buf_reset(&b->text);
	} else if (!strcmp(l, "is")) {
		b->has_v = 2;	/* an inline string: its <t>s */
		buf_reset(&b->text);
	} else if (!strcmp(l, "t") && b->has_v == 2) {
		b->in_text = 1;
	} else if (!strcmp(l, "rPh")) {
		b->skip++;
	}
}

static void cell_problem(struct book *b, const char *value, const char *why)
{
	if (b->rd->problem)
		b->rd->problem(b->rd->arg, b->row, b->col, value, why);
}

/* The text of the cell just closed, or NULL (none, or a problem). */
static char *cell_text(struct book *b)
{
	const char *v = buf_str(&b->text), *t = b->type, *why;
	char date[11], *end;
	double x;

	if (!strcmp(t, "inlineStr") || !strcmp(t, "str"))
		return strdup(v);
	if (!b->has_v)
		return NULL;	/* a cell with a style only */
	if (!strcmp(t, "s")) {
		unsigned long i;

		errno = 0;
		i = strtoul(v, &end, 10);
		if (errno || end == v || *end || i >= b->nstrings) {
			cell_problem(b, v, "no such shared string in the workbook");
			return NULL;
		}
		return strdup(b->strings[i]);
	}
	if (!strcmp(t, "b")) {
		if (strcmp(v, "0") && strcmp(v, "1")) {
			cell_problem(b, v, "a boolean cell that is neither "
				     "TRUE nor FALSE");
			return NULL;
		}
		return strdup(*v == '1' ? "yes" : "no");
	}
	if (!strcmp(t, "e")) {
		cell_problem(b, v, "an Excel error, not a value");
		return NULL;
	}
	if (!strcmp(t, "d")) {	/* an ISO 8601 date (strict OOXML) */
		int32_t d;

		if (strlen(v) >= 10 && (snprintf(date, sizeof(date), "%.10s", v),
					!date_parse(date, &d, &why)))
			return strdup(date);
		cell_problem(b, v, "not an ISO 8601 date");
		return NULL;
	}
	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x)) {
		cell_problem(b, v, "a number cell that holds no number");
		return NULL;
	}
	if (b->style >= 0 && (size_t)b->style < b->nxf && b->xf_date[b->style]) {
		if ((why = xlsx_serial_date(x, b->date1904, date))) {
			cell_problem(b, v, why);
			return NULL;
		}
		return strdup(date);
	}
	return number_text(x);
}

static void sheet_end(void *arg, const char *el)
{
	XML_Parser p = arg;
	struct book *b = XML_GetUserData(p);
	const char *l = local(el);

	if (!strcmp(l, "t")) {
		b->in_text = 0;
	} else if (!strcmp(l, "rPh")) {
		b->skip--;
	} else if (!strcmp(l, "v")) {
		b->has_v = 3;	/* given, no longer collecting */
	} else if (!strcmp(l, "c")) {
		size_t at = (size_t)b->col - 1;
		char *text;

		if (grow((void **)&b->cells, &b->capcells, at + 1,
			 sizeof(char *)))
			return oom(b, p);
		while (b->ncells <= at)
			b->cells[b->ncells++] = NULL;
		errno = 0;
		text = cell_text(b);
		if (!text && errno == ENOMEM)
			return oom(b, p);
		free(b->cells[at]);
		b->cells[at] = text;
		b->has_v = 0;
	} else if (!strcmp(l, "row")) {
		int stop = b->ncells && b->rd->row(b->rd->arg, b->row, b->cells,
						   b->ncells);

		for (size_t i = 0; i < b->ncells; i++)
			free(b->cells[i]);
		b->ncells = 0;
		if (stop) {
			b->stop = 1;
			XML_StopParser(p, XML_FALSE);
		}
	}
}

/*==== Putting it together ==============================================*/

/* Parse PATH with the handlers: 0, 1 for no such part, -1. */
static int read_part(struct book *b, const char *path,
		     XML_StartElementHandler start, XML_EndElementHandler end)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	int rc;

	if (!p)
		return error_set(b->e, ERR_NOMEM, "out of memory");
	XML_SetUserData(p, b);
	XML_UseParserAsHandlerArg(p);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, on_text);
	b->in_text = b->skip = b->has_v = 0;
	rc = parse_part(b->z, b->name, path, p, &b->stop, b->e);
	XML_ParserFree(p);
	if (b->failed)
		return -1;
	b->stop = 0;
	return rc;
}

/* The target of the relation whose type ends in TYPE (or has ID) of the
 * part in folder DIR, as a path in the ZIP; NULL when none. */
static char *rel_target(struct book *b, const char *dir, const char *type,
			const char *id)
{
	for (size_t i = 0; i < b->nrels; i++) {
		const struct rel *r = &b->rels[i];
		size_t n = strlen(r->type), m = type ? strlen(type) : 0;
		struct buf path = BUF_INIT;

		if (id ? strcmp(r->id, id) :
			 n < m || strcmp(r->type + n - m, type))
			continue;
		if (r->target[0] == '/')
			buf_adds(&path, r->target + 1);
		else
			buf_addf(&path, "%s%s", dir, r->target);
		return path.failed ? NULL : buf_detach(&path);
	}
	return NULL;
}

static int read_rels(struct book *b, const char *path)
{
	rels_free(b);
	return read_part(b, path, rels_start, NULL);
}

static const struct sheet *pick_sheet(struct book *b, const char *want)
{
	struct buf names = BUF_INIT;

	if (!b->nsheets) {
		error_set(b->e, ERR_INPUT, "%s: the workbook has no sheet",
			  b->name);
		return NULL;
	}
	if (!want)
		return &b->sheets[0];
	for (size_t i = 0; i < b->nsheets; i++)
		if (!strcasecmp(b->sheets[i].name, want))	/* as Excel */
			return &b->sheets[i];
	for (size_t i = 0; i < b->nsheets; i++)
		buf_addf(&names, "%s\"%s\"", i ? ", " : "", b->sheets[i].name);
	error_set(b->e, ERR_INPUT, "%s: no sheet \"%s\"; its sheets: %s",
		  b->name, want, buf_str(&names));
	buf_release(&names);
	return NULL;
}

static void book_release(struct book *b)
{
	rels_free(b);
	for (size_t i = 0; i < b->nsheets; i++) {
		free(b->sheets[i].name);
		free(b->sheets[i].rid);
	}
	free(b->sheets);
	for (size_t i = 0; i < b->nstrings; i++)
		free(b->strings[i]);
	free(b->strings);
	for (size_t i = 0; i < b->nfmts; i++)
		free(b->fmts[i].code);
	free(b->fmts);
	free(b->xf_date);
	for (size_t i = 0; i < b->ncells; i++)
		free(b->cells[i]);
	free(b->cells);
	buf_release(&b->text);
}

#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static int read_book(struct book *b, const char *want)
{
	char *wb = NULL, *sheet = NULL, *part = NULL;
	char dir[512] = "", rels[600];
	const struct sheet *s;
	const char *slash;
	int rc = -1;

	/* The package's relations name the workbook part (xl/workbook.xml
	 * as Excel writes it), whose own relations its other parts. */
	if (read_rels(b, "_rels/.rels") < 0)
		goto out;
	wb = rel_target(b, "", "/officeDocument", NULL);
	if (!wb && !(wb = strdup("xl/workbook.xml")))
		goto nomem;
	if ((slash = strrchr(wb, '/')))
		snprintf(dir, sizeof(dir), "%.*s/", (int)(slash - wb), wb);
	snprintf(rels, sizeof(rels), "%s_rels/%s.rels", dir,
		 slash ? slash + 1 : wb);
	switch (read_part(b, wb, book_start, NULL)) {
	case -1:
		goto out;
	case 1:
		error_set(b->e, ERR_INPUT, "%s: not an Excel workbook (no %s)",
			  b->name, wb);
		goto out;
	}
	if (read_rels(b, rels) < 0 || !(s = pick_sheet(b, want)))
		goto out;
	if (!(sheet = rel_target(b, dir, NULL, s->rid))) {
		error_set(b->e, ERR_INPUT, "%s: sheet \"%s\" is not in the "
			  "workbook", b->name, s->name);
		goto out;
	}
	if ((part = rel_target(b, dir, "/styles", NULL)) &&
	    read_part(b, part, styles_start, styles_end) < 0)
		goto out;
	free(part);
	if ((part = rel_target(b, dir, "/sharedStrings", NULL)) &&
	    read_part(b, part, sst_start, sst_end) < 0)
		goto out;
	if (b->rd->sheet)
		b->rd->sheet(b->rd->arg, s->name);
	switch (read_part(b, sheet, sheet_start, sheet_end)) {
	case -1:
		goto out;
	case 1:
		error_set(b->e, ERR_INPUT, "%s: sheet \"%s\" (%s) is missing "
			  "from the workbook", b->name, s->name, sheet);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	error_set(b->e, ERR_NOMEM, "out of memory");
out:
	free(wb);
	free(sheet);
	free(part);
	return rc;
}

int xlsx_read(const void *data, size_t size, const char *name,
	      const char *sheet, const struct xlsx_reader *rd,
	      struct error *e)
{
	struct book b = { .name = name, .e = e, .rd = rd };
	zip_error_t ze;
	zip_source_t *src;
	int rc;

	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(data, size, 0, &ze))) {
		zip_error_fini(&ze);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	if (!(b.z = zip_open_from_source(src, ZIP_RDONLY, &ze))) {
		rc = error_set(e, ERR_INPUT, "%s: not an Excel workbook "
			       "(.xlsx): %s", name, zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	rc = read_book(&b, sheet);
	zip_discard(b.z);	/* frees the source too */
	book_release(&b);
	return rc;
}
