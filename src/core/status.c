/* The mission's status as of a date; see status.h. */
#include "core/status.h"

#include <string.h>

#include "core/policy.h"
#include "model/kind.h"
#include "store/status.h"

/* A JSON string, or null for an empty value. */
static json_t *str_or_null(const char *v)
{
	return v ? json_string(v) : json_null();
}

static int add_code(void *arg, const char *code)
{
	return json_array_append_new(arg, json_string(code)) ? -3 : 0;
}

static int add_event(void *arg, const struct status_event_row *r)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"code", str_or_null(r->code), "action", str_or_null(r->action),
		"scope", str_or_null(r->scope), "reason", str_or_null(r->reason),
		"ordered_by", str_or_null(r->ordered_by),
		"valid_from", str_or_null(r->valid_from),
		"valid_to", str_or_null(r->valid_to));

	return json_array_append_new(arg, o) ? -3 : 0;
}

static int add_consent(void *arg, const struct status_consent_row *r)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:I, s:o, s:o}",
		"code", str_or_null(r->code), "title", str_or_null(r->title),
		"state", str_or_null(r->state), "ceiling", (json_int_t)r->ceiling,
		"valid_from", str_or_null(r->valid_from),
		"valid_to", str_or_null(r->valid_to));

	return json_array_append_new(arg, o) ? -3 : 0;
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

	return json_array_append_new(c->sites, json_pack("{s:s, s:s, s:s}",
		"code", r->v[kind_field_index(k, "code")],
		"name", r->v[kind_field_index(k, "name")],
		"status", derived[c->status] ? derived[c->status] : "")) ? -3 : 0;
}

/* Whether training may run on ASOF, in words: not before the mission
 * began, not while it is suspended, and not without a granted consent
 * of the host government in force (the CONSENT rule). */
static const char *training_state(const char *asof,
				  const struct status_dates *d,
				  long long suspended, json_t *consents)
{
	json_t *c;
	size_t i;

	if (!*d->mission_from || strcmp(asof, d->mission_from) < 0)
		return "mission not begun";
	if (suspended > 0)
		return "suspended";
	json_array_foreach(consents, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "state")),
			    "granted"))
			return "may run";
	return "no consent in force";
}

int mission_status(struct store *s, const struct principal *who,
		   const char *asof, json_t **out, struct error *e)
{
	json_t *members = json_array(), *partners = json_array();
	json_t *events = json_array(), *consents = json_array(), *o = NULL;
	struct sites_ctx sc = { .sites = json_array() };
	struct query q = { .who = who, .asof = asof };
	struct status_sessions sessions;
	struct status_dates dates;
	long long headcount, suspended;
	int rc;

	*out = NULL;
	if (policy_totals(who, "the mission's status is", e))
		goto out;
	if (!members || !partners || !events || !consents || !sc.sites) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_status_members(s, who, asof, add_code, members, e);
	if (!rc)
		rc = store_status_partners(s, who, asof, add_code, partners, e);
	if (!rc)
		rc = store_status_headcount(s, who, asof, &headcount, e);
	if (!rc)
		rc = store_status_suspensions(s, who, asof, &suspended, e);
	if (!rc)
		rc = store_status_events(s, who, asof, add_event, events, e);
	if (!rc)
		rc = store_status_consents(s, who, asof, add_consent, consents, e);
	if (!rc)
		rc = store_status_sessions(s, who, asof, &sessions, e);
	if (!rc)
		rc = store_status_dates(s, who, &dates, e);
	if (!rc)
		rc = store_each(s, kind_find("sites"), &q, add_site, &sc, e);
	if (rc == -3)
		error_set(e, ERR_NOMEM, "out of memory");
	if (rc)
		goto out;
	o = json_pack("{s:s, s:I, s:O, s:I, s:O, s:I, s:b, s:O, s:O,"
		      " s:{s:I, s:I, s:I}, s:O}",
		"as_of", asof,
		"members", (json_int_t)json_array_size(members),
		"member_nations", members,
		"partners", (json_int_t)json_array_size(partners),
		"partner_nations", partners,
		"headcount", (json_int_t)headcount,
		"training_suspended", suspended > 0,
		"suspensions", events,
		"consents", consents,
		"sessions", "running", (json_int_t)sessions.running,
		"planned", (json_int_t)sessions.planned,
		"postponed", (json_int_t)sessions.postponed,
		"sites", sc.sites);
	if (o && (json_object_set_new(o, "training", json_string(
			training_state(asof, &dates, suspended, consents))) ||
		  json_object_set_new(o, "mission_begun", json_boolean(
			*dates.mission_from &&
			strcmp(asof, dates.mission_from) >= 0)) ||
		  json_object_set_new(o, "mission_from",
			str_or_null(*dates.mission_from ? dates.mission_from :
				    NULL)) ||
		  json_object_set_new(o, "first_consent",
			str_or_null(*dates.first_consent ? dates.first_consent :
				    NULL)))) {
		json_decref(o);
		o = NULL;
	}
	if (!o)
		error_set(e, ERR_NOMEM, "out of memory");
	*out = o;
out:
	json_decref(members);
	json_decref(partners);
	json_decref(events);
	json_decref(consents);
	json_decref(sc.sites);
	return *out ? 0 : -1;
}
