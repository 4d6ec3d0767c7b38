/* `cadre init` and `cadre demo`: create a database, load the demo. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include <sodium.h>

#include "core/account.h"
#include "core/demo.h"
#include "core/generate.h"
#include "store/audit.h"
#include "util/progress.h"

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct error e;
	int opt, now;

	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		if (cli_common_option(c, "init", opt, &now) > 0)
			return now;
	if (optind != argc)
		return cli_usage(c, "init", "unexpected '%s'", argv[optind]);
	if (!cli_store(c))
		return c->status;
	error_init(&e);
	if (audit_seal_now(c->store, &e)) {	/* its key made now */
		int rc = cli_error(c, &e);

		error_release(&e);
		return rc;
	}
	if (c->json)
		cli_print_json(json_pack("{s:s, s:i}", "database", c->db_path,
					 "schema_version",
					 store_schema_version(c->store)));
	else
		printf("database %s ready (schema version %d)\n", c->db_path,
		       store_schema_version(c->store));
	return 0;
}

static int remove_db(const char *path, struct error *e)
{
	/* The head file goes with the log it names (docs/audit.md); the
	 * audit key stays and seals the new one. */
	static const char *const suffix[] = { "", "-wal", "-shm", ".head" };
	char name[4096];

	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffix[i]);
		if (unlink(name) && errno != ENOENT)
			return error_set(e, ERR_IO, "cannot remove %s: %s", name,
					 strerror(errno));
	}
	return 0;
}

/* One account per role with a fresh random password, printed once. */
static int demo_accounts(struct cli *c, json_t *out, struct error *e)
{
	static const struct {
		const char *role, *nation, *clearance;
	} who[] = {
		{ "admin", NULL, "CTS" }, { "commander", NULL, "NS" },
		{ "manning", NULL, "NS" }, { "training", NULL, "NS" },
		{ "trainer", NULL, "NR" }, { "contingent", "CAN", "NS" },
		{ "liaison", "IRQ", "NR" }, { "auditor", NULL, "NS" },
	};

	if (!c->json)
		printf("\naccounts (passwords shown once; cadre keeps only "
		       "their Argon2id hashes):\n");
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		unsigned char raw[12];
		char pw[24], login[32];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(pw, sizeof(pw), raw, sizeof(raw),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(login, sizeof(login), "demo.%s", who[i].role);
		if (account_add(c->store, login, who[i].role, who[i].nation,
				who[i].clearance, pw, e))
			return -1;
		if (c->json)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}",
				"login", login, "role", who[i].role, "password", pw));
		else
			printf("  %-16s %-10s %-4s %s\n", login, who[i].role,
			       who[i].nation ? who[i].nation : "", pw);
	}
	return 0;
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "accounts", no_argument, NULL, 'a' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct demo_stats st;
	struct progress pr;
	struct error e;
	long long n;
	int opt, now, force = 0, accounts = 0, rc;
	json_t *logins = json_array();

	while ((opt = getopt_long(argc, argv, ":fa", opts, NULL)) != -1) {
		if (cli_common_option(c, "demo", opt, &now) > 0) {
			json_decref(logins);
			return now;
		}
		if (opt == 'f')
			force = 1;
		if (opt == 'a')
			accounts = 1;
	}
	error_init(&e);
	if (force && remove_db(c->db_path, &e))
		goto fail;
	if (!cli_store(c)) {
		json_decref(logins);
		return c->status;
	}
	/* Whether the file holds a mission at all: every record counts,
	 * whoever asks. */
	n = store_count(c->store, &principal_system, kind_find("nations"), &e);
	if (n < 0)
		goto fail;
	if (n > 0) {
		error_set(&e, ERR_INPUT, "%s already holds a mission; use "
			  "'cadre demo --force' to replace it", c->db_path);
		goto fail;
	}
	progress_start(&pr, "demo", 0);
	rc = demo_load(c->store, progress_cb, &pr, &st, &e);
	progress_done(&pr);
	if (rc)
		goto fail;
	if (!c->json)
		printf("demo mission (NATO Mission Iraq) loaded into %s: %ld "
		       "records — %ld persons, %ld sessions, %ld trainees, "
		       "%ld enrolments\n", c->db_path, st.records, st.persons,
		       st.sessions, st.trainees, st.enrolments);
	if (accounts && demo_accounts(c, logins, &e))
		goto fail;
	if (c->json)
		cli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:O}",
			"database", c->db_path, "records", (json_int_t)st.records,
			"persons", (json_int_t)st.persons,
			"sessions", (json_int_t)st.sessions,
			"trainees", (json_int_t)st.trainees,
			"enrolments", (json_int_t)st.enrolments, "accounts", logins));
	json_decref(logins);
	return 0;
fail:
	json_decref(logins);
	rc = cli_error(c, &e);
	error_release(&e);
	return rc;
}

int cmd_generate(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scale", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct generate_stats st;
	struct progress pr;
	struct error e;
	double scale = 1;
	long long n;
	int opt, now, force = 0, rc;

	while ((opt = getopt_long(argc, argv, ":s:f", opts, NULL)) != -1) {
		if (cli_common_option(c, "generate", opt, &now) > 0)
			return now;
		if (opt == 's')
			scale = strtod(optarg, NULL);
		if (opt == 'f')
			force = 1;
	}
	if (scale <= 0 || scale > 100)
		return cli_usage(c, "generate", "--scale is above 0 and at most 100");
	error_init(&e);
	if (force && remove_db(c->db_path, &e))
		goto fail;
	if (!cli_store(c))
		return c->status;
	/* Whether the file holds a mission at all: every record counts,
	 * whoever asks. */
	n = store_count(c->store, &principal_system, kind_find("nations"), &e);
	if (n < 0)
		goto fail;
	if (n > 0) {
		error_set(&e, ERR_INPUT, "%s already holds a mission; use --force "
			  "to replace it", c->db_path);
		goto fail;
	}
	progress_start(&pr, "generate", 0);
	rc = generate_mission(c->store, scale, progress_cb, &pr, &st, &e);
	progress_done(&pr);
	if (rc)
		goto fail;
	if (c->json)
		cli_print_json(json_pack("{s:f, s:I, s:I, s:I, s:I}", "scale", scale,
			"persons", (json_int_t)st.persons, "sessions",
			(json_int_t)st.sessions, "trainees", (json_int_t)st.trainees,
			"enrolments", (json_int_t)st.enrolments));
	else
		printf("generated at scale %g: %ld persons, %ld sessions, %ld "
		       "trainees, %ld enrolments\n", scale, st.persons, st.sessions,
		       st.trainees, st.enrolments);
	return 0;
fail:
	rc = cli_error(c, &e);
	error_release(&e);
	return rc;
}
