/* The demo mission: public facts plus a seeded generator; see demo.h. */
#include "core/demo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/actions.h"
#include "core/rules.h"
#include "core/validate.h"
#include "store/access.h"
#include "util/date.h"
#include "util/embed.h"

extern const struct embedded_file demo_facts[];

/* The generator's fixed "today": statuses are as recorded on this date,
 * whatever day the demo is built. */
#define DEMO_NOW "2026-11-01"
#define TOURS_UNTIL "2027-06-30"
#define SESSIONS_UNTIL "2027-01-31"
#define EXPECTED_RECORDS 52000
#define TRANSFER_ON "2020-04-01"

/*
 * The demo's log is written as HQ would have recorded the mission, not
 * the day it is built (store_set_clock): the establishment and its plan
 * before the mission began, then the events of 2020 on their days, in
 * the order the log holds them (docs/audit.md, "As known on"). What the
 * generator writes is the mission as it stands, decided in one pass (the
 * re-planning knows both pauses, the sessions the transfer's people
 * train in follow it), so the plan is one entry of the log's time, not a
 * day-by-day diary.
 */
#define ESTABLISHED_AT "2018-09-30T12:00:00Z"
#define CORRECTED_AT "2020-01-10T09:00:00Z"

/* The suspensions' days of the log (status-events.csv, in its order). */
static const char *const events_at[] = {
	"2020-01-04T06:00:00Z", "2020-03-20T06:00:00Z",
};

/*
 * The record corrected after the fact, the board of inquiry's question:
 * on 2 January 2020 HQ ended the tour at Taji of P03454 (an armoured
 * vehicle maintenance trainer), whose nation had signalled his early
 * return; he never left — flights stopped with the suspension — and
 * stayed until his relief arrived on 18 February. On 10 January, after
 * the accounting of personnel that followed the relocations to Kuwait,
 * HQ corrected it. The record as it stands is the corrected one.
 */
static const struct {
	const char *person, *post, *believed_to;
} correction = { "P03454", "NMI-0190", "2020-01-02" };

struct gen {
	struct store *s;
	struct error *e;
	struct demo_stats *st;
	progress_fn progress;
	void *progress_arg;
	uint64_t rng;
	char scratch[32][48];
	unsigned next_scratch;
	const char *problem_field;
	char problem[200];
	struct rules_tx tx;
	int trainees;		/* numbered across all sessions */
	struct booked *booked;	/* the sessions that run, for deconfliction */
	size_t nbooked, abooked;
	int clocked;		/* the log stamped with the demo's days */
	char corrected_key[64], corrected_to[11];	/* the correction's */
};

/* What a session that runs holds: its room, host unit and trainers
 * over [from, to). The demo never double-books them (`cadre check`). */
struct booked {
	int32_t from, to;
	const char *site, *unit;	/* static, from the plans */
	char room[48];
	char trainers[256];
};

/*==== Helpers ==========================================================*/

/* splitmix64: small, fast and fully determined by its seed. */
static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int range(struct gen *g, int lo, int hi)	/* lo..hi inclusive */
{
	return lo + (int)(rnd(g) % (uint64_t)(hi - lo + 1));
}

static double unit(struct gen *g)
{
	return (double)(rnd(g) >> 11) / 9007199254740992.0;
}

static char *scratch(struct gen *g)
{
	return g->scratch[g->next_scratch++ % 32];
}

static const char *D(struct gen *g, int32_t day)
{
	char *s = scratch(g);

	date_format(day, s);
	return s;
}

static const char *fmt(struct gen *g, const char *f, ...)
	__attribute__((format(printf, 2, 3)));
static const char *fmt(struct gen *g, const char *f, ...)
{
	char *s = scratch(g);
	va_list ap;

	va_start(ap, f);
	vsnprintf(s, sizeof(g->scratch[0]), f, ap);
	va_end(ap);
	return s;
}

/* A made-up but plausible name for trainee N, the same on every run and
 * drawn without the generator, so that adding names moved no other
 * number: given name, father's name, family or tribal name. */
static const char *trainee_name(struct gen *g, int n)
{
	static const char *const given[] = {
		"Ahmed", "Ali", "Hussein", "Mohammed", "Mustafa", "Haider",
		"Abbas", "Omar", "Karrar", "Zaid", "Hassan", "Ammar", "Yasir",
		"Saif", "Muntadhar", "Firas", "Laith", "Qasim", "Kadhim", "Salam",
		"Bashar", "Riyadh", "Sajjad", "Murtadha", "Wissam", "Dhiaa",
	};
	static const char *const family[] = {
		"al-Jubouri", "al-Dulaimi", "al-Tamimi", "al-Shammari",
		"al-Obaidi", "al-Rubaie", "al-Saadi", "al-Khafaji", "al-Zubaidi",
		"al-Hashimi", "al-Azzawi", "al-Janabi", "al-Maliki", "al-Lami",
		"al-Mosawi", "al-Bayati", "Barzani", "Hamid", "al-Kubaisi",
		"al-Timimi", "al-Karbalai", "al-Fayli", "Mahmoud", "al-Husseini",
	};
	const size_t ng = sizeof(given) / sizeof(given[0]);
	const size_t nf = sizeof(family) / sizeof(family[0]);
	size_t i = (size_t)n;

	return fmt(g, "%s %s %s", given[i % ng], given[(i / ng + 7) % ng],
		   family[(i / (ng * ng) + i) % nf]);
}

static void on_problem(void *arg, size_t field, const char *value,
		       const char *reason)
{
	struct gen *g = arg;

	(void)field;
	if (!g->problem[0])
		snprintf(g->problem, sizeof(g->problem), "value '%s': %s",
			 value ? value : "", reason);
}

/* Write a record of KIND from NAME, VALUE pairs ending with NULL; a value
 * may be NULL (empty). Every record is validated like an import. */
static int put(struct gen *g, const char *kindname, ...)
{
	const struct kind *k = kind_find(kindname);
	struct record r;
	enum put_result res;
	const char *name;
	va_list ap;
	int n, ret = -1;

	if (record_init(&r, k))
		return error_set(g->e, ERR_NOMEM, "out of memory");
	record_set(&r, (size_t)kind_field_index(k, "provenance"), "synthetic");
	va_start(ap, kindname);
	while ((name = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		int i = kind_field_index(k, name);

		if (i < 0) {
			va_end(ap);
			error_set(g->e, ERR_INPUT, "demo: %s have no field %s",
				  k->name, name);
			goto out;
		}
		if (v || strcmp(name, "provenance"))
			record_set(&r, (size_t)i, v);
	}
	va_end(ap);
	g->problem[0] = '\0';
	n = record_validate(g->s, &r, on_problem, g, g->e);
	if (n < 0)
		goto out;
	if (n > 0) {
		error_set(g->e, ERR_INPUT, "demo: bad %s %s: %s", k->label,
			  r.key ? r.key : "", g->problem);
		goto out;
	}
	if (mission_put(g->s, &g->tx, &r, &res, g->e))
		goto out;
	g->st->records++;
	if (g->progress && g->st->records % 256 == 0)
		g->progress(g->progress_arg, (uint64_t)g->st->records,
			    EXPECTED_RECORDS);
	ret = 0;
out:
	record_release(&r);
	return ret;
}

/*==== Facts ============================================================*/

/* Import the facts of KIND: all the rows, or (ROW >= 0) the header and
 * data row ROW alone (no row of the facts spans lines). */
static int import_facts(struct gen *g, const char *kind, int row)
{
	struct import_opts o = { .nested = 1 };
	struct import_stats st;
	const struct embedded_file *f;
	const char *data, *end, *p;
	size_t head;
	char name[64], *buf = NULL;
	FILE *in;
	int rc;

	snprintf(name, sizeof(name), "%s.csv", kind);
	f = embedded_find(demo_facts, name);
	if (!f)
		return error_set(g->e, ERR_IO, "demo facts %s missing", name);
	data = (const char *)f->data;
	end = data + f->len;
	if (row >= 0) {
		p = memchr(data, '\n', f->len);
		head = p ? (size_t)(p + 1 - data) : f->len;
		for (int i = 0; p && i < row; i++)
			p = memchr(p + 1, '\n', (size_t)(end - p - 1));
		if (!p || p + 1 >= end)
			return error_set(g->e, ERR_IO, "demo facts %s: no row %d",
					 name, row + 1);
		end = memchr(p + 1, '\n', (size_t)(end - p - 1));
		end = end ? end + 1 : data + f->len;
		if (!(buf = malloc(head + (size_t)(end - p - 1))))
			return error_set(g->e, ERR_NOMEM, "out of memory");
		memcpy(buf, data, head);
		memcpy(buf + head, p + 1, (size_t)(end - p - 1));
		in = fmemopen(buf, head + (size_t)(end - p - 1), "r");
	} else {
		in = fmemopen((void *)data, f->len, "r");
	}
	if (!in) {
		free(buf);
		return error_set(g->e, ERR_IO, "demo facts %s: cannot read", name);
	}
	rc = import_csv(g->s, kind_find(kind), in, name, &o, &st, g->e);
	fclose(in);
	free(buf);
	if (rc)
		return -1;
	g->st->records += st.inserted;
	return 0;
}

/* The facts but the status events, which are the story's (load_events). */
static int load_facts(struct gen *g)
{
	static const char *const order[] = {
		"nations", "organisations", "sites", "consents", "pledges",
		"activities", "courses", "training-plans",
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (import_facts(g, order[i], -1))
			return -1;
	return 0;
}

/* From now on the log is stamped AT, when the demo stamps it at all. */
static int clock_at(struct gen *g, const char *at)
{
	return g->clocked ? store_set_clock(g->s, at, g->e) : 0;
}

/* Status event N of the facts, on its day. */
static int load_event(struct gen *g, size_t n)
{
	return clock_at(g, events_at[n]) || import_facts(g, "status-events",
							  (int)n);
}

/*==== Establishment and tours ==========================================*/

struct tour {
	int person;		/* person number */
	int32_t from, to;
	int32_t qual_until;	/* last day the post's qualification holds */
};

struct post {
	char number[32];
	int coalition;
	const char *title, *branch, *category, *function, *rank, *site, *qual;
	const char *org;
	const char *first_nation;	/* of its first holder */
	int32_t from, to;	/* to 0: open */
	struct tour *tours;
	size_t ntours;
};

struct establishment {
	struct post *posts;
	size_t nposts, cap;
	int persons;
};

struct post_block {
	int count;
	const char *title, *branch, *category, *function, *rank, *site, *qual;
	const char *from, *to;
	const char *org;	/* NULL: the mission */
};

/* The establishment, by blocks of alike posts. Headcounts follow the
 * public figures (about 500 from 2020); the breakdown is synthetic. */
static const struct post_block blocks[] = {
	{ 1, "Commander NATO Mission Iraq", "Command group", "military", "command", "OF-7/OF-8", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 1, "Deputy Commander", "Command group", "military", "command", "OF-6/OF-7", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 1, "Chief of Staff", "Command group", "military", "command", "OF-6", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 1, "Senior Civilian Representative", "Command group", "civilian", "command", "A6", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 2, "Political adviser", "Command group", "civilian", "staff", "A4", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 12, "J1 personnel staff officer", "J1 Personnel", "military", "staff", "OR-7/OF-3", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 10, "J2 staff officer", "J2 Intelligence", "military", "staff", "OF-2/OF-4", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 14, "J3 operations staff officer", "J3 Operations", "military", "staff", "OF-2/OF-4", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 16, "J4 logistics staff officer", "J4 Logistics", "military", "staff", "OR-6/OF-3", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 10, "J5 plans staff officer", "J5 Plans", "military", "staff", "OF-3/OF-5", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 10, "J6 communications staff", "J6 Communications", "military", "staff", "OR-5/OF-3", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 12, "J7 training staff officer", "J7 Training", "military", "staff", "OF-2/OF-4", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 8, "J8 finance officer", "J8 Finance", "civilian", "staff", "A2/A4", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 6, "J9 civil-military cooperation officer", "J9 CIMIC", "military", "staff", "OF-2/OF-4", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 36, "Adviser to the Ministry of Defence", "Advisory", "military", "advising", "OF-4/OF-6", "MOD-BGD", NULL, "2018-10-01", NULL, NULL },
	{ 8, "Civilian adviser to the Ministry of Defence", "Advisory", "civilian", "advising", "A4/A5", "MOD-BGD", NULL, "2018-10-01", NULL, NULL },
	{ 10, "Adviser to the National Security Adviser", "Advisory", "civilian", "advising", "A4/A5", "MOD-BGD", NULL, "2018-10-01", NULL, NULL },
	{ 12, "Counter-IED trainer", "Training", "military", "training", "OR-6/OF-3", "BESMAYA", "CIED-INSTR", "2018-10-01", NULL, NULL },
	{ 8, "EOD and demining trainer", "Training", "military", "training", "OR-6/OF-3", "BESMAYA", "EOD-INSTR", "2018-10-01", NULL, NULL },
	{ 10, "Military medicine trainer", "Training", "military", "training", "OF-2/OF-4", "MMS", "MED-INSTR", "2018-10-01", NULL, NULL },
	{ 8, "Armoured vehicle maintenance trainer", "Training", "military", "training", "OR-6/OR-8", "TAJI", "AVM-INSTR", "2018-10-01", NULL, NULL },
	{ 4, "Civil-military planning trainer", "Training", "military", "training", "OF-3/OF-4", "RUSTAMIYAH", "CIMIC-PLAN", "2018-10-01", NULL, NULL },
	{ 10, "Instructor development mentor", "Training", "military", "training", "OF-2/OF-4", "RUSTAMIYAH", "INSTR-DEV", "2018-10-01", NULL, NULL },
	{ 40, "Headquarters support", "Support", "military", "support", "OR-3/OR-7", "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 20, "Contracted life support and interpretation", "Support", "contractor", "support", NULL, "UNION3", NULL, "2018-10-01", NULL, NULL },
	{ 20, "NCO academy trainer", "Training", "military", "training", "OR-6/OR-9", "TAJI", "NCO-INSTR", "2020-04-01", NULL, NULL },
	{ 8, "Engineer trainer", "Training", "military", "training", "OR-6/OF-3", "TAJI", "ENG-INSTR", "2020-04-01", NULL, NULL },
	{ 10, "Federal police trainer", "Training", "military", "training", "OR-6/OF-3", "TAJI", "POL-INSTR", "2020-04-01", NULL, NULL },
	/* The coalition's trainers at Taji, whose work passes to the mission
	 * in April 2020 with the people on post that day. */
	{ 20, "NCO academy trainer (coalition)", "Training", "military", "training", "OR-6/OR-9", "TAJI", "NCO-INSTR", "2018-10-01", NULL, "CJTF-OIR" },
	{ 7, "Engineer trainer (coalition)", "Training", "military", "training", "OR-6/OF-3", "TAJI", "ENG-INSTR", "2018-10-01", NULL, "CJTF-OIR" },
	{ 10, "Federal police trainer (coalition)", "Training", "military", "training", "OR-6/OF-3", "TAJI", "POL-INSTR", "2018-10-01", NULL, "CJTF-OIR" },
	{ 20, "Adviser to the Ministry of Defence (enhancement)", "Advisory", "military", "advising", "OF-4/OF-5", "MOD-BGD", NULL, "2020-04-01", NULL, NULL },
	{ 40, "Headquarters support (enhancement)", "Support", "military", "support", "OR-3/OR-7", "UNION3", NULL, "2020-04-01", "2023-12-31", NULL },
	{ 10, "Adviser to the Ministry of Interior", "Advisory", "civilian", "advising", "A4/A5", "MOD-BGD", NULL, "2023-08-17", NULL, NULL },
};

/* The commanders, from public facts. */
static const struct {
	const char *name, *nation, *rank, *from, *to;
} commanders[] = {
	{ "Dany Fortin", "CAN", "MG", "2018-10-01", "2019-11-26" },
	{ "Jennie Carignan", "CAN", "MG", "2019-11-26", "2020-11-24" },
	{ "Per Pugholm Olsen", "DNK", "LtGen", "2020-11-24", "2021-05-06" },
	{ "Michael Lollesgaard", "DNK", "LtGen", "2021-05-06", "2022-05-10" },
	{ "Giovanni Maria Iannucci", "ITA", "LtGen", "2022-05-10", "2023-05-24" },
	{ "José Antonio Agüero Martínez", "ESP", "LtGen", "2023-05-24", "2024-05-24" },
	{ "Lucas Schreurs", "NLD", "LtGen", "2024-05-24", "2025-05-22" },
	{ "Christophe Hintzy", "FRA", "MG", "2025-05-22", NULL },
};

/* Contributing nations and their synthetic weights. Partners only while
 * partners; members from accession. */
static const struct {
	const char *code;
	int weight;
	const char *from;	/* may contribute from */
} contributors[] = {
	{ "CAN", 6, NULL }, { "USA", 5, NULL }, { "GBR", 4, NULL },
	{ "DNK", 4, NULL }, { "ITA", 4, NULL }, { "ESP", 4, NULL },
	{ "NLD", 3, NULL }, { "FRA", 3, NULL }, { "DEU", 3, NULL },
	{ "TUR", 3, NULL }, { "POL", 2, NULL }, { "NOR", 2, NULL },
	{ "BEL", 1, NULL }, { "CZE", 1, NULL }, { "HUN", 1, NULL },
	{ "ROU", 1, NULL }, { "BGR", 1, NULL }, { "EST", 1, NULL },
	{ "LVA", 1, NULL }, { "LTU", 1, NULL }, { "SVK", 1, NULL },
	{ "SVN", 1, NULL }, { "HRV", 1, NULL }, { "ALB", 1, NULL },
	{ "MNE", 1, NULL }, { "PRT", 1, NULL }, { "GRC", 1, NULL },
	{ "MKD", 1, "2020-03-27" }, { "LUX", 1, NULL },
	{ "AUS", 2, NULL }, { "FIN", 1, NULL }, { "SWE", 1, NULL },
	{ "AUT", 1, "2024-11-01" },
};

static const char *pick_nation(struct gen *g, int32_t on)
{
	int total = 0, r;

	for (size_t i = 0; i < sizeof(contributors) / sizeof(contributors[0]); i++)
		if (!contributors[i].from || date_days(contributors[i].from) <= on)
			total += contributors[i].weight;
	r = range(g, 0, total - 1);
	for (size_t i = 0; i < sizeof(contributors) / sizeof(contributors[0]); i++) {
		if (contributors[i].from && date_days(contributors[i].from) > on)
			continue;
		if (r < contributors[i].weight)
			return contributors[i].code;
		r -= contributors[i].weight;
	}
	return "CAN";
}

static int add_tour(struct post *p, int person, int32_t from, int32_t to,
		    int32_t qual_until)
{
	struct tour *t = realloc(p->tours, (p->ntours + 1) * sizeof(*t));

	if (!t)
		return -1;
	p->tours = t;
	t[p->ntours++] = (struct tour){ person, from, to, qual_until };
	return 0;
}

static struct post *new_post(struct gen *g, struct establishment *es)
{
	struct post *p;

	if (es->nposts == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 256;
		struct post *np = realloc(es->posts, cap * sizeof(*np));

		if (!np) {
			error_set(g->e, ERR_NOMEM, "out of memory");
			return NULL;
		}
		es->posts = np;
		es->cap = cap;
	}
	p = &es->posts[es->nposts++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Post P as it stands, designated to NATION (NULL: any). */
static int put_post(struct gen *g, const struct post *p, const char *nation)
{
	return put(g, "posts", "number", p->number, "title", p->title,
		   "branch", p->branch, "category", p->category,
		   "function", p->function, "rank_band", p->rank,
		   "qualifications", p->qual, "site", p->site,
		   "organisation", p->org, "nation", nation,
		   "valid_from", D(g, p->from),
		   "valid_to", p->to ? D(g, p->to) : NULL, NULL);
}

static int build_posts(struct gen *g, struct establishment *es)
{
	int n = 0, nc = 0;

	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		for (int i = 0; i < blocks[b].count; i++) {
			struct post *p = new_post(g, es);

			if (!p)
				return -1;
			p->coalition = blocks[b].org != NULL;
			if (p->coalition)
				snprintf(p->number, sizeof(p->number), "CJTF-%04d", ++nc);
			else
				snprintf(p->number, sizeof(p->number), "NMI-%04d", ++n);
			p->title = blocks[b].title;
			p->branch = blocks[b].branch;
			p->category = blocks[b].category;
			p->function = blocks[b].function;
			p->rank = blocks[b].rank;
			p->site = blocks[b].site;
			p->qual = blocks[b].qual;
			p->from = date_days(blocks[b].from);
			p->to = blocks[b].to ? date_days(blocks[b].to) : 0;
			p->org = blocks[b].org ? blocks[b].org : "NMI";
			if (put_post(g, p, NULL))
				return -1;
		}
	}
	return 0;
}

static const char *clearance_for(const char *category)
{
	return !strcmp(category, "contractor") ? "NR" : "NS";
}

/* The end of an assignment of PCODE to P from FROM as first recorded:
 * its end TO (0: open), but for the correction's, whose key and true end
 * are kept for correct_assignment(). */
static const char *believed_to(struct gen *g, const char *pcode,
			       const struct post *p, int32_t from, int32_t to)
{
	if (strcmp(pcode, correction.person) || strcmp(p->number, correction.post))
		return to ? D(g, to) : NULL;
	snprintf(g->corrected_key, sizeof(g->corrected_key), "%s/%s/%s",
		 pcode, p->number, D(g, from));
	snprintf(g->corrected_to, sizeof(g->corrected_to), "%s",
		 to ? D(g, to) : "");
	return correction.believed_to;
}

/* HQ's correction of 10 January 2020: the assignment ends when it did. */
static int correct_assignment(struct gen *g)
{
	const struct kind *k = kind_find("assignments");
	struct record r;
	enum put_result res;
	int rc = -1;

	if (!g->corrected_key[0])
		return error_set(g->e, ERR_INPUT, "demo: no assignment of %s "
				 "to %s to correct", correction.person,
				 correction.post);
	if (record_init(&r, k))
		return error_set(g->e, ERR_NOMEM, "out of memory");
	if (clock_at(g, CORRECTED_AT))
		goto out;
	rc = store_get(g->s, k, g->corrected_key, &r, g->e);
	if (rc <= 0) {
		if (!rc)
			error_set(g->e, ERR_INPUT, "demo: no assignment %s to "
				  "correct", g->corrected_key);
		rc = -1;
		goto out;
	}
	record_set(&r, (size_t)kind_field_index(k, "valid_to"),
		   g->corrected_to[0] ? g->corrected_to : NULL);
	g->problem[0] = '\0';
	rc = record_validate(g->s, &r, on_problem, g, g->e);
	if (rc > 0)
		error_set(g->e, ERR_INPUT, "demo: bad correction of %s: %s",
			  g->corrected_key, g->problem);
	if (!rc)
		rc = mission_put(g->s, &g->tx, &r, &res, g->e);
	rc = rc ? -1 : 0;
out:
	record_release(&r);
	return rc;
}

static int person(struct gen *g, struct establishment *es, struct post *p,
		  const char *name, const char *nation, const char *rank,
		  int32_t from, int32_t to, int public_fact)
{
	char quals[128] = "";
	int32_t exp = 0;
	int code = ++es->persons;
	const char *pcode = fmt(g, "P%05d", code);

	if (p->qual) {
		/* Instructors hold their post's qualification through the
		 * tour (a post's qualifications are its holder's on every day:
		 * POST-QUALIFICATION); most renew it well past it, a few let it
		 * lapse at the tour's end. */
		int32_t end = to ? to : date_days(TOURS_UNTIL);

		exp = range(g, 0, 19) ? end + range(g, 180, 720) : end;

		snprintf(quals, sizeof(quals), "%s:%s;PDT:%s", p->qual,
			 D(g, exp), D(g, from + 365));
	} else {
		snprintf(quals, sizeof(quals), "PDT:%s", D(g, from + 365));
	}
	if (put(g, "persons", "code", pcode,
		"name", name ? name : fmt(g, "Synthetic %s %05d", nation, code),
		"nation", nation, "category", p->category, "rank", rank,
		"clearance", clearance_for(p->category), "qualifications", quals,
		"valid_from", D(g, from - 14), "valid_to", to ? D(g, to) : NULL,
		"provenance", public_fact ? "public" : NULL, NULL) ||
	    put(g, "assignments", "person", pcode, "post", p->number,
		"valid_from", D(g, from),
		"valid_to", believed_to(g, pcode, p, from, to), NULL))
		return -1;
	g->st->persons++;
	return add_tour(p, code, from, to ? to : date_days(TOURS_UNTIL), exp) ? -1 : 0;
}

/* Rotations on post I from START: tours begin until LIMIT and end by the
 * post's end (or the horizon). */
static int rotate(struct gen *g, struct establishment *es, size_t i,
		  int32_t start, int32_t limit)
{
	int32_t until = date_days(TOURS_UNTIL);
	int32_t end = es->posts[i].to ? es->posts[i].to : until;

	while (start < limit && start < end) {
		struct post *p = &es->posts[i];
		const char *nation = pick_nation(g, start);
		int months = !strcmp(nation, "DNK") || !strcmp(nation, "NOR") ? 7 : 6;
		int32_t to = start + months * 30 + range(g, -10, 10);
		static const int handover[] = { -10, 0, 5, 10, 14, 7 };
		const char *rank = p->rank ? p->rank : "contractor";

		if (to > end)
			to = end;
		if (!p->first_nation)
			p->first_nation = nation;
		if (person(g, es, p, NULL, nation, rank, start,
			   p->to || to < until ? to : 0, 0))
			return -1;
		if (to >= end)
			break;	/* the last holder stays */
		/* The next holder arrives before (relief in place), on the
		 * day, or after a gap. */
		start = to - handover[range(g, 0, 5)];
	}
	return 0;
}

/* The Crisis Establishment designates most of the mission's posts to a
 * nation — here the one that first filled it — and leaves some open to
 * any (every fourth, and the commander's, which rotates among nations);
 * the nations' later tours fill them or leave them to others, which the
 * manning report's fill by nation shows. */
static int designate_posts(struct gen *g, struct establishment *es)
{
	for (size_t i = 1; i < es->nposts; i++) {
		const struct post *p = &es->posts[i];

		if (p->coalition || !p->first_nation || i % 4 == 0)
			continue;
		if (put_post(g, p, p->first_nation))
			return -1;
	}
	return 0;
}

static int build_tours(struct gen *g, struct establishment *es)
{
	int32_t until = date_days(TOURS_UNTIL);

	for (size_t i = 0; i < sizeof(commanders) / sizeof(commanders[0]); i++)
		if (person(g, es, &es->posts[0], commanders[i].name,
			   commanders[i].nation, commanders[i].rank,
			   date_days(commanders[i].from),
			   commanders[i].to ? date_days(commanders[i].to) : 0, 1))
			return -1;
	for (size_t i = 1; i < es->nposts; i++)
		if (rotate(g, es, i, es->posts[i].from,
			   es->posts[i].coalition ? date_days(TRANSFER_ON) : until))
			return -1;
	return 0;
}

/* The coalition's NCO, engineer and federal police training passes to
 * the mission, with its people on post that day; rotations then go on
 * on the mission's new posts. */
static int transfer_training(struct gen *g, struct establishment *es)
{
	static const char *const activities[] = { "TRN-NCO", "TRN-ENG", "TRN-FP" };

	for (size_t a = 0; a < sizeof(activities) / sizeof(activities[0]); a++) {
		json_t *report = NULL, *m;
		size_t i;

		/* The demo writes the mission as it is: the system's. */
		if (transfer_in_tx(g->s, &principal_system, &g->tx, activities[a],
				   "NMI", TRANSFER_ON, 1, &report, g->e))
			return -1;
		json_array_foreach(json_object_get(report, "people_moved"), i, m) {
			const char *from = json_string_value(json_object_get(m, "from_post"));
			const char *to = json_string_value(json_object_get(m, "to_post"));
			int who = (int)strtol(json_string_value(json_object_get(m, "person")) + 1,
					      NULL, 10);
			struct tour old = { 0 };
			struct post *p;
			size_t idx;

			for (idx = 0; idx < es->nposts; idx++)
				if (!strcmp(es->posts[idx].number, from))
					break;
			for (size_t t = 0; idx < es->nposts && t < es->posts[idx].ntours; t++)
				if (es->posts[idx].tours[t].person == who)
					old = es->posts[idx].tours[t];
			if (idx == es->nposts || !old.person || !(p = new_post(g, es))) {
				json_decref(report);
				return error_set(g->e, ERR_INPUT, "demo: transfer of %s "
						 "lost track of %s", activities[a], from);
			}
			*p = es->posts[idx];	/* same work, new owner */
			p->coalition = 0;
			p->tours = NULL;
			p->ntours = 0;
			p->from = date_days(TRANSFER_ON);
			snprintf(p->number, sizeof(p->number), "%s", to);
			if (add_tour(p, who, date_days(TRANSFER_ON), old.to, old.qual_until) ||
			    rotate(g, es, es->nposts - 1, old.to - range(g, 0, 14),
				   date_days(TOURS_UNTIL))) {
				json_decref(report);
				return -1;
			}
		}
		json_decref(report);
	}
	return 0;
}

static int build_contingents_and_caveats(struct gen *g)
{
	static const struct {
		const char *code, *nation, *person, *kind, *target, *reason;
	} caveats[] = {
		{ "CAV-DEU-1", "DEU", NULL, "region", "Anbar", "national mandate: Baghdad area only (synthetic)" },
		{ "CAV-TUR-1", "TUR", NULL, "site", "ERBIL", "national restriction (synthetic)" },
		{ "CAV-AUS-1", "AUS", NULL, "activity", "operation", "no part in host-force operations (synthetic)" },
		{ "CAV-ITA-1", "ITA", NULL, "site", "ALASAD", "national restriction (synthetic)" },
		{ "CAV-P00042", NULL, "P00042", "site", "ALASAD", "personal restriction (synthetic)" },
	};

	for (size_t i = 0; i < sizeof(contributors) / sizeof(contributors[0]); i++)
		if (put(g, "organisations", "code", fmt(g, "CON-%s", contributors[i].code),
			"name", fmt(g, "%s national contingent", contributors[i].code),
			"kind", "contingent", "parent", "NMI",
			"nation", contributors[i].code,
			"valid_from", contributors[i].from ? contributors[i].from : "2018-10-01",
			NULL))
			return -1;
	for (size_t i = 0; i < sizeof(caveats) / sizeof(caveats[0]); i++)
		if (put(g, "caveats", "code", caveats[i].code, "nation", caveats[i].nation,
			"person", caveats[i].person, "kind", caveats[i].kind,
			"target", caveats[i].target, "reason", caveats[i].reason,
			"valid_from", "2018-10-01", NULL))
			return -1;
	return 0;
}

/*==== Training =========================================================*/

struct course_plan {
	const char *code, *site, *qual, *unit;
	int duration, capacity, ratio, gap_lo, gap_hi;
	const char *from;	/* first session */
	const char *rank;	/* of its trainees */
	const char *until;	/* no session starts after; NULL: the horizon */
	int coalition;		/* run by the coalition, before the transfer */
};

/* One host unit sends one cohort at a time (UNIT-CLASH): courses that
 * run side by side draw on different units. */
static const struct course_plan plans[] = {
	{ "CIED-TTT", "BESMAYA", "CIED-INSTR", "IRQ-U-ENG", 49, 24, 8, 7, 21, "2019-01-06", "Sergeant", NULL, 0 },
	{ "DEMINING", "BESMAYA", "EOD-INSTR", "IRQ-U-EOD", 35, 21, 7, 7, 21, "2019-02-03", "Sergeant", NULL, 0 },
	{ "AVM-T72", "TAJI", "AVM-INSTR", "IRQ-U-ARM", 30, 12, 6, 7, 21, "2019-01-13", "Staff Sergeant", NULL, 0 },
	{ "CIMIC-SEM", "RUSTAMIYAH", "CIMIC-PLAN", "IRQ-U-INF1", 3, 30, 15, 40, 80, "2019-02-10", "Colonel", NULL, 0 },
	{ "CCC-TTT", "MMS", "MED-INSTR", "IRQ-U-MED", 16, 20, 5, 10, 24, "2019-01-20", "Lieutenant", NULL, 0 },
	{ "INSTR-DEV", "RUSTAMIYAH", "INSTR-DEV", "IRQ-U-INF2", 10, 20, 10, 14, 35, "2019-03-03", "Captain", NULL, 0 },
	{ "INSTR-CRS", "RUSTAMIYAH", "INSTR-DEV", "IRQ-U-INF1", 42, 30, 10, 14, 28, "2019-04-07", "Lieutenant", NULL, 0 },
	{ "NCO-JLC", "TAJI", "NCO-INSTR", "IRQ-U-INF3", 56, 200, 25, 10, 21, "2020-08-16", "Corporal", NULL, 0 },
	{ "ENG-CRS", "TAJI", "ENG-INSTR", "IRQ-U-ENG2", 30, 30, 10, 10, 21, "2020-07-26", "Corporal", NULL, 0 },
	{ "FP-CRS", "TAJI", "POL-INSTR", "IRQ-U-FP1", 28, 40, 10, 10, 21, "2020-08-02", "Patrolman", NULL, 0 },
	/* The coalition's runs of the same courses, the last planned ones
	 * passing to the mission with the transfer. */
	{ "NCO-JLC", "TAJI", "NCO-INSTR", "IRQ-U-INF3", 56, 200, 25, 10, 21, "2019-01-13", "Corporal", "2020-06-08", 1 },
	{ "ENG-CRS", "TAJI", "ENG-INSTR", "IRQ-U-ENG2", 30, 30, 10, 10, 21, "2019-02-10", "Corporal", "2020-06-15", 1 },
	{ "FP-CRS", "TAJI", "POL-INSTR", "IRQ-U-FP1", 28, 40, 10, 10, 21, "2019-03-10", "Patrolman", "2020-06-22", 1 },
};

/* Suspensions of the demo (status-events.csv): sessions meeting one are
 * postponed. */
static const struct { const char *from, *to; } pauses[] = {
	{ "2020-01-04", "2020-02-13" },
	{ "2020-03-20", "2020-06-01" },
};

static int32_t pause_end(int32_t from, int32_t to)
{
	for (size_t i = 0; i < sizeof(pauses) / sizeof(pauses[0]); i++)
		if (from < date_days(pauses[i].to) && to > date_days(pauses[i].from))
			return date_days(pauses[i].to);
	return 0;
}

/* Where replan_after_pauses() (`cadre resume --apply`) puts a session
 * over [FROM, TO) that a pause postpones — shifted by the pause's
 * length, not before its end — into *NF: 1; 0 when no pause meets it;
 * -1 when the new dates meet a pause too (it stays postponed). */
static int replanned_from(int32_t from, int32_t to, int32_t *nf)
{
	for (size_t i = 0; i < sizeof(pauses) / sizeof(pauses[0]); i++) {
		int32_t pf = date_days(pauses[i].from), pt = date_days(pauses[i].to);

		if (from >= pt || to <= pf)
			continue;
		*nf = from + (pt - pf);
		if (*nf < pt)
			*nf = pt;
		return pause_end(*nf, *nf + (to - from)) ? -1 : 1;
	}
	*nf = from;
	return 0;
}

/* Does a session that runs over [FROM, TO) already hold P (a person,
 * "P00042")? */
static int trainer_busy(const struct gen *g, const char *p, int32_t from,
			int32_t to)
{
	for (size_t i = 0; i < g->nbooked; i++) {
		const struct booked *b = &g->booked[i];

		if (b->from < to && from < b->to && list_has(b->trainers, p))
			return 1;
	}
	return 0;
}

/* Trainers for a session: holders of posts at the site with the course's
 * qualification, on post and qualified for the whole session, and in no
 * other session on those days. */
static void pick_trainers(struct gen *g, struct establishment *es,
			  const struct course_plan *c, int32_t from,
			  int32_t to, int32_t runs_from, int want, char *out,
			  size_t n)
{
	size_t len = 0;
	int got = 0;

	out[0] = '\0';
	for (size_t i = 0; i < es->nposts && got < want; i++) {
		struct post *p = &es->posts[i];

		if (!p->qual || strcmp(p->qual, c->qual) || strcmp(p->site, c->site))
			continue;
		for (size_t t = 0; t < p->ntours && got < want; t++) {
			struct tour *tr = &p->tours[t];

			char code[16];

			snprintf(code, sizeof(code), "P%05d", tr->person);
			if (tr->from > from || tr->to < to || tr->qual_until < to - 1 ||
			    trainer_busy(g, code, runs_from, runs_from + (to - from)))
				continue;
			len += (size_t)snprintf(out + len, n - len, "%sP%05d",
						got ? ";" : "", tr->person);
			got++;
			if (len >= n - 8)
				return;
		}
	}
}

/* Is ROOM at SITE held by a session that runs over [FROM, TO)? */
static int room_busy(const struct gen *g, const char *site, const char *room,
		     size_t len, int32_t from, int32_t to)
{
	for (size_t i = 0; i < g->nbooked; i++) {
		const struct booked *b = &g->booked[i];

		if (b->from < to && from < b->to && !strcmp(b->site, site) &&
		    strlen(b->room) == len && !strncmp(b->room, room, len))
			return 1;
	}
	return 0;
}

/* The site's smallest classroom free over [FROM, TO) that holds N
 * trainees, or its largest free one; NULL when every one is taken (or
 * the site has none: *NONE set). */
static const char *pick_room(struct gen *g, const char *site, int n,
			     int32_t from, int32_t to, int *none)
{
	const struct kind *k = kind_find("sites");
	struct record r;
	char best[64] = "", big[64] = "";
	long best_cap = 0, big_cap = 0;
	const char *rooms, *p, *next;

	if (record_init(&r, k) || store_get(g->s, k, site, &r, g->e) <= 0) {
		record_release(&r);
		return NULL;
	}
	rooms = r.v[kind_field_index(k, "rooms")];
	*none = 1;
	for (p = rooms; p && *p; p = next) {
		size_t len = strcspn(p, ";");
		const char *colon = memchr(p, ':', len);
		long cap = colon ? strtol(colon + 1, NULL, 10) : 0;

		next = p[len] ? p + len + 1 : NULL;
		if (!colon)
			continue;
		*none = 0;
		if (room_busy(g, site, p, (size_t)(colon - p), from, to))
			continue;
		if (cap >= n && (!best[0] || cap < best_cap)) {
			snprintf(best, sizeof(best), "%.*s", (int)(colon - p), p);
			best_cap = cap;
		}
		if (cap > big_cap) {
			snprintf(big, sizeof(big), "%.*s", (int)(colon - p), p);
			big_cap = cap;
		}
	}
	record_release(&r);
	return best[0] ? fmt(g, "%s", best) : big[0] ? fmt(g, "%s", big) : NULL;
}

/* The first session of the host unit UNIT, or at SITE when ROOMS_ONLY,
 * that runs on a day of [FROM, TO); NULL when none. */
static const struct booked *booked_meeting(const struct gen *g,
					   const char *unit, const char *site,
					   int32_t from, int32_t to)
{
	const struct booked *first = NULL;

	for (size_t i = 0; i < g->nbooked; i++) {
		const struct booked *b = &g->booked[i];

		if (b->from >= to || from >= b->to ||
		    (unit && strcmp(b->unit, unit)) ||
		    (site && strcmp(b->site, site)))
			continue;
		if (!first || b->to < first->to)
			first = b;
	}
	return first;
}

/* Move *START to the first day from which a session of C that runs
 * finds its host unit free and a free classroom (into *ROOM, NULL at a
 * site without rooms): one unit sends one cohort at a time, one room
 * holds one class. A session a pause postpones books nothing. */
static void settle(struct gen *g, const struct course_plan *c, int n,
		   int32_t *start, int32_t until, const char **room)
{
	while (*start < until) {
		int32_t end = *start + c->duration, nf;
		int rp = replanned_from(*start, end, &nf), none = 1;
		const struct booked *b;

		if (rp < 0) {
			*room = pick_room(g, c->site, n, *start, end, &none);
			return;
		}
		/* A postponed one books the days it is re-planned to; moved
		 * a day at a time, as its new dates move with it. */
		b = booked_meeting(g, c->unit, NULL, nf, nf + c->duration);
		if (b) {
			*start = rp ? *start + 1 : b->to;
			continue;
		}
		*room = pick_room(g, c->site, n, nf, nf + c->duration, &none);
		if (*room || none)
			return;
		/* Every room taken: from the day the first one frees. */
		*start = rp ? *start + 1 :
			 booked_meeting(g, NULL, c->site, nf, nf + c->duration)->to;
	}
}

static int book(struct gen *g, const struct course_plan *c, int32_t from,
		int32_t to, const char *room, const char *trainers)
{
	struct booked *b;

	if (g->nbooked == g->abooked) {
		size_t n = g->abooked ? 2 * g->abooked : 256;
		struct booked *v = realloc(g->booked, n * sizeof(*v));

		if (!v)
			return error_set(g->e, ERR_NOMEM, "out of memory");
		g->booked = v;
		g->abooked = n;
	}
	b = &g->booked[g->nbooked++];
	b->from = from;
	b->to = to;
	b->site = c->site;
	b->unit = c->unit;
	snprintf(b->room, sizeof(b->room), "%s", room ? room : "");
	snprintf(b->trainers, sizeof(b->trainers), "%s", trainers);
	return 0;
}

static int build_sessions(struct gen *g, struct establishment *es,
			  int coalition)
{
	int32_t now = date_days(DEMO_NOW);

	for (size_t ci = 0; ci < sizeof(plans) / sizeof(plans[0]); ci++) {
		const struct course_plan *c = &plans[ci];
		int32_t start = date_days(c->from);
		int32_t until = date_days(c->until ? c->until : SESSIONS_UNTIL);
		int index = 0;

		if (c->coalition != coalition)
			continue;

		while (start < until) {
			int32_t end, resume, runs_from;
			const char *status, *lead = "mission", *instr, *room = NULL;
			int rp;
			char trainers[256], key[64];
			int n, want;
			double host_share, pass_rate;

			n = (int)(c->capacity * (0.6 + 0.4 * unit(g)));
			settle(g, c, n, &start, until, &room);
			if (start >= until)
				break;
			end = start + c->duration;
			resume = pause_end(start, end);
			status = resume ? "postponed" : end <= now ? "completed" :
				 start <= now ? "running" : "planned";
			want = (n + c->ratio - 1) / c->ratio;
			rp = replanned_from(start, end, &runs_from);
			pick_trainers(g, es, c, start, end, runs_from, want,
				      trainers, sizeof(trainers));
			/* Host-nation instructors take the lead as the course
			 * matures: the mission's end state. */
			host_share = index < 3 ? 0 : 0.1 * (index - 2);
			if (unit(g) < host_share)
				lead = "host";
			instr = !strcmp(lead, "host") ? "Iraqi instructor (synthetic)" :
				trainers[0] ? fmt(g, "%.6s", trainers) : NULL;
			if (put(g, "sessions", "course", c->code, "site", c->site,
				"room", room,
				"valid_from", D(g, start), "valid_to", D(g, end),
				"trainers", trainers[0] ? trainers : NULL,
				"lead", lead, "lead_instructor", instr,
				"host_unit", c->unit, "status", status,
				"releasability", "MISSION;IRQ", NULL))
				return -1;
			if (rp >= 0 && book(g, c, runs_from, runs_from + c->duration,
					    room, trainers))
				return -1;
			g->st->sessions++;
			snprintf(key, sizeof(key), "%s/%s", c->code, D(g, start));
			pass_rate = 0.7 + 0.25 * (index > 10 ? 1 : index / 10.0);
			for (int t = 0; t < n; t++) {
				int trainee = ++g->trainees;
				const char *sn = fmt(g, "IQ-%06d", trainee);
				const char *att = "enrolled", *res = "pending", *cert = NULL;

				if (!strcmp(status, "completed")) {
					att = unit(g) < 0.95 ? "attended" : "absent";
					res = !strcmp(att, "attended") && unit(g) < pass_rate ?
						"pass" : "fail";
					if (!strcmp(res, "pass"))
						cert = fmt(g, "CERT-%s-%06d", c->code, trainee);
				} else if (!strcmp(status, "running")) {
					att = "attended";
				}
				if (put(g, "trainees", "service_number", sn,
					"name", trainee_name(g, trainee),
					"nation", "IRQ", "unit", c->unit, "rank", c->rank,
					"releasability", "MISSION;IRQ", NULL) ||
				    put(g, "enrolments", "session", key, "trainee", sn,
					"attendance", att, "result", res,
					"certificate", cert, "releasability", "MISSION;IRQ",
					NULL))
					return -1;
				g->st->trainees++;
				g->st->enrolments++;
			}
			index++;
			start = (resume ? resume : end) + range(g, c->gap_lo, c->gap_hi);
		}
	}
	return 0;
}

static int build_assessments(struct gen *g)
{
	static const struct {
		const char *org, *competency;
	} series[] = {
		{ "IRQ-EOD", "IED clearance" }, { "IRQ-EOD", "manual demining" },
		{ "IRQ-MMS", "combat casualty care" },
		{ "IRQ-EME", "armoured vehicle maintenance" },
		{ "IRQ-DUMS", "civil-military planning" },
		{ "IRQ-MILCOL", "instruction" }, { "IRQ-NCO", "leadership" },
		{ "IRQ-FP", "policing" }, { "IRQ-MOD", "force development planning" },
	};
	int32_t until = date_days(DEMO_NOW);

	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		int level = 1;

		for (int32_t d = date_days("2019-03-31"); d <= until; d += 182) {
			if (level < 4 && unit(g) < 0.45)
				level++;
			if (put(g, "assessments", "organisation", series[i].org,
				"competency", series[i].competency,
				"assessed_on", D(g, d), "level", fmt(g, "%d", level),
				"target", "4", "assessor",
				"NMI assessment team (synthetic)", NULL))
				return -1;
		}
	}
	return 0;
}

/* On resumption I the sessions its pause postponed are re-planned, as
 * `cadre resume --apply` does, in the log at AT; some stay postponed
 * when the next pause stands in their way. */
static int replan_after_pause(struct gen *g, size_t i, const char *at)
{
	json_t *report = NULL;

	if (clock_at(g, at) ||
	    resume_in_tx(g->s, &principal_system, &g->tx, "mission",
			 pauses[i].to, 1, &report, g->e))
		return -1;
	json_decref(report);
	return 0;
}

/*
 * The story of 2020 in the order of its days: the suspension, the
 * correction, the second pause, the re-planning after each. The first
 * re-planning is in the log with the second pause, not on 13 February:
 * it knows both pauses (a session it would have put into the second
 * stays postponed), as no one did on the 13th, and the figures are of
 * the mission as it stands. Written before the second pause, it would
 * put sessions there that the pause then refuses to stop (SUSPENDED).
 */
static int write_2020(struct gen *g)
{
	return load_event(g, 0) || correct_assignment(g) || load_event(g, 1) ||
	       replan_after_pause(g, 0, "2020-03-20T06:00:01Z") ||
	       replan_after_pause(g, 1, "2020-06-01T06:00:00Z");
}

/* Stamp the log with the demo's days, unless it already holds entries
 * of a later day (accounts made before the demo was loaded): then the
 * demo is stamped as it is written, the log never going back. */
static int start_clock(struct gen *g)
{
	g->clocked = 1;
	if (!store_set_clock(g->s, ESTABLISHED_AT, g->e))
		return 0;
	if (g->e->code != ERR_INPUT)
		return -1;
	error_release(g->e);
	error_init(g->e);
	g->clocked = 0;
	return 0;
}

/*==== Entry ============================================================*/

int demo_load(struct store *s, progress_fn progress, void *progress_arg,
	      struct demo_stats *st, struct error *e)
{
	struct gen g = { .s = s, .e = e, .st = st, .progress = progress,
			 .progress_arg = progress_arg, .rng = 20181001 };
	struct establishment es = { 0 };
	int ret = -1;

	memset(st, 0, sizeof(*st));
	rules_tx_init(&g.tx);
	if (store_begin(s, e))
		return -1;
	if (start_clock(&g) || load_facts(&g) || build_posts(&g, &es) ||
	    build_tours(&g, &es) || designate_posts(&g, &es) ||
	    build_contingents_and_caveats(&g) ||
	    build_sessions(&g, &es, 1) || transfer_training(&g, &es) ||
	    build_sessions(&g, &es, 0) || build_assessments(&g) ||
	    write_2020(&g) || rules_finish(s, &g.tx, e))
		goto out;
	{
		/* What the database holds, however it came (the transfer and
		 * the re-planning write records of their own). */
		struct {
			const char *kind;
			long *n;
		} counted[] = {
			{ "persons", &st->persons }, { "sessions", &st->sessions },
			{ "trainees", &st->trainees },
			{ "enrolments", &st->enrolments },
		};

		st->records = 0;
		for (size_t i = 0; i < nkinds; i++) {
			/* The whole database, as the system sees it. */
			long long c = store_count(s, &principal_system,
						  kinds[i], e);

			if (c < 0)
				goto out;
			st->records += (long)c;
			for (size_t j = 0; j < sizeof(counted) / sizeof(counted[0]); j++)
				if (!strcmp(kinds[i]->name, counted[j].kind))
					*counted[j].n = (long)c;
		}
	}
	if (store_commit(s, e))
		goto out;
	ret = 0;
out:
	store_set_clock(s, NULL, e);
	if (ret)
		store_rollback(s);
	for (size_t i = 0; i < es.nposts; i++)
		free(es.posts[i].tours);
	free(es.posts);
	free(g.booked);
	rules_tx_release(&g.tx);
	return ret;
}

int demo_load_facts(struct store *s, struct error *e)
{
	struct demo_stats st = { 0 };
	struct gen g = { .s = s, .e = e, .st = &st };

	return load_facts(&g) || import_facts(&g, "status-events", -1) ? -1 : 0;
}
