/* The one write path; see write.h. */
#include "core/write.h"

#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "core/rules.h"

static int system_writes(const struct principal *who)
{
	return !who || who->system;
}

struct write_tx {
	struct store *s;
	const struct principal *who;
	struct rules_tx rules;
	char host[4];		/* the host nation, once looked up */
	int host_known;
	int finished;		/* write_tx_finish() ran */
};

static void tx_start(struct write_tx *t, struct store *s,
		     const struct principal *who)
{
	*t = (struct write_tx){ .s = s, .who = who };
	rules_tx_init(&t->rules);
	t->rules.reader = system_writes(who) ? NULL : who;
	/* The audit names the caller; the local operator's writes keep the
	 * connection's actor (the operating-system user). */
	if (who && !who->system)
		store_set_actor(s, who->login);
}

/* Problems held back until it is known whether they stand. */
struct held {
	struct held_one {
		size_t field;
		char *value, *reason;
	} *v;
	size_t n;
	int failed;
};

static void hold(void *arg, size_t field, const char *value,
		 const char *reason)
{
	struct held *h = arg;
	struct held_one *v = realloc(h->v, (h->n + 1) * sizeof(*v));

	if (!v) {
		h->failed = 1;
		return;
	}
	h->v = v;
	v[h->n].field = field;
	v[h->n].value = value ? strdup(value) : NULL;
	v[h->n].reason = strdup(reason ? reason : "");
	h->n++;
}

static void held_release(struct held *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].value);
		free(h->v[i].reason);
	}
	free(h->v);
}

/* Validate R as T's caller. A reference the stored record already holds
 * is the caller's to keep even when they may not see its record (a
 * change of another field of a post at a site above their clearance),
 * so a refusal is checked again against the record as stored before it
 * stands. Returns as record_validate_as(). */
static int validate(struct write_tx *t, struct record *r,
		    const struct write_opts *o, struct error *e)
{
	struct held h = { 0 };
	struct record old = { 0 };
	int n, found;

	if (system_writes(t->who))
		return record_validate(t->s, r, o->problem, o->problem_arg, e);
	n = record_validate_as(t->s, t->who, r, hold, &h, e);
	if (n <= 0 || h.failed || !r->key || record_init(&old, r->kind))
		goto replay;
	found = store_get(t->s, r->kind, r->key, &old, e);
	if (found < 0) {
		n = -1;
	} else if (found) {
		held_release(&h);
		n = record_validate_kept(t->s, t->who, r, &old, o->problem,
					 o->problem_arg, e);
		record_release(&old);
		return n;
	}
	record_release(&old);
replay:
	if (h.failed && n >= 0)
		n = error_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; n > 0 && i < h.n; i++)
		o->problem(o->problem_arg, h.v[i].field, h.v[i].value,
			   h.v[i].reason);
	held_release(&h);
	return n;
}

int write_may(const struct principal *who, const struct kind *k,
	      struct error *e)
{
	if (policy_may_write(who, k))
		return 0;
	return error_set(e, ERR_FORBIDDEN, "the %s role does not change %s",
			 role_name(who->role), k->name);
}

int write_put(struct write_tx *t, struct record *r, const struct write_opts *o,
	      enum put_result *res, struct error *e)
{
	const struct kind *k = r->kind;
	struct record old = { 0 };
	int n, found, seen = 1, ret = -1, rel, given;

	if (write_may(t->who, k, e))
		return -1;
	rel = kind_field_index(k, "releasability");
	given = rel < 0 || r->v[rel];
	n = validate(t, r, o, e);
	if (n)
		return n < 0 ? -1 : 1;
	/* The local operator's import row needs nothing of the record as
	 * stored: store_put() finds it, and an import is a probe per row. */
	if (system_writes(t->who) && o->mode == WRITE_PUT && !o->check)
		return mission_put(t->s, &t->rules, r, res, e) ? -1 : 0;
	if (record_init(&old, k))
		return error_set(e, ERR_NOMEM, "out of memory");
	/* The record as stored, whoever may see it: whether the key is
	 * taken, and the markings a change starts from. */
	found = store_get(t->s, k, r->key, &old, e);
	if (found < 0)
		goto out;
	if (found && !system_writes(t->who) &&
	    (seen = store_visible(t->s, t->who, k, r->key, e)) < 0)
		goto out;
	if (found && o->mode == WRITE_CREATE) {
		error_set(e, ERR_CONFLICT, "a record with that key exists");
		goto out;
	}
	if (o->mode == WRITE_UPDATE && (!found || !seen)) {
		/* Hidden or absent: the same answer. */
		error_set(e, ERR_NOTFOUND, "no such record");
		goto out;
	}
	if (found && !seen) {
		/* An import's row over a record it may not see: taken, as
		 * WRITE_CREATE says, and not theirs to change. */
		error_set(e, ERR_CONFLICT, "a record with that key exists");
		goto out;
	}
	/* A releasability not given keeps the stored one: the kind's
	 * default is a new record's, and a row re-imported without the
	 * column is no re-marking (which only the commander may make). */
	if (found && !given && record_set(r, (size_t)rel, old.v[rel])) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (o->check && o->check(o->check_arg, found ? &old : NULL, e))
		goto out;
	if (!system_writes(t->who)) {
		if (!t->host_known) {
			if (store_host_nation(t->s, t->host, e))
				goto out;
			t->host_known = 1;
		}
		if (policy_check_markings(t->who, t->host, found ? &old : NULL,
					  r, e))
			goto out;
	}
	if (mission_put(t->s, &t->rules, r, res, e))
		goto out;
	ret = 0;
out:
	record_release(&old);
	return ret;
}

int write_tx_finish(struct write_tx *t, struct error *e)
{
	t->finished = 1;
	return rules_finish(t->s, &t->rules, e);
}

int write_record(struct store *s, const struct principal *who,
		 struct record *r, const struct write_opts *o,
		 enum put_result *res, struct error *e)
{
	struct write_tx t;
	int rc;

	tx_start(&t, s, who);
	if (store_begin(s, e))
		return -1;
	rc = write_put(&t, r, o, res, e);
	if (!rc && (write_tx_finish(&t, e) || store_commit(s, e)))
		rc = -1;
	if (rc)
		store_rollback(s);	/* safe once committed or idle */
	rules_tx_release(&t.rules);
	return rc;
}

int write_many(struct store *s, const struct principal *who, unsigned flags,
	       write_fn fn, void *arg, struct error *e)
{
	struct write_tx t;
	int nested = (flags & WRITE_NESTED) != 0, rc;

	tx_start(&t, s, who);
	if (!nested && ((flags & WRITE_UNCHECKED) ? store_begin(s, e) :
			store_begin_checked(s, e)))
		return -1;
	rc = fn(&t, arg, e) ? -1 : 0;
	if (!rc && !t.finished && write_tx_finish(&t, e))
		rc = -1;
	rules_tx_release(&t.rules);
	if (nested)
		return rc;	/* the caller commits or rolls back */
	if (!rc && !(flags & WRITE_DRY_RUN) && store_commit(s, e))
		rc = -1;
	if (rc || (flags & WRITE_DRY_RUN))
		store_rollback(s);
	return rc;
}

int write_action(struct store *s, const struct principal *who,
		 const char *name, unsigned flags, write_fn fn, void *arg,
		 struct error *e)
{
	if (!policy_may_act(who, name))
		return error_set(e, ERR_FORBIDDEN, "%s: the %s role may not %s",
				 name, role_name(who->role), name);
	return write_many(s, who, flags | WRITE_UNCHECKED, fn, arg, e);
}

struct rules_tx *write_tx_rules(struct write_tx *t)
{
	return &t->rules;
}
