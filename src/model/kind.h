/*
 * The catalogue of the mission's record kinds: for each kind its table,
 * natural key, fields with their types, and the facts derived "as of" a
 * date. Import, export, list, show and the audit all work from this one
 * description, so a field added here is handled everywhere.
 *
 * Pure data: no database, no I/O, no SQL. The store generates its SQL
 * from it; a unit test checks it against the migrated schema.
 */
#ifndef CADRE_MODEL_KIND_H
#define CADRE_MODEL_KIND_H

#include <stddef.h>

enum field_type {
	FT_TEXT,
	FT_INT,
	FT_REAL,
	FT_DATE,
	FT_BOOL,	/* yes/no */
	FT_ISO3,	/* ISO 3166-1 alpha-3 code */
	FT_ENUM,	/* one of field.values */
	FT_REF,		/* natural key of a record of field.ref */
	FT_LIST,	/* ';'-separated: codes, enum values or references */
	FT_QUALS,	/* ';'-separated CODE or CODE:EXPIRY-DATE */
	FT_SCOPE,	/* mission | site:CODE | activity:CODE */
	FT_MARKING,	/* classification: NU NR NC NS CTS */
	FT_RELEASE,	/* ';'-separated NATO, MISSION or ISO3 codes */
	FT_ROOMS,	/* ';'-separated NAME:CAPACITY */
};

enum field_flag {
	FF_REQUIRED = 1 << 0,	/* must be given and non-empty */
	FF_KEY = 1 << 1,	/* part of the natural key */
	FF_NONNEG = 1 << 2,	/* numbers: >= 0 */
	FF_POSITIVE = 1 << 3,	/* numbers: > 0 */
};

/* In a releasability's default (never in a value): the host nation, the
 * nation of the host-* organisations, when there is one and the writer
 * may release to it; else nothing (core/validate.c). */
#define RELEASE_HOST "HOST"

struct field {
	const char *name;	/* column name in CSV, JSON and SQL */
	enum field_type type;
	unsigned flags;
	const char *ref;	/* FT_REF / FT_LIST of refs: the kind's name */
	const char *values;	/* FT_ENUM / FT_LIST of enums: "a|b|c" */
	const char *def;	/* default when absent, or NULL */
	double min, max;	/* FT_INT / FT_REAL bounds when min < max */
};

/* A value computed for a date, listed, filtered and sorted on as a field
 * is. The catalogue names it; the store computes it, as the reader sees
 * the records it reads (store/derived.c). */
struct derived {
	const char *name;
};

struct kind {
	const char *name;	/* CLI / API plural: "persons" */
	const char *table;	/* SQL table: "person" */
	const char *label;	/* singular for messages: "person" */
	/* Column holding the natural key: a field name, or "key" when the
	 * key is composed of several FF_KEY fields joined by '/'. It reads
	 * one way only: a key field that is not a reference holds no '/'
	 * (core/validate.c), one that is holds such a key, and each kind has
	 * a fixed number of parts (tests/unit/test_validate.c). */
	const char *key_column;
	const struct field *fields;
	size_t nfields;
	/* How the kind is filtered "as of" a date:
	 *  ASOF_NONE     every record (catalogue data),
	 *  ASOF_INTERVAL valid_from <= d < valid_to (valid_to NULL = open),
	 *  ASOF_STARTED  valid_from <= d (sites: closed ones stay visible),
	 *  ASOF_ON       the date column asof_column <= d (events). */
	enum { ASOF_NONE, ASOF_INTERVAL, ASOF_STARTED, ASOF_ON } asof;
	const char *asof_column;
	const struct derived *derived;
	size_t nderived;
};

#define KINDS_MAX 24	/* room for the catalogue to grow */

extern const struct kind *const kinds[];
extern const size_t nkinds;

const struct kind *kind_find(const char *name);		/* by name or table */
int kind_field_index(const struct kind *k, const char *name);	/* or -1 */
const struct field *kind_field(const struct kind *k, const char *name);
int kind_composite_key(const struct kind *k);	/* key_column == "key" */

/* Is CODE an ISO 3166-1 alpha-3 code (from Debian's iso-codes)? */
int iso3166_alpha3_valid(const char *code);
const char *iso3166_alpha3_name(const char *code);	/* or NULL */

/* Is V one of the '|'-separated VALUES? */
int enum_has(const char *values, const char *v);

#endif
