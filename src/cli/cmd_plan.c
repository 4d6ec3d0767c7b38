/* `cadre plan`: the planning engine's commands. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/plan_itc.h"
#include "core/planner.h"

static const char *js(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static void print_plan(json_t *r)
{
	json_t *v;
	size_t i;

	printf("%s %s to %s%s%s: %lld of %lld sessions placed, cost %lld\n",
	       json_is_true(json_object_get(r, "postponed")) ?
	       "re-planning postponed sessions," : "planning", js(r, "from"),
	       js(r, "to"), *js(r, "site") ? " at " : "", js(r, "site"),
	       (long long)json_integer_value(json_object_get(r, "placed")),
	       (long long)json_integer_value(json_object_get(r, "items")),
	       (long long)json_integer_value(json_object_get(r, "cost")));
	json_array_foreach(json_object_get(r, "sessions"), i, v)
		printf("  %-24s %-10s %-12s %s to %s  %s%s%s%s\n", js(v, "session"),
		       js(v, "site"), js(v, "room"), js(v, "from"), js(v, "to"),
		       js(v, "trainers"), *js(v, "replaces") ? "  replaces " : "",
		       js(v, "replaces"),
		       json_is_true(json_object_get(v, "restored")) ?
		       "  (runs on its own day after all)" : "");
	if (json_array_size(json_object_get(r, "unplaced")))
		printf("not placed:\n");
	json_array_foreach(json_object_get(r, "unplaced"), i, v)
		printf("  %s %s: %s — missing %s\n", *js(v, "plan") ? js(v, "plan") :
		       js(v, "session"), js(v, "course"), js(v, "reason"),
		       js(v, "missing"));
	if (json_array_size(json_object_get(r, "already_planned")))
		printf("already planned (sessions that exist count toward "
		       "their plan):\n");
	json_array_foreach(json_object_get(r, "already_planned"), i, v)
		printf("  %s %s: %lld of %lld sessions exist\n", js(v, "plan"),
		       js(v, "course"),
		       (long long)json_integer_value(json_object_get(v, "existing")),
		       (long long)json_integer_value(json_object_get(v, "sessions")));
	if (json_integer_value(json_object_get(r, "hidden")) > 0)
		printf("and %lld more you may not see\n",
		       (long long)json_integer_value(json_object_get(r, "hidden")));
	if (!json_is_true(json_object_get(r, "applied")))
		printf("(dry run: nothing was written; --apply writes the plan)\n");
}

static int plan_sessions_cmd(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "site", required_argument, NULL, 's' },
		{ "postponed", no_argument, NULL, 'p' },
		{ "apply", no_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct planner_opts o = { 0 };
	char from[11] = "", to[11] = "";
	json_t *report = NULL;
	struct error e;
	int opt, now, rc;

	while ((opt = getopt_long(argc, argv, ":f:t:s:pan", opts, NULL)) != -1) {
		if (cli_common_option(c, "plan", opt, &now) > 0)
			return now;
		switch (opt) {
		case 'f':
			if (cli_date(c, "plan", "--from", optarg, from))
				return EXIT_USAGE;
			break;
		case 't':
			if (cli_date(c, "plan", "--to", optarg, to))
				return EXIT_USAGE;
			break;
		case 's': o.site = optarg; break;
		case 'p': o.postponed = 1; break;
		case 'a': o.apply = 1; break;
		case 'n': o.apply = 0; break;
		}
	}
	if (!from[0] || !to[0])
		return cli_usage(c, "plan", "--from and --to are needed");
	o.from = from;
	o.to = to;
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	rc = plan_sessions(c->store, c->who, &o, &report, &e);
	if (rc) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	if (c->json) {
		cli_print_json(report);
	} else {
		print_plan(report);
		json_decref(report);
	}
	return 0;
}

int cmd_plan(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "itc"))
		return plan_itc_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sessions"))
		return plan_sessions_cmd(c, argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_help("plan", stdout);
		return 0;
	}
	return cli_usage(c, "plan", "expected sessions or itc");
}
