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

			if (!k && strcmp(optarg, "account") && strcmp(optarg, "token") &&
			    strcmp(optarg, "database"))
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

/* What the keyed half of the check covered, in a sentence. */
static const char *keyed_text(const struct audit_report *r)
{
	switch (r->keyed) {
	case AUDIT_UNSEALED:
		return "not sealed yet: no audit key has met this log, so only "
		       "the unkeyed hash chain was checked (the next write "
		       "seals it)";
	case AUDIT_MACS_VERIFIED:
		return "MACs verified with the audit key";
	case AUDIT_NO_KEY:
		break;
	}
	return "MACs NOT checked: the audit key is missing";
}

static void print_report(struct cli *c, const struct audit_report *r)
{
	char key[AUDIT_PATH_MAX], head[AUDIT_PATH_MAX];

	if (store_audit_file(c->store, ".key", key))
		key[0] = '\0';
	if (store_audit_file(c->store, ".head", head))
		head[0] = '\0';
	if (c->json) {
		cli_print_json(json_pack("{s:b, s:I, s:s, s:s, s:I, s:s, s:s, s:o?, s:s}",
			"ok", r->keyed != AUDIT_NO_KEY, "entries",
			(json_int_t)r->entries, "head", r->head, "macs",
			r->keyed == AUDIT_MACS_VERIFIED ? "verified" :
			r->keyed == AUDIT_NO_KEY ? "unchecked" : "unsealed",
			"sealed_at", (json_int_t)r->seal_seq, "key", key,
			"head_file", head, "head_file_seq",
			r->head_file ? json_integer(r->head_file_seq) : NULL,
			"head_file_state", r->head_file == HEAD_FILE_AT_END ?
			"at_end" : r->head_file == HEAD_FILE_BEHIND ? "behind" :
			"none"));
		return;
	}
	printf("audit log %s: %lld entries, chain verified; head %s\n",
	       r->keyed == AUDIT_NO_KEY ? "NOT fully verified" : "intact",
	       (long long)r->entries, r->head);
	printf("  %s", keyed_text(r));
	if (r->keyed == AUDIT_NO_KEY)
		printf(" (%s): an entry forged with a correct hash would not be "
		       "found", key);
	printf("\n");
	if (r->keyed != AUDIT_UNSEALED && r->seal_seq)
		printf("  entries 1 to %lld were sealed on first use (trusted as "
		       "they stood then, checked by their hashes since)\n",
		       (long long)r->seal_seq);
	if (r->head_file == HEAD_FILE_AT_END)
		printf("  head file %s names the last entry\n", head);
	else if (r->head_file == HEAD_FILE_BEHIND)
		printf("  head file %s names entry %lld, %lld behind the end: a "
		       "write was cut short between its commit and the head "
		       "file (entries after %lld cannot be told from a forged "
		       "tail by the head file, only by their MACs)\n", head,
		       (long long)r->head_file_seq,
		       (long long)(r->entries - r->head_file_seq),
		       (long long)r->head_file_seq);
}

static int audit_verify_cmd(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct audit_report r;
	struct error e;
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
	if (audit_check(c->store, &r, &e)) {
		if (c->json && e.code == ERR_TAMPER) {
			cli_print_json(json_pack("{s:b, s:I, s:I, s:s}", "ok", 0,
				"entries", (json_int_t)r.entries, "first_broken",
				(json_int_t)r.broken, "message", e.message));
			rc = EXIT_TAMPER;
		} else {
			rc = cli_error(c, &e);
		}
		error_release(&e);
		return rc;
	}
	print_report(c, &r);
	/* Without the key the check is not whole: a file failed. */
	return r.keyed == AUDIT_NO_KEY ? EXIT_FAILED : 0;
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
