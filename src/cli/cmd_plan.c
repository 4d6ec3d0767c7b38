/* `cadre plan`: the planning engine's commands. */
#include <string.h>

#include "cli/cli.h"
#include "cli/plan_itc.h"

int cmd_plan(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "itc"))
		return plan_itc_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_help("plan", stdout);
		return 0;
	}
	return cli_usage(c, "plan", "expected itc");
}
