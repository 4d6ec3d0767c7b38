/* `cadre init` and `cadre demo`: create a database, load the demo. */
#include <errno.h>
#include <limits.h>
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

/* The files beside a database PATH, after the main one: SQLite's, and
 * the audit key and head file (docs/audit.md), which belong to the log
 * in it: a new mission gets its own. */
static const char *const db_files[] = { "", "-wal", "-shm", ".key", ".head" };
#define NDB_FILES (sizeof(db_files) / sizeof(db_files[0]))

static int remove_db(const char *path, struct error *e)
{
	char name[PATH_MAX];

	for (size_t i = 0; i < NDB_FILES; i++) {
		snprintf(name, sizeof(name), "%s%s", path, db_files[i]);
		if (unlink(name) && errno != ENOENT)
			return error_set(e, ERR_IO, "cannot remove %s: %s", name,
					 strerror(errno));
	}
	return 0;
}

/*
 * --force builds the new mission in a file beside the old one, and it
 * takes the old one's place only once it is whole: a failure on the way
 * (a full disk) leaves the old database as it was, never an empty one.
 */
struct fresh_db {
	const char *path;		/* the database to replace */
	char tmp[PATH_MAX];		/* where the new one is built */
};

static int fresh_start(struct cli *c, struct fresh_db *f, struct error *e)
{
	f->path = c->db_path;
	/* A PostgreSQL database is not a file to build beside the old one
	 * and move over it; nor is it cadre's to drop. */
	if (!store_target_is_file(f->path))
		return error_set(e, ERR_USAGE, "--force replaces a SQLite file; "
				 "on PostgreSQL, drop and create the database "
				 "(dropdb, createdb) and run the command again "
				 "without --force");
	if (store_check_unheld(f->path, e))
		return -1;
	if ((size_t)snprintf(f->tmp, sizeof(f->tmp), "%s.new-%ld", f->path,
			     (long)getpid()) >= sizeof(f->tmp) - 8)
		return error_set(e, ERR_IO, "%s: the path is too long", f->path);
	if (remove_db(f->tmp, e))
		return -1;
	c->db_path = f->tmp;
	return 0;
}

/* Close the new database and, if OK, move it over the old one; else
 * remove it. */
static int fresh_finish(struct cli *c, struct fresh_db *f, int ok,
			struct error *e)
{
	char from[PATH_MAX], to[PATH_MAX];

	store_close(c->store);		/* checkpoints its WAL */
	c->store = NULL;
	c->db_path = f->path;
	if (!ok || remove_db(f->path, e)) {
		struct error ignored;

		error_init(&ignored);
		remove_db(f->tmp, &ignored);
		error_release(&ignored);
		return -1;
	}
	for (size_t i = 0; i < NDB_FILES; i++) {
		snprintf(from, sizeof(from), "%s%s", f->tmp, db_files[i]);
		snprintf(to, sizeof(to), "%s%s", f->path, db_files[i]);
		if (rename(from, to) && (errno != ENOENT || !i))
			return error_set(e, ERR_IO, "cannot move %s to %s: %s",
					 from, to, strerror(errno));
	}
	return 0;
}

/* One account per role with a fresh random password, into OUT; printed
 * once the mission is in place (print_accounts()). */
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
		json_array_append_new(out, json_pack("{s:s, s:s, s:s*, s:s}",
			"login", login, "role", who[i].role,
			"nation", who[i].nation, "password", pw));
	}
	return 0;
}

static void print_accounts(json_t *logins)
{
	size_t i;
	json_t *a;

	if (!json_array_size(logins))
		return;
	printf("\naccounts (passwords shown once; cadre keeps only their "
	       "Argon2id hashes):\n");
	json_array_foreach(logins, i, a) {
		const char *nation = json_string_value(json_object_get(a, "nation"));

		printf("  %-16s %-10s %-4s %s\n",
		       json_string_value(json_object_get(a, "login")),
		       json_string_value(json_object_get(a, "role")),
		       nation ? nation : "",
		       json_string_value(json_object_get(a, "password")));
	}
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "accounts", no_argument, NULL, 'a' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct demo_stats st;
	struct fresh_db f = { 0 };
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
	if (force && fresh_start(c, &f, &e))
		goto fail;
	if (!cli_store(c)) {
		rc = c->status;
		goto out;
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
	if (rc || (accounts && demo_accounts(c, logins, &e)))
		goto fail;
	if (force && fresh_finish(c, &f, 1, &e))
		goto fail;
	if (c->json) {
		cli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:O}",
			"database", c->db_path, "records", (json_int_t)st.records,
			"persons", (json_int_t)st.persons,
			"sessions", (json_int_t)st.sessions,
			"trainees", (json_int_t)st.trainees,
			"enrolments", (json_int_t)st.enrolments, "accounts", logins));
	} else {
		printf("demo mission (NATO Mission Iraq) loaded into %s: %ld "
		       "records — %ld persons, %ld sessions, %ld trainees, "
		       "%ld enrolments\n", c->db_path, st.records, st.persons,
		       st.sessions, st.trainees, st.enrolments);
		print_accounts(logins);
	}
	rc = 0;
	goto out;
fail:
	rc = cli_error(c, &e);
out:
	if (force && c->db_path == f.tmp)
		fresh_finish(c, &f, 0, &e);
	error_release(&e);
	json_decref(logins);
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
	struct fresh_db f = { 0 };
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
	if (force && fresh_start(c, &f, &e))
		goto fail;
	if (!cli_store(c)) {
		rc = c->status;
		goto out;
	}
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
	if (rc || (force && fresh_finish(c, &f, 1, &e)))
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
	rc = 0;
	goto out;
fail:
	rc = cli_error(c, &e);
out:
	if (force && c->db_path == f.tmp)
		fresh_finish(c, &f, 0, &e);
	error_release(&e);
	return rc;
}
