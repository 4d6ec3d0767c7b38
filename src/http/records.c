/* Resources of every kind under /api/v1/KIND; see http_int.h. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvio.h"
#include "core/policy.h"
#include "core/rules.h"
#include "core/validate.h"
#include "core/write.h"
#include "http/http_int.h"
#include "util/date.h"
#include "util/utf8.h"

/*==== ETags ============================================================*/

/* A record's ETag: a short hash of its JSON form. */
static void etag_of(json_t *o, char out[24])
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char md[8];
	char hex[17];

	crypto_generichash(md, sizeof(md), (const unsigned char *)(s ? s : ""),
			   s ? strlen(s) : 0, NULL, 0);
	free(s);
	sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
	snprintf(out, 24, "\"%s\"", hex);
}

static enum MHD_Result send_etagged(struct req *r, unsigned status, json_t *o)
{
	char etag[24];

	etag_of(o, etag);
	r->etag = etag;
	return send_json(r, status, o, NULL, NULL, NULL);
}

/* One record O of K with its ETag. The ETag is over the record's fields
 * and key, not the values derived for today: the same the write path
 * compares If-Match with, and not changed by the calendar. */
static enum MHD_Result send_record(struct req *r, const struct kind *k,
				   json_t *o)
{
	json_t *fields = json_deep_copy(o);
	char etag[24];

	for (size_t i = 0; fields && i < k->nderived; i++)
		json_object_del(fields, k->derived[i].name);
	etag_of(fields ? fields : o, etag);
	json_decref(fields);
	r->etag = etag;
	return send_json(r, 200, o, NULL, NULL, NULL);
}

/*==== Reads ============================================================*/

/* A key's record is collected as JSON to take its ETag; a list is
 * written straight into text, row by row, as json_dumps() would write
 * the same rows (a row with a real, or text not UTF-8, through jansson),
 * since a list of a thousand trees built and dumped and freed was most
 * of what a list cost. */
struct collect {
	json_t *rows;		/* a key's lookup */
	struct buf text;	/* a list: its items, comma-separated */
	size_t nrows;
	size_t cut;		/* where the last row began */
};

static json_t *row_json(const struct record *rec, const char *const *derived)
{
	json_t *o = record_json(rec);

	if (!o)
		return NULL;
	json_object_set_new(o, "key", json_string(rec->key));
	for (size_t i = 0; i < rec->kind->nderived; i++)
		json_object_set_new(o, rec->kind->derived[i].name,
				    json_string(derived[i] ? derived[i] : ""));
	return o;
}

static int collect_row(void *arg, const struct record *rec,
		       const char *const *derived)
{
	struct collect *c = arg;
	struct buf *b = &c->text;
	int rc;

	if (c->rows) {
		json_t *o = row_json(rec, derived);

		return o ? json_array_append_new(c->rows, o), 0 : -3;
	}
	c->cut = b->len;
	if (c->nrows++)
		buf_addc(b, ',');
	buf_addc(b, '{');
	rc = record_json_add(rec, b);
	if (rc > 0) {
		json_t *o = row_json(rec, derived);
		char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
					 JSON_REAL_PRECISION(15)) : NULL;

		json_decref(o);
		if (!s)
			return -3;
		b->data[--b->len] = '\0';	/* the '{' */
		buf_adds(b, s);
		free(s);
		return b->failed ? -3 : 0;
	}
	buf_adds(b, ",\"key\":");
	buf_addjson(b, rec->key);
	for (size_t i = 0; i < rec->kind->nderived; i++) {
		buf_addf(b, ",\"%s\":", rec->kind->derived[i].name);
		buf_addjson(b, derived[i] ? derived[i] : "");
	}
	buf_addc(b, '}');
	return rc || b->failed ? -3 : 0;
}

static enum MHD_Result get_records(struct req *r, const struct kind *k,
				   const char *key)
{
	struct filter filters[QUERY_MAX], keyf = { "key", key };
	struct query q = { .who = &r->who };
	struct collect c = { key ? json_array() : NULL, BUF_INIT, 0, 0 };
	struct error e;
	size_t nf = 0;
	enum MHD_Result ret;

	/* The parameters were checked at the door (route.c): dates are in
	 * their one form, numbers within their bounds, and every other
	 * name is a field, a derived name or the key, each applied. */
	q.asof = arg(r, "as_of");
	if (key) {
		q.filters = &keyf;
		q.nfilters = 1;
	} else {
		for (size_t i = 0; i < r->nquery; i++)
			if (r->query[i].filter)
				filters[nf++] = (struct filter){ r->query[i].name,
								 r->query[i].value };
		q.filters = filters;
		q.nfilters = nf;
		q.limit = arg_long(r, "limit", 1000);
		q.limit++;	/* one more tells whether there is a next page */
		q.offset = arg_long(r, "cursor", 0);
		q.sort = arg(r, "sort");
		q.match = arg(r, "q");
		q.from = arg(r, "from");
		q.to = arg(r, "to");
	}
	error_init(&e);
	if (store_each(r->db, k, &q, collect_row, &c, &e)) {
		json_decref(c.rows);
		buf_release(&c.text);
		ret = error_reply(r, &e);
		error_release(&e);
		return ret;
	}
	if (key) {
		json_t *one = json_array_get(c.rows, 0);

		if (!one) {
			json_decref(c.rows);
			/* The same answer for hidden and absent. */
			return problem(r, 404, "Not Found", "no such record", NULL);
		}
		json_incref(one);
		json_decref(c.rows);
		return send_record(r, k, one);
	}
	{
		/* The cursor of the next page: where it starts; the one row
		 * more that told of it is cut. */
		long shown = q.limit - 1;
		struct buf *b = &c.text;
		struct buf head = BUF_INIT;
		size_t len;

		if ((long)c.nrows > shown && b->data)
			b->data[b->len = c.cut] = '\0';
		buf_addf(&head, "{\"kind\":\"%s\",\"items\":[", k->name);
		buf_add(&head, b->data ? b->data : "", b->len);
		buf_addc(&head, ']');
		if ((long)c.nrows > shown)
			buf_addf(&head, ",\"next\":\"%ld\"", q.offset + shown);
		buf_addc(&head, '}');
		buf_release(b);
		if (head.failed) {
			buf_release(&head);
			return problem(r, 500, "Internal Server Error",
				       "the server failed", NULL);
		}
		len = head.len;
		return send_body(r, 200, buf_detach(&head), len, NULL, NULL,
				 NULL);
	}
}


/*==== Writes ===========================================================*/

struct problems {
	json_t *list;
	const struct kind *k;
};

static void note(void *arg, size_t field, const char *value, const char *reason)
{
	struct problems *p = arg;
	const char *name = p->k->fields[field].name;
	json_t *o = json_pack("{s:s, s:s?, s:s}", "field", name, "value",
			      value, "reason", reason);

	/* A value JSON cannot hold (not UTF-8) is left out, never the
	 * problem: an empty list would say nothing of what was wrong. */
	if (!o)
		o = json_pack("{s:s, s:s}", "field", name, "reason",
			      reason && utf8_valid(reason, strlen(reason)) ?
			      reason : "not valid");
	json_array_append_new(p->list, o);
}

static enum MHD_Result invalid(struct req *r, json_t *errors, const char *detail)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "type",
			      "about:blank", "title", "Unprocessable Content",
			      "status", 422, "detail", detail, "instance", r->url,
			      "errors", errors);

	return send_json(r, 422, p, "application/problem+json", NULL, NULL);
}

static void body_problem(json_t *errors, const char *field, const char *reason)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field,
						"reason", reason));
}

/* Fill R's fields from the JSON object BODY; ERRORS gets what is wrong.
 * Each value is copied whole: its length is the validation's to judge. */
static void apply_body(struct record *rec, json_t *body, json_t *errors,
		       int keys_fixed)
{
	const char *name;
	json_t *v;

	json_object_foreach(body, name, v) {
		int i = kind_field_index(rec->kind, name);
		char *text = NULL;
		int rc;

		if (i < 0) {
			if (strcmp(name, "key") || keys_fixed)
				body_problem(errors, name, "no such field");
			continue;
		}
		rc = json_cell_dup(v, &text);
		if (rc == -2)
			body_problem(errors, name, "out of memory");
		else if (rc)
			body_problem(errors, name, "not a string, number, "
				     "boolean or null");
		else if (keys_fixed && (rec->kind->fields[i].flags & FF_KEY)) {
			if (strcmp(text ? text : "", rec->v[i] ? rec->v[i] : ""))
				body_problem(errors, name, "part of the key: it "
					     "cannot change");
		} else {
			record_take(rec, (size_t)i, &text);
		}
		free(text);
	}
}

/* The caller's If-Match against the record as stored, checked in the
 * write's transaction so that two writers of one ETag cannot both win. */
struct precondition {
	const char *if_match;
	struct req *r;		/* the caller: the ETag of what they read */
};

static int etag_matches(void *arg, const struct record *before,
			struct error *e)
{
	struct precondition *pc = arg;
	struct record seen = { 0 };
	json_t *o = NULL;
	char etag[24];
	int rc = -1;

	if (!pc->if_match || !strcmp(pc->if_match, "*") || !before)
		return 0;
	/* The ETag of the record as the caller read it: its references to
	 * records they may not see left out (store_mask_refs). */
	if (record_init(&seen, before->kind))
		return error_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < before->kind->nfields; i++)
		if (record_set(&seen, i, before->v[i]))
			goto out;
	if (store_mask_refs(pc->r->db, &pc->r->who, &seen, e)) {
		record_release(&seen);
		return -1;
	}
	if (!(o = record_json(&seen)))
		goto out;
	json_object_set_new(o, "key", json_string(before->key));
	etag_of(o, etag);
	rc = 0;
out:
	json_decref(o);
	record_release(&seen);
	if (rc)
		return error_set(e, ERR_NOMEM, "out of memory");
	if (strcmp(pc->if_match, etag))
		return error_set(e, ERR_CONFLICT, "the record changed since you "
				 "read it; read it again");
	return 0;
}

/* 403 naming the field whose value the caller may not give (markings). */
static enum MHD_Result forbidden_field(struct req *r, const struct error *e)
{
	const struct error_item *it = &e->items[0];
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:[{s:s?, s:s?, s:s?}]}",
			      "type", "about:blank", "title", "Forbidden",
			      "status", 403, "detail", e->message, "instance",
			      r->url, "errors", "field", it->field, "value",
			      it->value, "reason", it->reason);

	return send_json(r, 403, p, "application/problem+json", NULL, NULL);
}

/* Write REC as the caller through the one write path (core/write.h);
 * reply with the record as stored, its problems (422), or the refusal
 * with its cause (403, 404, 409, 412, 5xx). */
static enum MHD_Result save(struct req *r, struct record *rec,
			    enum write_mode mode, const char *if_match)
{
	struct problems pr = { json_array(), rec->kind };
	struct precondition pc = { if_match, r };
	struct write_opts o = { .mode = mode, .problem = note, .problem_arg = &pr,
				.check = etag_matches, .check_arg = &pc };
	enum put_result res;
	struct error e;
	enum MHD_Result ret;
	int rc;

	error_init(&e);
	rc = write_record(r->db, &r->who, rec, &o, &res, &e);
	if (rc > 0) {
		error_release(&e);
		return invalid(r, pr.list, "the record is not valid");
	}
	json_decref(pr.list);
	if (rc < 0) {
		if (e.code == ERR_CONFLICT && if_match)
			ret = problem(r, 412, "Precondition Failed", e.message, NULL);
		else if (e.code == ERR_FORBIDDEN && e.nitems)
			ret = forbidden_field(r, &e);
		else
			ret = error_reply(r, &e);
		error_release(&e);
		return ret;
	}
	/* The answer shows the record as the caller may read it. */
	if (store_mask_refs(r->db, &r->who, rec, &e)) {
		ret = error_reply(r, &e);
		error_release(&e);
		return ret;
	}
	error_release(&e);
	{
		json_t *j = record_json(rec);

		if (!j)
			j = json_object();
		json_object_set_new(j, "key", json_string(rec->key));
		/* Keys are short (validate.h): a path too long for the
		 * header's room goes without, rather than cut. */
		if (mode == WRITE_CREATE &&
		    (size_t)snprintf(r->location, sizeof(r->location),
				     "/api/v1/%s/%s", rec->kind->name, rec->key) >=
		    sizeof(r->location))
			r->location[0] = '\0';
		return send_etagged(r, mode == WRITE_CREATE ? 201 : 200, j);
	}
}

static json_t *body_object(struct req *r)
{
	json_t *o = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);

	if (o && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* The record KEY of K as the caller sees it now: 1, 0 hidden or absent,
 * -1 with E set when the database failed. */
static int visible(struct req *r, const struct kind *k, const char *key,
		   struct record *out, json_t **as_json, struct error *e)
{
	struct filter f = { "key", key };
	struct query q = { .who = &r->who, .filters = &f, .nfilters = 1 };
	struct collect c = { json_array(), BUF_INIT, 0, 0 };
	int found;

	if (store_each(r->db, k, &q, collect_row, &c, e)) {
		json_decref(c.rows);
		return -1;
	}
	found = json_array_size(c.rows) == 1;
	if (found && as_json) {
		*as_json = json_incref(json_array_get(c.rows, 0));
		json_object_del(*as_json, "key");
		for (size_t i = 0; i < k->nderived; i++)
			json_object_del(*as_json, k->derived[i].name);
	}
	json_decref(c.rows);
	if (!found)
		return 0;
	if (record_init(out, k))
		return error_set(e, ERR_NOMEM, "out of memory");
	return store_get(r->db, k, key, out, e);
}

/* The reply when visible() did not give the record. */
static enum MHD_Result not_visible(struct req *r, int rc, struct error *e)
{
	enum MHD_Result ret;

	/* The same answer for hidden and absent; a failure is a failure. */
	ret = rc < 0 ? error_reply(r, e) :
		problem(r, 404, "Not Found", "no such record", NULL);
	error_release(e);
	return ret;
}

static enum MHD_Result create(struct req *r, const struct kind *k)
{
	json_t *body = body_object(r), *errors = json_array();
	struct record rec = { 0 };
	enum MHD_Result ret;

	if (!body) {
		json_decref(errors);
		return problem(r, 400, "Bad Request", "send one JSON object", NULL);
	}
	record_init(&rec, k);
	apply_body(&rec, body, errors, 0);
	json_decref(body);
	if (json_array_size(errors)) {
		record_release(&rec);
		return invalid(r, errors, "the record is not valid");
	}
	json_decref(errors);
	/* A key taken is 409 whether the caller may see its record or not
	 * (write.h, WRITE_CREATE). */
	ret = save(r, &rec, WRITE_CREATE, NULL);
	record_release(&rec);
	return ret;
}

static enum MHD_Result update(struct req *r, const struct kind *k,
			      const char *key)
{
	const char *if_match = MHD_lookup_connection_value(r->conn,
		MHD_HEADER_KIND, "If-Match");
	json_t *body = body_object(r), *errors = json_array(), *now = NULL;
	struct record rec = { 0 };
	enum MHD_Result ret;
	struct error e;
	char etag[24];
	int rc;

	error_init(&e);
	if ((rc = visible(r, k, key, &rec, &now, &e)) != 1) {
		ret = not_visible(r, rc, &e);
		goto out;
	}
	if (!body) {
		ret = problem(r, 400, "Bad Request", "send one JSON object", NULL);
		goto out;
	}
	if (!if_match) {
		ret = problem(r, 428, "Precondition Required", "send If-Match with "
			      "the ETag of the record you read", NULL);
		goto out;
	}
	json_object_set_new(now, "key", json_string(key));
	etag_of(now, etag);
	if (strcmp(if_match, etag) && strcmp(if_match, "*")) {
		ret = problem(r, 412, "Precondition Failed", "the record changed "
			      "since you read it; read it again", NULL);
		goto out;
	}
	apply_body(&rec, body, errors, 1);
	if (json_array_size(errors)) {
		ret = invalid(r, errors, "the change is not valid");
		errors = NULL;
		goto out;
	}
	ret = save(r, &rec, WRITE_UPDATE, if_match);
out:
	json_decref(errors);
	json_decref(body);
	json_decref(now);
	record_release(&rec);
	return ret;
}

/* Facts that change over time are ended, never erased. */
static enum MHD_Result end_validity(struct req *r, const struct kind *k,
				    const char *key)
{
	const char *on = arg(r, "on");
	int to = kind_field_index(k, "valid_to");
	struct record rec = { 0 };
	enum MHD_Result ret;
	struct error e;
	char day[11];
	int rc;

	if (to < 0)
		return problem(r, 405, "Method Not Allowed", "records of this kind "
			       "are not erased", NULL);
	if (on)		/* a date, checked at the door */
		snprintf(day, sizeof(day), "%s", on);
	else
		date_format(date_today(), day);
	error_init(&e);
	if ((rc = visible(r, k, key, &rec, NULL, &e)) != 1) {
		record_release(&rec);
		return not_visible(r, rc, &e);
	}
	if (rec.v[to] && strcmp(rec.v[to], day) <= 0) {
		/* Ending it later would extend it. */
		char why[96];

		snprintf(why, sizeof(why), "it already ends on %s: ending it "
			 "on %s would extend it", rec.v[to], day);
		record_release(&rec);
		return problem(r, 409, "Conflict", why, NULL);
	}
	record_set(&rec, (size_t)to, day);
	ret = save(r, &rec, WRITE_UPDATE, NULL);
	record_release(&rec);
	return ret;
}

enum MHD_Result h_records(struct req *r, const struct kind *k, const char *key)
{
	if (!strcmp(r->method, "GET"))
		return get_records(r, k, key);
	if (!policy_may_write(&r->who, k))
		return problem(r, 403, "Forbidden", "this role does not change "
			       "these records", NULL);
	if (!strcmp(r->method, "POST") && !key)
		return create(r, k);
	if (!strcmp(r->method, "PATCH") && key)
		return update(r, k, key);
	if (!strcmp(r->method, "DELETE") && key)
		return end_validity(r, k, key);
	return not_allowed(r, key ? "GET, PATCH, DELETE" : "GET, POST");
}

/*==== The catalogue ====================================================*/

enum MHD_Result h_kinds(struct req *r, const char *tail)
{
	static const char *const types[] = {
		[FT_TEXT] = "text", [FT_INT] = "integer", [FT_REAL] = "number",
		[FT_DATE] = "date", [FT_BOOL] = "boolean", [FT_ISO3] = "iso3",
		[FT_ENUM] = "enum", [FT_REF] = "reference", [FT_LIST] = "list",
		[FT_QUALS] = "qualifications", [FT_SCOPE] = "scope",
		[FT_MARKING] = "classification", [FT_RELEASE] = "releasability",
		[FT_ROOMS] = "rooms",
	};
	json_t *out = json_array();

	(void)tail;
	for (size_t i = 0; i < nkinds; i++) {
		const struct kind *k = kinds[i];
		json_t *fields = json_array();

		for (size_t j = 0; j < k->nfields; j++) {
			const struct field *f = &k->fields[j];
			json_t *o = json_pack("{s:s, s:s, s:b, s:b}", "name", f->name,
				"type", types[f->type], "required",
				(f->flags & (FF_REQUIRED | FF_KEY)) != 0,
				"key", (f->flags & FF_KEY) != 0);

			if (f->ref)
				json_object_set_new(o, "ref", json_string(f->ref));
			if (f->values)
				json_object_set_new(o, "values", json_string(f->values));
			if (f->def)
				json_object_set_new(o, "default", json_string(f->def));
			if (f->min < f->max) {
				json_object_set_new(o, "min", json_real(f->min));
				json_object_set_new(o, "max", json_real(f->max));
			}
			if (f->flags & FF_NONNEG)
				json_object_set_new(o, "nonnegative", json_true());
			if (f->flags & FF_POSITIVE)
				json_object_set_new(o, "positive", json_true());
			json_array_append_new(fields, o);
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:b}",
			"name", k->name, "label", k->label, "key", k->key_column,
			"fields", fields, "writable", policy_may_write(&r->who, k)));
	}
	return send_json(r, 200, json_pack("{s:o}", "kinds", out), NULL, NULL,
			 NULL);
}
