/* The catalogue of record kinds; see kind.h. */
#include "model/kind.h"

#include <stdlib.h>
#include <string.h>

#define F(n, t, fl, ...) { .name = (n), .type = (t), .flags = (fl), __VA_ARGS__ }
#define REQ FF_REQUIRED
#define KEY (FF_KEY | FF_REQUIRED)
#define MARKINGS(rel) \
	F("classification", FT_MARKING, 0, .def = "NU"), \
	F("releasability", FT_RELEASE, 0, .def = (rel)), \
	F("provenance", FT_ENUM, 0, .values = "entered|public|synthetic", \
	  .def = "entered")
#define MARKING MARKINGS("MISSION")
/* What the mission delivers to the host nation's forces — its courses,
 * their sessions, the trainees it sends and their enrolments — is theirs
 * to see by default: HOST in a default is the host nation
 * (core/validate.c; docs/data.md has the table by kind). */
#define HOST_MARKING MARKINGS("MISSION;" RELEASE_HOST)
#define INTERVAL(req_to) \
	F("valid_from", FT_DATE, REQ), \
	F("valid_to", FT_DATE, (req_to))
#define N(a) (sizeof(a) / sizeof((a)[0]))

#define CATEGORY "military|civilian|contractor"
#define ACTIVITY_KIND "training|advising|support|operation"
#define CLEARANCE "NU|NR|NC|NS|CTS"

static const struct field nation_fields[] = {
	F("code", FT_ISO3, KEY),
	F("name", FT_TEXT, REQ),
	F("member_since", FT_DATE, 0),
	F("partner_since", FT_DATE, 0),
	F("partner_until", FT_DATE, 0),
	F("partner_kind", FT_TEXT, 0),
	MARKING,
};
/* member, partner or "" (store/derived.c computes the derived values). */
static const struct derived nation_derived[] = { { "status" } };

static const struct field organisation_fields[] = {
	F("code", FT_TEXT, KEY),
	F("name", FT_TEXT, REQ),
	F("kind", FT_ENUM, REQ, .values = "alliance|mission|coalition|"
	  "contingent|host-ministry|host-institution|host-unit|other"),
	F("parent", FT_REF, 0, .ref = "organisations"),
	F("nation", FT_REF, 0, .ref = "nations"),
	INTERVAL(0),
	MARKING,
};

static const struct field site_fields[] = {
	F("code", FT_TEXT, KEY),
	F("name", FT_TEXT, REQ),
	F("latitude", FT_REAL, REQ, .min = -90, .max = 90),
	F("longitude", FT_REAL, REQ, .min = -180, .max = 180),
	F("country", FT_REF, REQ, .ref = "nations"),
	F("region", FT_TEXT, 0),
	F("role", FT_TEXT, 0),
	F("mission_approved", FT_BOOL, 0, .def = "yes"),
	INTERVAL(0),
	F("rooms", FT_ROOMS, 0),
	MARKING,
};
/* open, restricted, suspended or closed, by the status events in force. */
static const struct derived site_derived[] = { { "status" } };

static const struct field pledge_fields[] = {
	F("code", FT_TEXT, KEY),
	F("nation", FT_REF, REQ, .ref = "nations"),
	F("personnel", FT_INT, REQ | FF_NONNEG, .max = 100000),
	F("note", FT_TEXT, 0),
	INTERVAL(0),
	MARKING,
};

static const struct field post_fields[] = {
	F("number", FT_TEXT, KEY),
	F("title", FT_TEXT, REQ),
	F("branch", FT_TEXT, REQ),
	F("category", FT_ENUM, REQ, .values = CATEGORY),
	F("function", FT_ENUM, REQ,
	  .values = "command|staff|training|advising|support|operation"),
	F("rank_band", FT_TEXT, 0),
	F("qualifications", FT_LIST, 0),
	F("site", FT_REF, REQ, .ref = "sites"),
	F("organisation", FT_REF, REQ, .ref = "organisations"),
	F("nation", FT_REF, 0, .ref = "nations"),
	/* May be held alongside another post (ONE-POST). */
	F("concurrent", FT_BOOL, 0, .def = "no"),
	INTERVAL(0),
	MARKING,
};
/* The persons assigned to the post that day, ';'-separated. */
static const struct derived post_derived[] = { { "holder" } };

static const struct field person_fields[] = {
	F("code", FT_TEXT, KEY),
	F("name", FT_TEXT, REQ),
	F("nation", FT_REF, REQ, .ref = "nations"),
	F("category", FT_ENUM, REQ, .values = CATEGORY),
	F("rank", FT_TEXT, 0),
	F("clearance", FT_ENUM, 0, .values = CLEARANCE, .def = "NU"),
	F("qualifications", FT_QUALS, 0),
	INTERVAL(0),
	MARKING,
};

static const struct field assignment_fields[] = {
	F("person", FT_REF, KEY, .ref = "persons"),
	F("post", FT_REF, KEY, .ref = "posts"),
	F("valid_from", FT_DATE, KEY),
	F("valid_to", FT_DATE, 0),
	MARKING,
};

static const struct field caveat_fields[] = {
	F("code", FT_TEXT, KEY),
	F("nation", FT_REF, 0, .ref = "nations"),
	F("person", FT_REF, 0, .ref = "persons"),
	F("kind", FT_ENUM, REQ, .values = "site|region|activity"),
	F("target", FT_TEXT, REQ),
	F("reason", FT_TEXT, 0),
	INTERVAL(0),
	MARKING,
};

static const struct field activity_fields[] = {
	F("code", FT_TEXT, KEY),
	F("title", FT_TEXT, REQ),
	F("kind", FT_ENUM, REQ, .values = ACTIVITY_KIND),
	F("host", FT_REF, 0, .ref = "organisations"),
	F("owner", FT_REF, REQ, .ref = "organisations"),
	F("previous_owner", FT_REF, 0, .ref = "organisations"),
	F("owner_from", FT_DATE, 0),
	F("site", FT_REF, 0, .ref = "sites"),
	INTERVAL(0),
	MARKING,
};
/* The owner that day: the previous owner before owner_from. */
static const struct derived activity_derived[] = { { "owner_as_of" } };

static const struct field course_fields[] = {
	F("code", FT_TEXT, KEY),
	F("title", FT_TEXT, REQ),
	F("activity", FT_REF, REQ, .ref = "activities"),
	F("duration_days", FT_INT, REQ | FF_POSITIVE, .min = 1, .max = 730),
	F("capacity", FT_INT, REQ | FF_POSITIVE, .min = 1, .max = 10000),
	F("trainer_qualifications", FT_LIST, 0),
	F("trainer_ratio", FT_INT, FF_POSITIVE, .def = "12", .min = 1, .max = 1000),
	F("competencies", FT_LIST, 0),
	F("transition_sessions", FT_INT, FF_POSITIVE, .def = "3", .min = 1,
	  .max = 100),
	F("pass_target", FT_REAL, 0, .def = "0.8", .min = 0, .max = 1),
	HOST_MARKING,
};

static const struct field session_fields[] = {
	F("course", FT_REF, KEY, .ref = "courses"),
	F("site", FT_REF, REQ, .ref = "sites"),
	F("room", FT_TEXT, 0),
	F("valid_from", FT_DATE, KEY),
	F("valid_to", FT_DATE, REQ),
	F("trainers", FT_LIST, 0, .ref = "persons"),
	F("lead", FT_ENUM, 0, .values = "mission|host", .def = "mission"),
	F("lead_instructor", FT_TEXT, 0),
	F("host_unit", FT_REF, 0, .ref = "organisations"),
	F("status", FT_ENUM, 0, .def = "planned",
	  .values = "planned|running|completed|postponed|cancelled"),
	F("replaces", FT_REF, 0, .ref = "sessions"),
	HOST_MARKING,
};

/* planned, running or completed by its dates on the day; cancelled or
 * postponed as its stored status says (dates cannot tell those). */
static const struct derived session_derived[] = { { "state" } };

static const struct field training_plan_fields[] = {
	F("code", FT_TEXT, KEY),
	F("course", FT_REF, REQ, .ref = "courses"),
	F("sessions", FT_INT, REQ | FF_POSITIVE, .min = 1, .max = 1000),
	F("window_from", FT_DATE, REQ),
	F("window_to", FT_DATE, REQ),
	F("site", FT_REF, 0, .ref = "sites"),
	F("host_unit", FT_REF, 0, .ref = "organisations"),
	F("trainees", FT_INT, FF_POSITIVE, .min = 1, .max = 10000),
	MARKING,
};

static const struct field trainee_fields[] = {
	F("service_number", FT_TEXT, KEY),
	F("name", FT_TEXT, REQ),
	F("nation", FT_REF, REQ, .ref = "nations"),
	F("unit", FT_REF, REQ, .ref = "organisations"),
	F("rank", FT_TEXT, 0),
	HOST_MARKING,
};

static const struct field enrolment_fields[] = {
	F("session", FT_REF, KEY, .ref = "sessions"),
	F("trainee", FT_REF, KEY, .ref = "trainees"),
	F("attendance", FT_ENUM, 0, .def = "enrolled",
	  .values = "enrolled|attended|absent|withdrawn"),
	F("result", FT_ENUM, 0, .values = "pending|pass|fail", .def = "pending"),
	F("certificate", FT_TEXT, 0),
	HOST_MARKING,
};

static const struct field assessment_fields[] = {
	F("organisation", FT_REF, KEY, .ref = "organisations"),
	F("competency", FT_TEXT, KEY),
	F("assessed_on", FT_DATE, KEY),
	F("level", FT_INT, REQ, .min = 0, .max = 5),
	F("target", FT_INT, 0, .min = 0, .max = 5),
	F("assessor", FT_TEXT, 0),
	MARKING,
};

static const struct field consent_fields[] = {
	F("code", FT_TEXT, KEY),
	F("title", FT_TEXT, REQ),
	F("activity_kinds", FT_LIST, REQ, .values = "training|advising|support"),
	F("sites", FT_LIST, 0, .ref = "sites"),
	F("institutions", FT_LIST, 0, .ref = "organisations"),
	F("ceiling", FT_INT, REQ | FF_NONNEG, .max = 1000000),
	F("state", FT_ENUM, 0, .values = "granted|suspended|withdrawn",
	  .def = "granted"),
	INTERVAL(0),
	MARKING,
};

static const struct field status_event_fields[] = {
	F("code", FT_TEXT, KEY),
	F("action", FT_ENUM, REQ, .values = "suspend|restrict"),
	F("scope", FT_SCOPE, REQ),
	F("reason", FT_TEXT, REQ),
	F("ordered_by", FT_TEXT, 0),
	INTERVAL(0),
	MARKING,
};

#define KIND(var, nm, tbl, lbl, keycol, as, ascol, der, nder) \
	static const struct kind var = { \
		.name = nm, .table = tbl, .label = lbl, .key_column = keycol, \
		.fields = var##_fields, .nfields = N(var##_fields), \
		.asof = as, .asof_column = ascol, .derived = der, .nderived = nder }

KIND(nation, "nations", "nation", "nation", "code", ASOF_NONE, NULL,
     nation_derived, N(nation_derived));
KIND(organisation, "organisations", "organisation", "organisation", "code",
     ASOF_INTERVAL, NULL, NULL, 0);
KIND(site, "sites", "site", "site", "code", ASOF_STARTED, NULL,
     site_derived, N(site_derived));
KIND(pledge, "pledges", "pledge", "pledge", "code", ASOF_INTERVAL, NULL,
     NULL, 0);
KIND(post, "posts", "post", "post", "number", ASOF_INTERVAL, NULL,
     post_derived, N(post_derived));
KIND(person, "persons", "person", "person", "code", ASOF_INTERVAL, NULL,
     NULL, 0);
KIND(assignment, "assignments", "assignment", "assignment", "key",
     ASOF_INTERVAL, NULL, NULL, 0);
KIND(caveat, "caveats", "caveat", "caveat", "code", ASOF_INTERVAL, NULL,
     NULL, 0);
KIND(activity, "activities", "activity", "activity", "code", ASOF_INTERVAL,
     NULL, activity_derived, N(activity_derived));
KIND(course, "courses", "course", "course", "code", ASOF_NONE, NULL, NULL, 0);
KIND(session, "sessions", "session", "session", "key", ASOF_INTERVAL, NULL,
     session_derived, N(session_derived));
KIND(training_plan, "training-plans", "training_plan", "training plan",
     "code", ASOF_NONE, NULL, NULL, 0);
KIND(trainee, "trainees", "trainee", "trainee", "service_number", ASOF_NONE,
     NULL, NULL, 0);
KIND(enrolment, "enrolments", "enrolment", "enrolment", "key", ASOF_NONE,
     NULL, NULL, 0);
KIND(assessment, "assessments", "assessment", "assessment", "key", ASOF_ON,
     "assessed_on", NULL, 0);
KIND(consent, "consents", "consent", "consent", "code", ASOF_INTERVAL, NULL,
     NULL, 0);
KIND(status_event, "status-events", "status_event", "status event", "code",
     ASOF_INTERVAL, NULL, NULL, 0);

/* In dependency order: a kind refers only to kinds before it (and to
 * itself), so importing in this order always resolves references; and
 * consents come before what needs a consent to exist. */
const struct kind *const kinds[] = {
	&nation, &organisation, &site, &consent, &pledge, &post, &person,
	&assignment,
	&caveat, &activity, &course, &session, &training_plan, &trainee,
	&enrolment, &assessment, &status_event,
};
const size_t nkinds = N(kinds);

const struct kind *kind_find(const char *name)
{
	/* A field's reference is the very string of its kind's name (both
	 * are literals of this file): pointers first, then the text. */
	for (size_t i = 0; i < nkinds; i++)
		if (kinds[i]->name == name)
			return kinds[i];
	for (size_t i = 0; i < nkinds; i++)
		if (!strcmp(kinds[i]->name, name) || !strcmp(kinds[i]->table, name))
			return kinds[i];
	return NULL;
}

int kind_field_index(const struct kind *k, const char *name)
{
	for (size_t i = 0; i < k->nfields; i++)
		if (!strcmp(k->fields[i].name, name))
			return (int)i;
	return -1;
}

const struct field *kind_field(const struct kind *k, const char *name)
{
	int i = kind_field_index(k, name);

	return i < 0 ? NULL : &k->fields[i];
}

int kind_composite_key(const struct kind *k)
{
	return !strcmp(k->key_column, "key");
}

int enum_has(const char *values, const char *v)
{
	size_t n = strlen(v);
	const char *p = values;

	if (!values || !n)
		return 0;
	while (*p) {
		const char *end = strchr(p, '|');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, v, n))
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

extern const char *const iso3166_table[][2];
extern const size_t iso3166_count;

static int cmp_code(const void *key, const void *row)
{
	return strcmp(key, ((const char *const *)row)[0]);
}

const char *iso3166_alpha3_name(const char *code)
{
	const char *const *row = bsearch(code, iso3166_table, iso3166_count,
					 sizeof(iso3166_table[0]), cmp_code);

	return row ? row[1] : NULL;
}

int iso3166_alpha3_valid(const char *code)
{
	return iso3166_alpha3_name(code) != NULL;
}
