/* The hash-chained audit log; see audit.h. */
#include "store/audit.h"
#include "store/access.h"
#include "store/rows_int.h"
#include "store/store_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* S preceded by its length, 8 bytes little-endian (all ones for NULL). */
static void feed(struct buf *b, const char *s)
{
	unsigned char len[8];
	size_t n = s ? strlen(s) : 0;
	uint64_t v = s ? (uint64_t)n : UINT64_MAX;

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(v >> (8 * i));
	buf_add(b, len, sizeof(len));
	buf_add(b, s ? s : "", n);
}

/* MD in lower-case hex. sodium_bin2hex() is built to take the same time
 * for every input, which a public hash does not need, and costs 1% of an
 * import. */
static void hex32(const unsigned char md[32], char out[65])
{
	static const char digit[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digit[md[i] >> 4];
		out[2 * i + 1] = digit[md[i] & 15];
	}
	out[64] = '\0';
}

/* The entry's hash over prev_hash (in hex) and every other column, each
 * fed with its length, gathered in B (emptied first) and hashed at once:
 * MD the 32 bytes, HEX the same in hex. */
static int entry_hash(const struct audit_entry *a, struct buf *b,
		      unsigned char md[32], char hex[65])
{
	char seq[24], *p = seq + sizeof(seq) - 1;
	uint64_t v = (uint64_t)a->seq;	/* from 1 up */

	/* "%lld" by hand: snprintf was a fifth of the hashing's own time. */
	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	buf_reset(b);
	feed(b, a->prev_hash);
	feed(b, p);
	feed(b, a->at);
	feed(b, a->actor);
	feed(b, a->action);
	feed(b, a->entity);
	feed(b, a->key);
	feed(b, a->before);
	feed(b, a->after);
	if (b->failed)
		return -1;
	crypto_generichash(md, 32, (const unsigned char *)b->data, b->len,
			   NULL, 0);
	hex32(md, hex);
	return 0;
}

/* A stored hash column as hex into OUT: "" when it is not 32 bytes. */
static void hash_hex(struct db_stmt *st, int col, char out[65])
{
	const void *h = db_column_blob(st, col);

	if (h && db_column_bytes(st, col) == 32)
		hex32(h, out);
	else
		out[0] = '\0';
}

/*==== The key and the head file ========================================*/

/* What the seal's mac is over, before its seq and hash: no entry's mac
 * input (two 32-byte values) can be mistaken for a seal's. */
#define SEAL_TAG "cadre audit seal 1"
#define HEAD_MAGIC "cadre audit head 1"

int audit_file(const char *db, const char *ext, char out[AUDIT_PATH_MAX])
{
	int n;

	if (!db || !*db || !strcmp(db, ":memory:") || !strncmp(db, "file:", 5))
		return -1;
	n = snprintf(out, AUDIT_PATH_MAX, "%s%s", db, ext);
	return n > 0 && n < AUDIT_PATH_MAX ? 0 : -1;
}

int store_audit_file(struct store *s, const char *ext, char out[AUDIT_PATH_MAX])
{
	return audit_file(s->files, ext, out);
}

static int read_all(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (int)got;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* Make the directory of PATH hold its new name across a power loss. */
static void sync_dir(const char *path)
{
	char dir[AUDIT_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Write N bytes of DATA as file PATH, mode 0600: to PATH.tmp.PID first,
 * then renamed (REPLACE) or linked (not replacing: 1 when PATH existed),
 * so that PATH is never half-written. 0 written, -1 with E set. */
static int file_put(const char *path, const void *data, size_t n,
		    int replace, int sync, struct error *e)
{
	char tmp[AUDIT_PATH_MAX + 32];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(e, ERR_IO, "cannot write %s: %s", tmp,
				 strerror(errno));
	if (write_all(fd, data, n) || (sync && fsync(fd))) {
		error_set(e, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	rc = replace ? rename(tmp, path) : link(tmp, path);
	if (rc) {
		int err = errno;

		unlink(tmp);
		if (!replace && err == EEXIST)
			return 1;
		return error_set(e, ERR_IO, "cannot write %s: %s", path,
				 strerror(err));
	}
	if (!replace)
		unlink(tmp);
	if (sync)
		sync_dir(path);
	return 0;
}

/* The key in file PATH into KEY: 1 read, 0 no such file, -1 with E set. */
static int key_read(const char *path, unsigned char key[32], struct error *e)
{
	unsigned char b[33];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return error_set(e, ERR_IO, "cannot read the audit key %s: %s",
				 path, strerror(errno));
	}
	n = read_all(fd, b, sizeof(b));
	close(fd);
	if (n != 32) {
		sodium_memzero(b, sizeof(b));
		return error_set(e, ERR_IO, "%s is not an audit key: it holds %d "
				 "bytes, not 32", path, n < 0 ? 0 : n);
	}
	memcpy(key, b, 32);
	sodium_memzero(b, sizeof(b));
	return 1;
}

/* The key of S's database into s->key, created (random) when CREATE and
 * there is none. 0 (s->key_state says which), -1 with E set. */
static int key_load(struct store *s, int create, struct error *e)
{
	char path[AUDIT_PATH_MAX];
	unsigned char key[32];
	int rc;

	if (s->key_state == KEY_LOADED ||
	    (s->key_state == KEY_ABSENT && !create))
		return 0;
	if (audit_file(s->files, ".key", path)) {
		/* A database in memory lives as long as its connection, and so
		 * may its key: a random one, kept nowhere else. */
		s->key_state = KEY_ABSENT;
		if (create) {
			randombytes_buf(s->key, sizeof(s->key));
			s->key_state = KEY_LOADED;
		}
		return 0;
	}
	rc = key_read(path, s->key, e);
	if (rc < 0)
		return -1;
	if (!rc && create) {
		randombytes_buf(key, sizeof(key));
		rc = file_put(path, key, sizeof(key), 0, 1, e);
		if (rc == 0)
			memcpy(s->key, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
		/* Another process made it first: theirs is the key. */
		if (rc == 1 && key_read(path, s->key, e) != 1)
			return -1;
		if (rc < 0)
			return -1;
		rc = 1;
	}
	s->key_state = rc ? KEY_LOADED : KEY_ABSENT;
	return 0;
}

int audit_key_copy(struct store *s, const char *db, struct error *e)
{
	char path[AUDIT_PATH_MAX];

	if (key_load(s, 0, e))
		return -1;
	if (s->key_state != KEY_LOADED) {
		audit_file(s->files, ".key", path);
		return error_set(e, ERR_IO, "the audit key %s is missing: the "
				 "copy could not be verified", path);
	}
	if (audit_file(db, ".key", path))
		return error_set(e, ERR_IO, "no key file beside %s", db);
	return file_put(path, s->key, sizeof(s->key), 1, 1, e);
}

/* The seal's mac: over the tag, SEQ (8 bytes little-endian) and the hash
 * of entry SEQ (MD; NULL for an empty log: 32 zeros). */
static void seal_mac(const unsigned char key[32], int64_t seq,
		     const unsigned char *md, unsigned char out[32])
{
	unsigned char msg[sizeof(SEAL_TAG) - 1 + 8 + 32];
	uint64_t v = (uint64_t)seq;

	memcpy(msg, SEAL_TAG, sizeof(SEAL_TAG) - 1);
	for (int i = 0; i < 8; i++)
		msg[sizeof(SEAL_TAG) - 1 + i] = (unsigned char)(v >> (8 * i));
	if (md)
		memcpy(msg + sizeof(SEAL_TAG) - 1 + 8, md, 32);
	else
		memset(msg + sizeof(SEAL_TAG) - 1 + 8, 0, 32);
	crypto_auth(out, msg, sizeof(msg), key);
}

/* An entry's mac: over the mac before it (the seal's for the first
 * keyed entry) and its own hash, which is over every byte of it: the
 * bytes crypto_auth() takes, from HMAC's keyed start made once for KEY
 * (M), so that each entry costs two of SHA-512's blocks rather than
 * four, where an import writes an entry for every record. */
static void entry_mac(struct mac_key *m, const unsigned char key[32],
		      const unsigned char prev[32], const unsigned char md[32],
		      unsigned char out[32])
{
	crypto_auth_hmacsha512256_state st;

	if (!m->ready || sodium_memcmp(m->key, key, 32)) {
		crypto_auth_hmacsha512256_init(&m->start, key, 32);
		memcpy(m->key, key, 32);
		m->ready = 1;
	}
	st = m->start;
	crypto_auth_hmacsha512256_update(&st, prev, 32);
	crypto_auth_hmacsha512256_update(&st, md, 32);
	crypto_auth_hmacsha512256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* The head file of database DB: 1 with *SEQ and MAC, 0 none (or no file
 * beside DB), -1 with E set (ERR_TAMPER when it is not one cadre wrote). */
static int head_file_read(const char *db, int64_t *seq, unsigned char mac[32],
			  struct error *e)
{
	char path[AUDIT_PATH_MAX], text[160], hex[65];
	long long n;
	size_t got;
	int fd, len;

	if (audit_file(db, ".head", path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return error_set(e, ERR_IO, "cannot read %s: %s", path,
				 strerror(errno));
	}
	len = read_all(fd, text, sizeof(text) - 1);
	close(fd);
	text[len < 0 ? 0 : len] = '\0';
	if (sscanf(text, HEAD_MAGIC "\nseq %lld\nmac %64[0-9a-f]\n", &n, hex) != 2 ||
	    n < 0 || strlen(hex) != 64 ||
	    sodium_hex2bin(mac, 32, hex, 64, NULL, &got, NULL) || got != 32)
		return error_set(e, ERR_TAMPER, "the head file %s is not one "
				 "cadre wrote", path);
	*seq = n;
	return 1;
}

/* Write SEQ and MAC as DB's head file; unless FORCE, only over a head
 * file that is behind it (two writers that committed one after the other
 * may get here in the other order). The key file's lock orders them. */
static int head_file_write(const char *db, int64_t seq,
			   const unsigned char mac[32], int force,
			   struct error *e)
{
	char path[AUDIT_PATH_MAX], key[AUDIT_PATH_MAX], text[160], hex[65];
	unsigned char old_mac[32];
	int64_t old;
	int fd, rc = 0, n;

	if (audit_file(db, ".head", path) || audit_file(db, ".key", key))
		return 0;
	fd = open(key, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		flock(fd, LOCK_EX);
	if (!force && head_file_read(db, &old, old_mac, e) == 1 && old >= seq)
		goto out;
	error_release(e);
	error_init(e);
	hex32(mac, hex);
	n = snprintf(text, sizeof(text), HEAD_MAGIC "\nseq %lld\nmac %s\n",
		     (long long)seq, hex);
	rc = file_put(path, text, (size_t)n, 1, 0, e);
out:
	if (fd >= 0)
		close(fd);	/* and the lock with it */
	return rc;
}

int audit_head_file_set(const char *db, int64_t seq,
			const unsigned char mac[32], struct error *e)
{
	return head_file_write(db, seq, mac, 1, e);
}

void audit_publish_head(struct store *s)
{
	struct error e;

	if (!s->head_due)
		return;
	s->head_due = 0;
	error_init(&e);
	head_file_write(s->files, s->due_seq, s->due_mac, 0, &e);
	error_release(&e);
}

/* The seal: 1 with *SEQ and MAC, 0 none, -1 with E set. */
static int seal_read(struct store *s, int64_t *seq, unsigned char mac[32],
		     struct error *e)
{
	struct db_stmt *st;
	int rc;

	if (store_stmt(s, "SELECT seq, mac FROM audit_seal", &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*seq = db_column_int64(st, 0);
		if (db_column_bytes(st, 1) == 32)
			memcpy(mac, db_column_blob(st, 1), 32);
		else
			memset(mac, 0, 32);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, e, "reading the audit seal");
	return rc == DB_ROW;
}

/* Entry SEQ's stored mac into MAC: 1, or 0 when it has none. */
static int stored_mac(struct store *s, int64_t seq, unsigned char mac[32],
		      struct error *e)
{
	struct db_stmt *st;
	int rc, found = 0;

	if (store_stmt(s, "SELECT mac FROM audit WHERE seq = ?1", &st, e))
		return -1;
	db_bind_int64(st, 1, seq);
	rc = db_step(st);
	if (rc == DB_ROW && db_column_bytes(st, 0) == 32) {
		memcpy(mac, db_column_blob(st, 0), 32);
		found = 1;
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, e, "reading the audit log");
	return found;
}

/* Before a write chains on the log: is its end the one the head file
 * names, or further on? Otherwise the log was cut or put back, and a
 * write would bury that under a head file of its own. */
static int head_file_check(struct store *s, int64_t seal_seq,
			   const unsigned char seal[32], struct error *e)
{
	unsigned char mac[32], have[32];
	int64_t seq;
	int rc = head_file_read(s->files, &seq, mac, e);

	if (rc <= 0)
		return rc;
	if (seq > s->head_seq)
		return error_set(e, ERR_TAMPER, "the audit log ends at entry "
				 "%lld but its head file %s.head names entry "
				 "%lld: entries were cut off its end or an older "
				 "copy of the database was put back; nothing was "
				 "written (see cadre audit verify; to go back to "
				 "an older copy on purpose, use cadre restore)",
				 (long long)s->head_seq, s->files, (long long)seq);
	if (seq == seal_seq)
		memcpy(have, seal, 32), rc = 1;
	else if (seq > seal_seq)
		rc = stored_mac(s, seq, have, e);
	else
		rc = 0;
	if (rc < 0)
		return -1;
	if (!rc || sodium_memcmp(have, mac, 32))
		return error_set(e, ERR_TAMPER, "audit entry %lld is not the one "
				 "the head file %s.head names: the log was "
				 "rewritten from there or the database replaced; "
				 "nothing was written (see cadre audit verify)",
				 (long long)seq, s->files);
	return 0;
}

/* Load the chain's keyed end for a write: the key, and the seal, made
 * now (in this transaction) when the log has none: trust on first use. */
static int load_mac(struct store *s, const unsigned char *md, int has_mac,
		    struct error *e)
{
	char path[AUDIT_PATH_MAX];
	unsigned char seal[32];
	int64_t seal_seq = 0;
	struct db_stmt *st;
	int rc = seal_read(s, &seal_seq, seal, e);

	if (rc < 0 || key_load(s, !rc, e))
		return -1;
	if (!rc) {
		seal_seq = s->head_seq;
		seal_mac(s->key, seal_seq, seal_seq ? md : NULL, seal);
		if (store_stmt(s, "INSERT INTO audit_seal (one, seq, mac)"
			       " VALUES (1, ?1, ?2)", &st, e))
			return -1;
		db_bind_int64(st, 1, seal_seq);
		db_bind_blob(st, 2, seal, 32);
		rc = db_step(st);
		db_reset(st);
		if (rc != DB_DONE)
			return store_fail(s, e, "sealing the audit log");
		s->head_dirty = 1;	/* a head file for the seal */
	} else if (s->key_state != KEY_LOADED) {
		audit_file(s->files, ".key", path);
		return error_set(e, ERR_IO, "the audit key %s is missing: this "
				 "database's audit log is sealed with it, and an "
				 "entry written without it could not be told from "
				 "a forged one; nothing was written. Put the key "
				 "back (a backup keeps one beside it)", path);
	}
	if (s->head_seq < seal_seq)
		return error_set(e, ERR_TAMPER, "the audit log ends at entry %lld,"
				 " before its seal at %lld: entries were cut off; "
				 "nothing was written (see cadre audit verify)",
				 (long long)s->head_seq, (long long)seal_seq);
	if (s->head_seq == seal_seq)
		memcpy(s->head_mac, seal, 32);
	else if (!has_mac)
		return error_set(e, ERR_TAMPER, "audit entry %lld, the last, has "
				 "no MAC: it was not written by cadre; nothing was "
				 "written (see cadre audit verify)",
				 (long long)s->head_seq);
	return head_file_check(s, seal_seq, seal, e);
}

static int load_head(struct store *s, struct error *e)
{
	unsigned char md[32];
	struct db_stmt *st;
	int rc, has_mac = 0;

	/* The chain's end as the log holds it (with this transaction's own
	 * entries); audit_head is written once, at commit. */
	if (store_stmt(s, "SELECT seq, hash, mac FROM audit"
		       " ORDER BY seq DESC LIMIT 1", &st, e))
		return -1;
	rc = db_step(st);
	memset(md, 0, sizeof(md));
	if (rc == DB_ROW) {
		s->head_seq = db_column_int64(st, 0);
		hash_hex(st, 1, s->head_hash);
		if (!s->head_hash[0])
			snprintf(s->head_hash, sizeof(s->head_hash), "%s", GENESIS);
		else
			memcpy(md, db_column_blob(st, 1), 32);
		if (db_column_bytes(st, 2) == 32) {
			memcpy(s->head_mac, db_column_blob(st, 2), 32);
			has_mac = 1;
		}
	} else {
		s->head_seq = 0;
		snprintf(s->head_hash, sizeof(s->head_hash), "%s", GENESIS);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, e, "reading the audit head");
	if (load_mac(s, md, has_mac, e))
		return -1;
	s->head_loaded = 1;
	return 0;
}

int audit_seal(struct store *s, struct error *e)
{
	return s->head_loaded ? 0 : load_head(s, e);
}

int audit_seal_now(struct store *s, struct error *e)
{
	unsigned char mac[32];
	int64_t seq;
	int rc;

	if (store_begin(s, e))
		return -1;
	rc = audit_tail(s, &seq, mac, e);
	if (rc == 0)
		rc = audit_seal(s, e);
	if (rc < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

int audit_tail(struct store *s, int64_t *seq, unsigned char mac[32],
	       struct error *e)
{
	unsigned char seal[32];
	int64_t seal_seq;
	struct db_stmt *st;
	int rc = seal_read(s, &seal_seq, seal, e);
	if (audit_flush(s, e))
		return -1;

	if (rc <= 0)
		return rc;
	if (store_stmt(s, "SELECT max(seq) FROM audit", &st, e))
		return -1;
	rc = db_step(st);
	*seq = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	if (rc != DB_ROW)
		return store_fail(s, e, "reading the audit log");
	if (*seq <= seal_seq) {
		*seq = seal_seq;
		memcpy(mac, seal, 32);
		return 1;
	}
	rc = stored_mac(s, *seq, mac, e);
	if (rc < 0)
		return -1;
	if (!rc)
		return error_set(e, ERR_TAMPER, "audit entry %lld has no MAC "
				 "(see cadre audit verify)", (long long)*seq);
	return 1;
}

/* The time now as the log writes it, formatted once a second; the
 * demo's clock while it is set. */
static const char *now_utc(struct store *s)
{
	time_t t = time(NULL);
	struct tm tm;

	if (s->clock[0])
		return s->clock;
	if (t != s->at_time || !s->at[0]) {
		gmtime_r(&t, &tm);
		strftime(s->at, sizeof(s->at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		s->at_time = t;
	}
	return s->at;
}

#define AUDIT_INSERT "INSERT INTO audit (seq, at, actor, action, entity, key," \
	" before, after, hash, mac) VALUES "

/* Bind row R's ten values from parameter FIRST on. */
static void bind_row(struct store *s, struct db_stmt *st, int first,
		     const struct audit_row *r)
{
	db_bind_int64(st, first, r->seq);
	for (int i = 0; i < 7; i++)
		db_bind_text(st, first + 1 + i, r->text[i] == AUDIT_NULL ? NULL :
			     s->audit_text.data + r->text[i], -1);
	db_bind_blob(st, first + 8, r->md, sizeof(r->md));
	db_bind_blob(st, first + 9, r->mac, sizeof(r->mac));
}

/* The insert of N rows, made once and kept in *ST. */
static int insert_stmt(struct store *s, size_t n, struct db_stmt **st,
		       struct error *e)
{
	struct buf sql = BUF_INIT;
	int rc;

	if (*st)
		return 0;
	buf_adds(&sql, AUDIT_INSERT);
	for (size_t i = 0; i < n; i++) {
		buf_adds(&sql, i ? ", (" : "(");
		for (size_t j = 1; j <= 10; j++)
			buf_addf(&sql, "%s?%zu", j > 1 ? ", " : "", i * 10 + j);
		buf_adds(&sql, ")");
	}
	rc = sql.failed ? -1 : db_prepare(s->db, buf_str(&sql), 1, st);
	if (sql.failed)
		error_set(e, ERR_NOMEM, "out of memory");
	else if (rc)
		store_fail(s, e, "preparing a statement");
	buf_release(&sql);
	return rc ? -1 : 0;
}

void audit_discard(struct store *s)
{
	s->audit_nrows = 0;
	s->audit_text.len = 0;
	s->audit_text.failed = 0;
}

/* An import writes an entry a row: one statement for AUDIT_BATCH of
 * them costs each a fraction of its own (a round trip each, on
 * PostgreSQL). */
int audit_flush(struct store *s, struct error *e)
{
	size_t n = s->audit_nrows;
	struct db_stmt *st;
	int rc = DB_DONE;

	if (!n)
		return 0;
	if (n == AUDIT_BATCH) {
		if (insert_stmt(s, n, &s->audit_insert_many, e)) {
			audit_discard(s);
			return -1;
		}
		st = s->audit_insert_many;
		for (size_t i = 0; i < n; i++)
			bind_row(s, st, (int)(i * 10 + 1), &s->audit_rows[i]);
		rc = db_step(st);
		db_reset(st);
	} else {
		if (insert_stmt(s, 1, &s->audit_insert, e)) {
			audit_discard(s);
			return -1;
		}
		st = s->audit_insert;
		for (size_t i = 0; i < n && rc == DB_DONE; i++) {
			bind_row(s, st, 1, &s->audit_rows[i]);
			rc = db_step(st);
			db_reset(st);
		}
	}
	audit_discard(s);
	return rc == DB_DONE ? 0 : store_fail(s, e, "writing the audit log");
}

/* TEXT into the entry's text, its offset into *AT. */
static void keep_text(struct store *s, const char *text, size_t *at)
{
	if (!text) {
		*at = AUDIT_NULL;
		return;
	}
	*at = s->audit_text.len;
	buf_add(&s->audit_text, text, strlen(text) + 1);
}

/* AT is "YYYY-MM-DDTHH:MM:SSZ" with digits where digits go. */
static int clock_shape(const char *at)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(at) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)at[i]) :
		    at[i] != shape[i])
			return 0;
	return 1;
}

int store_set_clock(struct store *s, const char *at, struct error *e)
{
	char now[21];
	time_t t = time(NULL);
	struct tm tm;
	struct db_stmt *st;
	int rc;

	if (!at) {
		s->clock[0] = '\0';
		return 0;
	}
	if (audit_flush(s, e))
		return -1;
	if (!clock_shape(at))
		return error_set(e, ERR_INPUT, "clock '%s': not "
				 "YYYY-MM-DDTHH:MM:SSZ", at);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (strcmp(at, now) > 0)
		return error_set(e, ERR_INPUT, "clock '%s': after now (%s)",
				 at, now);
	/* The entry with the largest seq, not the largest at: the order the
	 * log is read in. */
	if (store_stmt(s, "SELECT at FROM audit ORDER BY seq DESC LIMIT 1",
		       &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && strcmp(at, db_column_text(st, 0)) < 0) {
		error_set(e, ERR_INPUT, "clock '%s': before the audit log's "
			  "last entry (%s)", at, db_column_text(st, 0));
		db_reset(st);
		return -1;
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, e, "reading the audit log");
	snprintf(s->clock, sizeof(s->clock), "%s", at);
	return 0;
}

int audit_append(struct store *s, const char *action, const char *entity,
		 const char *key, const char *before, const char *after,
		 struct error *e)
{
	struct audit_entry a;
	struct audit_row *r;
	char hash[65];

	if (!s->head_loaded && load_head(s, e))
		return -1;
	if (s->audit_nrows == AUDIT_BATCH && audit_flush(s, e))
		return -1;
	r = &s->audit_rows[s->audit_nrows];
	a = (struct audit_entry){
		.seq = s->head_seq + 1, .at = now_utc(s), .actor = store_actor(s),
		.action = action, .entity = entity, .key = key,
		.before = before, .after = after, .prev_hash = s->head_hash,
	};
	if (entry_hash(&a, &s->audit_hashed, r->md, hash))
		return error_set(e, ERR_NOMEM, "out of memory");
	entry_mac(&s->mac, s->key, s->head_mac, r->md, r->mac);
	r->seq = a.seq;
	keep_text(s, a.at, &r->text[0]);
	keep_text(s, a.actor, &r->text[1]);
	keep_text(s, action, &r->text[2]);
	keep_text(s, entity, &r->text[3]);
	keep_text(s, key, &r->text[4]);
	keep_text(s, before, &r->text[5]);
	keep_text(s, after, &r->text[6]);
	if (s->audit_text.failed) {
		audit_discard(s);
		return error_set(e, ERR_NOMEM, "out of memory");
	}
	s->audit_nrows++;
	s->head_seq = a.seq;
	memcpy(s->head_hash, hash, sizeof(hash));
	memcpy(s->head_mac, r->mac, sizeof(r->mac));
	s->head_dirty = 1;
	return 0;
}

int audit_write_head(struct store *s, struct error *e)
{
	struct db_stmt *st;
	int rc;

	if (!s->head_dirty)
		return 0;
	if (audit_flush(s, e))
		return -1;
	/* After a savepoint was rolled back, the log's end may have moved. */
	if (!s->head_loaded && load_head(s, e))
		return -1;
	if (store_stmt(s, "UPDATE audit_head SET seq = ?1, hash = ?2", &st, e))
		return -1;
	db_bind_int64(st, 1, s->head_seq);
	db_bind_text(st, 2, s->head_hash, -1);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE)
		return store_fail(s, e, "writing the audit head");
	s->head_dirty = 0;
	s->head_due = 1;	/* for the head file, once committed */
	s->due_seq = s->head_seq;
	memcpy(s->due_mac, s->head_mac, sizeof(s->due_mac));
	return 0;
}

static const char *text(struct db_stmt *st, int col)
{
	return db_column_text(st, col);
}

/* The entry of the current row; its hash in hex into HASH (the row's
 * text stays the statement's until the next step). prev_hash is NULL:
 * it is the hash of the entry before. */
static void row_entry(struct db_stmt *st, struct audit_entry *a, char hash[65])
{
	a->seq = db_column_int64(st, 0);
	a->at = text(st, 1);
	a->actor = text(st, 2);
	a->action = text(st, 3);
	a->entity = text(st, 4);
	a->key = text(st, 5);
	a->before = text(st, 6);
	a->after = text(st, 7);
	hash_hex(st, 8, hash);
	a->hash = hash;
	a->prev_hash = NULL;
}

#define AUDIT_COLUMNS "seq, at, actor, action, entity, key, before, after, hash"

/* Append to B the condition that WHO may see the record the entry
 * describes, as it was before (X "before") or after the change. */
static void seen_in(struct buf *b, const struct principal *who, const char *x)
{
	char cls[64], rel[64], nation[64], person[64], pre[64];
	struct access_cols c = { cls, rel, nation, person, "entity", pre, "')" };

	snprintf(cls, sizeof(cls), "json_extract(%s, '$.classification')", x);
	snprintf(rel, sizeof(rel), "json_extract(%s, '$.releasability')", x);
	snprintf(nation, sizeof(nation), "json_extract(%s, '$.nation')", x);
	snprintf(person, sizeof(person), "json_extract(%s, '$.person')", x);
	snprintf(pre, sizeof(pre), "json_extract(%s, '$.", x);
	buf_addf(b, " AND (%s IS NULL OR (TRUE", x);
	access_clause_cols(b, who, NULL, &c);
	buf_adds(b, "))");
}

/* An entry exists for WHO only when WHO may see its record in both its
 * before and its after markings. Accounts and tokens are not records and
 * carry no markings: their entries are for whoever may read the log. */
static void entry_visible(struct buf *b, const struct principal *who)
{
	if (!who || who->system)
		return;
	buf_adds(b, " AND (entity IN ('account', 'token') OR (TRUE");
	seen_in(b, who, "before");
	seen_in(b, who, "after");
	buf_adds(b, "))");
}

/* JSON, an entry's record of table ENTITY, with its references (other
 * than its key's) to records WHO may not see left out: *OUT is the new
 * text, or NULL when nothing changed. 0, or -1 with E set. */
static int masked_json(struct store *s, const struct principal *who,
		       const char *entity, const char *json, char **out,
		       struct error *e)
{
	const struct kind *k = entity ? kind_find(entity) : NULL;
	json_t *o;
	int changed = 0, ret = -1;

	*out = NULL;
	if (!k || !json || !(o = json_loads(json, 0, NULL)))
		return 0;
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		const char *v = json_string_value(json_object_get(o, f->name));
		const struct kind *ref;
		char *copy;

		if (!v || !f->ref || (f->flags & FF_KEY) ||
		    (f->type != FT_REF && f->type != FT_LIST) ||
		    !(ref = kind_find(f->ref)))
			continue;
		if (!(copy = strdup(v))) {
			error_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (rows_mask_list(s, who, ref, &copy, e)) {
			free(copy);
			goto out;
		}
		if (!copy || strcmp(copy, v)) {
			json_object_set_new(o, f->name, copy ? json_string(copy) :
					    json_null());
			changed = 1;
		}
		free(copy);
	}
	if (changed && !(*out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = 0;
out:
	json_decref(o);
	return ret;
}

int audit_each(struct store *s, const struct principal *who,
	       const struct audit_filter *f, audit_fn fn, void *arg,
	       struct error *e)
{
	struct buf b = BUF_INIT;
	struct db_stmt *st = NULL;
	int rc, ret = -1;
	if (audit_flush(s, e))
		return -1;

	store_forget_seen(s);
	buf_adds(&b, "SELECT " AUDIT_COLUMNS " FROM audit WHERE TRUE");
	entry_visible(&b, who);
	if (f->entity)
		buf_adds(&b, " AND entity = ?1");
	if (f->key)
		buf_adds(&b, " AND key = ?2");
	if (f->actor)
		buf_adds(&b, " AND actor = ?3");
	if (f->since)
		buf_adds(&b, " AND at >= ?4");
	if (f->until)
		buf_adds(&b, " AND at < ?5");
	buf_adds(&b, " ORDER BY seq");
	if (f->limit > 0)
		buf_addf(&b, " LIMIT %ld", f->limit);
	if (b.failed) {
		error_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_prepare(s->db, buf_str(&b), 0, &st)) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	db_bind_text(st, 1, f->entity, -1);
	db_bind_text(st, 2, f->key, -1);
	db_bind_text(st, 3, f->actor, -1);
	db_bind_text(st, 4, f->since, -1);
	db_bind_text(st, 5, f->until, -1);
	while ((rc = db_step(st)) == DB_ROW) {
		struct audit_entry a;
		char hash[65];

		char *before = NULL, *after = NULL;

		row_entry(st, &a, hash);
		/* The entry as its reader may read its record: references to
		 * records they may not see left out, as store_each() does. */
		if (who && !who->system &&
		    (masked_json(s, who, a.entity, a.before, &before, e) ||
		     masked_json(s, who, a.entity, a.after, &after, e))) {
			free(before);
			goto out;
		}
		if (before)
			a.before = before;
		if (after)
			a.after = after;
		ret = fn(arg, &a);
		free(before);
		free(after);
		if (ret)
			goto out;
	}
	if (rc != DB_DONE) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	ret = 0;
out:
	db_finalize(st);
	buf_release(&b);
	return ret;
}

static int tamper(struct error *e, int64_t *broken, int64_t seq,
		  const char *what)
{
	*broken = seq;	/* the entries before it verified */
	error_set(e, ERR_TAMPER, "entry %lld %s", (long long)seq, what);
	return -1;
}

/* The keyed half of the walk, entry by entry. */
struct mac_walk {
	int sealed, keyed;		/* a seal; the key to check it with */
	int64_t seal_seq;
	unsigned char seal[32], key[32];
	unsigned char prev[32];		/* the mac the next entry chains from */
	int64_t file_seq;		/* the entry the head file names, or -1 */
	unsigned char file_mac[32];
	int file_seen;			/* that entry was met and matched */
	struct mac_key mac;		/* entry_mac()'s start for key */
};

/* Entry A (hash MD, stored mac MAC of LEN bytes) against the seal and
 * its mac. 0, or -1 with E set (ERR_TAMPER). */
static int walk_mac(struct mac_walk *w, const struct audit_entry *a,
		    const unsigned char md[32], const unsigned char *mac,
		    int len, int64_t *broken, struct error *e)
{
	unsigned char want[32];

	if (!w->sealed) {
		if (mac)
			return tamper(e, broken, a->seq, "has a MAC but the log "
				      "has no seal: the seal was removed");
		return 0;
	}
	if (a->seq < w->seal_seq)
		return 0;	/* before the seal: the hash chain answers for it */
	if (a->seq == w->seal_seq) {
		if (w->keyed) {
			seal_mac(w->key, a->seq, md, want);
			if (sodium_memcmp(want, w->seal, 32))
				return tamper(e, broken, a->seq, "does not match "
					      "the seal over the log up to it: the "
					      "log was rewritten up to there, or the "
					      "seal was forged");
		}
		memcpy(w->prev, w->seal, 32);
	} else {
		if (len != 32)
			return tamper(e, broken, a->seq, "has no MAC: it was "
				      "written by someone without the audit key");
		if (w->keyed) {
			entry_mac(&w->mac, w->key, w->prev, md, want);
			if (sodium_memcmp(want, mac, 32))
				return tamper(e, broken, a->seq, "does not match "
					      "its MAC: it was forged or altered by "
					      "someone without the audit key (its "
					      "hash chain is intact)");
		}
		memcpy(w->prev, mac, 32);
	}
	if (a->seq == w->file_seq) {
		if (sodium_memcmp(w->prev, w->file_mac, 32))
			return tamper(e, broken, a->seq, "is not the entry the "
				      "head file names: the log was rewritten "
				      "from there, or the database replaced");
		w->file_seen = 1;
	}
	return 0;
}

/* Set W up: the seal, the key (never created here), the head file. */
static int walk_start(struct store *s, struct mac_walk *w, struct error *e)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->file_seq = -1;
	rc = seal_read(s, &w->seal_seq, w->seal, e);
	if (rc < 0 || key_load(s, 0, e))
		return -1;
	w->sealed = rc;
	if (s->key_state == KEY_LOADED) {
		w->keyed = 1;
		memcpy(w->key, s->key, 32);
	}
	rc = head_file_read(s->files, &w->file_seq, w->file_mac, e);
	if (rc < 0)
		return -1;
	if (!rc)
		w->file_seq = -1;
	return 0;
}

/* The walk's end: the log reaches its seal and the head file's entry. */
static int walk_end(struct store *s, struct mac_walk *w, struct audit_report *r,
		    struct error *e)
{
	int64_t last = r->entries;
	char path[AUDIT_PATH_MAX];

	if (w->sealed && last < w->seal_seq)
		return tamper(e, &r->broken, last + 1, "is missing: the log ends "
			      "before its seal, so entries were cut off its end");
	if (!w->sealed)
		return 0;
	r->seal_seq = w->seal_seq;
	r->keyed = w->keyed ? AUDIT_MACS_VERIFIED : AUDIT_NO_KEY;
	if (w->file_seq < 0) {
		audit_file(s->files, ".head", path);
		*path = *path ? *path : '?';
		r->broken = last + 1;
		return error_set(e, ERR_TAMPER, "the head file %s is missing: "
				 "whether entries were cut off the end of the log "
				 "cannot be checked (%lld entries verified; the "
				 "next write writes it again)", path,
				 (long long)last);
	}
	if (w->file_seq > last)
		return tamper(e, &r->broken, last + 1, "is missing: the head file "
			      "names a later entry, so entries were cut off the "
			      "end of the log or an older copy of the database "
			      "was put back");
	if (!w->file_seen)
		return tamper(e, &r->broken, w->file_seq, "is not the entry the "
			      "head file names: the log was rewritten from "
			      "there, or the database replaced");
	r->head_file_seq = w->file_seq;
	r->head_file = w->file_seq == last ? HEAD_FILE_AT_END : HEAD_FILE_BEHIND;
	return 0;
}

int audit_check(struct store *s, struct audit_report *r, struct error *e)
{
	struct db_stmt *st = NULL;
	struct buf hashed = BUF_INIT;
	struct mac_walk w;
	char prev[65], hash[65];
	unsigned char md[32];
	int64_t expect = 1, head_seq;
	int rc, ret = -1;
	if (audit_flush(s, e))
		return -1;

	memset(r, 0, sizeof(*r));
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	if (walk_start(s, &w, e)) {
		if (e->code == ERR_TAMPER)
			r->broken = 1;
		goto out;
	}
	if (w.sealed && w.seal_seq == 0) {	/* sealed empty: entry "0" */
		struct audit_entry none = { .seq = 0 };

		if (walk_mac(&w, &none, NULL, NULL, 0, &r->broken, e))
			goto out;
	}
	if (db_prepare(s->db, "SELECT " AUDIT_COLUMNS ", mac"
			       " FROM audit ORDER BY seq", 0, &st)) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		struct audit_entry a;
		char stored[65];

		row_entry(st, &a, stored);
		r->entries = expect - 1;
		if (a.seq != expect) {
			tamper(e, &r->broken, expect, "is missing or out of order: "
			       "the log was cut, reordered or added to");
			goto out;
		}
		/* Each hash is over the one before: an entry removed, added
		 * or moved breaks the next one as an edit breaks its own. */
		a.prev_hash = prev;
		if (entry_hash(&a, &hashed, md, hash)) {
			error_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (strcmp(a.hash, hash)) {	/* "" when not 32 bytes */
			tamper(e, &r->broken, a.seq, "does not match its hash: it "
			       "was altered, or the entry before it was "
			       "removed, inserted or moved");
			goto out;
		}
		if (walk_mac(&w, &a, md, db_column_blob(st, 9),
			     db_column_bytes(st, 9), &r->broken, e))
			goto out;
		memcpy(prev, hash, sizeof(prev));
		expect++;
	}
	if (rc != DB_DONE) {
		store_fail(s, e, "reading the audit log");
		goto out;
	}
	db_finalize(st);
	st = NULL;
	r->entries = expect - 1;
	{
		/* The recorded head, not the log's end. */
		struct db_stmt *h;
		const char *hh;

		if (db_prepare(s->db, "SELECT seq, hash FROM audit_head", 0, &h)) {
			store_fail(s, e, "reading the audit head");
			goto out;
		}
		head_seq = 0;
		snprintf(s->head_hash, sizeof(s->head_hash), "%s", GENESIS);
		if (db_step(h) == DB_ROW) {
			head_seq = db_column_int64(h, 0);
			hh = db_column_text(h, 1);
			snprintf(s->head_hash, sizeof(s->head_hash), "%s",
				 hh && *hh ? (const char *)hh : GENESIS);
		}
		db_finalize(h);
		s->head_loaded = 0;
	}
	if (head_seq != expect - 1 ||
	    (head_seq && strcmp(s->head_hash, prev))) {
		tamper(e, &r->broken, expect, "is missing: the log ends before "
		       "its recorded head, so entries were removed from the "
		       "end (or the head was altered)");
		goto out;
	}
	memcpy(r->head, prev, 65);
	if (walk_end(s, &w, r, e))
		goto out;
	ret = 0;
out:
	sodium_memzero(&w, sizeof(w));
	db_finalize(st);
	buf_release(&hashed);
	return ret;
}

int audit_verify(struct store *s, int64_t *count, int64_t *broken,
		 char head[65], struct error *e)
{
	struct audit_report r;
	char path[AUDIT_PATH_MAX];
	int rc = audit_check(s, &r, e);

	*count = r.entries;
	*broken = r.broken;
	if (rc)
		return rc;
	memcpy(head, r.head, 65);
	if (r.keyed == AUDIT_NO_KEY) {
		audit_file(s->files, ".key", path);
		return error_set(e, ERR_IO, "the audit key %s is missing: the "
				 "hash chain and the head file were checked, the "
				 "MACs were not", path);
	}
	return 0;
}
