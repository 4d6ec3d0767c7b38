/* `cadre plan itc`: solve an ITC 2007 track 3 instance. */
#ifndef CADRE_CLI_PLAN_ITC_H
#define CADRE_CLI_PLAN_ITC_H

/* ARGV[0] is "itc". Returns the process exit status (0, 1 refused, 2 usage). */
int plan_itc_main(int argc, char **argv);

#endif
