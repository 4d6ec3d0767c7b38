/* `cadre`: the command line front door; dispatches to the commands. */
#include <getopt.h>
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plan_itc.h"
#include "core/account.h"
#include "core/knownon.h"
#include "util/date.h"

/* Under --as LOGIN every command reads and writes as that account (the
 * core refuses what its role may not do), or is refused: OPERATOR
 * commands are the local operator's own (they create the database, its
 * accounts and tokens, or serve it to others). */
static const struct command {
	const char *name;
	int (*run)(struct cli *, int, char **);
	int operator;
} commands[] = {
	{ "init", cmd_init, 1 },
	{ "demo", cmd_demo, 1 },
	{ "import", cmd_import, 0 },
	{ "export", cmd_export, 0 },
	{ "list", cmd_list, 0 },
	{ "show", cmd_show, 0 },
	{ "status", cmd_status, 0 },
	{ "check", cmd_check, 0 },
	{ "due", cmd_due, 0 },
	{ "audit", cmd_audit, 0 },
	{ "plan", cmd_plan, 0 },
	{ "suspend", cmd_suspend, 0 },
	{ "resume", cmd_resume, 0 },
	{ "consent", cmd_consent, 0 },
	{ "transfer", cmd_transfer, 0 },
	{ "report", cmd_report, 0 },
	{ "user", cmd_user, 1 },
	{ "token", cmd_token, 1 },
	{ "serve", cmd_serve, 1 },
	{ "generate", cmd_generate, 1 },
	{ "backup", cmd_backup, 1 },
	{ "restore", cmd_restore, 1 },
	{ "copy", cmd_copy, 1 },
};

/*==== Shared helpers ===================================================*/

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *u = getenv("USER");

	if (pw && pw->pw_name)
		return pw->pw_name;
	return u && *u ? u : "unknown";
}

const char *cli_actor(const struct cli *c)
{
	if (c->who)
		return c->who->login;
	return os_user();
}

static void say_upgrade(const char *note)
{
	fprintf(stderr, "cadre: %s\n", note);
}

struct store *cli_store(struct cli *c)
{
	struct error e;

	if (c->store)
		return c->store;
	error_init(&e);
	if (store_open(c->db_path, &c->store, &e)) {
		c->status = cli_error(c, &e);
		error_release(&e);
		return NULL;
	}
	store_set_actor(c->store, cli_actor(c));
	if (c->as) {
		static struct principal who;

		error_init(&e);
		if (account_principal(c->store, c->as, &who, &e)) {
			c->status = cli_error(c, &e);
			error_release(&e);
			store_close(c->store);
			c->store = NULL;
			return NULL;
		}
		c->who = &who;
		/* Its writes are audited under its login. */
		store_set_actor(c->store, who.login);
	}
	return c->store;
}

/* May COMMAND run under --as? 0 yes; else the exit status, the refusal
 * printed. Help is always given. */
static int as_allowed(struct cli *c, const struct command *cmd, int argc,
		      char **argv)
{
	if (!c->as || !cmd->operator)
		return 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 0;
	return cli_usage(c, cmd->name, "this is the local operator's command: "
			 "run it without --as");
}

static int exit_status(enum error_code code)
{
	switch (code) {
	case ERR_OK:
		return 0;
	case ERR_INPUT:
	case ERR_FORBIDDEN:
	case ERR_RULE:
	case ERR_NOTFOUND:
	case ERR_CONFLICT:
		return EXIT_REFUSED;
	case ERR_USAGE:
		return EXIT_USAGE;
	case ERR_TAMPER:
		return EXIT_TAMPER;
	case ERR_IO:
	case ERR_BUSY:
	case ERR_STORE:
	case ERR_NOMEM:
		break;
	}
	return EXIT_FAILED;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *error_json(const struct error *e)
{
	json_t *o = json_object(), *items, *list;

	json_object_set_new(o, "code", json_string(error_code_name(e->code)));
	if (e->rule)
		json_object_set_new(o, "rule", json_string(e->rule));
	json_object_set_new(o, "message", str_or_null(e->message));
	if (e->nrecords || e->rule) {
		list = json_array();
		for (size_t i = 0; i < e->nrecords; i++)
			json_array_append_new(list, json_string(e->records[i]));
		json_object_set_new(o, "records", list);
		list = json_array();
		for (size_t i = 0; i < e->ndates; i++)
			json_array_append_new(list, json_string(e->dates[i]));
		json_object_set_new(o, "dates", list);
	}
	if (e->nitems) {
		items = json_array();
		for (size_t i = 0; i < e->nitems; i++) {
			const struct error_item *it = &e->items[i];
			json_t *j = json_object();

			json_object_set_new(j, "file", str_or_null(it->file));
			if (it->sheet)
				json_object_set_new(j, "sheet", json_string(it->sheet));
			if (it->element)
				json_object_set_new(j, "element",
						    json_integer(it->element - 1));
			json_object_set_new(j, "line", it->line ?
					    json_integer(it->line) : json_null());
			json_object_set_new(j, "column", it->column ?
					    json_integer(it->column) : json_null());
			json_object_set_new(j, "field", str_or_null(it->field));
			json_object_set_new(j, "value", str_or_null(it->value));
			json_object_set_new(j, "reason", str_or_null(it->reason));
			json_array_append_new(items, j);
		}
		json_object_set_new(o, "errors", items);
		json_object_set_new(o, "more_errors", json_integer((json_int_t)e->dropped));
	}
	return o;
}

/* Excel's name of the 1-based column COL: A … Z, AA … (at most XFD). */
static void column_letters(long col, char out[8])
{
	char rev[8];
	int n = 0;

	while (col > 0 && n < 7) {
		rev[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	out[n] = '\0';
}

/* An item in a workbook or a JSON array, as a person would say where:
 * roll.xlsx: sheet "Roll", row 7, column C (nation): 'XX': reason. */
static void item_at(const struct error_item *it)
{
	char letters[8];

	fprintf(stderr, "  %s:", it->file ? it->file : "");
	if (it->sheet)
		fprintf(stderr, " sheet \"%s\"", it->sheet);
	if (it->sheet && it->line)
		fprintf(stderr, ", row %ld", it->line);
	if (it->element)
		fprintf(stderr, " element %ld", it->element - 1);
	if (it->sheet && it->column) {
		column_letters(it->column, letters);
		fprintf(stderr, ", column %s", letters);
	}
	if (it->field)
		fprintf(stderr, it->element && !it->column ? ", %s" : " (%s)",
			it->field);
	fprintf(stderr, ":");
	if (it->value)
		fprintf(stderr, " '%s':", it->value);
	fprintf(stderr, " %s\n", it->reason ? it->reason : "");
}

int cli_error(struct cli *c, struct error *e)
{
	/* A failure that set no code is a failure all the same: never
	 * exit 0 after "failed". */
	if (e->code == ERR_OK)
		e->code = ERR_STORE;
	if (c->json) {
		cli_print_json(json_pack("{s:o}", "error", error_json(e)));
		return exit_status(e->code);
	}
	fprintf(stderr, "cadre: %s%s%s\n", e->rule ? e->rule : "",
		e->rule ? ": " : "", e->message ? e->message : "failed");
	for (size_t i = 0; i < e->nitems; i++) {
		const struct error_item *it = &e->items[i];

		if (it->sheet || it->element) {
			item_at(it);
			continue;
		}
		fprintf(stderr, "  %s", it->file ? it->file : "");
		if (it->line)
			fprintf(stderr, ":%ld", it->line);
		if (it->column)
			fprintf(stderr, ":%ld", it->column);
		fprintf(stderr, ":");
		if (it->field)
			fprintf(stderr, " %s", it->field);
		if (it->value)
			fprintf(stderr, " '%s'", it->value);
		fprintf(stderr, "%s%s\n", it->field || it->value ? ": " : " ",
			it->reason ? it->reason : "");
	}
	if (e->dropped)
		fprintf(stderr, "  … and %zu more\n", e->dropped);
	for (size_t i = 0; i < e->nrecords; i++)
		fprintf(stderr, "  record: %s\n", e->records[i]);
	for (size_t i = 0; i < e->ndates; i++)
		fprintf(stderr, "  date: %s\n", e->dates[i]);
	return exit_status(e->code);
}

int cli_usage(struct cli *c, const char *command, const char *fmt, ...)
{
	struct error e;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_init(&e);
	error_set(&e, ERR_USAGE, "%s%s%s (see 'cadre help%s%s')",
		  command ? command : "", command ? ": " : "", msg,
		  command ? " " : "", command ? command : "");
	cli_error(c, &e);
	error_release(&e);
	return EXIT_USAGE;
}

void cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
	json_decref(j);
}

int cli_date(struct cli *c, const char *command, const char *opt,
	     const char *arg, char out[11])
{
	const char *why;
	int32_t d;

	if (!strcmp(arg, "today")) {
		date_format(date_today(), out);
		return 0;
	}
	if (date_parse(arg, &d, &why)) {
		cli_usage(c, command, "%s '%s': %s", opt, arg, why);
		return -1;
	}
	date_format(d, out);
	return 0;
}

int cli_known_on_arg(struct cli *c, const char *command, const char *arg,
		     char out[21])
{
	struct error e;

	error_init(&e);
	if (known_on_parse("--known-on", arg, out, &e)) {
		cli_usage(c, command, "%s", e.message);
		error_release(&e);
		return -1;
	}
	return 0;
}

int cli_known_on(struct cli *c, const char *at)
{
	struct store *then;
	struct error e;
	int rc;

	error_init(&e);
	if (known_on_open(c->store, at, &then, &e)) {
		rc = cli_error(c, &e);
		error_release(&e);
		return rc;
	}
	c->live = c->store;
	c->store = then;
	return 0;
}

int cli_common_option(struct cli *c, const char *command, int opt,
		      int *exit_now)
{
	switch (opt) {
	case 'J':
		c->json = 1;
		return 0;
	case 'D':
		c->db_path = optarg;
		return 0;
	case 'H':
		cli_help(command, stdout);
		*exit_now = 0;
		return 1;
	case '?':
		*exit_now = cli_usage(c, command, "bad option");
		return 1;
	case ':':
		*exit_now = cli_usage(c, command, "option needs a value");
		return 1;
	}
	return -1;
}

/*==== Main =============================================================*/

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "as", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct cli c = { 0 };
	const char *env = getenv("CADRE_DB");
	int opt, rc;

	c.db_path = env && *env ? env : "cadre.db";
	if (sodium_init() < 0) {
		fprintf(stderr, "cadre: libsodium failed to start\n");
		return EXIT_FAILED;
	}
	store_library_init();
	store_on_upgrade(say_upgrade);	/* cadre serve too */
	while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			c.db_path = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'a':
			c.as = optarg;
			break;
		case 'h':
			cli_help(NULL, stdout);
			return 0;
		case 'V':
			printf("cadre %s\n", CADRE_VERSION);
			return 0;
		default:
			return cli_usage(&c, NULL, "unknown option");
		}
	}
	if (optind >= argc) {
		cli_help(NULL, stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* reset getopt for the command */
	/* --json anywhere decides how even a usage error is written. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			c.json = 1;
	if (!strcmp(argv[0], "help")) {
		if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			argv[1] = "help";
		if (cli_help(argc > 1 ? argv[1] : NULL, stdout))
			return cli_usage(&c, "help", "no command '%s'", argv[1]);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		rc = as_allowed(&c, &commands[i], argc, argv);
		if (!rc)
			rc = commands[i].run(&c, argc, argv);
		store_close(c.store);
		store_close(c.live);
		return rc;
	}
	return cli_usage(&c, NULL, "no command '%s'", argv[0]);
}
