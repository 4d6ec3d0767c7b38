/* `cadre audit log|verify`: read and check the audit chain. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "core/policy.h"
#include "model/kind.h"
#include "store/audit.h"

static int print_entry(void *arg, const struct audit_entry *a)
{
	struct cli *c = arg;

	if (c->json) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}",
			"seq", (json_int_t)a->seq, "at", a->at, "actor", a->actor,
			"action", a->action, "entity", a->entity, "key", a->key,
			"before", a->before, "after", a->after, "hash", a->hash);

		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		printf("%6lld  %s  %-10s %-6s %-13s %s\n", (long long)a->seq,
		       a->at, a->actor, a->action, a->entity, a->key);
	}
	return 0;
}

static int audit_log(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "entity", required_argument, NULL, 'e' },
		{ "key", required_argument, NULL, 'k' },
		{ "actor", required_argument, NULL, 'u' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'l' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct audit_filter f = { 0 };
	struct error e;
	char since[11], until[11];
	int opt, now, rc;

	while ((opt = getopt_long(argc, argv, ":e:k:u:s:t:l:", opts, NULL)) != -1) {
		if (cli_common_option(c, "audit", opt, &now) > 0)
			return now;
		switch (opt) {
		case 'e': {
			const struct kind *k = kind_find(optarg);

			if (!k && strcmp(optarg, "account") && strcmp(optarg, "token"))
				return cli_usage(c, "audit", "no kind '%s' (a kind, "
						 "account or token)", optarg);
			f.entity = k ? k->table : optarg;
			break;
		}
		case 'k':
			f.key = optarg;
			break;
		case 'u':
			f.actor = optarg;
			break;
		case 's':
			if (cli_date(c, "audit", "--since", optarg, since))
				return EXIT_USAGE;
			f.since = since;
			break;
		case 't':
			if (cli_date(c, "audit", "--until", optarg, until))
				return EXIT_USAGE;
			f.until = until;
			break;
		case 'l':
			f.limit = strtol(optarg, NULL, 10);
			break;
		}
	}
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if (!policy_may_read_audit(c->who)) {
		error_set(&e, ERR_FORBIDDEN, "the audit log is the auditor's and "
			  "the administrator's");
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	/* Under --as, only the entries that reader may see (audit.h). */
	rc = audit_each(c->store, c->who, &f, print_entry, c, &e);
	rc = rc ? cli_error(c, &e) : 0;
	error_release(&e);
	return rc;
}

static int audit_verify_cmd(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
	int64_t count, broken;
	struct error e;
	char head[65];
	int opt, now, rc;

	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		if (cli_common_option(c, "audit", opt, &now) > 0)
			return now;
	/* The chain is checked whole, over entries a reader may not see:
	 * the local operator's check, not a reader's. */
	if (c->as)
		return cli_usage(c, "audit", "verify checks the whole log as the "
				 "local operator: run it without --as");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if (audit_verify(c->store, &count, &broken, head, &e)) {
		if (c->json && e.code == ERR_TAMPER) {
			cli_print_json(json_pack("{s:b, s:I, s:I, s:s}", "ok", 0,
				"entries", (json_int_t)count, "first_broken",
				(json_int_t)broken, "message", e.message));
			rc = EXIT_TAMPER;
		} else {
			rc = cli_error(c, &e);
		}
		error_release(&e);
		return rc;
	}
	if (c->json)
		cli_print_json(json_pack("{s:b, s:I, s:s}", "ok", 1, "entries",
					 (json_int_t)count, "head", head));
	else
		printf("audit log intact: %lld entries, chain verified; head %s\n",
		       (long long)count, head);
	return 0;
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			cli_help("audit", stdout);
			return 0;
		}
		return cli_usage(c, "audit", "expected log or verify");
	}
	if (!strcmp(argv[1], "log"))
		return audit_log(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return audit_verify_cmd(c, argc - 1, argv + 1);
	return cli_usage(c, "audit", "no subcommand '%s'", argv[1]);
}
