/* `cadre backup FILE` and `cadre restore FILE`: the whole database,
 * online, verified (store/backup.h). */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "store/backup.h"
#include "util/progress.h"

static void report(struct cli *c, const char *verb, const char *file,
		   const struct backup_result *r)
{
	const struct audit_report *a = &r->audit;
	const char *macs = a->keyed == AUDIT_MACS_VERIFIED ? "verified" :
			   "unsealed";

	if (c->json) {
		cli_print_json(json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:b}",
			verb, file, "database", c->db_path, "pages",
			(json_int_t)r->pages, "entries", (json_int_t)a->entries,
			"head", a->head, "macs", macs, "integrity", 1));
		return;
	}
	printf("%s %s: %lld pages; integrity ok; audit log intact (%lld "
	       "entries, MACs %s); head %s\n", !strcmp(verb, "backup") ?
	       "backed up to" : "restored from", file, (long long)r->pages,
	       (long long)a->entries, macs, a->head);
}

/* Parse [--force] FILE for COMMAND: the FILE, or NULL with *STATUS set. */
static const char *file_arg(struct cli *c, const char *command, int argc,
			    char **argv, int *force, int *status)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	int opt, now;

	*status = 0;
	while ((opt = getopt_long(argc, argv, ":f", opts, NULL)) != -1) {
		if (cli_common_option(c, command, opt, &now) > 0) {
			*status = now;
			return NULL;
		}
		if (opt == 'f' && force)
			*force = 1;
		else if (opt == 'f')
			*status = cli_usage(c, command, "no option --force");
		if (*status)
			return NULL;
	}
	if (optind + 1 != argc) {
		*status = cli_usage(c, command, optind == argc ? "expected FILE" :
				    "unexpected '%s'", argv[optind + 1]);
		return NULL;
	}
	return argv[optind];
}

static int run(struct cli *c, const char *verb, const char *file, int force)
{
	struct backup_result r;
	struct progress pr;
	struct error e;
	int rc;

	if (!cli_store(c))
		return c->status;
	error_init(&e);
	progress_start(&pr, !strcmp(verb, "backup") ? "backup" : "restore", 0);
	rc = !strcmp(verb, "backup") ?
		store_backup(c->store, file, force, progress_cb, &pr, &r, &e) :
		store_restore(c->store, file, progress_cb, &pr, &r, &e);
	progress_done(&pr);
	if (rc) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	report(c, verb, file, &r);
	return 0;
}

int cmd_backup(struct cli *c, int argc, char **argv)
{
	int force = 0, status;
	const char *file = file_arg(c, "backup", argc, argv, &force, &status);

	return file ? run(c, "backup", file, force) : status;
}

int cmd_restore(struct cli *c, int argc, char **argv)
{
	int status;
	const char *file = file_arg(c, "restore", argc, argv, NULL, &status);
	struct error e;

	if (!file)
		return status;
	error_init(&e);
	if (store_check_unheld(c->db_path, &e)) {
		status = cli_error(c, &e);
		error_release(&e);
		return status;
	}
	return run(c, "restore", file, 0);
}
