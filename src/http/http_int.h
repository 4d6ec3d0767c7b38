/*
 * Internals shared by the HTTP server's files; not for other layers.
 *
 *   daemon.c   server_run, libmicrohttpd, a request's life, the replies
 *   route.c    the route table, parameters checked at the door, OpenAPI
 *   auth.c     callers: bearer tokens, cookie sessions, CSRF, logins
 *   cache.c    the answer cache
 *   metrics.c  counters and latencies, /metrics
 *   records.c, actions.c, ui.c   the handlers
 *
 * The server's state is one struct server_state, made by server_run and
 * reached through each request (r->srv); there is no global.
 */
#ifndef CADRE_HTTP_INT_H
#define CADRE_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "model/kind.h"
#include "store/access.h"
#include "store/store.h"
#include "util/buf.h"

#define BODY_MAX (1 << 20)		/* request bodies: 1 MiB */
#define SESSIONS_MAX 4096
#define SESSION_IDLE (30 * 60)		/* seconds */
#define SESSION_ABSOLUTE (12 * 3600)
#define FAILS_MAX 5			/* failed logins before a pause */
#define FAILS_WINDOW (15 * 60)
#define LIST_LIMIT_MAX 10000
#define QUERY_MAX 64			/* query parameters in one request */
#define COOKIE "cadre_session"

struct session {
	char id_hash[65];	/* BLAKE2b of the cookie: the cookie is not kept */
	char login[64];
	char csrf[48];
	time_t created, last;
};

struct failure {
	char key[96];		/* "login:x" or "addr:1.2.3.4" */
	int count;
	time_t first;
};

struct answer_cache;
struct metrics;
struct hasher;
struct login_check;

/* A connection as the server counts it (daemon.c): libmicrohttpd times
 * out only idle connections, so the server keeps its own deadline for a
 * request to arrive whole. */
struct conn_slot {
	int fd;			/* -1: a free slot */
	int waiting;		/* for its next request to arrive whole */
	double since;		/* monotonic seconds: when it began waiting */
};

struct server_state {
	struct store *store;		/* the writer: every request but a read's */
	int held;			/* store_hold()'s descriptor, or -1 */
	int read_only;			/* serve --read-only */
	atomic_int draining;		/* stopping: nothing new begins */
	pthread_mutex_t db;		/* one request at a time on the store */
	/* The readers (--readers): each GET and HEAD takes a free one for
	 * its life, beside the writer; none, and every request is the
	 * writer's. The free ones are readers[0 .. nfree). */
	struct store **readers;
	size_t nreaders, nfree;
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_free;
	pthread_mutex_t gate;		/* one write at a time waits for SQLite's lock */
	pthread_mutex_t lock;		/* sessions and failures */
	/* libmicrohttpd's own messages, at most SERVE_LOG_BURST a second */
	pthread_mutex_t log_lock;
	long log_second, log_shown, log_dropped;
	struct session sessions[SESSIONS_MAX];
	struct failure fails[256];
	struct answer_cache *cache;	/* NULL: keep no answers */
	struct metrics *metrics;
	int access_log;			/* JSON lines on standard error */
	int tls;			/* cookies are Secure */
	long session_idle;		/* seconds */
	struct hasher *hasher;		/* password checks, outside db (auth.c) */
	pthread_mutex_t conns_lock;	/* the table below */
	struct conn_slot *conns;
	size_t nconns;
	double request_timeout;		/* seconds */
};

/* A query parameter as checked at the door (route.c): declared by the
 * route, or a field or derived name of the kind of a list. VALUE points
 * into the connection, or into NORM for a date or boolean written in its
 * one canonical form. */
struct qparam {
	const char *name;
	const char *value;
	int filter;		/* a kind's field, derived name or key */
	char norm[21];		/* a date's or a moment's one form */
};

struct req {
	struct server_state *srv;	/* the server's state: store, sessions */
	/* The connection this request reads and writes through: the writer
	 * (under srv->db), or for a GET a reader in a read transaction. */
	struct store *db;
	struct MHD_Connection *conn;
	const char *method, *url;
	struct buf body;
	int too_big;
	struct principal who;
	int authed;
	int by_cookie;
	int feed_only;	/* a calendar token: the calendar feeds, nothing else */
	char csrf[48];
	const char *etag;	/* set on the reply when not NULL */
	char location[256];	/* a created record's path, or "" */
	unsigned status;	/* of the reply */
	char route[96];		/* the route's pattern, for metrics */
	double started;		/* seconds, monotonic */
	char *cache_key;	/* a GET's answer may be kept under it */
	unsigned long cache_gen;	/* the cache's generation before it read */
	struct qparam query[QUERY_MAX];	/* checked before the handler runs */
	size_t nquery;
	struct login_check *login;	/* a login's password check (auth.c) */
	int parked;	/* suspended until then: answered later, not now */
};

/*==== Replies (daemon.c) ===============================================*/

/* Reply with J (released) as JSON, or TYPE; COOKIE and ALLOW optional. */
enum MHD_Result send_json(struct req *r, unsigned status, json_t *j,
			  const char *type, const char *cookie,
			  const char *allow);
/* Reply with BODY, LEN bytes from malloc() (released), as send_json. */
enum MHD_Result send_body(struct req *r, unsigned status, char *body,
			  size_t len, const char *type, const char *cookie,
			  const char *allow);
/* RFC 9457 problem details; RULE for a mission rule's refusal. */
enum MHD_Result problem(struct req *r, unsigned status, const char *title,
			const char *detail, const char *rule);
/* The problem for an error value (404, 409, 422, 400, 500). */
enum MHD_Result error_reply(struct req *r, struct error *e);
/* 405 with Allow. */
enum MHD_Result not_allowed(struct req *r, const char *allow);

/*==== Routes and parameters (route.c) ==================================*/

/* The value of query parameter NAME as checked at the door (a date in
 * YYYY-MM-DD form, a boolean as yes or no), or NULL when not given. Only
 * parameters the route declares reach a handler. */
const char *arg(struct req *r, const char *name);
/* Parameter NAME as a number (checked against its bounds), or DEF. */
long arg_long(struct req *r, const char *name, long def);
int valid_date(const char *s, char out[11]);
/* Route R to its handler, once its caller is known (auth_identify). */
enum MHD_Result route_dispatch(struct req *r);

/*==== Callers (auth.c) =================================================*/

/* Who is calling: a bearer token or a session cookie; sets r->who and
 * r->authed. 1, 0 nobody (or a disabled account, a revoked token). */
int auth_identify(struct req *r);
/* A resource that needs a caller: 401 without one, 403 for a change made
 * with a browser session's cookie but not its CSRF token. 1 when refused,
 * with the reply in *RET. */
int auth_refused(struct req *r, enum MHD_Result *ret);
/* Where the calendar feeds are: a calendar token may come as ?token=. */
#define CALENDAR_PREFIX "/api/v1/calendar/"
/* Start the threads that check passwords for logins; 0, -1 (ERR_NOMEM). */
int auth_start(struct server_state *srv, struct error *e);
/* Finish the checks queued (their connections resumed) and stop them.
 * Before MHD_stop_daemon: it refuses suspended connections. NULL-safe. */
void auth_stop(struct server_state *srv);
/* Release what a request's login holds (its password, zeroed). */
void auth_release(struct req *r);
/* POST /api/v1/auth/login, in two calls: the first reads the hash and
 * parks the request (r->parked) while a password thread checks it,
 * outside the database lock; the second, once libmicrohttpd calls again,
 * checks the account again and answers. */
enum MHD_Result h_login(struct req *r, const char *tail);
enum MHD_Result h_logout(struct req *r, const char *tail);
enum MHD_Result h_me(struct req *r, const char *tail);
enum MHD_Result h_feed(struct req *r, const char *tail);

/*==== The answer cache (cache.c) =======================================*/

struct answer_cache *cache_new(void);
void cache_free(struct answer_cache *c);
/* The key of R's answer: its caller's principal and the URL with its
 * query. A new string, or NULL when out of memory. */
char *cache_key(struct req *r);
/* Answer R from C under KEY: 1 when answered. */
int cache_send(struct answer_cache *c, struct req *r, const char *key);
/* The generation of C's answers: taken before a request reads, so that
 * an answer read before a change, and put after it, is not kept. */
unsigned long cache_gen(struct answer_cache *c);
/* Keep BODY under KEY, as read at generation GEN (cache_gen()). */
void cache_put(struct answer_cache *c, const char *key, const char *body,
	       size_t len, const char *etag, unsigned long gen);
/* Any change through this server: every kept answer is stale. */
void cache_drop(struct answer_cache *c);

/*==== Metrics (metrics.c) ==============================================*/

struct metrics *metrics_new(const char *db_path);
void metrics_free(struct metrics *m);
void metrics_add(struct metrics *m, const char *route, unsigned status,
		 double secs);
double monotonic(void);
enum MHD_Result h_metrics(struct req *r, const char *tail);

/*==== Handlers =========================================================*/

struct web_file;
/* The web interface's file at URL ("/" is index.html); NULL when none. */
const struct web_file *ui_find(const char *url);
enum MHD_Result h_ui(struct req *r, const struct web_file *f);
/* GET /api/v1/kinds: the catalogue, with what the caller may write. */
enum MHD_Result h_kinds(struct req *r, const char *tail);

/* Status, actions, reports and the audit log (actions.c). */
enum MHD_Result h_status(struct req *r, const char *tail);
enum MHD_Result h_audit(struct req *r, const char *tail);
enum MHD_Result h_check(struct req *r, const char *tail);
enum MHD_Result h_conflicts(struct req *r, const char *tail);
enum MHD_Result h_due(struct req *r, const char *tail);
enum MHD_Result h_action(struct req *r, const char *name);
enum MHD_Result h_report(struct req *r, const char *name);
enum MHD_Result h_calendar(struct req *r, const char *what, const char *key);

/* Resources of every kind: GET, POST, PATCH, DELETE (records.c). */
enum MHD_Result h_records(struct req *r, const struct kind *k,
			  const char *key);

#endif
