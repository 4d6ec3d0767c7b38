/* `cadre check`: every rule over every day of a range, the mission's
 * fsck (core/check.h). */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "core/check.h"
#include "util/date.h"

static void print_text(json_t *res)
{
	json_t *v, *x;
	size_t i, j;
	long hidden = (long)json_integer_value(json_object_get(res, "hidden"));
	int32_t to = date_days(json_string_value(json_object_get(res, "to")));
	char last[11];

	date_format(to - 1, last);
	json_array_foreach(json_object_get(res, "violations"), i, v) {
		printf("%s: %s\n", json_string_value(json_object_get(v, "rule")),
		       json_string_value(json_object_get(v, "message")));
		printf("  records:");
		json_array_foreach(json_object_get(v, "records"), j, x)
			printf(" %s", json_string_value(x));
		printf("\n  days:");
		json_array_foreach(json_object_get(v, "dates"), j, x)
			printf("%s%s", j ? " to " : " ", json_string_value(x));
		printf("\n");
	}
	printf("%s%lld violation%s from %s",
	       json_array_size(json_object_get(res, "violations")) ? "\n" : "",
	       (long long)check_total(res), check_total(res) == 1 ? "" : "s",
	       json_string_value(json_object_get(res, "from")));
	/* An open range ends on the last day there is ("9999-12-31"). */
	if (strcmp(json_string_value(json_object_get(res, "to")), "9999-12-31"))
		printf(" to %s", last);
	else
		printf(" on");
	if (hidden)
		printf(" (%ld naming records you may not see)", hidden);
	printf("\n");
}

int cmd_check(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "known-on", required_argument, NULL, 'K' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	char asof[11] = "", from[11] = "", to[11] = "", known[21] = "";
	struct error e;
	json_t *res;
	int opt, now, rc;

	while ((opt = getopt_long(argc, argv, ":a:f:t:K:", opts, NULL)) != -1) {
		if (cli_common_option(c, "check", opt, &now) > 0)
			return now;
		if ((opt == 'a' && cli_date(c, "check", "--as-of", optarg, asof)) ||
		    (opt == 'f' && cli_date(c, "check", "--from", optarg, from)) ||
		    (opt == 't' && cli_date(c, "check", "--to", optarg, to)) ||
		    (opt == 'K' && cli_known_on_arg(c, "check", optarg, known)))
			return EXIT_USAGE;
	}
	if (optind != argc)
		return cli_usage(c, "check", "unexpected '%s'", argv[optind]);
	if (*asof && (*from || *to))
		return cli_usage(c, "check", "--as-of or --from and --to, not both");
	if (*asof) {
		snprintf(from, sizeof(from), "%s", asof);
		date_format(date_days(asof) + 1, to);
	}
	if (*from && *to && strcmp(from, to) >= 0)
		return cli_usage(c, "check", "--to (%s) is the day after the last: "
				 "it must come after --from (%s)", to, from);
	if (!cli_store(c))
		return c->status;
	if (*known && (rc = cli_known_on(c, known)))
		return rc;
	error_init(&e);
	if (mission_check(c->store, c->who, *from ? from : NULL,
			  *to ? to : NULL, &res, &e)) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	rc = check_total(res) ? EXIT_REFUSED : 0;
	if (c->json) {
		cli_print_json(res);
	} else {
		print_text(res);
		json_decref(res);
	}
	return rc;
}
