/* The SQL of the catalogue's derived values, as the caller sees them;
 * see derived.h. */
#include "store/derived.h"

#include <string.h>

#include "model/kind.h"
#include "store/access.h"
#include "util/buf.h"

/* In force on ?1: the interval of alias A covers the date. */
#define IN_FORCE(a) \
	a ".valid_from <= ?1 AND (" a ".valid_to IS NULL OR " a ".valid_to > ?1)"

static void nation_status(struct buf *b, const struct principal *who)
{
	(void)who;	/* the nation's own dates only */
	buf_adds(b, "CASE WHEN t.member_since <= ?1 THEN 'member'"
		 " WHEN t.partner_since <= ?1 AND (t.partner_until IS NULL OR"
		 " t.partner_until > ?1) THEN 'partner' ELSE '' END");
}

/* A status event E of ACTION in force on ?1 over SCOPE (SQL over e and
 * t), among those WHO may see. */
static void event_in_force(struct buf *b, const struct principal *who,
			   const char *action, const char *scope)
{
	buf_addf(b, "EXISTS (SELECT 1 FROM status_event e WHERE e.action = '%s'"
		 " AND (%s) AND " IN_FORCE("e"), action, scope);
	access_clause(b, who, kind_find("status-events"), "e");
	buf_adds(b, ")");
}

static void site_status(struct buf *b, const struct principal *who)
{
	buf_adds(b, "CASE WHEN t.valid_to IS NOT NULL AND t.valid_to <= ?1"
		 " THEN 'closed' WHEN t.mission_approved = 0 THEN 'restricted'"
		 " WHEN ");
	event_in_force(b, who, "suspend",
		       "e.scope = 'mission' OR e.scope = 'site:' || t.code");
	buf_adds(b, " THEN 'suspended' WHEN ");
	event_in_force(b, who, "restrict", "e.scope = 'site:' || t.code");
	buf_adds(b, " THEN 'restricted' ELSE 'open' END");
}

/* The persons holding post t on ?1, through the assignments WHO may see:
 * an assignment is seen with the person its key names (a contingent
 * commander: their nation's), and post t is seen already. */
static void post_holder(struct buf *b, const struct principal *who)
{
	buf_adds(b, "(SELECT group_concat(a.person, ';') FROM assignment a"
		 " WHERE a.post = t.number AND " IN_FORCE("a"));
	access_clause_known(b, who, kind_find("assignments"), "a", "post");
	buf_adds(b, ")");
}

static void activity_owner_as_of(struct buf *b, const struct principal *who)
{
	(void)who;	/* the activity's own fields only */
	buf_adds(b, "CASE WHEN t.previous_owner IS NOT NULL AND ?1 < t.owner_from"
		 " THEN t.previous_owner ELSE t.owner END");
}

void derived_session_scheduled(struct buf *b, const char *a)
{
	buf_addf(b, "%s.status NOT IN ('cancelled', 'postponed')", a);
}

void derived_session_state(struct buf *b, const char *a, const char *day)
{
	buf_addf(b, "CASE WHEN %s.status IN ('cancelled', 'postponed')"
		 " THEN %s.status WHEN %s < %s.valid_from THEN 'planned'"
		 " WHEN %s < %s.valid_to THEN 'running' ELSE 'completed' END",
		 a, a, day, a, day, a);
}

static void session_state(struct buf *b, const struct principal *who)
{
	(void)who;	/* the session's own fields only */
	derived_session_state(b, "t", "?1");
}

static const struct {
	const char *table, *name;
	void (*build)(struct buf *b, const struct principal *who);
} exprs[] = {
	{ "nation", "status", nation_status },
	{ "site", "status", site_status },
	{ "post", "holder", post_holder },
	{ "activity", "owner_as_of", activity_owner_as_of },
	{ "session", "state", session_state },
};

int derived_expr(struct buf *sql, const struct kind *k, size_t i,
		 const struct principal *who)
{
	const char *name = k->derived[i].name;

	for (size_t j = 0; j < sizeof(exprs) / sizeof(exprs[0]); j++)
		if (!strcmp(exprs[j].table, k->table) &&
		    !strcmp(exprs[j].name, name)) {
			exprs[j].build(sql, who);
			return 0;
		}
	return -1;
}
