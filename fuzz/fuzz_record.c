/*
 * Fuzz harness for an API write: the JSON body of a POST made into a
 * record and written through the one write path (validation, policy,
 * markings, rules) as one caller, then rolled back. The first byte picks
 * the kind, the second the caller; the rest is the body. The database is
 * the demo mission in memory, made once per process, so that references
 * resolve and the rules have records to check against; every input is
 * written in a dry run and so sees the same database.
 *
 * The body is applied as src/http/records.c's create() does (the same
 * json_cell_text() and record_set() per member), without a server.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/demo.h"
#include "core/write.h"
#include "store/store.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The callers a request can come from: the local operator and one login
 * per role, of the nations and clearances the demo's markings use. */
static const struct principal callers[] = {
	{ .login = "system", .role = ROLE_ADMIN, .clearance = 4, .system = 1 },
	{ "fz-admin", ROLE_ADMIN, "", 3, 0 },
	{ "fz-commander", ROLE_COMMANDER, "", 4, 0 },
	{ "fz-manning", ROLE_MANNING, "", 2, 0 },
	{ "fz-training", ROLE_TRAINING, "", 2, 0 },
	{ "fz-trainer", ROLE_TRAINER, "", 1, 0 },
	{ "fz-contingent", ROLE_CONTINGENT, "GBR", 2, 0 },
	{ "fz-liaison", ROLE_LIAISON, "IRQ", 1, 0 },
	{ "fz-auditor", ROLE_AUDITOR, "", 3, 0 },
};

struct attempt {
	struct record *rec;
	const struct write_opts *o;
	int problems;
};

static void count(void *arg, size_t field, const char *value,
		  const char *reason)
{
	struct attempt *a = arg;

	/* A problem the caller cannot be told: the API sends the value and
	 * the reason back in JSON, which holds only valid UTF-8. */
	if (!reason || !*reason || !utf8_valid(reason, strlen(reason)) ||
	    (value && !utf8_valid(value, strlen(value))))
		abort();
	a->problems++;
}

/* Besides not crashing, the write keeps its contract (write.h): a record
 * refused as invalid names at least one problem (else the API answers
 * 422 with an empty list), a refusal says why, a write has a key. */
static int put_one(struct write_tx *t, void *arg, struct error *e)
{
	struct attempt *a = arg;
	enum put_result res;
	int rc = write_put(t, a->rec, a->o, &res, e);

	if (rc > 0 && a->problems == 0)
		abort();
	if (rc < 0 && (!e->message || !e->message[0]))
		abort();
	if (rc == 0) {
		/* What the API answers with: the record as stored. */
		char *j = record_to_json(a->rec);

		if (!a->rec->key || !*a->rec->key)
			abort();
		free(j);
	}
	return 0;
}

static struct store *demo_store(void)
{
	static struct store *s;
	struct error e;

	if (s)
		return s;
	error_init(&e);
	store_library_init();
	if (store_open(":memory:", &s, &e) ||
	    demo_load(s, NULL, NULL, &(struct demo_stats){ 0 }, &e)) {
		fprintf(stderr, "fuzz_record: %s\n", e.message);
		abort();
	}
	error_release(&e);
	return s;
}

/* Each member of BODY into REC, as the API's create(); 0, or -1 when the
 * API would answer 422 before writing. */
static int apply_body(struct record *rec, json_t *body)
{
	const char *name;
	json_t *v;
	int bad = 0;

	json_object_foreach(body, name, v) {
		int i = kind_field_index(rec->kind, name);
		char text[4096];

		if (i < 0) {
			bad |= strcmp(name, "key") != 0;
			continue;
		}
		if (json_cell_text(v, text, sizeof(text)))
			bad = 1;
		else if (record_set(rec, (size_t)i, text))
			bad = 1;
	}
	return bad ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *s = demo_store();
	struct write_opts o = { .mode = WRITE_CREATE, .problem = count };
	struct record rec = { 0 };
	struct attempt a = { &rec, &o, 0 };
	const struct principal *who;
	json_t *body;
	struct error e;

	if (size < 2)
		return 0;
	who = &callers[data[1] % (sizeof(callers) / sizeof(callers[0]))];
	body = json_loadb((const char *)data + 2, size - 2, 0, NULL);
	if (!json_is_object(body))
		goto out;
	if (record_init(&rec, kinds[data[0] % nkinds]) || apply_body(&rec, body))
		goto out;
	o.problem_arg = &a;
	error_init(&e);
	write_many(s, who, WRITE_DRY_RUN, put_one, &a, &e);
	error_release(&e);
out:
	record_release(&rec);
	json_decref(body);
	return 0;
}
