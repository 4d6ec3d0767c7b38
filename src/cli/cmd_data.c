/* `cadre import|export|list|show`: records of every kind. */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "core/calendar.h"
#include "core/csvio.h"
#include "core/policy.h"
#include "util/buf.h"
#include "util/progress.h"
#include "util/utf8.h"

static const struct kind *kind_arg(struct cli *c, const char *command,
				   const char *name)
{
	const struct kind *k = name ? kind_find(name) : NULL;
	struct buf b = BUF_INIT;

	if (k && !strcmp(k->name, name))
		return k;
	for (size_t i = 0; i < nkinds; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", kinds[i]->name);
	if (name)
		cli_usage(c, command, "no kind '%s'; one of: %s", name, buf_str(&b));
	else
		cli_usage(c, command, "which kind? one of: %s", buf_str(&b));
	buf_release(&b);
	return NULL;
}

/*==== import ===========================================================*/

enum import_format { IN_GUESS, IN_CSV, IN_XLSX, IN_JSON };

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The file's format: by its name, else by its first byte (a ZIP begins
 * "PK", a JSON export '['; a CSV header with a field name). */
static enum import_format guess_format(const char *path, FILE *f)
{
	int ch;

	if (ends_with(path, ".xlsx"))
		return IN_XLSX;
	if (ends_with(path, ".json"))
		return IN_JSON;
	if (ends_with(path, ".csv"))
		return IN_CSV;
	ch = getc(f);
	if (ch != EOF)
		ungetc(ch, f);
	return ch == 'P' ? IN_XLSX : ch == '[' ? IN_JSON : IN_CSV;
}

/* All of F into *DATA (a workbook is read from memory, as a ZIP's
 * directory is at its end): its size, or -1 with E set. */
static long slurp(FILE *f, const char *path, char **data, struct error *e)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n))
			break;
	if (ferror(f) || b.failed) {
		buf_release(&b);
		return error_set(e, b.failed ? ERR_INPUT : ERR_IO,
				 "cannot read %s: %s", path, b.failed ?
				 "larger than cadre reads (256 MiB)" :
				 strerror(errno));
	}
	*data = b.data;
	return (long)b.len;
}

static int delimiter_arg(struct cli *c, const char *v, char *out)
{
	if (!strcmp(v, ",") || !strcmp(v, ";") || !strcmp(v, "\t")) {
		*out = *v;
		return 0;
	}
	if (!strcmp(v, "tab") || !strcmp(v, "\\t")) {
		*out = '\t';
		return 0;
	}
	return cli_usage(c, "import", "--delimiter is ',', ';' or tab");
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "sheet", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct import_opts io = { 0 };
	struct import_stats st;
	struct progress pr;
	const struct kind *k;
	enum import_format fmt = IN_GUESS;
	const char *path;
	struct error e;
	char *data = NULL;
	long size = 0;
	FILE *f;
	int opt, rc, now;

	while ((opt = getopt_long(argc, argv, ":nd:S:f:", opts, NULL)) != -1) {
		if (cli_common_option(c, "import", opt, &now) > 0)
			return now;
		if (opt == 'n')
			io.dry_run = 1;
		else if (opt == 'd' && delimiter_arg(c, optarg, &io.delimiter))
			return EXIT_USAGE;
		else if (opt == 'S')
			io.sheet = optarg;
		else if (opt == 'f' && !strcmp(optarg, "csv"))
			fmt = IN_CSV;
		else if (opt == 'f' && !strcmp(optarg, "xlsx"))
			fmt = IN_XLSX;
		else if (opt == 'f' && !strcmp(optarg, "json"))
			fmt = IN_JSON;
		else if (opt == 'f')
			return cli_usage(c, "import", "--format is csv, xlsx "
					 "or json");
	}
	if (argc - optind != 2)
		return cli_usage(c, "import", "expected KIND FILE");
	if (!(k = kind_arg(c, "import", argv[optind])))
		return EXIT_USAGE;
	path = argv[optind + 1];
	error_init(&e);
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		error_set(&e, ERR_IO, "cannot read %s: %s", path,
			  strerror(errno));
		goto fail;
	}
	if (fmt == IN_GUESS)
		fmt = guess_format(path, f);
	if (io.sheet && fmt != IN_XLSX) {
		rc = cli_usage(c, "import", "--sheet is for Excel workbooks "
			       "(.xlsx)");
		goto out;
	}
	if (io.delimiter && fmt != IN_CSV) {
		rc = cli_usage(c, "import", "--delimiter is for CSV files");
		goto out;
	}
	if (fmt == IN_XLSX && (size = slurp(f, path, &data, &e)) < 0)
		goto fail;
	if (!cli_store(c)) {
		rc = c->status;
		goto out;
	}
	io.who = c->who;	/* --as: each row is that account's write */
	progress_start(&pr, "import", 0);
	io.progress = progress_cb;
	io.progress_arg = &pr;
	if (fmt == IN_XLSX)
		rc = import_xlsx(c->store, k, data ? data : "", (size_t)size,
				 path, &io, &st, &e);
	else if (fmt == IN_JSON)
		rc = import_json(c->store, k, f, path, &io, &st, &e);
	else
		rc = import_csv(c->store, k, f, path, &io, &st, &e);
	progress_done(&pr);
	if (rc)
		goto fail;
	if (c->json) {
		cli_print_json(json_pack("{s:s, s:s, s:b, s:i, s:i, s:i, s:i}",
			"kind", k->name, "file", path,
			"dry_run", io.dry_run, "rows", (int)st.rows,
			"inserted", (int)st.inserted, "updated", (int)st.updated,
			"unchanged", (int)st.unchanged));
	} else {
		printf("%s %s: %ld rows, %ld new, %ld updated, %ld unchanged%s\n",
		       io.dry_run ? "checked" : "imported", k->name, st.rows,
		       st.inserted, st.updated, st.unchanged,
		       io.dry_run ? " (dry run: nothing written)" : "");
	}
	rc = 0;
	goto out;
fail:
	rc = cli_error(c, &e);
out:
	if (f && f != stdin)
		fclose(f);
	free(data);
	error_release(&e);
	return rc;
}

/*==== export ===========================================================*/

static json_t *record_json_out(const struct record *r,
			       const char *const *derived)
{
	json_t *o = record_json(r);

	if (!o)
		return NULL;
	if (kind_composite_key(r->kind))
		json_object_set_new(o, "key", json_string(r->key));
	for (size_t i = 0; derived && i < r->kind->nderived; i++)
		json_object_set_new(o, r->kind->derived[i].name,
				    json_string(derived[i] ? derived[i] : ""));
	return o;
}

struct json_out {
	FILE *out;
	long rows;
	int with_derived;
	struct progress *pr;
	long total;
};

static int json_row(void *arg, const struct record *r,
		    const char *const *derived)
{
	struct json_out *x = arg;
	json_t *o = record_json_out(r, x->with_derived ? derived : NULL);

	if (!o)
		return -3;
	fputs(x->rows ? ",\n  " : "\n  ", x->out);
	json_dumpf(o, x->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	x->rows++;
	if (x->pr)
		progress_cb(x->pr, (uint64_t)x->rows, (uint64_t)x->total);
	return ferror(x->out) ? -2 : 0;
}

/* Write TEXT to PATH (or standard output), whole or not at all. */
static int write_text(struct cli *c, const char *text, const char *path)
{
	struct error e;
	char tmp[4096];
	FILE *f;
	int rc;

	if (!path || !strcmp(path, "-")) {
		fputs(text, stdout);
		return 0;
	}
	error_init(&e);
	/* A cut name would be another file, and renamed over PATH. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp~", path) >= sizeof(tmp)) {
		error_set(&e, ERR_INPUT, "cannot write %s: the name is too long",
			  path);
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	if (!(f = fopen(tmp, "w")) || fputs(text, f) < 0 || fclose(f) ||
	    rename(tmp, path)) {
		error_set(&e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	fprintf(stderr, "wrote %s\n", path);
	return 0;
}

/* The sites' map is the mission's totals, for its staff only (as the
 * calendars and the reports are): 0, or the exit status of the refusal. */
static int totals_refused(struct cli *c, const char *what)
{
	struct error e;
	int rc;

	error_init(&e);
	if (!policy_totals(c->who, what, &e))
		return 0;
	rc = cli_error(c, &e);
	error_release(&e);
	return rc;
}

/* `export calendar --person ID | --site CODE`: iCalendar, of the
 * sessions the caller (--as) may see. */
static int export_calendar(struct cli *c, const char *person, const char *site,
			   const char *path)
{
	struct error e;
	char *ics = NULL;
	int rc;

	if (!person == !site)
		return cli_usage(c, "export", "calendar needs --person ID or "
				 "--site CODE");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if (calendar_ics(c->store, c->who, person ? "person" : "site",
			 person ? person : site, &ics, &e)) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	rc = write_text(c, ics, path);
	free(ics);
	return rc;
}

/* Sites as a GeoJSON FeatureCollection of points. */
static int geo_row(void *arg, const struct record *r, const char *const *derived)
{
	json_t *props = record_json(r);
	const struct kind *k = r->kind;

	json_object_set_new(props, "status", json_string(derived[0] ? derived[0] : ""));
	json_array_append_new(arg, json_pack("{s:s, s:{s:s, s:[f, f]}, s:o}",
		"type", "Feature", "geometry", "type", "Point",
		"coordinates", strtod(r->v[kind_field_index(k, "longitude")], NULL),
		strtod(r->v[kind_field_index(k, "latitude")], NULL),
		"properties", props));
	return 0;
}

/* The sites the caller (--as, known once the store is open) may see. */
static int export_geojson(struct cli *c, const char *path)
{
	struct query q = { 0 };
	json_t *features;
	struct error e;
	char *text;
	int rc;

	if (!cli_store(c))
		return c->status;
	if ((rc = totals_refused(c, "the sites' map is")))
		return rc;
	q.who = c->who;
	features = json_array();
	error_init(&e);
	if (store_each(c->store, kind_find("sites"), &q, geo_row, features, &e)) {
		json_decref(features);
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	{
		json_t *doc = json_pack("{s:s, s:o}", "type", "FeatureCollection",
					"features", features);

		text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
				  JSON_REAL_PRECISION(10));
		json_decref(doc);
	}
	rc = text ? write_text(c, text, path) : EXIT_FAILED;
	free(text);
	return rc;
}

/* `export KIND --format xlsx -o FILE.xlsx`: written beside the target
 * and renamed, never a half workbook. */
static int export_workbook(struct cli *c, const struct kind *k,
			   const char *path)
{
	struct progress pr;
	struct error e;
	char tmp[4096];
	long rows;
	int rc = 0;

	if (!path || !strcmp(path, "-"))
		return cli_usage(c, "export", "an Excel workbook needs "
				 "-o FILE.xlsx");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp~", path) >= sizeof(tmp)) {
		error_set(&e, ERR_INPUT, "cannot write %s: the name is too long",
			  path);
		goto fail;
	}
	progress_start(&pr, "export", 0);
	rows = export_xlsx(c->store, c->who, k, tmp, progress_cb, &pr, &e);
	progress_done(&pr);
	if (rows < 0)
		goto fail;
	if (rename(tmp, path)) {
		error_set(&e, ERR_IO, "cannot write %s: %s", path,
			  strerror(errno));
		goto fail;
	}
	fprintf(stderr, "exported %ld %s to %s\n", rows, k->name, path);
	goto out;
fail:
	unlink(tmp);
	rc = cli_error(c, &e);
out:
	error_release(&e);
	return rc;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "person", required_argument, NULL, 'p' },
		{ "site", required_argument, NULL, 's' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	const char *person = NULL, *site = NULL;
	const char *format = "csv", *path = NULL;
	const struct kind *k;
	struct progress pr;
	struct error e;
	FILE *out = stdout;
	char *tmp = NULL;
	long rows;
	int opt, now, rc = EXIT_FAILED;

	while ((opt = getopt_long(argc, argv, ":f:o:p:s:", opts, NULL)) != -1) {
		if (cli_common_option(c, "export", opt, &now) > 0)
			return now;
		if (opt == 'f')
			format = optarg;
		else if (opt == 'o')
			path = optarg;
		else if (opt == 'p')
			person = optarg;
		else if (opt == 's')
			site = optarg;
	}
	if (argc - optind == 1 && !strcmp(argv[optind], "calendar"))
		return export_calendar(c, person, site, path);
	if (argc - optind == 1 && !strcmp(argv[optind], "sites") &&
	    !strcmp(format, "geojson"))
		return export_geojson(c, path);
	if (c->json && !strcmp(format, "csv"))
		format = "json";
	if (strcmp(format, "csv") && strcmp(format, "json") &&
	    strcmp(format, "xlsx"))
		return cli_usage(c, "export", "--format is csv, json or xlsx "
				 "(geojson for sites)");
	if (argc - optind != 1)
		return cli_usage(c, "export", "expected KIND");
	if (!(k = kind_arg(c, "export", argv[optind])))
		return EXIT_USAGE;
	if (!strcmp(format, "xlsx"))
		return export_workbook(c, k, path);
	error_init(&e);
	if (!cli_store(c)) {
		rc = c->status;
		goto out;
	}
	if (path && strcmp(path, "-")) {
		/* Write beside the target and rename: never a half file. */
		size_t n = strlen(path) + 8;

		tmp = malloc(n);
		snprintf(tmp, n, "%s.tmp~", path);
		if (!(out = fopen(tmp, "w"))) {
			error_set(&e, ERR_IO, "cannot write %s: %s", tmp,
				  strerror(errno));
			rc = cli_error(c, &e);
			goto out;
		}
	}
	progress_start(&pr, "export", 0);
	if (!strcmp(format, "csv")) {
		/* The progress's total is counted as the reader sees. */
		rows = export_csv(c->store, c->who, k, out, out == stdout ?
				  NULL : progress_cb, &pr, &e);
	} else {
		struct json_out x = { .out = out, .pr = out == stdout ? NULL : &pr };
		struct query q = { .who = c->who };

		x.total = x.pr ? (long)store_count(c->store, c->who, k, &e) : 0;
		fputs("[", out);
		rows = store_each(c->store, k, &q, json_row, &x, &e) ? -1 : x.rows;
		fputs(x.rows ? "\n]\n" : "]\n", out);
	}
	progress_done(&pr);
	if (rows < 0 || fflush(out)) {
		if (!e.message)
			error_set(&e, ERR_IO, "write error");
		rc = cli_error(c, &e);
		goto out;
	}
	if (tmp) {
		if (fclose(out) || rename(tmp, path)) {
			out = stdout;
			error_set(&e, ERR_IO, "cannot write %s: %s", path,
				  strerror(errno));
			rc = cli_error(c, &e);
			goto out;
		}
		out = stdout;
		fprintf(stderr, "exported %ld %s to %s\n", rows, k->name, path);
	}
	rc = 0;
out:
	if (out && out != stdout) {
		fclose(out);
		unlink(tmp);
	}
	free(tmp);
	error_release(&e);
	return rc;
}

/*==== list and show ====================================================*/

#define MAX_FILTERS 16
#define CELL_MAX 40

struct table {
	size_t ncols;
	const char **head;
	size_t *width;
	char **cells;		/* rows * ncols */
	size_t rows, cap;
};

static int table_row(void *arg, const struct record *r,
		     const char *const *derived)
{
	struct table *t = arg;
	const struct kind *k = r->kind;
	size_t col = 0, composite = (size_t)kind_composite_key(k);

	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, cap * t->ncols * sizeof(*p));

		if (!p)
			return -3;
		t->cells = p;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const char *v;

		if (composite && i == 0)
			v = r->key;
		else if (i - composite < k->nfields)
			v = r->v[i - composite];
		else
			v = derived[i - composite - k->nfields];
		t->cells[t->rows * t->ncols + col] = strdup(v ? v : "");
		if (v) {
			size_t w = utf8_width(v);	/* columns, not bytes */

			if (w > t->width[col])
				t->width[col] = w > CELL_MAX ? CELL_MAX : w;
		}
		col++;
	}
	t->rows++;
	return 0;
}

static void table_print(struct table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		utf8_put_cell(stdout, t->head[i], t->width[i]);
		fputs(i + 1 < t->ncols ? "  " : "\n", stdout);
	}
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t i = 0; i < t->ncols; i++) {
			const char *v = t->cells[r * t->ncols + i];

			/* The last column is not padded; a long one is cut. */
			if (i + 1 < t->ncols || utf8_width(v) > CELL_MAX)
				utf8_put_cell(stdout, v, i + 1 < t->ncols ?
					      t->width[i] : CELL_MAX);
			else
				fputs(v, stdout);
			fputs(i + 1 < t->ncols ? "  " : "\n", stdout);
		}
	}
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->head);
	free(t->width);
}

static int table_init(struct table *t, const struct kind *k)
{
	size_t composite = (size_t)kind_composite_key(k), i = 0;

	memset(t, 0, sizeof(*t));
	t->ncols = composite + k->nfields + k->nderived;
	t->head = calloc(t->ncols, sizeof(*t->head));
	t->width = calloc(t->ncols, sizeof(*t->width));
	if (!t->head || !t->width)
		return -1;
	if (composite)
		t->head[i++] = "key";
	for (size_t f = 0; f < k->nfields; f++)
		t->head[i++] = k->fields[f].name;
	for (size_t d = 0; d < k->nderived; d++)
		t->head[i++] = k->derived[d].name;
	for (i = 0; i < t->ncols; i++)
		t->width[i] = strlen(t->head[i]);
	return 0;
}

static int parse_where(struct cli *c, const char *command, const char *arg,
		       struct filter *f)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg) {
		cli_usage(c, command, "--where wants FIELD=VALUE, not '%s'", arg);
		return -1;
	}
	f->field = strndup(arg, (size_t)(eq - arg));
	f->value = eq + 1;
	return f->field ? 0 : -1;
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "known-on", required_argument, NULL, 'K' },
		{ "where", required_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'l' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct filter filters[MAX_FILTERS];
	struct query q = { .filters = filters };
	const struct kind *k;
	struct error e;
	char asof[11], known_at[21] = "";
	int opt, now, rc = EXIT_USAGE;

	while ((opt = getopt_long(argc, argv, ":a:K:w:l:", opts, NULL)) != -1) {
		if (cli_common_option(c, "list", opt, &now) > 0) {
			rc = now;
			goto out;
		}
		if (opt == 'a') {
			if (cli_date(c, "list", "--as-of", optarg, asof))
				goto out;
			q.asof = asof;
		} else if (opt == 'K') {
			if (cli_known_on_arg(c, "list", optarg, known_at))
				goto out;
		} else if (opt == 'w') {
			if (q.nfilters == MAX_FILTERS) {
				cli_usage(c, "list", "at most %d --where", MAX_FILTERS);
				goto out;
			}
			if (parse_where(c, "list", optarg, &filters[q.nfilters]))
				goto out;
			q.nfilters++;
		} else if (opt == 'l') {
			q.limit = strtol(optarg, NULL, 10);
		}
	}
	if (argc - optind != 1) {
		cli_usage(c, "list", "expected KIND");
		goto out;
	}
	if (!(k = kind_arg(c, "list", argv[optind])))
		goto out;
	for (size_t i = 0; i < q.nfilters; i++) {
		const char *name = filters[i].field;
		int known = !strcmp(name, "key") || kind_field(k, name) != NULL;

		for (size_t j = 0; j < k->nderived; j++)
			known |= !strcmp(k->derived[j].name, name);
		if (!known) {
			cli_usage(c, "list", "%s have no field '%s' (see 'cadre help %s')",
				  k->name, name, k->name);
			goto out;
		}
	}
	if (!cli_store(c)) {
		rc = c->status;
		goto out;
	}
	if (*known_at && (rc = cli_known_on(c, known_at)))
		goto out;
	q.who = c->who;
	error_init(&e);
	if (c->json) {
		struct json_out x = { .out = stdout, .with_derived = 1 };

		fputs("[", stdout);
		rc = store_each(c->store, k, &q, json_row, &x, &e);
		fputs(x.rows ? "\n]\n" : "]\n", stdout);
	} else {
		struct table t;

		rc = table_init(&t, k) ? -3 :
			store_each(c->store, k, &q, table_row, &t, &e);
		if (!rc)
			table_print(&t);
		table_release(&t);
	}
	rc = rc ? cli_error(c, &e) : 0;
	error_release(&e);
out:
	for (size_t i = 0; i < q.nfilters; i++)
		free((char *)filters[i].field);
	return rc;
}

static int keep_json(void *arg, const struct record *r,
		     const char *const *derived)
{
	json_t **o = arg;

	*o = record_json_out(r, derived);
	return *o ? 1 : -3;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "known-on", required_argument, NULL, 'K' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct filter f = { .field = "key" };
	struct query q = { .filters = &f, .nfilters = 1 };
	const struct kind *k;
	json_t *o = NULL;
	struct error e;
	char asof[11], known[21] = "";
	int opt, now, rc;

	while ((opt = getopt_long(argc, argv, ":a:K:", opts, NULL)) != -1) {
		if (cli_common_option(c, "show", opt, &now) > 0)
			return now;
		if (opt == 'K' && cli_known_on_arg(c, "show", optarg, known))
			return EXIT_USAGE;
		if (opt == 'a') {
			if (cli_date(c, "show", "--as-of", optarg, asof))
				return EXIT_USAGE;
			q.asof = asof;
		}
	}
	if (argc - optind != 2)
		return cli_usage(c, "show", "expected KIND ID");
	if (!(k = kind_arg(c, "show", argv[optind])))
		return EXIT_USAGE;
	f.value = argv[optind + 1];
	if (!cli_store(c))
		return c->status;
	if (*known && (rc = cli_known_on(c, known)))
		return rc;
	q.who = c->who;
	error_init(&e);
	rc = store_each(c->store, k, &q, keep_json, &o, &e);
	if (rc < 0)
		goto fail;
	if (!o) {
		/* What the caller may not see does not exist for them. */
		int exists = c->who ? 0 : store_exists(c->store, k, f.value, &e);

		if (exists < 0)
			goto fail;
		if (exists)
			error_set(&e, ERR_NOTFOUND, "%s %s was not in force on %s",
				  k->label, f.value, q.asof);
		else
			error_set(&e, ERR_NOTFOUND, "no %s '%s'", k->label, f.value);
		goto fail;
	}
	if (c->json) {
		cli_print_json(o);
	} else {
		const char *name;
		json_t *v;

		json_object_foreach(o, name, v) {
			char *txt;

			if (json_is_null(v) || (json_is_string(v) &&
						!*json_string_value(v)))
				continue;
			txt = json_is_string(v) ? strdup(json_string_value(v)) :
				json_dumps(v, JSON_ENCODE_ANY |
					   JSON_REAL_PRECISION(15));
			printf("%-24s %s\n", name, txt ? txt : "");
			free(txt);
		}
		json_decref(o);
	}
	error_release(&e);
	return 0;
fail:
	rc = cli_error(c, &e);
	error_release(&e);
	return rc;
}
