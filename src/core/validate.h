/*
 * Validation of records against the catalogue: types, required fields,
 * defaults, references to records that exist, and intervals. Every
 * problem is reported (not only the first) through a callback so that
 * each way in can say where it was: a CSV cell, a JSON member, an option.
 */
#ifndef CADRE_CORE_VALIDATE_H
#define CADRE_CORE_VALIDATE_H

#include "model/kind.h"
#include "store/store.h"

/* The longest value a field may hold, in bytes of UTF-8 (docs/data.md).
 * A longer one is refused, never cut. A key field that is not a
 * reference is short: a composite key (at most three parts, 108 bytes)
 * stays under VALUE_REF_MAX, a code or a session's key (59) fits the
 * 64-byte buffers of the actions and the planner, and the path of a
 * created record the Location header's room. */
enum {
	VALUE_KEY_MAX = 48,	/* a key field that is not a reference */
	VALUE_REF_MAX = 128,	/* a reference: a whole key */
	VALUE_MAX = 4000,	/* any other field */
};

/* Is F free text, where TAB, LF and CR may stand (names, notes)? Keys,
 * references, codes and lists are one line without control characters. */
int field_is_free_text(const struct field *f);

/* FIELD is an index into the kind's fields; VALUE may be NULL. */
typedef void (*problem_fn)(void *arg, size_t field, const char *value,
			   const char *reason);

/* Check and canonicalise one value of field F: trims nothing, rewrites
 * numbers and booleans to their canonical text. Every value is valid
 * UTF-8 within its limit, without NUL, DEL or control characters (free
 * text may hold TAB, LF and CR); a key field that is not a reference
 * holds neither '/' (it joins a composite key's parts) nor ';' (it
 * separates a list's references). On success *OUT is a new
 * string (caller frees) and 0 is returned; on failure -1 and *WHY. */
int value_canonical(const struct field *f, const char *in, char **out,
		    const char **why);

/* Fill in defaults, canonicalise every value, check required fields,
 * references (through S) and intervals; compose the key. Reports each
 * problem to FN and returns the number reported, or -1 if the store
 * failed (E says why). */
int record_validate(struct store *s, struct record *r, problem_fn fn,
		    void *arg, struct error *e);

/* The same for a write by WHO: a reference to a record WHO may not see
 * is reported exactly as one to a record that does not exist ("no
 * trainee 'X'"). NULL or the system principal: as record_validate(). */
struct principal;
int record_validate_as(struct store *s, const struct principal *who,
		       struct record *r, problem_fn fn, void *arg,
		       struct error *e);

/* The same for a change of BEFORE (the record as stored, of R's kind):
 * a reference BEFORE already holds is kept whether WHO may see it or not
 * — WHO did not give it, and may change the record's other fields. */
int record_validate_kept(struct store *s, const struct principal *who,
			 struct record *r, const struct record *before,
			 problem_fn fn, void *arg, struct error *e);

#endif
