/* `cadre copy FROM TO`: a whole mission from one database into a new
 * one, SQLite or PostgreSQL either way (store/copy.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/copy.h"
#include "store/store.h"

/* One line a table on stderr, as it arrives: a large audit log takes a
 * while, and the user sees it move. */
static void told(void *arg, const char *table, int64_t rows)
{
	(void)arg;
	fprintf(stderr, "  %-20s %lld rows\n", table, (long long)rows);
}

static void report(struct cli *c, const char *from, const char *to,
		   const struct copy_result *r)
{
	if (c->json) {
		cli_print_json(json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}",
			"from", from, "to", to, "tables", (json_int_t)r->tables,
			"rows", (json_int_t)r->rows, "entries",
			(json_int_t)r->entries, "head", r->head));
		return;
	}
	printf("copied %s to %s: %lld tables, %lld rows, each table counted "
	       "again on arrival; audit log intact (%lld entries); head %s\n",
	       from, to, (long long)r->tables, (long long)r->rows,
	       (long long)r->entries, r->head);
}

int cmd_copy(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct store *from = NULL, *to = NULL;
	struct copy_result r;
	struct error e;
	int opt, now, rc;

	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		if (cli_common_option(c, "copy", opt, &now) > 0)
			return now;
	if (optind + 2 != argc)
		return cli_usage(c, "copy", optind + 2 > argc ?
				 "expected FROM and TO" : "unexpected '%s'",
				 argv[optind + 2]);
	error_init(&e);
	rc = store_open(argv[optind], &from, &e) ||
	     store_open(argv[optind + 1], &to, &e) ||
	     store_copy(from, to, told, NULL, &r, &e);
	store_close(to);
	store_close(from);
	if (rc) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	report(c, argv[optind], argv[optind + 1], &r);
	return 0;
}
