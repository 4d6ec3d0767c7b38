/* Internals shared by the HTTP server's files; not for other layers. */
#ifndef CADRE_HTTP_INT_H
#define CADRE_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
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

struct server_state {
	struct store *store;
	pthread_mutex_t db;		/* one request at a time on the store */
	pthread_mutex_t lock;		/* sessions and failures */
	struct session sessions[SESSIONS_MAX];
	struct failure fails[256];
	int access_log;			/* JSON lines on standard error */
	int tls;			/* cookies are Secure */
	int no_cache;			/* keep no answers */
	long session_idle;		/* seconds */
};

extern struct server_state srv;

struct req {
	struct server_state *srv;	/* the server's state: store, sessions */
	struct MHD_Connection *conn;
	const char *method, *url;
	struct buf body;
	int too_big;
	struct principal who;
	int authed;
	int by_cookie;
	struct session *session;	/* when by cookie (copy below) */
	char csrf[48];
	const char *etag;	/* set on the reply when not NULL */
	char location[256];	/* a created record's path, or "" */
	unsigned status;	/* of the reply */
	char route[96];		/* the route's pattern, for metrics */
	double started;		/* seconds, monotonic */
	char *cache_key;	/* a GET's answer may be kept under it */
};

/* Reply with J (released) as JSON, or TYPE; COOKIE and ALLOW optional. */
enum MHD_Result send_json(struct req *r, unsigned status, json_t *j,
			  const char *type, const char *cookie,
			  const char *allow);
/* RFC 9457 problem details; RULE for a mission rule's refusal. */
enum MHD_Result problem(struct req *r, unsigned status, const char *title,
			const char *detail, const char *rule);
/* The problem for an error value (404, 409, 422, 400, 500). */
enum MHD_Result error_reply(struct req *r, struct error *e);
/* 405 with Allow. */
enum MHD_Result not_allowed(struct req *r, const char *allow);
const char *arg(struct req *r, const char *name);
int valid_date(const char *s, char out[11]);

struct web_file;
/* The web interface's file at URL ("/" is index.html); NULL when none. */
const struct web_file *ui_find(const char *url);
enum MHD_Result h_ui(struct req *r, const struct web_file *f);
/* GET /api/v1/kinds: the catalogue, with what the caller may write. */
enum MHD_Result h_kinds(struct req *r, const char *tail);

/* Actions, reports and the audit log (actions.c). */
enum MHD_Result h_audit(struct req *r, const char *tail);
enum MHD_Result h_action(struct req *r, const char *name);
enum MHD_Result h_report(struct req *r, const char *name);
enum MHD_Result h_calendar(struct req *r, const char *what, const char *key);

/* Resources of every kind: GET, POST, PATCH, DELETE (records.c). */
enum MHD_Result h_records(struct req *r, const struct kind *k,
			  const char *key);

#endif
