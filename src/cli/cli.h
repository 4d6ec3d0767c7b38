/*
 * The command line: shared context of the `cadre` commands and the ways
 * they print results and errors.
 *
 * Exit status: 0 done; 1 input refused (nothing changed); 2 usage error;
 * 3 the database or a file failed; 4 the audit log does not verify.
 */
#ifndef CADRE_CLI_CLI_H
#define CADRE_CLI_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "store/store.h"
#include "util/error.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3, EXIT_TAMPER = 4 };

struct principal;

struct cli {
	const char *db_path;
	int json;		/* --json: machine-readable output */
	struct store *store;	/* opened by cli_store() */
	const char *as;		/* --as LOGIN: read as that account */
	const struct principal *who;	/* resolved from `as`; NULL: all */
	int status;		/* exit status when cli_store() failed */
	/* Under --known-on, the database itself, while `store` is the
	 * mission as it was held then (cli_known_on()); else NULL. */
	struct store *live;
};

/* Open the database (migrating it) on first use. NULL on failure, with
 * the error already printed and c->status the exit status to return. */
struct store *cli_store(struct cli *c);

/* Who acts: the --as account's login once cli_store() resolved it, else
 * the operating system's user running cadre. */
const char *cli_actor(const struct cli *c);

/* Print E (text on stderr, or JSON on stdout under --json) and return
 * the exit status for its code. */
int cli_error(struct cli *c, struct error *e);

/* Print a usage error for COMMAND and return EXIT_USAGE. */
int cli_usage(struct cli *c, const char *command, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print J to stdout, indented, and release it. */
void cli_print_json(json_t *j);

/* Check an --as-of style date argument; "today" is accepted. Writes the
 * date into OUT. Returns 0, or prints the error and returns -1. */
int cli_date(struct cli *c, const char *command, const char *opt,
	     const char *arg, char out[11]);

/* Check a --known-on argument (core/knownon.h) into OUT. 0, or prints
 * the usage error and returns -1. */
int cli_known_on_arg(struct cli *c, const char *command, const char *arg,
		     char out[21]);

/* After cli_store(): read the mission as cadre held it at AT from now on
 * (c->store becomes that, c->live the database; both closed at the end).
 * The caller is who they are now. 0, or the exit status with the error
 * printed. */
int cli_known_on(struct cli *c, const char *at);

/* Help text of COMMAND (or the overview for NULL); 0 if known. */
int cli_help(const char *command, FILE *out);

/* Commands: ARGV[0] is the command name. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);
int cmd_due(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_plan(struct cli *c, int argc, char **argv);
int cmd_suspend(struct cli *c, int argc, char **argv);
int cmd_resume(struct cli *c, int argc, char **argv);
int cmd_consent(struct cli *c, int argc, char **argv);
int cmd_transfer(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_token(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_generate(struct cli *c, int argc, char **argv);
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_copy(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);

#endif

/* Options every command takes; add to a getopt_long table. */
#define CLI_COMMON_OPTIONS \
	{ "json", no_argument, NULL, 'J' }, \
	{ "db", required_argument, NULL, 'D' }, \
	{ "help", no_argument, NULL, 'H' }

/* Handle a common option (or getopt's '?' and ':'). Returns -1 when OPT
 * is not one, 0 when handled, 1 when the command must end now with the
 * status put in *EXIT_NOW (0 after --help). */
int cli_common_option(struct cli *c, const char *command, int opt,
		      int *exit_now);
