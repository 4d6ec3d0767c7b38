/* `cadre status`: where the mission stands on a date. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "core/status.h"
#include "store/access.h"
#include "util/date.h"

static void print_text(json_t *st)
{
	const char *training;
	json_t *v;
	size_t i;

	printf("Mission status as of %s\n\n",
	       json_string_value(json_object_get(st, "as_of")));
	printf("  Alliance members      %lld\n",
	       (long long)json_integer_value(json_object_get(st, "members")));
	printf("  Contributing partners %lld",
	       (long long)json_integer_value(json_object_get(st, "partners")));
	json_array_foreach(json_object_get(st, "partner_nations"), i, v)
		printf("%s%s", i ? ", " : " (", json_string_value(v));
	printf("%s\n", json_array_size(json_object_get(st, "partner_nations")) ?
	       ")" : "");
	printf("  Personnel assigned    %lld\n",
	       (long long)json_integer_value(json_object_get(st, "headcount")));
	training = json_string_value(json_object_get(st, "training"));
	printf("  Training              %s\n", !strcmp(training, "suspended") ?
	       "SUSPENDED" : training);
	if (!json_is_true(json_object_get(st, "mission_begun")))
		printf("  Mission begins        %s\n",
		       json_is_string(json_object_get(st, "mission_from")) ?
		       json_string_value(json_object_get(st, "mission_from")) :
		       "(no mission recorded)");
	else if (strcmp(training, "may run") &&
		 json_is_string(json_object_get(st, "first_consent")) &&
		 strcmp(json_string_value(json_object_get(st, "first_consent")),
			json_string_value(json_object_get(st, "as_of"))) > 0)
		printf("  First consent         %s\n", json_string_value(
		       json_object_get(st, "first_consent")));
	json_array_foreach(json_object_get(st, "suspensions"), i, v)
		printf("  %-9s %-22s since %s: %s\n",
		       json_string_value(json_object_get(v, "action")),
		       json_string_value(json_object_get(v, "scope")),
		       json_string_value(json_object_get(v, "valid_from")),
		       json_string_value(json_object_get(v, "reason")));
	printf("\n  Consents in force\n");
	json_array_foreach(json_object_get(st, "consents"), i, v)
		printf("    %-12s %-10s ceiling %-5lld %s\n",
		       json_string_value(json_object_get(v, "code")),
		       json_string_value(json_object_get(v, "state")),
		       (long long)json_integer_value(json_object_get(v, "ceiling")),
		       json_string_value(json_object_get(v, "title")));
	printf("\n  Sites\n");
	json_array_foreach(json_object_get(st, "sites"), i, v)
		printf("    %-12s %-11s %s\n",
		       json_string_value(json_object_get(v, "code")),
		       json_string_value(json_object_get(v, "status")),
		       json_string_value(json_object_get(v, "name")));
}

int cmd_status(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "known-on", required_argument, NULL, 'K' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct error e;
	json_t *st;
	char asof[11], known[21] = "";
	int opt, now, rc;

	date_format(date_today(), asof);
	while ((opt = getopt_long(argc, argv, ":a:K:", opts, NULL)) != -1) {
		if (cli_common_option(c, "status", opt, &now) > 0)
			return now;
		if (opt == 'a' && cli_date(c, "status", "--as-of", optarg, asof))
			return EXIT_USAGE;
		if (opt == 'K' &&
		    cli_known_on_arg(c, "status", optarg, known))
			return EXIT_USAGE;
	}
	if (optind != argc)
		return cli_usage(c, "status", "unexpected '%s'", argv[optind]);
	if (!cli_store(c))
		return c->status;
	if (*known && (rc = cli_known_on(c, known)))
		return rc;
	error_init(&e);
	if (mission_status(c->store, c->who, asof, &st, &e)) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	if (c->json) {
		cli_print_json(st);
	} else {
		print_text(st);
		json_decref(st);
	}
	return 0;
}
