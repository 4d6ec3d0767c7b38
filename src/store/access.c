/* Visibility of records by principal; see access.h. */
#include "store/access.h"

#include <stdio.h>
#include <string.h>

#include "model/kind.h"
#include "util/buf.h"

const struct principal principal_system = { .login = "system", .system = 1,
					    .clearance = 4 };

static const char *const roles[] = {
	"admin", "commander", "manning", "training", "trainer", "contingent",
	"liaison", "auditor",
};
static const char *const clearances[] = { "NU", "NR", "NC", "NS", "CTS" };

int role_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(roles[i], name))
			return (int)i;
	return -1;
}

const char *role_name(enum role r)
{
	return (size_t)r < sizeof(roles) / sizeof(roles[0]) ? roles[r] : "?";
}

int clearance_parse(const char *code)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(clearances[i], code))
			return i;
	return -1;
}

const char *clearance_name(int level)
{
	return level >= 0 && level < 5 ? clearances[level] : "?";
}

/* A nation code safe to write into SQL: three capital letters. */
static int plain_code(const char *c)
{
	return strlen(c) == 3 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' &&
	       c[1] <= 'Z' && c[2] >= 'A' && c[2] <= 'Z';
}

/* The contingent commander's rule for records of TABLE: their own
 * nation's people only (persons, their assignments and caveats). */
static void nation_rule(struct buf *sql, const char *table,
			const struct access_cols *c, const char *nation)
{
	if (!strcmp(table, "person"))
		buf_addf(sql, "%s = '%s'", c->nation, nation);
	else if (!strcmp(table, "assignment"))
		buf_addf(sql, "(SELECT nation FROM person WHERE code = %s) = '%s'",
			 c->person, nation);
	else if (!strcmp(table, "caveat"))
		buf_addf(sql, "(%s = '%s' OR (SELECT nation FROM person WHERE"
			 " code = %s) = '%s')", c->nation, nation, c->person,
			 nation);
	else
		buf_adds(sql, "TRUE");
}

static void clause_at(struct buf *sql, const struct principal *p,
		      const struct kind *k, const char *a, int depth,
		      const char *known);

/* Does K's key name other records (an enrolment's session and trainee)? */
static int has_key_refs(const struct kind *k)
{
	for (size_t i = 0; i < k->nfields; i++)
		if ((k->fields[i].flags & FF_KEY) && k->fields[i].type == FT_REF)
			return 1;
	return 0;
}

/* A record whose key names another record shows that record's key: it
 * is visible only with every record its key names. Append, for K, " AND
 * EXISTS (…)" per such field, the field's value being PRE || name ||
 * POST (a column, or a JSON path of the audit log's entry). Keys name
 * records of other kinds, down to records with keys of their own, so the
 * walk ends. */
static void key_refs(struct buf *sql, const struct principal *p,
		     const struct kind *k, const char *pre, const char *post,
		     int depth, const char *known)
{
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		const struct kind *r;
		char alias[48];

		if (!(f->flags & FF_KEY) || f->type != FT_REF ||
		    !(r = kind_find(f->ref)) || r == k ||
		    (known && !strcmp(known, f->name)))
			continue;
		snprintf(alias, sizeof(alias), "kr%d_%zu", depth, i);
		buf_addf(sql, " AND EXISTS (SELECT 1 FROM %s %s WHERE %s.%s = %s%s%s",
			 r->table, alias, alias, r->key_column, pre, f->name, post);
		clause_at(sql, p, r, alias, depth + 1, NULL);
		buf_adds(sql, ")");
	}
}

static void markings_clause(struct buf *sql, const struct principal *p,
			    const struct kind *k, const struct access_cols *c);

void access_clause_cols(struct buf *sql, const struct principal *p,
			const struct kind *k, const struct access_cols *c)
{
	if (!p || p->system)
		return;
	markings_clause(sql, p, k, c);
	if (!c->ref_pre)
		return;
	if (k) {
		key_refs(sql, p, k, c->ref_pre, c->ref_post, 0, NULL);
		return;
	}
	/* The kind varies row by row (the audit log): each its keys. */
	buf_addf(sql, " AND (CASE %s", c->table);
	for (size_t i = 0; i < nkinds; i++) {
		if (!has_key_refs(kinds[i]))
			continue;
		buf_addf(sql, " WHEN '%s' THEN (TRUE", kinds[i]->table);
		key_refs(sql, p, kinds[i], c->ref_pre, c->ref_post, 0, NULL);
		buf_adds(sql, ")");
	}
	buf_adds(sql, " ELSE TRUE END)");
}

static void markings_clause(struct buf *sql, const struct principal *p,
			    const struct kind *k, const struct access_cols *c)
{
	int nation = plain_code(p ? p->nation : "");
	const char *cls = c->classification, *rel = c->releasability;

	buf_addf(sql, " AND (CASE %s WHEN 'NU' THEN 0"
		 " WHEN 'NR' THEN 1 WHEN 'NC' THEN 2 WHEN 'NS' THEN 3 ELSE 4 END)"
		 " <= %d", cls, p->clearance);
	if (p->role == ROLE_LIAISON) {
		/* Only what is released to the host nation. */
		if (nation)
			buf_addf(sql, " AND instr(';' || %s || ';', ';%s;') > 0",
				 rel, p->nation);
		else
			buf_adds(sql, " AND FALSE");
	} else {
		buf_addf(sql, " AND (instr(';' || %s || ';', ';MISSION;') > 0"
			 " OR instr(';' || %s || ';', ';NATO;') > 0", rel, rel);
		if (nation)
			buf_addf(sql, " OR instr(';' || %s || ';', ';%s;') > 0",
				 rel, p->nation);
		buf_adds(sql, ")");
	}
	if (p->role != ROLE_CONTINGENT)
		return;
	if (!nation) {
		buf_adds(sql, " AND FALSE");
	} else if (k) {
		buf_adds(sql, " AND ");
		nation_rule(sql, k->table, c, p->nation);
	} else {
		/* The table varies row by row (the audit log): each its rule.
		 * Without a person or a nation (NULL) the rule is not met. */
		static const char *const tables[] = { "person", "assignment",
						      "caveat" };

		buf_addf(sql, " AND (CASE %s", c->table);
		for (size_t i = 0; i < 3; i++) {
			buf_addf(sql, " WHEN '%s' THEN coalesce(", tables[i]);
			nation_rule(sql, tables[i], c, p->nation);
			buf_adds(sql, ", FALSE)");
		}
		buf_adds(sql, " ELSE TRUE END)");
	}
}

static void clause_at(struct buf *sql, const struct principal *p,
		      const struct kind *k, const char *a, int depth,
		      const char *known)
{
	char cls[80], rel[80], nation[80], person[80], pre[80];
	struct access_cols c = { cls, rel, nation, person, NULL, pre, "" };

	if (!p || p->system)
		return;
	snprintf(cls, sizeof(cls), "%s.classification", a);
	snprintf(rel, sizeof(rel), "%s.releasability", a);
	snprintf(nation, sizeof(nation), "%s.nation", a);
	snprintf(person, sizeof(person), "%s.person", a);
	snprintf(pre, sizeof(pre), "%s.", a);
	markings_clause(sql, p, k, &c);
	if (k)
		key_refs(sql, p, k, pre, "", depth, known);
}

void access_clause(struct buf *sql, const struct principal *p,
		   const struct kind *k, const char *a)
{
	clause_at(sql, p, k, a, 0, NULL);
}

void access_clause_known(struct buf *sql, const struct principal *p,
			 const struct kind *k, const char *a, const char *known)
{
	clause_at(sql, p, k, a, 0, known);
}
