/* `cadre due`: what needs attention in the days to come. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/due.h"
#include "util/date.h"

static const char *js(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static void print_text(json_t *d)
{
	json_t *v;
	size_t i, n = json_array_size(json_object_get(d, "items"));

	printf("Due as of %s, through %s (%lld days): %zu item%s\n",
	       js(d, "as_of"), js(d, "until"),
	       (long long)json_integer_value(json_object_get(d, "days")), n,
	       n == 1 ? "" : "s");
	if (n)
		printf("\n  %-10s  %-13s  %s\n", "due", "kind", "record: reason");
	json_array_foreach(json_object_get(d, "items"), i, v) {
		json_t *r = json_object_get(v, "record");

		printf("  %-10s  %-13s  %s/%s: %s\n", js(v, "due"), js(v, "kind"),
		       js(r, "kind"), js(r, "key"), js(v, "reason"));
	}
}

/* --days N: a whole number of days from 0 to DUE_DAYS_MAX. */
static int parse_days(struct cli *c, const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end || errno || n < 0 || n > DUE_DAYS_MAX)
		return cli_usage(c, "due", "--days '%s': a whole number of days "
				 "from 0 to %d", v, DUE_DAYS_MAX);
	*out = (int)n;
	return 0;
}

int cmd_due(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "days", required_argument, NULL, 'n' },
		{ "known-on", required_argument, NULL, 'K' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct error e;
	json_t *d;
	char asof[11], known[21] = "";
	int opt, now, rc, days = DUE_DAYS_DEFAULT;

	date_format(date_today(), asof);
	while ((opt = getopt_long(argc, argv, ":a:n:K:", opts, NULL)) != -1) {
		if (cli_common_option(c, "due", opt, &now) > 0)
			return now;
		if (opt == 'a' && cli_date(c, "due", "--as-of", optarg, asof))
			return EXIT_USAGE;
		if (opt == 'n' && parse_days(c, optarg, &days))
			return EXIT_USAGE;
		if (opt == 'K' && cli_known_on_arg(c, "due", optarg, known))
			return EXIT_USAGE;
	}
	if (optind != argc)
		return cli_usage(c, "due", "unexpected '%s'", argv[optind]);
	if (!cli_store(c))
		return c->status;
	if (*known && (rc = cli_known_on(c, known)))
		return rc;
	error_init(&e);
	if (due_list(c->store, c->who, asof, days, &d, &e)) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	if (c->json) {
		cli_print_json(d);
	} else {
		print_text(d);
		json_decref(d);
	}
	return 0;
}
