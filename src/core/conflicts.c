/* The conflicts a reader may see, over a range; see conflicts.h. */
#include "core/conflicts.h"

#include <stdio.h>
#include <string.h>

#include "core/check.h"
#include "core/policy.h"
#include "model/kind.h"
#include "util/buf.h"
#include "util/date.h"

/* Rules whose verdict is a count made as the system. */
static int counts_as_system(const char *rule)
{
	return !strcmp(rule, "CAPACITY") || !strcmp(rule, "CEILING");
}

/* A TRAINEE-CLASH names the trainee, then the two sessions (check.c);
 * the enrolments that put the trainee in both are its ground. 1 when
 * WHO may see both, 0, -1. */
static int clash_enrolments_seen(struct store *s, const struct principal *who,
				 const json_t *records, struct error *e)
{
	const char *trainee = json_string_value(json_array_get(records, 0));
	struct buf key = BUF_INIT;
	int rc = 1;

	if (!trainee || json_array_size(records) != 3)
		return 0;
	for (size_t i = 1; i < 3 && rc > 0; i++) {
		buf_reset(&key);
		buf_addf(&key, "%s/%s",
			 json_string_value(json_array_get(records, i)), trainee);
		if (key.failed) {
			rc = error_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		rc = store_visible(s, who, kind_find("enrolments"), buf_str(&key), e);
	}
	buf_release(&key);
	return rc;
}

/* May WHO be shown V? 1 / 0 / -1. */
static int listed(struct store *s, const struct principal *who,
		  const json_t *v, struct error *e)
{
	const char *rule = json_string_value(json_object_get(v, "rule"));

	if (!rule)
		return 0;
	if (counts_as_system(rule))
		return policy_may_check(who);
	if (!strcmp(rule, "TRAINEE-CLASH"))
		return clash_enrolments_seen(s, who,
					     json_object_get(v, "records"), e);
	return 1;
}

/* Add to V the keys among its records that are sessions. 0 / -1. */
static int name_sessions(struct store *s, const struct principal *who,
			 json_t *v, struct error *e)
{
	const struct kind *k = kind_find("sessions");
	json_t *records = json_object_get(v, "records"), *keys = json_array();
	size_t i;
	json_t *r;

	if (!keys)
		return error_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(records, i, r) {
		const char *key = json_string_value(r);
		int rc = key ? store_visible(s, who, k, key, e) : 0;

		if (rc < 0) {
			json_decref(keys);
			return -1;
		}
		if (rc && json_array_append(keys, r)) {
			json_decref(keys);
			return error_set(e, ERR_NOMEM, "out of memory");
		}
	}
	if (json_object_set_new(v, "sessions", keys))
		return error_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

static int check_args(const char *from, const char *to, struct error *e)
{
	int32_t f, t;
	const char *why;

	if (!from || !to)
		return error_set(e, ERR_USAGE, "%s: required: the first day and "
				 "the day after the last", from ? "to" : "from");
	if (date_parse(from, &f, &why))
		return error_set(e, ERR_USAGE, "from: %s", why);
	if (date_parse(to, &t, &why))
		return error_set(e, ERR_USAGE, "to: %s", why);
	if (t <= f)
		return error_set(e, ERR_USAGE, "to: the day after the last: it "
				 "must come after from (%s)", from);
	if (t - f > CONFLICTS_DAYS_MAX)
		return error_set(e, ERR_USAGE, "to: at most %d days after from",
				 CONFLICTS_DAYS_MAX);
	return 0;
}

int conflicts_list(struct store *s, const struct principal *who,
		   const char *from, const char *to, json_t **out,
		   struct error *e)
{
	json_t *res = NULL, *list, *v;
	size_t i;

	*out = NULL;
	if (check_args(from, to, e) || check_run(s, who, from, to, &res, e))
		return -1;
	list = json_array();
	if (!list)
		goto nomem;
	json_array_foreach(json_object_get(res, "violations"), i, v) {
		int rc = listed(s, who, v, e);

		if (rc < 0 || (rc && name_sessions(s, who, v, e)))
			goto fail;
		if (rc && json_array_append(list, v))
			goto nomem;
	}
	*out = json_pack("{s:O, s:O, s:I, s:o}", "from",
			 json_object_get(res, "from"), "to",
			 json_object_get(res, "to"), "count",
			 (json_int_t)json_array_size(list), "violations", list);
	json_decref(res);
	return *out ? 0 : error_set(e, ERR_NOMEM, "out of memory");
nomem:
	error_set(e, ERR_NOMEM, "out of memory");
fail:
	json_decref(list);
	json_decref(res);
	return -1;
}
