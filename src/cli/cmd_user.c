/* `cadre user` and `cadre token`: the accounts of the people who use cadre. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/account.h"

/* Read a password from standard input: one line; on a terminal, asked
 * for without echo. Returns a string to free, or NULL. */
static char *read_password(const char *prompt)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int print_account(void *arg, const struct account *a)
{
	struct cli *c = arg;

	if (c->json) {
		json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:b, s:b, s:s}",
			"login", a->login, "role", a->role,
			"nation", a->nation[0] ? a->nation : NULL,
			"clearance", a->clearance, "disabled", a->disabled,
			"password_set", a->password_hash[0] != '\0',
			"created", a->created);

		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		printf("%-16s %-11s %-4s %-4s %s%s\n", a->login, a->role,
		       a->nation[0] ? a->nation : "-", a->clearance,
		       a->disabled ? "disabled" : "active",
		       a->password_hash[0] ? "" : ", no password");
	}
	return 0;
}

static int finish(struct cli *c, int rc, struct error *e, const char *done)
{
	if (rc) {
		rc = cli_error(c, e);
		error_release(e);
		return rc;
	}
	if (c->json)
		cli_print_json(json_pack("{s:b, s:s}", "ok", 1, "done", done));
	else
		printf("%s\n", done);
	return 0;
}

int cmd_user(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "nation", required_argument, NULL, 'n' },
		{ "clearance", required_argument, NULL, 'c' },
		{ "no-password", no_argument, NULL, 'N' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	const char *role = NULL, *nation = NULL, *clearance = NULL, *verb;
	char *password = NULL, msg[160];
	int opt, now, rc, nopass = 0;
	struct error e;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && !strcmp(argv[1], "--help")) {
			cli_help("user", stdout);
			return 0;
		}
		return cli_usage(c, "user", "expected add, passwd, disable or list");
	}
	verb = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, ":r:n:c:N", opts, NULL)) != -1) {
		if (cli_common_option(c, "user", opt, &now) > 0)
			return now;
		switch (opt) {
		case 'r': role = optarg; break;
		case 'n': nation = optarg; break;
		case 'c': clearance = optarg; break;
		case 'N': nopass = 1; break;
		}
	}
	if (!strcmp(verb, "list")) {
		if (!cli_store(c))
			return EXIT_FAILED;
		error_init(&e);
		rc = store_account_each(c->store, print_account, c, &e);
		if (rc) {
			rc = cli_error(c, &e);
			error_release(&e);
		}
		return rc;
	}
	if (argc - optind != 1)
		return cli_usage(c, "user", "expected %s LOGIN", verb);
	if (!strcmp(verb, "add") && !role)
		return cli_usage(c, "user", "add needs --role");
	if (strcmp(verb, "add") && strcmp(verb, "passwd") && strcmp(verb, "disable"))
		return cli_usage(c, "user", "no subcommand '%s'", verb);
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if ((!strcmp(verb, "add") && !nopass) || !strcmp(verb, "passwd")) {
		password = read_password("password: ");
		if (!password) {
			error_set(&e, ERR_INPUT, "no password on standard input "
				  "(one line; or --no-password for a token-only "
				  "account)");
			return finish(c, -1, &e, "");
		}
	}
	if (!strcmp(verb, "add"))
		rc = account_add(c->store, argv[optind], role, nation, clearance,
				 password, &e);
	else if (!strcmp(verb, "passwd"))
		rc = account_passwd(c->store, argv[optind], password, &e);
	else
		rc = account_disable(c->store, argv[optind], &e);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	snprintf(msg, sizeof(msg), "account %s: %s", argv[optind],
		 !strcmp(verb, "add") ? "added" : !strcmp(verb, "passwd") ?
		 "password changed" : "disabled");
	return finish(c, rc, &e, msg);
}

static int print_token(void *arg, const struct token_info *t)
{
	struct cli *c = arg;

	if (c->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", t->id,
				      "login", t->login, "scope", t->scope,
				      "created", t->created, "revoked", t->revoked);

		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		printf("%-12s %-16s %-8s %s%s\n", t->id, t->login, t->scope,
		       t->created, t->revoked ? " revoked" : "");
	}
	return 0;
}

/* token add LOGIN [--calendar], token list [LOGIN], token revoke LOGIN
 * [ID] [--calendar]. */
int cmd_token(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "calendar", no_argument, NULL, 'K' },
		{ 0 }
	};
	const char *verb, *scope = NULL;
	char token[64], msg[160];
	struct error e;
	int opt, now, n = 0, rc;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && !strcmp(argv[1], "--help")) {
			cli_help("token", stdout);
			return 0;
		}
		return cli_usage(c, "token", "expected add, list or revoke");
	}
	verb = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (cli_common_option(c, "token", opt, &now) > 0)
			return now;
		if (opt == 'K')
			scope = "calendar";
	}
	if (!strcmp(verb, "list")) {
		if (argc - optind > 1)
			return cli_usage(c, "token", "expected list [LOGIN]");
		if (!cli_store(c))
			return c->status;
		error_init(&e);
		rc = store_token_each(c->store, argc > optind ? argv[optind] : NULL,
				      print_token, c, &e);
		return rc ? finish(c, rc, &e, "") : 0;
	}
	if (!strcmp(verb, "revoke")) {
		if (argc - optind < 1 || argc - optind > 2)
			return cli_usage(c, "token", "expected revoke LOGIN [ID]");
		if (!cli_store(c))
			return c->status;
		error_init(&e);
		rc = account_token_revoke(c->store, argv[optind], argc - optind == 2 ?
					  argv[optind + 1] : NULL, scope, &n, &e);
		snprintf(msg, sizeof(msg), "%s: %d token%s revoked", argv[optind], n,
			 n == 1 ? "" : "s");
		return finish(c, rc, &e, msg);
	}
	if (strcmp(verb, "add"))
		return cli_usage(c, "token", "no subcommand '%s'", verb);
	if (argc - optind != 1)
		return cli_usage(c, "token", "expected add LOGIN");
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if (account_token_add(c->store, argv[optind], scope ? scope : "api",
			      token, &e)) {
		rc = cli_error(c, &e);

		error_release(&e);
		return rc;
	}
	if (c->json)
		cli_print_json(json_pack("{s:s, s:s, s:s}", "login", argv[optind],
					 "scope", scope ? scope : "api", "token", token));
	else
		printf("%s\n(shown once: cadre keeps only its hash)\n", token);
	return 0;
}
