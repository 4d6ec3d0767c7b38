/* Validation of records against the catalogue; see validate.h. */
#include "core/validate.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/access.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/utf8.h"

/*==== Single values ====================================================*/

/* *OUT holds a new copy of TEXT: 0, or -1 out of memory. */
static int give(const char *text, char **out, const char **why)
{
	if (!(*out = strdup(text))) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

static int parse_int(const struct field *f, const char *in, char **out,
		     const char **why)
{
	char *end, tmp[32];
	long long v;

	errno = 0;
	v = strtoll(in, &end, 10);
	if (end == in || *end || errno) {
		*why = "not a whole number";
		return -1;
	}
	if ((f->flags & FF_POSITIVE) && v <= 0) {
		*why = "must be greater than zero";
		return -1;
	}
	if ((f->flags & FF_NONNEG) && v < 0) {
		*why = "must not be negative";
		return -1;
	}
	if (f->min < f->max && (v < f->min || v > f->max)) {
		static _Thread_local char range[64];

		snprintf(range, sizeof(range), "must be from %.0f to %.0f",
			 f->min, f->max);
		*why = range;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%lld", v);
	return give(tmp, out, why);
}

/* The text SQLite gives a REAL: "%!.15g", always with a decimal point. */
static int parse_real(const struct field *f, const char *in, char **out,
		      const char **why)
{
	char *end, tmp[40];
	double v;

	errno = 0;
	v = strtod(in, &end);
	/* Decimal only: strtod would also take hex, "inf" and "nan". */
	if (end == in || *end || errno || !isfinite(v) ||
	    strspn(in, "0123456789+-.eE") != strlen(in)) {
		*why = "not a number";
		return -1;
	}
	if (f->min < f->max && (v < f->min || v > f->max)) {
		*why = "out of range";
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (!strpbrk(tmp, ".eEn"))
		snprintf(tmp + strlen(tmp), sizeof(tmp) - strlen(tmp), ".0");
	return give(tmp, out, why);
}

static int parse_bool(const char *in, char **out, const char **why)
{
	static const char *const yes[] = { "yes", "true", "1", "y" };
	static const char *const no[] = { "no", "false", "0", "n" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(in, yes[i]))
			return give("yes", out, why);
		if (!strcasecmp(in, no[i]))
			return give("no", out, why);
	}
	*why = "not yes or no";
	return -1;
}

/* Check each ';'-separated element of IN with CHECK. */
static int each_element(const char *in, int (*check)(const struct field *,
		const char *, const char **), const struct field *f,
		const char **why)
{
	char *copy = strdup(in), *p = copy, *next;
	int ret = 0;

	if (!copy) {
		*why = "out of memory";
		return -1;
	}
	for (; p; p = next) {
		next = strchr(p, ';');
		if (next)
			*next++ = '\0';
		if (!*p) {
			*why = "empty element in a ';' list";
			ret = -1;
			break;
		}
		if (check && check(f, p, why)) {
			ret = -1;
			break;
		}
	}
	free(copy);
	return ret;
}

static int check_enum_el(const struct field *f, const char *v, const char **why)
{
	if (f->values && !enum_has(f->values, v)) {
		*why = "not an allowed value";
		return -1;
	}
	return 0;
}

/* An element of a list of references is a whole key. */
static int check_ref_el(const struct field *f, const char *v, const char **why)
{
	static _Thread_local char msg[96];

	(void)f;
	if (strlen(v) <= VALUE_REF_MAX)
		return 0;
	snprintf(msg, sizeof(msg), "a reference in the list is too long: %zu "
		 "bytes, the limit is %d", strlen(v), VALUE_REF_MAX);
	*why = msg;
	return -1;
}

static int check_qual(const struct field *f, const char *v, const char **why)
{
	const char *colon = strchr(v, ':');
	int32_t d;

	(void)f;
	if (colon == v) {
		*why = "qualification without a code";
		return -1;
	}
	if (colon && date_parse(colon + 1, &d, why)) {
		*why = "qualification expiry is not a valid date (CODE:YYYY-MM-DD)";
		return -1;
	}
	return 0;
}

static int check_release(const struct field *f, const char *v, const char **why)
{
	(void)f;
	if (!strcmp(v, "NATO") || !strcmp(v, "MISSION") ||
	    iso3166_alpha3_valid(v))
		return 0;
	*why = "releasability must list NATO, MISSION or ISO 3166 alpha-3 codes";
	return -1;
}

static int check_room(const struct field *f, const char *v, const char **why)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long cap;

	(void)f;
	if (!colon || colon == v) {
		*why = "a room is NAME:CAPACITY";
		return -1;
	}
	/* Sessions name it as a key part is named (and the planner keys
	 * SITE/ROOM): as short. */
	if ((size_t)(colon - v) > VALUE_KEY_MAX) {
		*why = "a room's name is at most 48 bytes";
		return -1;
	}
	cap = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || cap <= 0 || cap > 100000) {
		*why = "a room's capacity is a whole number above zero";
		return -1;
	}
	return 0;
}

static int check_scope(const char *in, const char **why)
{
	const char *code = !strncmp(in, "site:", 5) ? in + 5 :
			   !strncmp(in, "activity:", 9) ? in + 9 : NULL;

	if (!strcmp(in, "mission") ||
	    (code && *code && strlen(code) <= VALUE_REF_MAX))
		return 0;
	*why = "scope must be mission, site:CODE or activity:CODE";
	return -1;
}

int field_is_free_text(const struct field *f)
{
	return f->type == FT_TEXT && !(f->flags & FF_KEY);
}

static size_t value_limit(const struct field *f)
{
	if (f->type == FT_REF)
		return VALUE_REF_MAX;
	return f->flags & FF_KEY ? VALUE_KEY_MAX : VALUE_MAX;
}

/* The UTF-8 of a bidirectional embedding, override or isolate at P
 * (U+202A to U+202E, U+2066 to U+2069), or 0: one such character makes
 * a name or a code display as another ("PCOL" shown as "LOCP"). The
 * marks U+200E and U+200F, which Arabic text may need, are not among
 * them. Valid UTF-8 is assumed. */
static unsigned bidi_control(const unsigned char *p)
{
	if (p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
		return 0x2000u + 0x2a + (p[2] - 0xaa);
	if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		return 0x2066u + (p[2] - 0xa6);
	return 0;
}

/* May V be repeated in a message? Only as one line of text of a length
 * to read: bytes that are not UTF-8 would break the JSON of the answer,
 * and control characters would reach the reader's terminal (ESC). The
 * reason says what is wrong with the others. */
static int fit_to_show(const struct field *f, const char *v)
{
	size_t n = strlen(v);

	if (n > value_limit(f) || !utf8_valid(v, n))
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f ||
		    bidi_control((const unsigned char *)v))
			return 0;
	return 1;
}

static int check_controls(const struct field *f, const char *in,
			  const char **why)
{
	static _Thread_local char msg[160];
	int free_text = field_is_free_text(f);

	for (const char *p = in; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		unsigned bidi = bidi_control((const unsigned char *)p);

		if (bidi) {
			snprintf(msg, sizeof(msg), "holds the bidirectional "
				 "control U+%04X at byte %td: it can make one "
				 "text display as another", bidi, p - in + 1);
			*why = msg;
			return -1;
		}
		/* A mark has its use in text; in a code it is only unseen,
		 * and "PCOL" with one looks like "PCOL" without. */
		if (!free_text && ch == 0xe2 && (unsigned char)p[1] == 0x80 &&
		    ((unsigned char)p[2] == 0x8e || (unsigned char)p[2] == 0x8f)) {
			snprintf(msg, sizeof(msg), "holds the invisible "
				 "direction mark U+%04X at byte %td: a code may "
				 "not, it would look like the code without it",
				 0x2000u + ((unsigned char)p[2] - 0x80), p - in + 1);
			*why = msg;
			return -1;
		}
		if (ch != 0x7f && (ch >= 0x20 || (free_text &&
		    (ch == '\t' || ch == '\n' || ch == '\r'))))
			continue;
		snprintf(msg, sizeof(msg), "holds the control character 0x%02X "
			 "at byte %td%s", ch, p - in + 1, free_text ? "" :
			 ": only free text may hold TAB, LF or CR");
		*why = msg;
		return -1;
	}
	return 0;
}

/* The separators that make a composite key and a list of references
 * decode one way only: a key field that is not a reference holds
 * neither. A reference holds a whole key, made of such fields, and every
 * kind has a fixed number of key parts (test_kind.c walks them). */
static int check_key_part(const struct field *f, const char *in,
			  const char **why)
{
	if (!(f->flags & FF_KEY) || f->type == FT_REF)
		return 0;
	if (strchr(in, '/')) {
		*why = "a key field may not hold '/': it joins the parts of "
		       "a composite key";
		return -1;
	}
	if (strchr(in, ';')) {
		*why = "a key field may not hold ';': it separates the "
		       "references of a list";
		return -1;
	}
	if (*in == ' ' || (*in && in[strlen(in) - 1] == ' ')) {
		*why = "a key field may not begin or end with a space: two "
		       "keys would look the same and be two records";
		return -1;
	}
	return 0;
}

/* What every value keeps, whatever its type: its length, UTF-8, no
 * control characters, and the separators of keys. */
static int text_check(const struct field *f, const char *in, const char **why)
{
	static _Thread_local char msg[96];
	size_t n = strlen(in), max = value_limit(f);

	if (n > max) {
		snprintf(msg, sizeof(msg), "too long: %zu bytes, the limit for "
			 "this field is %zu", n, max);
		*why = msg;
		return -1;
	}
	if (!utf8_valid(in, n)) {
		*why = "not valid UTF-8 text";
		return -1;
	}
	if (check_controls(f, in, why) || check_key_part(f, in, why))
		return -1;
	return 0;
}

/* Check IN for field F. Numbers and booleans have a canonical text other
 * than IN: *OUT is that (new) text; every other type is canonical as it
 * is, and *OUT stays NULL. */
static int value_check(const struct field *f, const char *in, char **out,
		       const char **why)
{
	int32_t d;

	*out = NULL;
	if (text_check(f, in, why))
		return -1;
	switch (f->type) {
	case FT_INT:
		return parse_int(f, in, out, why);
	case FT_REAL:
		return parse_real(f, in, out, why);
	case FT_BOOL:
		return parse_bool(in, out, why);
	case FT_DATE:
		if (date_parse(in, &d, why))
			return -1;
		break;
	case FT_ISO3:
		if (!iso3166_alpha3_valid(in)) {
			*why = "not an ISO 3166-1 alpha-3 country code";
			return -1;
		}
		break;
	case FT_ENUM:
		if (!enum_has(f->values, in)) {
			*why = "not an allowed value";
			return -1;
		}
		break;
	case FT_MARKING:
		if (!enum_has("NU|NR|NC|NS|CTS", in)) {
			*why = "classification must be NU, NR, NC, NS or CTS";
			return -1;
		}
		break;
	case FT_LIST:
		if (each_element(in, f->ref ? check_ref_el : check_enum_el, f,
				 why))
			return -1;
		break;
	case FT_QUALS:
		if (each_element(in, check_qual, f, why))
			return -1;
		break;
	case FT_RELEASE:
		if (each_element(in, check_release, f, why))
			return -1;
		break;
	case FT_SCOPE:
		if (check_scope(in, why))
			return -1;
		break;
	case FT_ROOMS:
		if (each_element(in, check_room, f, why))
			return -1;
		break;
	case FT_TEXT:
	case FT_REF:
		break;
	}
	return 0;
}

int value_canonical(const struct field *f, const char *in, char **out,
		    const char **why)
{
	if (value_check(f, in, out, why))
		return -1;
	return *out ? 0 : give(in, out, why);
}

/*==== Whole records ====================================================*/

struct ctx {
	struct store *s;
	const struct principal *who;
	struct record *r;
	const struct record *before;	/* as stored, or NULL */
	problem_fn fn;
	void *arg;
	struct error *e;
	int n;
	int failed;
};

static void problem(struct ctx *c, size_t i, const char *reason)
{
	const char *v = c->r->v[i];

	c->fn(c->arg, i, v && fit_to_show(&c->r->kind->fields[i], v) ? v : NULL,
	      reason);
	c->n++;
}

/* Does the stored record's field I already name KEY? */
static int kept(const struct ctx *c, size_t i, const char *key)
{
	const char *v = c->before ? c->before->v[i] : NULL;
	size_t n = strlen(key);

	while (v && *v) {
		size_t len = strcspn(v, ";");

		if (len == n && !strncmp(v, key, n))
			return 1;
		v += len;
		if (*v == ';')
			v++;
	}
	return 0;
}

static void check_ref(struct ctx *c, size_t i, const char *kindname,
		      const char *key)
{
	const struct kind *k = kind_find(kindname);
	char why[VALUE_REF_MAX + 64];	/* KEY is at most VALUE_REF_MAX */
	int rc;

	/* A record the writer may not see is missing for them: the same
	 * message, so that a reference cannot probe for it, and no hidden
	 * record is named by a record others may see. A reference the
	 * record already holds is not the writer's to give: it stays, as
	 * long as it exists. */
	rc = store_visible(c->s, kept(c, i, key) ? NULL : c->who, k, key, c->e);
	if (rc < 0) {
		c->failed = 1;
		return;
	}
	if (!rc) {
		snprintf(why, sizeof(why), "no %s '%s'", k->label, key);
		problem(c, i, why);
	}
}

static void check_refs(struct ctx *c, size_t i)
{
	const struct field *f = &c->r->kind->fields[i];
	const char *v = c->r->v[i];
	char *copy, *p, *next;

	if (!v || c->failed)
		return;
	if (f->type == FT_REF) {
		check_ref(c, i, f->ref, v);
	} else if (f->type == FT_LIST && f->ref) {
		copy = strdup(v);
		for (p = copy; p && !c->failed; p = next) {
			next = strchr(p, ';');
			if (next)
				*next++ = '\0';
			check_ref(c, i, f->ref, p);
		}
		free(copy);
	} else if (f->type == FT_SCOPE) {
		if (!strncmp(v, "site:", 5))
			check_ref(c, i, "sites", v + 5);
		else if (!strncmp(v, "activity:", 9))
			check_ref(c, i, "activities", v + 9);
	}
}

/* The fields check_kind_rules() looks at, found once for every kind
 * rather than by name on every record. */
static struct kind_checks {
	const struct kind *kind;
	int order[3][2];	/* FROM, TO: FROM strictly before TO; -1 absent */
	int activity, previous_owner, owner_from;
	int caveat, nation, person;
} checks[KINDS_MAX];
static pthread_once_t checks_once = PTHREAD_ONCE_INIT;

static void find_checks(void)
{
	static const char *const order[3][2] = {
		{ "valid_from", "valid_to" },
		{ "partner_since", "partner_until" },
		{ "window_from", "window_to" },
	};

	for (size_t i = 0; i < nkinds && i < KINDS_MAX; i++) {
		const struct kind *k = kinds[i];
		struct kind_checks *c = &checks[i];

		c->kind = k;
		for (int j = 0; j < 3; j++) {
			c->order[j][0] = kind_field_index(k, order[j][0]);
			c->order[j][1] = kind_field_index(k, order[j][1]);
		}
		c->activity = !strcmp(k->table, "activity");
		c->previous_owner = kind_field_index(k, "previous_owner");
		c->owner_from = kind_field_index(k, "owner_from");
		c->caveat = !strcmp(k->table, "caveat");
		c->nation = kind_field_index(k, "nation");
		c->person = kind_field_index(k, "person");
	}
}

static const struct kind_checks *checks_of(const struct kind *k)
{
	pthread_once(&checks_once, find_checks);
	for (size_t i = 0; i < nkinds && i < KINDS_MAX; i++)
		if (checks[i].kind == k)
			return &checks[i];
	return NULL;
}

static const char *at(struct ctx *c, int i)
{
	return i < 0 ? NULL : c->r->v[i];
}

static void check_kind_rules(struct ctx *c)
{
	static const char *const why[3] = {
		"valid_to must be after valid_from",
		"partner_until must be after partner_since",
		"window_to must be after window_from",
	};
	const struct kind_checks *k = checks_of(c->r->kind);

	if (!k)
		return;
	for (int j = 0; j < 3; j++) {
		const char *from = at(c, k->order[j][0]), *to = at(c, k->order[j][1]);

		if (from && to && strcmp(from, to) >= 0)
			problem(c, (size_t)k->order[j][1], why[j]);
	}
	if (k->activity &&
	    !at(c, k->previous_owner) != !at(c, k->owner_from))
		problem(c, (size_t)k->owner_from,
			"previous_owner and owner_from go together");
	if (k->caveat && !at(c, k->nation) == !at(c, k->person))
		problem(c, (size_t)k->nation,
			"a caveat belongs to a nation or to a person: give "
			"exactly one");
}

int record_validate(struct store *s, struct record *r, problem_fn fn,
		    void *arg, struct error *e)
{
	return record_validate_as(s, NULL, r, fn, arg, e);
}

int record_validate_as(struct store *s, const struct principal *who,
		       struct record *r, problem_fn fn, void *arg,
		       struct error *e)
{
	return record_validate_kept(s, who, r, NULL, fn, arg, e);
}

/* Give R its field I's default F->def. A releasability's RELEASE_HOST is
 * the host nation when the mission has one and the writer may release to
 * it (not a contingent commander, not the liaison: policy.c), else it is
 * left out, so that the default never refuses its own writer. */
static int set_default(struct ctx *c, size_t i, const struct field *f)
{
	const char *mark = f->type == FT_RELEASE ? strstr(f->def, RELEASE_HOST)
						 : NULL;
	char host[4], v[64];
	size_t n;

	if (!mark)
		return record_set(c->r, i, f->def) ?
			error_set(c->e, ERR_NOMEM, "out of memory") : 0;
	host[0] = '\0';
	if ((!c->who || c->who->system || (c->who->role != ROLE_CONTINGENT &&
	     c->who->role != ROLE_LIAISON)) && c->s &&
	    store_host_nation(c->s, host, c->e))
		return -1;
	n = (size_t)(mark - f->def);
	if (!host[0] && n && f->def[n - 1] == ';')
		n--;	/* "MISSION;HOST" without a host: "MISSION" */
	snprintf(v, sizeof(v), "%.*s%s%s", (int)n, f->def, host,
		 mark + strlen(RELEASE_HOST));
	return record_set(c->r, i, v) ?
		error_set(c->e, ERR_NOMEM, "out of memory") : 0;
}

int record_validate_kept(struct store *s, const struct principal *who,
			 struct record *r, const struct record *before,
			 problem_fn fn, void *arg, struct error *e)
{
	const struct kind *k = r->kind;
	struct ctx c = { .s = s, .who = who, .r = r, .before = before,
			 .fn = fn, .arg = arg, .e = e };

	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		const char *why = NULL;
		char *canon;

		if (!r->v[i] && f->def && set_default(&c, i, f))
			return -1;
		if (!r->v[i]) {
			if (f->flags & FF_REQUIRED)
				problem(&c, i, "required");
			continue;
		}
		/* Most values are canonical as given: no copy for those. */
		if (value_check(f, r->v[i], &canon, &why)) {
			problem(&c, i, why);
			continue;
		}
		if (canon) {
			free(r->v[i]);
			r->v[i] = canon;
		}
	}
	if (c.n == 0) {
		for (size_t i = 0; i < k->nfields && !c.failed; i++)
			check_refs(&c, i);
		check_kind_rules(&c);
	}
	if (c.failed)
		return -1;
	if (kind_composite_key(k)) {
		if (record_make_key(r))
			return error_set(e, ERR_NOMEM, "out of memory");
	} else {
		free(r->key);
		r->key = NULL;
		if (r->v[kind_field_index(k, k->key_column)] &&
		    !(r->key = strdup(r->v[kind_field_index(k, k->key_column)])))
			return error_set(e, ERR_NOMEM, "out of memory");
	}
	return c.n;
}
