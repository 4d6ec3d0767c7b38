/* Who may do what; see policy.h. */
#include "core/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "util/buf.h"

static int all(const struct principal *p)
{
	return !p || p->system || p->role == ROLE_ADMIN;
}

int policy_may_write(const struct principal *p, const struct kind *k)
{
	/* Which roles write which kinds (DESIGN.md §1). */
	static const struct {
		enum role role;
		const char *kinds;
	} grants[] = {
		{ ROLE_MANNING, "posts|persons|assignments|caveats|organisations" },
		{ ROLE_TRAINING, "courses|sessions|training-plans|trainees|"
				 "enrolments|assessments" },
		{ ROLE_TRAINER, "enrolments" },
		{ ROLE_COMMANDER, "consents|status-events|activities|sites" },
	};

	if (all(p))
		return 1;
	for (size_t i = 0; i < sizeof(grants) / sizeof(grants[0]); i++)
		if (grants[i].role == p->role && enum_has(grants[i].kinds, k->name))
			return 1;
	return 0;
}

int policy_may_act(const struct principal *p, const char *name)
{
	static const struct {
		const char *name;
		enum role role;		/* besides admin */
	} acts[] = {
		{ "suspend", ROLE_COMMANDER }, { "resume", ROLE_COMMANDER },
		{ "consent", ROLE_COMMANDER }, { "transfer", ROLE_COMMANDER },
		{ "plan-sessions", ROLE_TRAINING },
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(acts[i].name, name))
			return all(p) || p->role == acts[i].role;
	return 0;
}

int policy_may_see_totals(const struct principal *p)
{
	return all(p) || (p->role != ROLE_LIAISON && p->role != ROLE_CONTINGENT);
}

int policy_totals(const struct principal *p, const char *what,
		  struct error *e)
{
	if (policy_may_see_totals(p))
		return 0;
	return error_set(e, ERR_FORBIDDEN, "%s not open to the %s role", what,
			 role_name(p->role));
}

int policy_may_read_audit(const struct principal *p)
{
	return all(p) || p->role == ROLE_AUDITOR;
}

int policy_may_check(const struct principal *p)
{
	return all(p) || p->role == ROLE_COMMANDER || p->role == ROLE_AUDITOR;
}

/* The value of field NAME of R, "" when empty, NULL without one. */
static const char *value_of(const struct record *r, const char *name)
{
	int i = r ? kind_field_index(r->kind, name) : -1;

	if (i < 0)
		return NULL;
	return r->v[i] ? r->v[i] : "";
}

static int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* May P release to TOKEN: the mission, NATO, its own nation, or — for
 * the mission's staff, who train the host nation's forces — the host
 * nation HOST ("" when the mission has none)? */
static int may_release_to(const struct principal *p, const char *token,
			  size_t n, const char *host)
{
	if ((n == 7 && !strncmp(token, "MISSION", 7)) ||
	    (n == 4 && !strncmp(token, "NATO", 4)))
		return p->role != ROLE_LIAISON;
	if (n == 3 && p->nation[0] && !strncmp(token, p->nation, 3))
		return 1;
	return n == 3 && host[0] && !strncmp(token, host, 3) &&
	       p->role != ROLE_LIAISON && p->role != ROLE_CONTINGENT;
}

/* Refuse with E (ERR_FORBIDDEN), naming FIELD and its VALUE in an item
 * so that an import can say which cell. */
static int refuse(struct error *e, const char *field, const char *value,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(struct error *e, const char *field, const char *value,
		  const char *fmt, ...)
{
	struct buf why = BUF_INIT;	/* whole: never cut inside a character */
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&why, fmt, ap);
	va_end(ap);
	error_set(e, ERR_FORBIDDEN, "%s", buf_str(&why));
	error_add(e, NULL, 0, 0, field, value, buf_str(&why));
	buf_release(&why);
	return -1;
}

/* Does the ';'-list LIST (NULL for none) hold the N bytes of TOKEN? */
static int released(const char *list, const char *token, size_t n)
{
	for (const char *t = list; t && *t;) {
		size_t m = strcspn(t, ";");

		if (m == n && !strncmp(t, token, n))
			return 1;
		t += m;
		if (*t == ';')
			t++;
	}
	return 0;
}

int policy_check_markings(const struct principal *p, const char *host,
			  const struct record *before,
			  const struct record *after, struct error *e)
{
	const char *cls = value_of(after, "classification");
	const char *rel = value_of(after, "releasability");
	int level;

	if (!p || p->system || !cls || !rel)
		return 0;
	if (before && record_markings_differ(before, after) &&
	    p->role != ROLE_ADMIN && p->role != ROLE_COMMANDER) {
		int c = !same(value_of(before, "classification"), cls);

		return refuse(e, c ? "classification" : "releasability",
			      c ? cls : rel, "only the commander and the "
			      "administrator change a record's classification "
			      "or releasability (the %s role may not)",
			      role_name(p->role));
	}
	level = clearance_parse(cls[0] ? cls : "NU");
	if (level > p->clearance)
		return refuse(e, "classification", cls, "classification %s is "
			      "above your clearance (%s)", cls,
			      clearance_name(p->clearance));
	for (const char *t = rel; *t;) {
		size_t n = strcspn(t, ";");

		/* A release the record already has is not given again: the
		 * writer who keeps it is not releasing anything. */
		if (n && !released(value_of(before, "releasability"), t, n) &&
		    !may_release_to(p, t, n, host ? host : ""))
			return refuse(e, "releasability", rel, "you may not "
				      "release a record to %.*s", (int)n, t);
		t += n;
		if (*t == ';')
			t++;
	}
	return 0;
}
