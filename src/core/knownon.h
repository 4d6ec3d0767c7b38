/*
 * "As known on": a read of the mission as cadre held it at a moment, not
 * only as its records say it stood on a day (as of). Built from the
 * audit log (store_known_on(), docs/audit.md "As known on"); the reads
 * then run on it as on the live database, with the same caller and the
 * same rules of who sees what.
 */
#ifndef CADRE_CORE_KNOWNON_H
#define CADRE_CORE_KNOWNON_H

#include "store/store.h"
#include "util/error.h"

#define KNOWN_ON_LEN 20		/* "YYYY-MM-DDTHH:MM:SSZ" */

/* Read IN, what the user gave for NAME (--known-on, known_on): an RFC
 * 3339 date-time in UTC (Z or +00:00; fractions of a second are dropped)
 * or a date, which means the end of that day (23:59:59Z). A moment after
 * now is now. The moment into OUT as the audit log writes it. 0, or -1
 * with E (ERR_INPUT) naming NAME, the value and why. */
int known_on_parse(const char *name, const char *in,
		   char out[KNOWN_ON_LEN + 1], struct error *e);

/* known_on_parse()'s reading alone: 0, or -1 with *WHY the reason (a
 * static string), for a caller that names the value itself. */
int known_on_read(const char *in, char out[KNOWN_ON_LEN + 1],
		  const char **why);

/* The mission as LIVE held it at AT (known_on_parse()'s): *OUT to read
 * from and store_close(). 0, or -1 with E set and *OUT NULL. */
int known_on_open(struct store *live, const char *at, struct store **out,
		  struct error *e);

#endif
