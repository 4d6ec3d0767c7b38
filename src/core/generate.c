/* A large synthetic mission; see generate.h. */
#include "core/generate.h"

#include <stdio.h>
#include <string.h>

#include "core/demo.h"
#include "core/rules.h"
#include "util/date.h"

struct gen {
	struct store *s;
	struct rules_tx t;
	struct error *e;
	uint64_t rng;
	progress_fn progress;
	void *arg;
	uint64_t done, total;
};

static uint64_t rnd(struct gen *g)	/* splitmix64 */
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Write a record of KIND from FIELDS (name, value pairs, NULL-ended). */
static int put(struct gen *g, const char *kind, const char *const *fields)
{
	struct record r;
	int rc;

	if (record_init(&r, kind_find(kind)))
		return error_set(g->e, ERR_NOMEM, "out of memory");
	for (; *fields; fields += 2)
		record_set(&r, (size_t)kind_field_index(r.kind, fields[0]), fields[1]);
	record_set(&r, (size_t)kind_field_index(r.kind, "provenance"), "synthetic");
	rc = mission_save(g->s, &g->t, &r, g->e);
	record_release(&r);
	if (!rc && g->progress && ++g->done % 4096 == 0)
		g->progress(g->arg, g->done, g->total);
	return rc;
}

static const char *const courses[][2] = {	/* code, site */
	{ "CIED-TTT", "BESMAYA" }, { "DEMINING", "BESMAYA" }, { "AVM-T72", "TAJI" },
	{ "CIMIC-SEM", "RUSTAMIYAH" }, { "CCC-TTT", "MMS" },
	{ "INSTR-DEV", "RUSTAMIYAH" }, { "INSTR-CRS", "RUSTAMIYAH" },
};

/* Days on which the demo's mission-wide pauses stop training. */
static int paused(int32_t from, int32_t to)
{
	static const char *const pauses[][2] = {
		{ "2020-01-04", "2020-02-13" }, { "2020-03-20", "2020-06-01" },
	};
	const char *why;

	for (size_t i = 0; i < 2; i++) {
		int32_t a, b;

		date_parse(pauses[i][0], &a, &why);
		date_parse(pauses[i][1], &b, &why);
		if (from < b && to > a)
			return 1;
	}
	return 0;
}

int generate_mission(struct store *s, double scale, progress_fn progress,
		     void *progress_arg, struct generate_stats *st,
		     struct error *e)
{
	struct gen g = { .s = s, .e = e, .rng = 7, .progress = progress,
			 .arg = progress_arg };
	long persons = (long)(5000 * scale), sessions = (long)(100000 * scale);
	long trainees = (long)(200000 * scale), per_session = 10;
	const char *why;
	int32_t start, span;
	char code[32], from[11], to[11], sn[32], key[64], name[64];
	long t = 0;

	memset(st, 0, sizeof(*st));
	rules_tx_init(&g.t);
	/* Laid out clear of the rules between records; `cadre check`
	 * proves it (tests), and a scale run need not ask per record. */
	g.t.unguarded = 1;
	g.total = (uint64_t)(2 * persons + sessions + trainees +
			     sessions * per_session);
	date_parse("2018-10-01", &start, &why);
	span = 3650;
	if (store_begin(s, e))
		return -1;
	if (demo_load_facts(s, e))
		goto fail;
	/* People on ~6-month tours on a few hundred posts at headquarters. */
	for (long i = 0; i < persons; i++) {
		long post = i % 400;
		int32_t f = start + (int32_t)((i / 400) * 182 % span);

		snprintf(code, sizeof(code), "G%06ld", i);
		if (i < 400) {
			char num[32];

			snprintf(num, sizeof(num), "GEN-%04ld", post);
			if (put(&g, "posts", (const char *const[]){ "number", num,
				"title", "Staff officer", "branch", "Staff",
				"category", "military", "function", "staff",
				"site", "UNION3", "organisation", "NMI",
				"valid_from", "2018-10-01", NULL }))
				goto fail;
		}
		date_format(f, from);
		date_format(f + 182, to);
		snprintf(name, sizeof(name), "Synthetic person %06ld", i);
		if (put(&g, "persons", (const char *const[]){ "code", code, "name",
			name, "nation", (rnd(&g) & 1) ? "CAN" : "DNK", "category",
			"military", "valid_from", from, "valid_to", to, NULL }))
			goto fail;
		snprintf(key, sizeof(key), "GEN-%04ld", post);
		if (put(&g, "assignments", (const char *const[]){ "person", code,
			"post", key, "valid_from", from, "valid_to", to, NULL }))
			goto fail;
		st->persons++;
	}
	for (long i = 0; i < trainees; i++) {
		snprintf(sn, sizeof(sn), "GT-%07ld", i);
		snprintf(name, sizeof(name), "Synthetic trainee %07ld", i);
		if (put(&g, "trainees", (const char *const[]){ "service_number", sn,
			"name", name, "nation", "IRQ", "unit", "IRQ-U-INF1",
			"releasability", "MISSION;IRQ", NULL }))
			goto fail;
		st->trainees++;
	}
	for (long i = 0; i < sessions; i++) {
		const char *const *c = courses[i % 7];
		int32_t f;
		int pass = 0;

		/* Spread over ten years; a day on which no session of that
		 * course starts yet, outside the pauses. */
		do {
			f = start + (int32_t)(((i / 7) * span) / (sessions / 7 + 1)) + pass;
			pass++;
		} while (paused(f, f + 5));
		date_format(f, from);
		date_format(f + 5, to);
		snprintf(key, sizeof(key), "%s/%s", c[0], from);
		/* No room, trainer or host unit: at scale, sessions of one
		 * course overlap, and sharing one would break a rule. */
		if (put(&g, "sessions", (const char *const[]){ "course", c[0],
			"site", c[1], "valid_from", from, "valid_to", to,
			"status", f + 5 < start + span - 365 ?
			"completed" : "planned", "releasability", "MISSION;IRQ",
			NULL })) {
			/* The same course twice on one day: skip it. A store's
			 * failure (a full disk) ends the mission whole. */
			if (e->code != ERR_INPUT)
				goto fail;
			error_release(e);
			error_init(e);
			continue;
		}
		st->sessions++;
		for (long k = 0; k < per_session && trainees; k++) {
			const char *res = (rnd(&g) % 10) < 8 ? "pass" : "fail";

			snprintf(sn, sizeof(sn), "GT-%07ld", t++ % trainees);
			if (put(&g, "enrolments", (const char *const[]){ "session", key,
				"trainee", sn, "attendance", "attended", "result", res,
				"releasability", "MISSION;IRQ", NULL })) {
				if (e->code != ERR_INPUT)
					goto fail;
				error_release(e);	/* the same trainee twice */
				error_init(e);
				continue;
			}
			st->enrolments++;
		}
	}
	if (rules_finish(s, &g.t, e) || store_commit(s, e))
		goto fail;
	rules_tx_release(&g.t);
	return 0;
fail:
	store_rollback(s);
	rules_tx_release(&g.t);
	return -1;
}
