/* Internals shared by the store's modules; not for the layers above. */
#ifndef CADRE_STORE_INT_H
#define CADRE_STORE_INT_H

#include <sodium.h>
#include <time.h>

#include "store/access.h"
#include "store/db.h"
#include "store/store.h"
#include "util/buf.h"

/* HMAC's keyed start for the audit key KEY (audit.c's entry_mac). */
struct mac_key {
	unsigned char key[32];
	int ready;
	crypto_auth_hmacsha512256_state start;
};

/* The connection, for the store's own modules (and the white-box unit
 * tests: db_sqlite_handle() of it on SQLite). Do not write through it
 * outside a transaction. */
struct db *store_db(struct store *s);

/* A prepared, reset statement for SQL from the connection's cache (or
 * prepared now and cached). Owned by the store: never finalize it. */
int store_stmt(struct store *s, const char *sql, struct db_stmt **st,
	       struct error *e);

/* Record a database failure in E; returns -1. */
int store_fail(struct store *s, struct error *e, const char *what);

/* Audit entries written by one statement (audit_flush()). */
#define AUDIT_BATCH 32
#define AUDIT_NULL ((size_t)-1)

struct store {
	struct db *db;
	struct db *gate;	/* store_wait_writable()'s own connection */
	char *path;		/* the database: a file, or a PostgreSQL URL */
	char *files;		/* where its key and head are: FILES.key, .head */
	char *actor;
	int in_tx;
	int reader;		/* store_open_reader(): query_only, never migrated */
	int64_t put_id;		/* row id of store_put()'s record */
	/* Head of the audit chain, loaded at the first append of a
	 * transaction and dropped on rollback. */
	int head_loaded;
	int head_dirty;		/* audit_head to write at commit */
	int64_t head_seq;
	char head_hash[65];
	unsigned char head_mac[32];	/* the chain's keyed end (audit.c) */
	/* The audit key (DB.key), read at the first write that needs it. */
	enum { KEY_UNREAD, KEY_LOADED, KEY_ABSENT } key_state;
	unsigned char key[32];
	struct mac_key mac;
	/* The head to write to DB.head once the transaction has committed. */
	int head_due;
	int64_t due_seq;
	unsigned char due_mac[32];
	/* Prepared statements by SQL text, reused for the connection's life. */
	struct cached_stmt {
		char *sql;
		struct db_stmt *st;
	} cache[48];
	size_t ncache;
	/* The statements every record read and write uses, by kind. */
	struct db_stmt *kst[KINDS_MAX][4];
	/* A written record's JSON for its audit entry, reused write to write. */
	struct buf audit_before, audit_after;
	/* The audit log's insert, the bytes an entry's hash is over, and the
	 * time it is stamped with as text (of second at_time). */
	struct db_stmt *audit_insert;
	struct buf audit_hashed;
	/* Entries made and not yet in the log: written AUDIT_BATCH to a
	 * statement, and the rest before the head is (audit_flush()); their
	 * text in audit_text, at the offsets each row keeps. */
	struct audit_row {
		int64_t seq;
		size_t text[7];		/* at … after; AUDIT_NULL: none */
		unsigned char md[32], mac[32];
	} audit_rows[AUDIT_BATCH];
	size_t audit_nrows;
	struct buf audit_text;
	struct db_stmt *audit_insert_many;
	time_t at_time;
	char at[21];
	/* store_set_clock()'s time, "" for the time of day. */
	char clock[21];
	/* By kind, the key store_exists() last found in this transaction
	 * ("" for none); forgotten when the transaction or a savepoint rolls
	 * back, and when a transaction begins. */
	struct buf exists_last[KINDS_MAX];
	/* The host nation store_host_nation() found in this transaction
	 * (a default's, asked once a record): forgotten when it ends or
	 * rolls back, and at a write of an organisation. */
	char host[4];
	int host_known;
	/* Whether the principal of seen_who may see a record of a kind,
	 * remembered for the references a read masks (a trainee's unit is
	 * every trainee's): forgotten at every write and rollback, and when
	 * the principal changes. */
	struct principal seen_who;
	int seen_valid;
	struct seen_slot {
		const struct kind *k;
		char key[64];
		signed char seen;	/* 0 / 1; -1: empty */
	} seen[256];
};

/* Forget what seen[] remembers (a write may change what is visible). */
void store_forget_seen(struct store *s);

/* Forget the keys store_exists() remembers. */
void store_forget_exists(struct store *s);

enum kind_op { KOP_LOAD, KOP_EXISTS, KOP_INSERT, KOP_UPDATE };

/* K's place in the catalogue; KINDS_MAX for a kind outside it. */
size_t kind_index(const struct kind *k);

/* Bind V (NULL: SQL NULL) as field F's value at IDX: integers, reals
 * and yes/no as numbers, the rest as text. V is not copied. */
int kind_bind_value(struct db_stmt *st, int idx, const struct field *f,
		    const char *v);

/* The reset statement for OP on kind K, prepared on first use. */
int kind_stmt(struct store *s, const struct kind *k, enum kind_op op,
	      struct db_stmt **st, struct error *e);

/* R as the compact JSON of its audit entry, into B (emptied first): the
 * same bytes as record_to_json(). 0, or -1 out of memory. */
int record_json_text(const struct record *r, struct buf *b);


int audit_append(struct store *s, const char *action, const char *entity,
		 const char *key, const char *before, const char *after,
		 struct error *e);
/* Record the chain's end in audit_head; once per transaction, at commit. */
int audit_write_head(struct store *s, struct error *e);
/* Write the entries audit_append() keeps back (every read of the log
 * and every savepoint asks first), or drop them with what rolled back.
 * A failure to write them is the transaction's, whichever write's turn
 * it was. */
int audit_flush(struct store *s, struct error *e);
void audit_discard(struct store *s);
/* After the commit: the chain's end into the head file beside the
 * database (DB.head), when the transaction appended to it. A failure is
 * not the write's (it has committed): the head file is left behind, as
 * after a crash, and the next write brings it up to date. */
void audit_publish_head(struct store *s);
/* The chain's end as the current transaction sees it: its seq and its
 * mac (the seal's when no keyed entry follows it). 1 sealed, 0 the log
 * has no seal yet, -1 with E set. */
int audit_tail(struct store *s, int64_t *seq, unsigned char mac[32],
	       struct error *e);
/* Inside a transaction: seal the log now if no key has met it yet (the
 * key made if need be), as the first append would. 0, or -1 with E. */
int audit_seal(struct store *s, struct error *e);
/* Write HEAD file of database DB: SEQ and MAC, replacing what it held
 * even when that was further on (a restore). 0, or -1 with E set. */
int audit_head_file_set(const char *db, int64_t seq,
			const unsigned char mac[32], struct error *e);
/* Write the key of S as the key of database DB (mode 0600). */
int audit_key_copy(struct store *s, const char *db, struct error *e);

#endif
