/* Visibility of records by principal; see access.h. */
#include "store/access.h"

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

void access_clause(struct buf *sql, const struct principal *p,
		   const struct kind *k, const char *a)
{
	int nation = plain_code(p ? p->nation : "");

	if (!p || p->system)
		return;
	buf_addf(sql, " AND (CASE %s.classification WHEN 'NU' THEN 0"
		 " WHEN 'NR' THEN 1 WHEN 'NC' THEN 2 WHEN 'NS' THEN 3 ELSE 4 END)"
		 " <= %d", a, p->clearance);
	if (p->role == ROLE_LIAISON) {
		/* Only what is released to the host nation. */
		if (nation)
			buf_addf(sql, " AND instr(';' || %s.releasability || ';',"
				 " ';%s;')", a, p->nation);
		else
			buf_adds(sql, " AND 0");
	} else {
		buf_addf(sql, " AND (instr(';' || %s.releasability || ';', ';MISSION;')"
			 " OR instr(';' || %s.releasability || ';', ';NATO;')", a, a);
		if (nation)
			buf_addf(sql, " OR instr(';' || %s.releasability || ';', ';%s;')",
				 a, p->nation);
		buf_adds(sql, ")");
	}
	if (p->role == ROLE_CONTINGENT) {
		const char *t = k->table;

		if (!nation)
			buf_adds(sql, " AND 0");
		else if (!strcmp(t, "person"))
			buf_addf(sql, " AND %s.nation = '%s'", a, p->nation);
		else if (!strcmp(t, "assignment"))
			buf_addf(sql, " AND (SELECT nation FROM person WHERE code ="
				 " %s.person) = '%s'", a, p->nation);
		else if (!strcmp(t, "caveat"))
			buf_addf(sql, " AND (%s.nation = '%s' OR (SELECT nation FROM"
				 " person WHERE code = %s.person) = '%s')", a,
				 p->nation, a, p->nation);
	}
}
