/* The mission's status as of a date; see status.h. */
#include "core/status.h"

#include "model/kind.h"
#include "core/rules.h"

#define IN_FORCE(a) a ".valid_from <= ?1 AND (" a ".valid_to IS NULL OR " \
	a ".valid_to > ?1)"

static const char members_sql[] =
	"SELECT code FROM nation WHERE member_since <= ?1 ORDER BY code";

/* Partners that day with at least one of their people on a post. */
/* The mission's people: on a post of an organisation of the mission
 * (the coalition's, before a transfer, are not). */
#define ON_MISSION_POST(a) " JOIN post po ON po.number = " a ".post AND" \
	" po.organisation IN (SELECT code FROM mission)"

static const char partners_sql[] =
	SQL_MISSION_CTE
	"SELECT n.code FROM nation n WHERE n.partner_since <= ?1"
	" AND (n.partner_until IS NULL OR n.partner_until > ?1)"
	" AND (n.member_since IS NULL OR n.member_since > ?1)"
	" AND EXISTS (SELECT 1 FROM assignment a JOIN person p"
	" ON p.code = a.person" ON_MISSION_POST("a")
	" WHERE p.nation = n.code AND " IN_FORCE("a") ")"
	" ORDER BY n.code";

static const char headcount_sql[] =
	SQL_MISSION_CTE
	"SELECT count(DISTINCT a.person) FROM assignment a" ON_MISSION_POST("a")
	" WHERE " IN_FORCE("a");

/* Sessions on the day: running; planned to start within 90 days;
 * postponed — due to have started within the year before or the 90
 * days after, and not re-run by the day (no replacement started). */
static const char sessions_sql[] =
	"SELECT coalesce(sum(s.status NOT IN ('postponed', 'cancelled')"
	"  AND s.valid_from <= ?1 AND s.valid_to >= ?1), 0) AS running,"
	" coalesce(sum(s.status NOT IN ('postponed', 'cancelled')"
	"  AND s.valid_from > ?1 AND s.valid_from <= date(?1, '+90 days')), 0)"
	"  AS planned,"
	" coalesce(sum(s.status = 'postponed'"
	"  AND s.valid_from >= date(?1, '-365 days')"
	"  AND s.valid_from <= date(?1, '+90 days')"
	"  AND NOT EXISTS (SELECT 1 FROM session r WHERE r.replaces = s.key"
	"  AND r.valid_from <= ?1)), 0) AS postponed"
	" FROM session s";

static const char suspended_sql[] =
	"SELECT count(*) FROM status_event e WHERE e.action = 'suspend'"
	" AND e.scope = 'mission' AND " IN_FORCE("e");

static const char events_sql[] =
	"SELECT code, action, scope, reason, ordered_by, valid_from, valid_to"
	" FROM status_event e WHERE " IN_FORCE("e") " ORDER BY valid_from, code";

static const char consents_sql[] =
	"SELECT code, title, state, ceiling, valid_from, valid_to FROM consent c"
	" WHERE " IN_FORCE("c") " ORDER BY valid_from, code";

static json_t *codes(json_t *rows)
{
	json_t *a = json_array(), *row;
	size_t i;

	json_array_foreach(rows, i, row)
		json_array_append(a, json_object_get(row, "code"));
	return a;
}

struct sites_ctx {
	json_t *sites;
	size_t status;	/* index of the derived status */
};

static int add_site(void *arg, const struct record *r,
		    const char *const *derived)
{
	struct sites_ctx *c = arg;
	const struct kind *k = r->kind;

	json_array_append_new(c->sites, json_pack("{s:s, s:s, s:s}",
		"code", r->v[kind_field_index(k, "code")],
		"name", r->v[kind_field_index(k, "name")],
		"status", derived[c->status] ? derived[c->status] : ""));
	return 0;
}

int mission_status(struct store *s, const char *asof, json_t **out,
		   struct error *e)
{
	const char *p[1] = { asof };
	json_t *members = NULL, *partners = NULL, *events = NULL;
	json_t *consents = NULL, *sessions = NULL, *o = NULL;
	struct sites_ctx sc = { .sites = json_array() };
	struct query q = { .asof = asof };
	long long headcount, suspended;
	int ret = -1;

	*out = NULL;
	if (store_rows(s, members_sql, p, 1, &members, e) ||
	    store_rows(s, partners_sql, p, 1, &partners, e) ||
	    store_int(s, headcount_sql, p, 1, &headcount, e) ||
	    store_int(s, suspended_sql, p, 1, &suspended, e) ||
	    store_rows(s, events_sql, p, 1, &events, e) ||
	    store_rows(s, consents_sql, p, 1, &consents, e) ||
	    store_rows(s, sessions_sql, p, 1, &sessions, e) ||
	    store_each(s, kind_find("sites"), &q, add_site, &sc, e))
		goto out;
	o = json_object();
	json_object_set_new(o, "as_of", json_string(asof));
	json_object_set_new(o, "members", json_integer((json_int_t)json_array_size(members)));
	json_object_set_new(o, "member_nations", codes(members));
	json_object_set_new(o, "partners", json_integer((json_int_t)json_array_size(partners)));
	json_object_set_new(o, "partner_nations", codes(partners));
	json_object_set_new(o, "headcount", json_integer(headcount));
	json_object_set_new(o, "training_suspended", json_boolean(suspended > 0));
	json_object_set(o, "suspensions", events);
	json_object_set(o, "consents", consents);
	json_object_set(o, "sessions", json_array_get(sessions, 0));
	json_object_set(o, "sites", sc.sites);
	*out = o;
	ret = 0;
out:
	json_decref(members);
	json_decref(partners);
	json_decref(events);
	json_decref(consents);
	json_decref(sessions);
	json_decref(sc.sites);
	return ret;
}
