/*
 * The store: the SQLite database that holds the mission. It owns every SQL
 * statement; the layers above speak in records (struct record) and kinds.
 *
 * A database is opened in WAL mode with foreign keys on and a busy
 * timeout, and migrated forward to the newest schema on open. Writes run
 * inside store_begin()/store_commit(): every record written also appends
 * an audit entry in the same transaction, so a failure anywhere leaves the
 * database exactly as it was.
 */
#ifndef CADRE_STORE_STORE_H
#define CADRE_STORE_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "model/kind.h"
#include "util/error.h"

struct buf;

struct store;

/* Open (creating when absent) and migrate to the newest schema.
 * On failure *OUT is NULL and E says why. */
int store_open(const char *path, struct store **out, struct error *e);

/* As store_open, but migrate no further than VERSION (tests of upgrades);
 * VERSION < 0 means the newest. */
int store_open_at(const char *path, int version, struct store **out,
		  struct error *e);

void store_close(struct store *s);	/* accepts NULL */

/* Open PATH to read only, beside the connection that writes it (a
 * server's pool of readers): its own SQLite connection and statements,
 * query_only, neither created nor migrated. The database must be in WAL
 * mode and at the newest schema (store_open() first). */
int store_open_reader(const char *path, struct store **out,
		      struct error *e);
/* A read transaction on a reader, so that every query until
 * store_read_end() sees the same committed snapshot: the newest commit
 * when it starts, whichever connection made it. */
int store_read_begin(struct store *s, struct error *e);
void store_read_end(struct store *s);	/* ends it, ready for the next */

int store_schema_version(struct store *s);
int store_latest_version(void);
/* FN is told, in a sentence for the user, before store_open() upgrades a
 * database from an older schema: on a large audit log that takes
 * seconds, and a silent pause looks like a hang. Set once at start-up;
 * NULL says nothing. */
typedef void (*store_note_fn)(const char *note);
void store_on_upgrade(store_note_fn fn);

/* Set the database library up for the process: once, at start-up,
 * before any store is opened (it is then shared by every thread). */
void store_library_init(void);

/* A server holds database PATH for its life: a shared flock() on the
 * file (SQLite's own locks are fcntl() locks, apart from these). The
 * descriptor to close at the end, STORE_HELD_NOTHING for a PostgreSQL
 * database (no file to hold), or -1 with E set. */
#define STORE_HELD_NOTHING (-2)
int store_hold(const char *path, struct error *e);

/* 0 when no server holds PATH (store_hold()), or it does not exist; -1
 * with ERR_BUSY, saying so, when one does: what replaces the database
 * whole (restore, demo --force) must not pull it from under a server. */
int store_check_unheld(const char *path, struct error *e);

/* Does TARGET (what --db names) name a SQLite file, rather than a
 * PostgreSQL database? */
int store_target_is_file(const char *target);

/* Wait until no other connection holds the database's write lock, at
 * most MS milliseconds, without using S's own connection: meanwhile
 * other threads may go on reading through S (the server waits here
 * before it takes its store's lock for a write). 0 when the lock was
 * free a moment ago; -1 with ERR_BUSY when it stayed held. Not to be
 * called by two threads at once. */
int store_wait_writable(struct store *s, int ms, struct error *e);

/* How long a statement of S waits for a lock another connection holds
 * before it fails busy (5,000 ms when opened). */
void store_set_busy_timeout(struct store *s, int ms);

/* Who is recorded in the audit entries of this connection's writes. */
void store_set_actor(struct store *s, const char *actor);
const char *store_actor(const struct store *s);

/*
 * The time the audit entries of this connection's writes are stamped
 * with: AT ("YYYY-MM-DDTHH:MM:SSZ", UTC) until the next call, or the time
 * of day again when AT is NULL. For the demo alone, which writes its
 * mission as HQ would have recorded it, on the days it happened: it is
 * reachable from no command, route or variable. AT is refused (ERR_INPUT)
 * unless of that shape, no later than now and no earlier than the log's
 * last entry, so that the stamps never go back along the log.
 */
int store_set_clock(struct store *s, const char *at, struct error *e);

int store_begin(struct store *s, struct error *e);	/* BEGIN IMMEDIATE */
/* A transaction whose every write has had its references checked by
 * record_validate() in this same transaction, as an import's rows have:
 * SQLite does not check its foreign keys a second time. They are on
 * again once it commits or rolls back. */
int store_begin_checked(struct store *s, struct error *e);
int store_commit(struct store *s, struct error *e);
void store_rollback(struct store *s);			/* safe when idle */

/* A savepoint inside the transaction: undo part of it and go on. */
int store_savepoint(struct store *s, struct error *e);
int store_savepoint_release(struct store *s, struct error *e);
void store_savepoint_rollback(struct store *s);


/* ---- Records -------------------------------------------------------- */

/* A record of kind KIND as text values, one per field (NULL = empty),
 * in the canonical form the store writes and reads. */
struct record {
	const struct kind *kind;
	char **v;
	char *key;		/* natural key, set by record_make_key() */
};

int record_init(struct record *r, const struct kind *k);	/* 0 / -1 */
void record_release(struct record *r);				/* NULL ok */
/* Copy VALUE (NULL or "" = empty) into field I. */
int record_set(struct record *r, size_t i, const char *value);
/* The same, taking *VALUE (malloc'd) over rather than copying it: *VALUE
 * is NULL after. */
void record_take(struct record *r, size_t i, char **value);
/* Compose the natural key from the FF_KEY fields. */
int record_make_key(struct record *r);

/* Do A and B (of one kind) differ in their classification or
 * releasability? Such an update is audited as "mark" (docs/audit.md). */
int record_markings_differ(const struct record *a, const struct record *b);

/* Record values as a JSON object (typed): a new reference, or NULL. */
json_t *record_json(const struct record *r);
/* The same as a compact string; caller frees. */
char *record_to_json(const struct record *r);
/* Append R's values to B as the members of a JSON object, without its
 * braces: the bytes json_dumps(record_json(R), JSON_COMPACT |
 * JSON_PRESERVE_ORDER) writes between them, with no tree built. 1 when a
 * value is left to jansson (a real; text not UTF-8) and B is as it was;
 * -1 out of memory; 0. */
int record_json_add(const struct record *r, struct buf *b);

enum put_result { PUT_INSERTED, PUT_UPDATED, PUT_UNCHANGED };

/* Insert or update by natural key, and audit the change. Must be inside a
 * transaction. Identical records are left alone (no audit entry). */
int store_put(struct store *s, struct record *r, enum put_result *res,
	      struct error *e);

/* The row id of the record the last successful store_put() inserted or
 * found. A record inserted later has a greater id than every record
 * before it, so an importer can tell the rows it wrote itself. */
int64_t store_put_id(const struct store *s);

/* Fetch by natural key. Returns 1 found, 0 absent, -1 on error. */
int store_get(struct store *s, const struct kind *k, const char *key,
	      struct record *out, struct error *e);

/* Does a record with this natural key exist? 1 / 0 / -1. */
int store_exists(struct store *s, const struct kind *k, const char *key,
		 struct error *e);

struct principal;

/* Does the record KEY of K exist for WHO, as WHO may see it? 1 / 0 / -1
 * (the database failed; E says why). NULL or the system principal: as
 * store_exists(). A hidden record answers 0, as a missing one. */
int store_visible(struct store *s, const struct principal *who,
		  const struct kind *k, const char *key, struct error *e);

/* May WHO be shown record KEY of K, a record known to exist (what an
 * action reports)? As store_visible(), but 1 for NULL or the system
 * without a query. */
int store_may_see(struct store *s, const struct principal *who,
		  const struct kind *k, const char *key, struct error *e);

/* The host nation: the nation of the host-* organisations (the first
 * recorded), into OUT; "" when there is none. Over every organisation,
 * whoever asks: the markings rule needs it (core/policy.h). 0 / -1. */
int store_host_nation(struct store *s, char out[4], struct error *e);

struct filter {
	const char *field;	/* a field or derived name */
	const char *value;
};

struct query {
	const struct principal *who;	/* who asks; NULL: the system */
	const char *asof;	/* NULL: every record */
	const char *derive_on;	/* date for derived values (default today) */
	const struct filter *filters;
	size_t nfilters;
	long limit;		/* 0: no limit */
	long offset;		/* rows to skip (with limit) */
	const char *sort;	/* a field or derived name, "-name" descending;
				 * NULL: the order records were created in */
	const char *match;	/* words to search for (kinds with a search
				 * index: trainees); NULL: no search */
	const char *from, *to;	/* records whose validity meets the days
				 * [from, to] (kinds with valid_from); NULL:
				 * no bound */
};

/* Called per record in insertion order; DERIVED holds kind->nderived
 * values (NULL = empty). Return non-zero to stop (returned by
 * store_each). The callback must not run the same query again (its
 * statement is cached and in use). */
typedef int (*record_fn)(void *arg, const struct record *r,
			 const char *const *derived);

int store_each(struct store *s, const struct kind *k, const struct query *q,
	       record_fn fn, void *arg, struct error *e);

/* A record shows the keys of the records it names. Drop from R's
 * references (other than its key's: a record whose key names a hidden
 * record is itself hidden) those to records WHO may not see: a session's
 * trainer cleared CTS is not named to an NS reader. store_each() does
 * this for its caller; a write comparing what the caller read (an ETag)
 * does it to the record as stored. 0, or -1 with E set. */
int store_mask_refs(struct store *s, const struct principal *who,
		    struct record *r, struct error *e);

/* Number of records of kind K that WHO may see (NULL: every record);
 * -1 on error. */
long long store_count(struct store *s, const struct principal *who,
		       const struct kind *k, struct error *e);

/* ---- As known on ---------------------------------------------------- */

/*
 * The mission as cadre held it at AT ("YYYY-MM-DDTHH:MM:SSZ", UTC; see
 * core/knownon.h for what a caller may give): every record of every kind
 * as the last audit entry of LIVE stamped at or before AT left it, put in
 * a new private SQLite database of the newest schema (deleted when
 * closed, whatever LIVE's engine), which then takes no writes. Accounts
 * and tokens are not carried over: who the caller is stays LIVE's. The
 * log is read whole, as the system (reads of *OUT filter as ever by the
 * caller). On failure *OUT is NULL and E says why. The caller closes
 * *OUT with store_close().
 */
int store_known_on(struct store *live, const char *at, struct store **out,
		   struct error *e);

#endif
