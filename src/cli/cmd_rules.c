/* `cadre suspend|resume|consent|transfer|report`: the mission's actions. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/policy.h"
#include "core/actions.h"
#include "core/csvio.h"
#include "cli/report_out.h"
#include "core/report.h"
#include "store/access.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/utf8.h"

static const char *js(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static long long ji(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* Print REPORT as JSON or with PRINT, then release it; or the error. */
static int done(struct cli *c, int rc, json_t *report, struct error *e,
		void (*print)(json_t *))
{
	if (rc) {
		rc = cli_error(c, e);
		error_release(e);
		return rc;
	}
	if (c->json) {
		cli_print_json(report);
	} else {
		print(report);
		json_decref(report);
	}
	error_release(e);
	return 0;
}

static void print_sessions(json_t *list, const char *title)
{
	json_t *v;
	size_t i;

	printf("%s: %zu\n", title, json_array_size(list));
	json_array_foreach(list, i, v)
		printf("  %-28s %s to %s, %lld enrolled\n", js(v, "session"),
		       js(v, "from"), js(v, "to"), ji(v, "enrolments"));
}

static void print_events(json_t *r)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(r, "events"), i, v)
		printf("status event %s: %s from %s%s%s\n", js(v, "code"),
		       js(v, "scope"), js(v, "from"),
		       *js(v, "to") ? " to " : "", js(v, "to"));
}

static void print_activities(json_t *r)
{
	json_t *v;
	size_t i;

	printf("activities in scope: %zu\n",
	       json_array_size(json_object_get(r, "activities_in_scope")));
	json_array_foreach(json_object_get(r, "activities_in_scope"), i, v)
		printf("  %s\n", json_string_value(v));
}

static void dry_note(json_t *r)
{
	if (ji(r, "hidden") > 0)
		printf("and %lld more records you may not see\n", ji(r, "hidden"));
	if (json_is_true(json_object_get(r, "dry_run")))
		printf("(dry run: nothing was written)\n");
}

/*==== suspend / resume =================================================*/

static void print_suspend(json_t *r)
{
	printf("suspension of %s from %s\n", js(r, "scope"), js(r, "date"));
	print_events(r);
	print_sessions(json_object_get(r, "sessions_postponed"),
		       "sessions postponed (enrolments kept)");
	printf("enrolments kept: %lld\nmission assignments in scope: %lld\n",
	       ji(r, "enrolments_kept"), ji(r, "assignments_in_scope"));
	print_activities(r);
	dry_note(r);
}

int cmd_suspend(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scope", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ "ordered-by", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	const char *scope = NULL, *reason = NULL, *by = NULL;
	char from[11] = "";
	int opt, now, dry = 0, rc;
	json_t *report = NULL;
	struct error e;

	while ((opt = getopt_long(argc, argv, ":s:f:r:o:n", opts, NULL)) != -1) {
		if (cli_common_option(c, "suspend", opt, &now) > 0)
			return now;
		switch (opt) {
		case 's': scope = optarg; break;
		case 'f':
			if (cli_date(c, "suspend", "--from", optarg, from))
				return EXIT_USAGE;
			break;
		case 'r': reason = optarg; break;
		case 'o': by = optarg; break;
		case 'n': dry = 1; break;
		}
	}
	if (!scope || !from[0] || !reason)
		return cli_usage(c, "suspend", "--scope, --from and --reason are needed");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	rc = action_suspend(c->store, c->who, scope, from, reason, by ? by : cli_actor(c),
			    dry, &report, &e);
	return done(c, rc, report, &e, print_suspend);
}

static void print_resume(json_t *r)
{
	json_t *v;
	size_t i;

	printf("resumption of %s on %s after %lld days (suspended from %s)\n",
	       js(r, "scope"), js(r, "date"), ji(r, "days_suspended"),
	       js(r, "suspended_from"));
	print_events(r);
	printf("postponed sessions: %zu\n", json_array_size(json_object_get(r, "sessions")));
	json_array_foreach(json_object_get(r, "sessions"), i, v) {
		printf("  %-28s was %s, proposed %s to %s%s%s\n", js(v, "session"),
		       js(v, "was_from"), js(v, "proposed_from"), js(v, "proposed_to"),
		       *js(v, "replanned_as") ? ": re-planned as " : "",
		       js(v, "replanned_as"));
		if (*js(v, "not_replanned"))
			printf("    not re-planned, %s: %s\n", js(v, "not_replanned"),
			       js(v, "reason"));
	}
	json_array_foreach(json_object_get(r, "trainers_dropped"), i, v)
		printf("  trainer %s left off %s (%s)\n", js(v, "trainer"),
		       js(v, "session"), js(v, "rule"));
	if (!json_is_true(json_object_get(r, "applied")) &&
	    json_array_size(json_object_get(r, "sessions")))
		printf("(proposals only: run again with --apply to re-plan them)\n");
	dry_note(r);
}

int cmd_resume(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scope", required_argument, NULL, 's' },
		{ "on", required_argument, NULL, 'o' },
		{ "apply", no_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	const char *scope = NULL;
	char on[11] = "";
	int opt, now, apply = 0, dry = 0, rc;
	json_t *report = NULL;
	struct error e;

	while ((opt = getopt_long(argc, argv, ":s:o:an", opts, NULL)) != -1) {
		if (cli_common_option(c, "resume", opt, &now) > 0)
			return now;
		switch (opt) {
		case 's': scope = optarg; break;
		case 'o':
			if (cli_date(c, "resume", "--on", optarg, on))
				return EXIT_USAGE;
			break;
		case 'a': apply = 1; break;
		case 'n': dry = 1; break;
		}
	}
	if (!scope || !on[0])
		return cli_usage(c, "resume", "--scope and --on are needed");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	rc = action_resume(c->store, c->who, scope, on, apply, dry, &report, &e);
	return done(c, rc, report, &e, print_resume);
}

/*==== consent / transfer ===============================================*/

static void print_consent(json_t *r)
{
	json_t *v;
	size_t i;

	printf("consent %s: %s on %s\n", js(r, "consent"), js(r, "action"),
	       js(r, "date"));
	if (*js(r, "consent_granted"))
		printf("granted again as %s\n", js(r, "consent_granted"));
	print_events(r);
	print_sessions(json_object_get(r, "sessions_postponed"),
		       "sessions postponed (enrolments kept)");
	printf("assignments ended that day: %zu\n",
	       json_array_size(json_object_get(r, "assignments_ended")));
	json_array_foreach(json_object_get(r, "assignments_ended"), i, v)
		if (i < 20)
			printf("  %s\n", json_string_value(v));
	if (json_array_size(json_object_get(r, "assignments_ended")) > 20)
		printf("  …\n");
	printf("assignments not yet begun, no longer covered: %zu\n",
	       json_array_size(json_object_get(r, "assignments_not_started")));
	print_activities(r);
	printf("nothing was deleted\n");
	dry_note(r);
}

int cmd_consent(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "on", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	char on[11] = "";
	int opt, now, dry = 0, rc;
	json_t *report = NULL;
	struct error e;

	while ((opt = getopt_long(argc, argv, ":o:n", opts, NULL)) != -1) {
		if (cli_common_option(c, "consent", opt, &now) > 0)
			return now;
		if (opt == 'o' && cli_date(c, "consent", "--on", optarg, on))
			return EXIT_USAGE;
		if (opt == 'n')
			dry = 1;
	}
	if (argc - optind != 2 || !on[0])
		return cli_usage(c, "consent", "expected grant|suspend|withdraw ID --on DATE");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	rc = action_consent(c->store, c->who, argv[optind], argv[optind + 1], on, dry,
			    &report, &e);
	return done(c, rc, report, &e, print_consent);
}

static void print_transfer(json_t *r)
{
	const char *nation;
	json_t *v;

	printf("activity %s passes from %s to %s on %s\n", js(r, "activity"),
	       js(r, "from"), js(r, "to"), js(r, "on"));
	printf("owner on %s: %s\n", js(json_object_get(r, "owner_on_day_before"), "date"),
	       js(json_object_get(r, "owner_on_day_before"), "owner"));
	printf("sessions moved: %lld\nenrolments moved: %lld\n",
	       ji(r, "sessions_moved"), ji(r, "enrolments_moved"));
	printf("people re-assigned: %lld\n", ji(r, "people_reassigned"));
	json_object_foreach(json_object_get(r, "people_by_nation"), nation, v)
		printf("  %s %lld\n", nation, (long long)json_integer_value(v));
	dry_note(r);
}

int cmd_transfer(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "on", required_argument, NULL, 'o' },
		{ "with-personnel", no_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	const char *to = NULL;
	char on[11] = "";
	int opt, now, dry = 0, people = 0, rc;
	json_t *report = NULL;
	struct error e;

	while ((opt = getopt_long(argc, argv, ":t:o:pn", opts, NULL)) != -1) {
		if (cli_common_option(c, "transfer", opt, &now) > 0)
			return now;
		switch (opt) {
		case 't': to = optarg; break;
		case 'o':
			if (cli_date(c, "transfer", "--on", optarg, on))
				return EXIT_USAGE;
			break;
		case 'p': people = 1; break;
		case 'n': dry = 1; break;
		}
	}
	if (argc - optind != 1 || !to || !on[0])
		return cli_usage(c, "transfer", "expected ACTIVITY --to ORG --on DATE");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	rc = action_transfer(c->store, c->who, argv[optind], to, on, people, dry,
			     &report, &e);
	return done(c, rc, report, &e, print_transfer);
}

/*==== report ===========================================================*/

static void print_ceilings(json_t *r)
{
	json_t *v, *peak = json_object_get(r, "peak");
	const char *last = NULL;
	long long prev = -1;
	size_t i;

	printf("daily headcount against the consent ceiling, %s to %s\n"
	       "(days where the count changes)\n\n", js(r, "from"), js(r, "to"));
	printf("  %-10s  %-12s %9s %8s\n", "date", "consent", "headcount", "ceiling");
	json_array_foreach(json_object_get(r, "days"), i, v) {
		long long n = ji(v, "headcount");

		if (n != prev || !last || strcmp(last, js(v, "consent")))
			printf("  %-10s  %-12s %9lld %8lld%s\n", js(v, "date"),
			       js(v, "consent"), n, ji(v, "ceiling"),
			       n > ji(v, "ceiling") ? "  OVER" : "");
		prev = n;
		last = js(v, "consent");
	}
	if (json_is_object(peak))
		printf("\npeak: %lld on %s under %s (ceiling %lld); days over: %lld\n",
		       ji(peak, "headcount"), js(peak, "date"), js(peak, "consent"),
		       ji(peak, "ceiling"), ji(r, "breaches"));
}

static void print_transition(json_t *r)
{
	json_t *v;
	size_t i;

	printf("transition to self-sufficiency as of %s\n\n", js(r, "as_of"));
	printf("  %-10s %-12s %-12s %9s %8s\n", "course", "state", "transitioned",
	       "host-led", "sessions");
	json_array_foreach(json_object_get(r, "courses"), i, v)
		printf("  %-10s %-12s %-12s %9lld %8lld\n", js(v, "course"),
		       js(v, "state"), *js(v, "transitioned_on") ?
		       js(v, "transitioned_on") : "no", ji(v, "host_led_sessions"),
		       ji(v, "sessions"));
	printf("\n  share of training days led by host-nation instructors: %.0f%%\n\n",
	       100 * json_number_value(json_object_get(r, "host_share")));
	printf("  %-7s %6s %6s %6s\n", "month", "days", "host", "share");
	json_array_foreach(json_object_get(r, "monthly"), i, v)
		printf("  %-7s %6lld %6lld %5.0f%%\n", js(v, "month"),
		       ji(v, "training_days"), ji(v, "host_led_days"),
		       100 * json_number_value(json_object_get(v, "host_share")));
}

/* A report as text: its scalar members, then each array of objects as a
 * table, and each object of objects (counts by something) as a table.
 * A cell as in CSV, except that reals are rounded to 3 digits for the
 * eye and a nested value shows as "…". */
static void scalar(json_t *v, char *out, size_t n)
{
	if (json_is_real(v))
		snprintf(out, n, "%.3g", json_real_value(v));
	else if (json_cell_text(v, out, n))
		snprintf(out, n, "%s", "…");
}

static void print_table(const char *title, json_t *rows, const char *first)
{
	const char *k;
	json_t *row, *v, *cols = json_array();
	size_t i, j, width[24] = { 0 };
	char cell[128];

	if (first)
		json_array_append_new(cols, json_string(first));
	json_array_foreach(rows, i, row)
		json_object_foreach(row, k, v) {
			int seen = 0;

			if (json_is_array(v) || json_is_object(v))
				continue;
			json_array_foreach(cols, j, v)
				seen |= !strcmp(json_string_value(v), k);
			if (!seen && json_array_size(cols) < 24)
				json_array_append_new(cols, json_string(k));
		}
	/* Widths in the columns a terminal gives text, not its bytes. */
	json_array_foreach(cols, j, v)
		width[j] = utf8_width(json_string_value(v));
	json_array_foreach(rows, i, row)
		json_array_foreach(cols, j, v) {
			size_t w;

			scalar(json_object_get(row, json_string_value(v)), cell,
			       sizeof(cell));
			if ((w = utf8_width(cell)) > width[j])
				width[j] = w > 40 ? 40 : w;
		}
	printf("\n%s\n", title);
	json_array_foreach(cols, j, v) {
		fputs("  ", stdout);
		utf8_put_cell(stdout, json_string_value(v), width[j]);
	}
	printf("\n");
	json_array_foreach(rows, i, row) {
		json_array_foreach(cols, j, v) {
			scalar(json_object_get(row, json_string_value(v)), cell,
			       sizeof(cell));
			fputs("  ", stdout);
			utf8_put_cell(stdout, cell, width[j]);
		}
		printf("\n");
	}
	json_decref(cols);
}

static void print_report(json_t *r)
{
	const char *k;
	json_t *v;
	char cell[128];

	json_object_foreach(r, k, v) {
		if (json_is_array(v) || json_is_object(v))
			continue;
		scalar(v, cell, sizeof(cell));
		printf("%-22s %s\n", k, cell);
	}
	json_object_foreach(r, k, v) {
		if (json_is_array(v) && json_array_size(v) &&
		    json_is_object(json_array_get(v, 0))) {
			print_table(k, v, NULL);
		} else if (json_is_object(v) && json_object_size(v)) {
			json_t *rows = json_array(), *o;
			const char *name;

			json_object_foreach(v, name, o) {
				json_t *row = json_is_object(o) ? json_deep_copy(o) :
					json_pack("{s:O}", "value", o);

				json_object_set_new(row, "_", json_string(name));
				json_array_append_new(rows, row);
			}
			print_table(k, rows, "_");
			json_decref(rows);
		}
	}
}

/* Print, or write REPORT as FORMAT (table, json, csv, xlsx) to PATH. */
static int report_done(struct cli *c, int rc, json_t *report, struct error *e,
		       void (*print)(json_t *), const char *format,
		       const char *path)
{
	FILE *out = stdout;

	if (rc || !strcmp(format, "table") || !strcmp(format, "json")) {
		if (!strcmp(format, "json"))
			c->json = 1;
		return done(c, rc, report, e, print);
	}
	if (!strcmp(format, "xlsx")) {
		rc = report_write_xlsx(report, path, e);
	} else {
		if (path && !(out = fopen(path, "w"))) {
			error_set(e, ERR_IO, "cannot write %s", path);
			rc = -1;
		} else {
			rc = report_write_csv(report, out, e);
			if (out != stdout && fclose(out) && !rc)
				rc = error_set(e, ERR_IO, "cannot write %s", path);
		}
	}
	json_decref(report);
	if (rc) {
		rc = cli_error(c, e);
		error_release(e);
		return rc;
	}
	if (path)
		fprintf(stderr, "wrote %s\n", path);
	error_release(e);
	return 0;
}

/* The text form of report NAME: its own, or the general one. */
static void (*printer(const char *name))(json_t *)
{
	if (!strcmp(name, "ceilings"))
		return print_ceilings;
	if (!strcmp(name, "transition"))
		return print_transition;
	return print_report;
}

/* Does report D take the parameter of FLAG? */
static int report_takes(const struct report_def *d, const char *flag)
{
	for (size_t j = 0; j < REPORT_PARAMS_MAX && d->params[j].name; j++)
		if (!strcmp(d->params[j].flag, flag))
			return 1;
	return 0;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'n' },
		{ "event", required_argument, NULL, 'e' },
		{ "activity", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "known-on", required_argument, NULL, 'K' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct report_args a = { .days = 0 };
	const char *format = "table", *path = NULL, *known = NULL;
	char known_at[21];
	/* The parameters given, by flag, until the report says which it
	 * takes (report_arg() reads each). */
	static const char *const flags[] = { "--as-of", "--from", "--to",
					     "--days", "--event" };
	const char *given[5] = { NULL };
	const struct report_def *d;
	int opt, now, rc;
	json_t *report = NULL;
	struct error e;
	struct buf names = BUF_INIT;

	while ((opt = getopt_long(argc, argv, ":a:f:t:n:e:F:o:K:", opts, NULL)) != -1) {
		const char *const letters = "aftne";
		const char *at = opt > 0 ? strchr(letters, opt) : NULL;

		if (cli_common_option(c, "report", opt, &now) > 0)
			return now;
		if (opt == 'F')
			format = optarg;
		if (opt == 'o')
			path = optarg;
		if (opt == 'K')
			known = optarg;
		if (at)		/* --event and --activity are one option */
			given[at - letters] = optarg;
	}
	if (argc - optind != 1)
		return cli_usage(c, "report", "which report?");
	if (c->json)
		format = "json";
	if (strcmp(format, "table") && strcmp(format, "json") &&
	    strcmp(format, "csv") && strcmp(format, "xlsx"))
		return cli_usage(c, "report", "--format is table, json, csv or xlsx");
	if (!strcmp(format, "xlsx") && !path)
		return cli_usage(c, "report", "an Excel workbook needs -o FILE.xlsx");
	if (!(d = report_find(argv[optind]))) {
		for (size_t i = 0; i < nreports; i++)
			buf_addf(&names, "%s%s", i ? i + 1 < nreports ? ", " :
				 " or " : "", reports[i].name);
		rc = cli_usage(c, "report", "no report '%s': %s", argv[optind],
			       buf_str(&names));
		buf_release(&names);
		return rc;
	}
	error_init(&e);
	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++) {
		const struct report_param *p = NULL;

		for (size_t j = 0; j < REPORT_PARAMS_MAX && d->params[j].name; j++)
			if (!strcmp(d->params[j].flag, flags[i]) ||
			    (i == 4 && !strcmp(d->params[j].flag, "--activity")))
				p = &d->params[j];
		if (!given[i])
			continue;
		if (!p) {
			error_release(&e);
			return cli_usage(c, "report", "%s takes no %s", d->name,
					 i == 4 ? "--event or --activity" : flags[i]);
		}
		if (report_arg(&a, p, given[i], REPORT_CLI_FLAGS, &e)) {
			rc = cli_usage(c, "report", "%s", e.message);
			error_release(&e);
			return rc;
		}
	}
	if (known && !report_takes(d, "--as-of"))
		return cli_usage(c, "report", "--known-on is for the reports "
				 "that take --as-of: %s takes none", d->name);
	if (known && cli_known_on_arg(c, "report", known, known_at))
		return EXIT_USAGE;
	if (!cli_store(c))
		return c->status;
	if (known && (rc = cli_known_on(c, known_at)))
		return rc;
	if (report_check(d, &a, REPORT_CLI_FLAGS, &e)) {
		rc = cli_usage(c, "report", "%s", e.message);
		error_release(&e);
		return rc;
	}
	rc = report_run(c->store, c->who, d, &a, REPORT_CLI_FLAGS, &report, &e);
	return report_done(c, rc, report, &e, printer(d->name), format, path);
}
