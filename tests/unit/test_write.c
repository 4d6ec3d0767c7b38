/* core/write, core/policy markings, store_visible and the audit log per
 * reader. */
#include "helpers.h"

#include <sqlite3.h>

#include "core/policy.h"
#include "core/rules.h"
#include "core/write.h"
#include "store/audit.h"

static struct principal who(enum role role, int clearance, const char *nation)
{
	struct principal p = { .role = role, .clearance = clearance };

	snprintf(p.login, sizeof(p.login), "%s", role_name(role));
	snprintf(p.nation, sizeof(p.nation), "%s", nation ? nation : "");
	return p;
}

/* Two nations, the host's ministry, a CTS organisation, an NS person. */
static struct store *fixture(char **path)
{
	struct store *s = open_scratch(path);

	put_raw(s, "nations", "code", "IRQ", "name", "Iraq", NULL);
	put_raw(s, "nations", "code", "CAN", "name", "Canada", NULL);
	put_raw(s, "organisations", "code", "IRQ-MOD", "name", "Ministry",
		"kind", "host-ministry", "nation", "IRQ", "valid_from",
		"2019-01-01", NULL);
	put_raw(s, "organisations", "code", "COSMIC", "name", "Cosmic",
		"kind", "other", "nation", "CAN", "valid_from", "2019-01-01",
		"classification", "CTS", NULL);
	put_raw(s, "persons", "code", "P1", "name", "One", "nation", "CAN",
		"category", "military", "valid_from", "2019-01-01",
		"classification", "NS", NULL);
	return s;
}

struct problems {
	int n;
	char text[4][160];
};

static void note(void *arg, size_t field, const char *value, const char *reason)
{
	struct problems *p = arg;

	(void)field;
	(void)value;
	if (p->n < 4)
		snprintf(p->text[p->n], sizeof(p->text[0]), "%s", reason);
	p->n++;
}

/* The stored record KEY of KIND as a fresh record (caller releases). */
static struct record load(struct store *s, const char *kind, const char *key)
{
	struct record r;
	struct error e;

	error_init(&e);
	cr_assert_eq(record_init(&r, kind_find(kind)), 0);
	cr_assert_eq(store_get(s, r.kind, key, &r, &e), 1);
	error_release(&e);
	return r;
}

static const char *value(const struct record *r, const char *field)
{
	const char *v = r->v[kind_field_index(r->kind, field)];

	return v ? v : "";
}

static void set(struct record *r, const char *field, const char *v)
{
	record_set(r, (size_t)kind_field_index(r->kind, field), v);
}

static int write_as(struct store *s, const struct principal *p,
		    struct record *r, enum write_mode mode, struct problems *pr,
		    struct error *e)
{
	struct write_opts o = { .mode = mode, .problem = note, .problem_arg = pr };
	enum put_result res;

	return write_record(s, p, r, &o, &res, e);
}

struct actions {
	int n;
	char action[4][8];
};

static int collect(void *arg, const struct audit_entry *a)
{
	struct actions *seen = arg;

	if (seen->n < 4)
		snprintf(seen->action[seen->n], sizeof(seen->action[0]), "%s",
			 a->action);
	seen->n++;
	return 0;
}

Test(write, only_admin_and_commander_change_markings_and_it_is_audited)
{
	struct store *s = fixture(NULL);
	struct principal manning = who(ROLE_MANNING, 3, NULL);
	struct principal admin = who(ROLE_ADMIN, 3, NULL);
	struct problems pr = { 0 };
	struct record r = load(s, "persons", "P1"), now;
	struct audit_filter f = { .key = "P1" };
	int64_t count, broken;
	char head[65];
	struct error e;

	error_init(&e);
	set(&r, "classification", "NU");
	cr_assert_eq(write_as(s, &manning, &r, WRITE_UPDATE, &pr, &e), -1);
	cr_assert_eq(e.code, ERR_FORBIDDEN);
	cr_assert_eq(e.nitems, 1);
	cr_assert_str_eq(e.items[0].field, "classification");
	now = load(s, "persons", "P1");
	cr_assert_str_eq(value(&now, "classification"), "NS", "unchanged");
	record_release(&now);
	error_release(&e);

	error_init(&e);
	set(&r, "classification", "NS");
	set(&r, "releasability", "MISSION;IRQ");
	cr_assert_eq(write_as(s, &manning, &r, WRITE_UPDATE, &pr, &e), -1);
	cr_assert_str_eq(e.items[0].field, "releasability");
	error_release(&e);

	/* Other fields are the manning officer's. */
	error_init(&e);
	set(&r, "releasability", "MISSION");
	set(&r, "rank", "OF-1");
	cr_assert_eq(write_as(s, &manning, &r, WRITE_UPDATE, &pr, &e), 0,
		     "%s", e.message);
	error_release(&e);

	error_init(&e);
	set(&r, "classification", "NU");
	set(&r, "releasability", "MISSION;IRQ");
	cr_assert_eq(write_as(s, &admin, &r, WRITE_UPDATE, &pr, &e), 0,
		     "%s", e.message);
	now = load(s, "persons", "P1");
	cr_assert_str_eq(value(&now, "releasability"), "MISSION;IRQ");
	record_release(&now);
	record_release(&r);
	{
		/* insert, update (rank), mark */
		struct actions seen = { 0 };

		cr_assert_eq(audit_each(s, NULL, &f, collect, &seen, &e), 0);
		cr_assert_eq(seen.n, 3);
		cr_assert_str_eq(seen.action[1], "update");
		cr_assert_str_eq(seen.action[2], "mark");
	}
	cr_assert_eq(audit_verify(s, &count, &broken, head, &e), 0, "%s", e.message);
	error_release(&e);
	store_close(s);
}

Test(write, nobody_marks_above_their_clearance_or_releases_beyond)
{
	struct principal admin_nr = who(ROLE_ADMIN, 1, NULL);
	struct principal manning = who(ROLE_MANNING, 3, "CAN");
	struct principal training = who(ROLE_TRAINING, 3, NULL);
	struct record r;
	struct error e;

	cr_assert_eq(record_init(&r, kind_find("persons")), 0);
	set(&r, "classification", "NC");
	set(&r, "releasability", "MISSION");
	error_init(&e);
	cr_assert_eq(policy_check_markings(&admin_nr, "IRQ", NULL, &r, &e), -1);
	cr_assert_str_eq(e.items[0].field, "classification");
	error_release(&e);
	error_init(&e);
	set(&r, "classification", "NS");
	set(&r, "releasability", "MISSION;IRQ;CAN");
	cr_assert_eq(policy_check_markings(&manning, "IRQ", NULL, &r, &e), 0,
		     "own nation and the host: %s", e.message);
	set(&r, "releasability", "MISSION;RUS");
	cr_assert_eq(policy_check_markings(&manning, "IRQ", NULL, &r, &e), -1);
	cr_assert(strstr(e.message, "RUS"), "%s", e.message);
	error_release(&e);
	error_init(&e);
	set(&r, "releasability", "MISSION;IRQ");
	cr_assert_eq(policy_check_markings(&training, "", NULL, &r, &e), -1,
		     "no host nation recorded: nobody releases to it");
	cr_assert_eq(policy_check_markings(&principal_system, "", NULL, &r, &e), 0);
	{
		/* Kept, not given: an administrator's release to another
		 * nation does not stop a change of other fields. */
		struct record before;

		cr_assert_eq(record_init(&before, r.kind), 0);
		set(&before, "classification", "NS");
		set(&before, "releasability", "MISSION;DEU");
		set(&r, "releasability", "MISSION;DEU");
		cr_assert_eq(policy_check_markings(&manning, "IRQ", &before, &r,
						   &e), 0, "%s", e.message);
		cr_assert_eq(policy_check_markings(&manning, "IRQ", NULL, &r,
						   &e), -1, "a new record");
		record_release(&before);
	}
	error_release(&e);
	record_release(&r);
}

Test(write, a_hidden_reference_is_a_missing_one)
{
	struct store *s = fixture(NULL);
	struct principal manning = who(ROLE_MANNING, 3, NULL);
	struct problems hidden = { 0 }, missing = { 0 };
	struct record r;
	struct error e;

	error_init(&e);
	cr_assert_eq(record_init(&r, kind_find("organisations")), 0);
	set(&r, "code", "CHILD");
	set(&r, "name", "Child");
	set(&r, "kind", "other");
	set(&r, "valid_from", "2020-01-01");
	set(&r, "parent", "COSMIC");
	cr_assert_eq(write_as(s, &manning, &r, WRITE_CREATE, &hidden, &e), 1);
	set(&r, "parent", "NOSUCH");
	cr_assert_eq(write_as(s, &manning, &r, WRITE_CREATE, &missing, &e), 1);
	cr_assert_eq(hidden.n, 1);
	cr_assert_eq(missing.n, 1);
	cr_assert_str_eq(hidden.text[0], "no organisation 'COSMIC'");
	cr_assert_str_eq(missing.text[0], "no organisation 'NOSUCH'");
	cr_assert_eq(store_exists(s, r.kind, "CHILD", &e), 0, "nothing written");
	/* The system sees it: the write goes through. */
	set(&r, "parent", "COSMIC");
	cr_assert_eq(write_as(s, NULL, &r, WRITE_CREATE, &hidden, &e), 0,
		     "%s", e.message);
	/* A record taken is taken, seen or not; hidden is not found. */
	set(&r, "parent", NULL);
	cr_assert_eq(write_as(s, &manning, &r, WRITE_CREATE, &hidden, &e), -1);
	cr_assert_eq(e.code, ERR_CONFLICT);
	record_release(&r);
	r = load(s, "organisations", "COSMIC");
	cr_assert_eq(write_as(s, &manning, &r, WRITE_UPDATE, &hidden, &e), -1);
	cr_assert_eq(e.code, ERR_NOTFOUND);
	cr_assert_eq(write_as(s, &manning, &r, WRITE_PUT, &hidden, &e), -1);
	cr_assert_eq(e.code, ERR_CONFLICT);
	record_release(&r);
	error_release(&e);
	store_close(s);
}

Test(write, store_visible_and_the_host_nation)
{
	struct store *s = fixture(NULL);
	struct principal ns = who(ROLE_MANNING, 3, NULL);
	struct principal liaison = who(ROLE_LIAISON, 4, "IRQ");
	const struct kind *org = kind_find("organisations");
	struct error e;
	char host[4];

	error_init(&e);
	cr_assert_eq(store_visible(s, &ns, org, "COSMIC", &e), 0);
	cr_assert_eq(store_visible(s, &ns, org, "IRQ-MOD", &e), 1);
	cr_assert_eq(store_visible(s, &liaison, org, "IRQ-MOD", &e), 0,
		     "not released to Iraq");
	cr_assert_eq(store_visible(s, NULL, org, "COSMIC", &e), 1);
	cr_assert_eq(store_visible(s, &ns, org, "NOSUCH", &e), 0);
	cr_assert_eq(store_host_nation(s, host, &e), 0);
	cr_assert_str_eq(host, "IRQ");
	error_release(&e);
	store_close(s);
}

static int count(void *arg, const struct audit_entry *a)
{
	(void)a;
	++*(int *)arg;
	return 0;
}

Test(write, the_audit_log_answers_to_its_reader)
{
	struct store *s = fixture(NULL);
	struct principal ns = who(ROLE_AUDITOR, 3, NULL);
	struct principal cts = who(ROLE_AUDITOR, 4, NULL);
	struct principal nr = who(ROLE_AUDITOR, 1, NULL);
	struct principal dnk = who(ROLE_CONTINGENT, 4, "DNK");
	struct audit_filter cosmic = { .key = "COSMIC" }, p1 = { .key = "P1" };
	struct audit_filter all = { 0 };
	struct principal admin = who(ROLE_ADMIN, 4, NULL);
	struct problems pr = { 0 };
	struct record r;
	struct error e;
	int n;

	error_init(&e);
	n = 0;
	cr_assert_eq(audit_each(s, &ns, &cosmic, count, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n, 0, "CTS: not for an NS reader");
	n = 0;
	cr_assert_eq(audit_each(s, &cts, &cosmic, count, &n, &e), 0);
	cr_assert_eq(n, 1);
	/* Marked down from NS to NU: its NS past is not the NR reader's. */
	r = load(s, "persons", "P1");
	set(&r, "classification", "NU");
	cr_assert_eq(write_as(s, &admin, &r, WRITE_UPDATE, &pr, &e), 0, "%s",
		     e.message);
	set(&r, "rank", "OF-2");
	cr_assert_eq(write_as(s, &admin, &r, WRITE_UPDATE, &pr, &e), 0);
	record_release(&r);
	n = 0;
	cr_assert_eq(audit_each(s, &nr, &p1, count, &n, &e), 0);
	cr_assert_eq(n, 1, "only the change made in NU, before and after");
	n = 0;
	cr_assert_eq(audit_each(s, &ns, &p1, count, &n, &e), 0);
	cr_assert_eq(n, 3);
	/* A contingent commander: other nations' people are not theirs. */
	n = 0;
	cr_assert_eq(audit_each(s, &dnk, &p1, count, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n, 0, "a Canadian's entries");
	n = 0;
	cr_assert_eq(audit_each(s, &dnk, &all, count, &n, &e), 0);
	cr_assert_gt(n, 0, "nations and organisations are not people");
	error_release(&e);
	store_close(s);
}

Test(write, a_database_failure_keeps_its_cause)
{
	char *path;
	struct store *s = fixture(&path);
	struct principal manning = who(ROLE_MANNING, 3, NULL);
	struct problems pr = { 0 };
	struct record r = load(s, "persons", "P1");
	sqlite3 *db;
	struct error e;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "ALTER TABLE person RENAME TO gone",
				  NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	for (int mode = WRITE_PUT; mode <= WRITE_UPDATE; mode++) {
		error_init(&e);
		cr_assert_eq(write_as(s, &manning, &r, (enum write_mode)mode, &pr, &e),
			     -1);
		cr_assert_eq(e.code, ERR_STORE, "mode %d: %d %s", mode, e.code,
			     e.message);
		error_release(&e);
	}
	cr_assert_eq(pr.n, 0, "not reported as a problem of the record");
	record_release(&r);
	store_close(s);
	free(path);
}

/* An action's work: writes a status event through the rules. */
static int event_tx(struct write_tx *t, void *arg, struct error *e)
{
	struct store *s = arg;
	struct record r;
	int rc;

	cr_assert_eq(record_init(&r, kind_find("status-events")), 0);
	set(&r, "code", "EV1");
	set(&r, "action", "restrict");
	set(&r, "scope", "mission");
	set(&r, "reason", "test");
	set(&r, "valid_from", "2020-01-01");
	rc = mission_save(s, write_tx_rules(t), &r, e);
	record_release(&r);
	return rc;
}

static long long events(struct store *s)
{
	return sql_int(s, "SELECT count(*) FROM status_event");
}

Test(write, an_action_runs_on_its_callers_authority_whole_or_not_at_all)
{
	char *path;
	struct store *s = fixture(&path);
	struct principal trainer = who(ROLE_TRAINER, 4, "CAN");
	struct principal commander = who(ROLE_COMMANDER, 1, "CAN");
	struct error e;

	error_init(&e);
	/* Refused before anything runs: not the trainer's to order. */
	cr_assert_eq(write_action(s, &trainer, "suspend", 0, event_tx, s, &e), -1);
	cr_assert_eq(e.code, ERR_FORBIDDEN, "%s", e.message);
	cr_assert_eq(events(s), 0);
	error_release(&e);
	/* A dry run checks everything, then leaves nothing. */
	error_init(&e);
	cr_assert_eq(write_action(s, &commander, "suspend", WRITE_DRY_RUN,
				  event_tx, s, &e), 0, "%s", e.message);
	cr_assert_eq(events(s), 0);
	/* Applied, the write is the commander's in the audit log. */
	cr_assert_eq(write_action(s, &commander, "suspend", 0, event_tx, s, &e),
		     0, "%s", e.message);
	cr_assert_eq(events(s), 1);
	cr_assert_eq(sql_int(s, "SELECT count(*) FROM audit WHERE entity ="
			     " 'status_event' AND actor = 'commander'"), 1);
	error_release(&e);
	store_close(s);
	free(path);
}

/* The site of post N1 as store_each() gives it to WHO ("" masked). */
static int site_row(void *arg, const struct record *r,
		    const char *const *derived)
{
	const char *v = r->v[kind_field_index(r->kind, "site")];

	(void)derived;
	snprintf(arg, 32, "%s", v ? v : "");
	return 0;
}

static void post_site(struct store *s, const struct principal *p, char out[32])
{
	struct filter f = { "number", "N1" };
	struct query q = { .who = p, .filters = &f, .nfilters = 1 };
	struct error e;

	error_init(&e);
	out[0] = '\0';
	cr_assert_eq(store_each(s, kind_find("posts"), &q, site_row, out, &e), 0,
		     "%s", e.message);
	error_release(&e);
}

Test(write, a_reference_to_a_hidden_record_is_masked_as_of_now)
{
	char *path, site[32];
	struct store *s = fixture(&path);
	struct principal nr = who(ROLE_MANNING, 1, "CAN");

	put_raw(s, "sites", "code", "S1", "name", "Site", "latitude", "33",
		"longitude", "44", "country", "IRQ", "valid_from", "2019-01-01",
		NULL);
	put_raw(s, "organisations", "code", "NMI", "name", "Mission", "kind",
		"mission", "valid_from", "2019-01-01", NULL);
	put_raw(s, "posts", "number", "N1", "title", "Adviser", "branch", "B",
		"category", "military", "function", "advising", "site", "S1",
		"organisation", "NMI", "valid_from", "2019-01-01", NULL);
	post_site(s, &nr, site);
	cr_assert_str_eq(site, "S1");
	/* Another connection (another process) classifies the site CTS:
	 * the next read must not remember that the reader could see it. */
	{
		struct store *other;
		struct error e;

		error_init(&e);
		cr_assert_eq(store_open(path, &other, &e), 0, "%s", e.message);
		put_raw(other, "sites", "code", "S1", "name", "Site", "latitude",
			"33", "longitude", "44", "country", "IRQ", "valid_from",
			"2019-01-01", "classification", "CTS", NULL);
		store_close(other);
		error_release(&e);
	}
	post_site(s, &nr, site);
	cr_assert_str_eq(site, "", "the post names a site the reader may not see");
	post_site(s, NULL, site);
	cr_assert_str_eq(site, "S1", "the system sees every reference");
	store_close(s);
	free(path);
}
