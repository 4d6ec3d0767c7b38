/* `cadre plan itc`: placeholder until the ITC 2007 engine lands. */
#include "cli/plan_itc.h"

#include <stdio.h>

int plan_itc_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "cadre plan itc: the planning engine is not built yet\n");
	return 2;
}
