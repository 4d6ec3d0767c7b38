/* `cadre serve`: the JSON API over libmicrohttpd; see server.h. */
#include "http/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/account.h"
#include "core/policy.h"
#include "model/kind.h"
#include "core/status.h"
#include "store/access.h"
#include "util/buf.h"
#include "util/date.h"
#include "http/http_int.h"


/*==== Server state =====================================================*/

/*==== Metrics ==========================================================*/

static const double buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
				  1, 2.5, 5 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static struct {
	pthread_mutex_t lock;
	struct counter {
		char route[96];
		unsigned status;
		unsigned long n;
	} counters[256];
	size_t ncounters;
	unsigned long hist[NBUCKETS + 1];
	double sum;
	unsigned long count;
	const char *db_path;
} metrics = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void metrics_add(const char *route, unsigned status, double secs)
{
	size_t i;

	pthread_mutex_lock(&metrics.lock);
	for (i = 0; i < metrics.ncounters; i++)
		if (metrics.counters[i].status == status &&
		    !strcmp(metrics.counters[i].route, route))
			break;
	if (i == metrics.ncounters && i < 256) {
		snprintf(metrics.counters[i].route, 96, "%s", route);
		metrics.counters[i].status = status;
		metrics.ncounters++;
	}
	if (i < 256)
		metrics.counters[i].n++;
	for (i = 0; i < NBUCKETS && secs > buckets[i]; i++)
		;
	metrics.hist[i]++;
	metrics.sum += secs;
	metrics.count++;
	pthread_mutex_unlock(&metrics.lock);
}

/* Prometheus text exposition format. */
static enum MHD_Result h_metrics(struct req *r, const char *tail)
{
	struct buf b = BUF_INIT;
	struct MHD_Response *resp;
	struct stat st;
	unsigned long cum = 0;
	enum MHD_Result ret;
	size_t len;
	char *body;

	(void)tail;
	pthread_mutex_lock(&metrics.lock);
	buf_adds(&b, "# HELP cadre_http_requests_total Requests by route and status.\n"
		 "# TYPE cadre_http_requests_total counter\n");
	for (size_t i = 0; i < metrics.ncounters; i++)
		buf_addf(&b, "cadre_http_requests_total{route=\"%s\",status=\"%u\"} %lu\n",
			 metrics.counters[i].route, metrics.counters[i].status,
			 metrics.counters[i].n);
	buf_adds(&b, "# HELP cadre_http_request_seconds Request latency.\n"
		 "# TYPE cadre_http_request_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += metrics.hist[i];
		buf_addf(&b, "cadre_http_request_seconds_bucket{le=\"%g\"} %lu\n",
			 buckets[i], cum);
	}
	buf_addf(&b, "cadre_http_request_seconds_bucket{le=\"+Inf\"} %lu\n"
		 "cadre_http_request_seconds_sum %.6f\n"
		 "cadre_http_request_seconds_count %lu\n",
		 metrics.count, metrics.sum, metrics.count);
	pthread_mutex_unlock(&metrics.lock);
	buf_addf(&b, "# HELP cadre_database_bytes Size of the database file.\n"
		 "# TYPE cadre_database_bytes gauge\n"
		 "cadre_database_bytes %lld\n",
		 metrics.db_path && !stat(metrics.db_path, &st) ?
		 (long long)st.st_size : 0LL);
	len = b.len;	/* before buf_detach empties it */
	body = buf_detach(&b);
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type",
				"text/plain; version=0.0.4; charset=utf-8");
	r->status = 200;
	ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* One JSON line per request on standard error. */
static void access_log(const struct req *r, double secs)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:f, s:s?}",
			      "ts", (json_int_t)time(NULL), "method", r->method,
			      "route", r->route, "status", (int)r->status,
			      "ms", secs * 1000, "login",
			      r->authed ? r->who.login : NULL);
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(4)) : NULL;

	if (line)
		fprintf(stderr, "%s\n", line);
	free(line);
	json_decref(o);
}

/*==== Response cache ===================================================*/

/* Mission data is read far more than written: a GET's 200 answer is kept
 * for the same caller and URL for at most CACHE_TTL seconds, and dropped
 * at once by any change made through this server. A change made by
 * another process (the command line) is seen within CACHE_TTL. */
#define CACHE_SLOTS 256
#define CACHE_TTL 1.0
#define CACHE_BODY_MAX (256 * 1024)

static struct {
	pthread_mutex_t lock;
	struct centry {
		char *key;
		char *body;
		size_t len;
		char etag[24];
		double at;
		unsigned long gen;
		int refreshing;		/* one caller rebuilds; others get it */
	} e[CACHE_SLOTS];
	size_t next;
	unsigned long gen;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double monotonic(void);

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *k, const char *v)
{
	(void)kind;
	buf_addf(cls, "&%s=%s", k, v ? v : "");
	return MHD_YES;
}

/* The caller and the full URL: who asks decides what the answer holds. */
static char *cache_key(struct req *r)
{
	struct buf b = BUF_INIT;
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							"Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
							 COOKIE);

	buf_addf(&b, "%s?", r->url);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &b);
	buf_addf(&b, "|%s|%s", authz ? authz : "", cookie ? cookie : "");
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static int cache_send(struct req *r, const char *key)
{
	double now = monotonic();
	struct MHD_Response *resp = NULL;
	char etag[24] = "";

	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct centry *c = &cache.e[i];

		if (!c->key || strcmp(c->key, key) || c->gen != cache.gen)
			continue;
		/* Fresh; or being rebuilt by another caller and not too old:
		 * a burst of callers does not queue up behind one rebuild. */
		if (now - c->at < CACHE_TTL ||
		    (c->refreshing && now - c->at < 2 * CACHE_TTL)) {
			resp = MHD_create_response_from_buffer(c->len, c->body,
							       MHD_RESPMEM_MUST_COPY);
			snprintf(etag, sizeof(etag), "%s", c->etag);
		} else {
			c->refreshing = 1;	/* this caller rebuilds it */
		}
		break;
	}
	pthread_mutex_unlock(&cache.lock);
	if (!resp)
		return 0;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (etag[0])
		MHD_add_response_header(resp, "ETag", etag);
	r->status = 200;
	snprintf(r->route, sizeof(r->route), "cached");
	MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return 1;
}

static void cache_put(const char *key, const char *body, size_t len,
		      const char *etag)
{
	struct centry *c;

	if (len > CACHE_BODY_MAX)
		return;
	pthread_mutex_lock(&cache.lock);
	c = NULL;
	for (size_t i = 0; i < CACHE_SLOTS && !c; i++)
		if (cache.e[i].key && !strcmp(cache.e[i].key, key))
			c = &cache.e[i];
	if (!c)
		c = &cache.e[cache.next++ % CACHE_SLOTS];
	c->refreshing = 0;
	free(c->key);
	free(c->body);
	c->key = strdup(key);
	c->body = malloc(len ? len : 1);
	if (c->key && c->body) {
		memcpy(c->body, body, len);
		c->len = len;
		snprintf(c->etag, sizeof(c->etag), "%s", etag ? etag : "");
		c->at = monotonic();
		c->gen = cache.gen;
	} else {
		free(c->key);
		free(c->body);
		c->key = c->body = NULL;
	}
	pthread_mutex_unlock(&cache.lock);
}

/* Any change through this server: every kept answer is stale. */
static void cache_drop(void)
{
	pthread_mutex_lock(&cache.lock);
	cache.gen++;
	pthread_mutex_unlock(&cache.lock);
}

struct server_state srv = {
	.db = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};


/*==== Requests and replies =============================================*/



enum MHD_Result send_json(struct req *r, unsigned status, json_t *j,
				 const char *type, const char *cookie,
				 const char *allow)
{
	char *body = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
				JSON_REAL_PRECISION(15));
	struct MHD_Response *resp;
	enum MHD_Result ret;

	json_decref(j);
	if (!body)
		body = strdup("{}");
	resp = MHD_create_response_from_buffer(strlen(body), body,
					       MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", type ? type :
				"application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	if (allow)
		MHD_add_response_header(resp, "Allow", allow);
	if (r->etag)
		MHD_add_response_header(resp, "ETag", r->etag);
	if (r->location[0])
		MHD_add_response_header(resp, "Location", r->location);
	r->status = status;
	if (r->cache_key && status == 200)
		cache_put(r->cache_key, body, strlen(body), r->etag);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* RFC 9457 problem details; RULE for a mission rule's refusal. */
enum MHD_Result problem(struct req *r, unsigned status,
			       const char *title, const char *detail,
			       const char *rule)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s?, s:s}",
			      "type", "about:blank", "title", title,
			      "status", status, "detail", detail,
			      "instance", r->url);

	if (rule)
		json_object_set_new(p, "rule", json_string(rule));
	return send_json(r, status, p, "application/problem+json", NULL, NULL);
}

enum MHD_Result error_reply(struct req *r, struct error *e)
{
	unsigned status;
	const char *title;

	switch (e->code) {
	case ERR_NOTFOUND: status = 404; title = "Not Found"; break;
	case ERR_FORBIDDEN: status = 403; title = "Forbidden"; break;
	case ERR_INPUT: status = 422; title = "Unprocessable Content"; break;
	case ERR_RULE: status = 409; title = "Refused by a mission rule"; break;
	case ERR_CONFLICT: status = 409; title = "Conflict"; break;
	case ERR_USAGE: status = 400; title = "Bad Request"; break;
	default: status = 500; title = "Internal Server Error"; break;
	}
	return problem(r, status, title, status == 500 ? "the server failed" :
		       e->message ? e->message : title, e->rule);
}

enum MHD_Result not_allowed(struct req *r, const char *allow)
{
	return send_json(r, 405, json_pack("{s:s, s:s, s:i}", "type",
		"about:blank", "title", "Method Not Allowed", "status", 405),
		"application/problem+json", NULL, allow);
}

const char *arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/*==== Callers ==========================================================*/

static void id_hash(const char *id, char out[65])
{
	unsigned char md[32];

	crypto_generichash(md, sizeof(md), (const unsigned char *)id, strlen(id),
			   NULL, 0);
	sodium_bin2hex(out, 65, md, sizeof(md));
}

/* The session of a cookie value, still fresh; copies it into OUT. */
static int session_find(const char *cookie, struct session *out)
{
	char h[65];
	time_t now = time(NULL);
	int found = 0;

	id_hash(cookie, h);
	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &srv.sessions[i];

		if (!s->login[0] || strcmp(s->id_hash, h))
			continue;
		if (now - s->last > srv.session_idle ||
		    now - s->created > SESSION_ABSOLUTE) {
			memset(s, 0, sizeof(*s));
			break;
		}
		s->last = now;
		*out = *s;
		found = 1;
		break;
	}
	pthread_mutex_unlock(&srv.lock);
	return found;
}

static int session_new(const char *login, char cookie[64], char csrf[48])
{
	unsigned char raw[32];
	time_t now = time(NULL);
	size_t slot = SESSIONS_MAX, oldest = 0;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(cookie, 64, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	randombytes_buf(raw, 24);
	sodium_bin2base64(csrf, 48, raw, 24,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &srv.sessions[i];

		if (!s->login[0] || now - s->last > srv.session_idle ||
		    now - s->created > SESSION_ABSOLUTE) {
			slot = i;
			break;
		}
		if (s->last < srv.sessions[oldest].last)
			oldest = i;
	}
	if (slot == SESSIONS_MAX)
		slot = oldest;	/* full: the least recently used goes */
	id_hash(cookie, srv.sessions[slot].id_hash);
	snprintf(srv.sessions[slot].login, 64, "%s", login);
	snprintf(srv.sessions[slot].csrf, 48, "%s", csrf);
	srv.sessions[slot].created = srv.sessions[slot].last = now;
	pthread_mutex_unlock(&srv.lock);
	return 0;
}

static void session_end(const char *cookie)
{
	char h[65];

	id_hash(cookie, h);
	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (!strcmp(srv.sessions[i].id_hash, h))
			memset(&srv.sessions[i], 0, sizeof(srv.sessions[i]));
	pthread_mutex_unlock(&srv.lock);
}

/* Who is calling: a bearer token or a session cookie. 1, 0 nobody. */
static int identify(struct req *r)
{
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							"Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
							 COOKIE);
	char login[64] = "";
	struct error e;
	int ok = 0;

	error_init(&e);
	if (authz && !strncmp(authz, "Bearer ", 7)) {
		ok = account_token_login(srv.store, authz + 7, login, &e) > 0;
	} else if (cookie) {
		struct session s;

		if (session_find(cookie, &s)) {
			snprintf(login, sizeof(login), "%s", s.login);
			snprintf(r->csrf, sizeof(r->csrf), "%s", s.csrf);
			r->by_cookie = 1;
			ok = 1;
		}
	}
	if (ok && account_principal(srv.store, login, &r->who, &e))
		ok = 0;	/* disabled since */
	error_release(&e);
	r->authed = ok;
	return ok;
}

static void client_address(struct req *r, char out[64])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	out[0] = '\0';
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
			  out, 64);
	else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
			  out, 64);
}

/* Failed logins, counted per account and per address: past FAILS_MAX
 * in FAILS_WINDOW both are turned away until the window passes. */
static int fail_count(const char *key, int add)
{
	time_t now = time(NULL);
	struct failure *slot = NULL, *oldest = &srv.fails[0];
	int n;

	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < sizeof(srv.fails) / sizeof(srv.fails[0]); i++) {
		struct failure *f = &srv.fails[i];

		if (f->key[0] && now - f->first > FAILS_WINDOW)
			memset(f, 0, sizeof(*f));
		if (!strcmp(f->key, key))
			slot = f;
		if (f->first < oldest->first)
			oldest = f;
	}
	if (!slot && add) {
		slot = oldest;
		memset(slot, 0, sizeof(*slot));
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		slot->first = now;
	}
	if (slot && add)
		slot->count++;
	n = slot ? slot->count : 0;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/*==== Handlers =========================================================*/

static enum MHD_Result h_health(struct req *r, const char *tail)
{
	(void)tail;
	return send_json(r, 200, json_pack("{s:s}", "status", "ok"), NULL, NULL, NULL);
}

static enum MHD_Result h_openapi(struct req *r, const char *tail)
{
	(void)tail;
	return send_json(r, 200, server_openapi(), NULL, NULL, NULL);
}

static enum MHD_Result h_login(struct req *r, const char *tail)
{
	json_t *in = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
	const char *login = json_string_value(json_object_get(in, "login"));
	const char *password = json_string_value(json_object_get(in, "password"));
	char addr[64], kl[96], ka[96], cookie[64], csrf[48], header[160];
	struct principal p;
	struct error e;
	int ok;

	(void)tail;
	if (!login || !password) {
		json_decref(in);
		return problem(r, 422, "Unprocessable Content",
			       "send {\"login\": …, \"password\": …}", NULL);
	}
	client_address(r, addr);
	snprintf(kl, sizeof(kl), "login:%s", login);
	snprintf(ka, sizeof(ka), "addr:%s", addr);
	if (fail_count(kl, 0) >= FAILS_MAX || fail_count(ka, 0) >= FAILS_MAX * 4) {
		json_decref(in);
		return problem(r, 429, "Too Many Requests", "too many failed "
			       "logins; wait and try again", NULL);
	}
	error_init(&e);
	ok = account_check_password(srv.store, login, password, &e);
	if (ok > 0)
		ok = !account_principal(srv.store, login, &p, &e);
	json_decref(in);
	if (ok <= 0) {
		error_release(&e);
		fail_count(kl, 1);
		fail_count(ka, 1);
		return problem(r, 401, "Unauthorized", "wrong login or password",
			       NULL);
	}
	error_release(&e);
	session_new(p.login, cookie, csrf);
	snprintf(header, sizeof(header), COOKIE "=%s; Path=/; HttpOnly; "
		 "SameSite=Strict%s", cookie, srv.tls ? "; Secure" : "");
	return send_json(r, 200, json_pack("{s:s, s:s, s:s?, s:s, s:s}",
		"login", p.login, "role", role_name(p.role),
		"nation", p.nation[0] ? p.nation : NULL,
		"clearance", clearance_name(p.clearance), "csrf_token", csrf),
		NULL, header, NULL);
}

static enum MHD_Result h_logout(struct req *r, const char *tail)
{
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
							 COOKIE);

	(void)tail;
	if (cookie)
		session_end(cookie);
	return send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL,
			 COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
			 NULL);
}

/* Who the caller is, and for a browser session its CSRF token again, so
 * that a reloaded page can go on without logging in. */
static enum MHD_Result h_me(struct req *r, const char *tail)
{
	(void)tail;
	/* Nobody is an answer, not an error: the interface asks on load. */
	if (!r->authed)
		return send_json(r, 200, json_pack("{s:b}", "authenticated", 0),
				 NULL, NULL, NULL);
	return send_json(r, 200, json_pack("{s:b, s:s, s:s, s:s?, s:s, s:s?}",
		"authenticated", 1, "login", r->who.login, "role", role_name(r->who.role),
		"nation", r->who.nation[0] ? r->who.nation : NULL,
		"clearance", clearance_name(r->who.clearance),
		"csrf_token", r->by_cookie ? r->csrf : NULL), NULL, NULL, NULL);
}

int valid_date(const char *s, char out[11])
{
	const char *why;
	int32_t d;

	if (date_parse(s, &d, &why))
		return 0;
	date_format(d, out);
	return 1;
}

static enum MHD_Result h_status(struct req *r, const char *tail)
{
	const char *a = arg(r, "as_of");
	char asof[11];
	struct error e;
	json_t *st;

	(void)tail;
	/* The mission's totals are for its own staff: the host nation's
	 * liaison and contingent commanders read records, not totals. */
	if (!policy_may_see_totals(&r->who))
		return problem(r, 403, "Forbidden", "the mission's status is "
			       "not open to this role", NULL);
	if (a && !valid_date(a, asof))
		return problem(r, 400, "Bad Request", "as_of is YYYY-MM-DD", NULL);
	if (!a)
		date_format(date_today(), asof);
	error_init(&e);
	if (mission_status(srv.store, &r->who, asof, &st, &e)) {
		enum MHD_Result ret = error_reply(r, &e);

		error_release(&e);
		return ret;
	}
	return send_json(r, 200, st, NULL, NULL, NULL);
}

/*==== Routing ==========================================================*/

typedef enum MHD_Result (*handler)(struct req *r, const char *tail);

static const struct route {
	const char *method, *path;
	int auth;		/* needs a caller */
	handler fn;
	const char *summary;
	const char *arg;	/* passed to FN (a report's name) */
} routes[] = {
	{ "GET", "/healthz", 0, h_health, "Liveness", NULL },
	{ "GET", "/metrics", 0, h_metrics, "Prometheus metrics", NULL },
	{ "GET", "/api/v1/openapi.json", 0, h_openapi, "This description", NULL },
	{ "POST", "/api/v1/auth/login", 0, h_login,
	  "Log in: {login, password} -> session cookie and csrf_token", NULL },
	{ "POST", "/api/v1/auth/logout", 1, h_logout, "End the session", NULL },
	{ "GET", "/api/v1/auth/me", 0, h_me, "Who is calling, if anyone", NULL },
	{ "GET", "/api/v1/kinds", 1, h_kinds,
	  "The catalogue: kinds, fields, what the caller may write", NULL },
	{ "GET", "/api/v1/status", 1, h_status, "The mission as of a date", NULL },
	{ "POST", "/api/v1/actions/suspend", 1, h_action,
	  "Suspend a scope: {scope, from, reason, dry_run}", "suspend" },
	{ "POST", "/api/v1/actions/resume", 1, h_action,
	  "End a suspension: {scope, on, apply, dry_run}", "resume" },
	{ "POST", "/api/v1/actions/consent", 1, h_action,
	  "Grant, suspend or withdraw a consent: {verb, consent, on, dry_run}", "consent" },
	{ "POST", "/api/v1/actions/transfer", 1, h_action,
	  "Transfer an activity: {activity, to, on, with_personnel, dry_run}", "transfer" },
	{ "POST", "/api/v1/actions/plan-sessions", 1, h_action,
	  "Plan sessions: {from, to, site, postponed, apply}", "plan-sessions" },
	{ "GET", "/api/v1/reports/ceilings", 1, h_report,
	  "Daily headcount against the ceilings (?from, ?to)", "ceilings" },
	{ "GET", "/api/v1/reports/transition", 1, h_report,
	  "Transition to self-sufficiency (?as_of)", "transition" },
	{ "GET", "/api/v1/reports/manning", 1, h_report,
	  "Posts filled and vacant, rotations due (?as_of, ?days)", "manning" },
	{ "GET", "/api/v1/reports/contributions", 1, h_report,
	  "People deployed by nation (?as_of)", "contributions" },
	{ "GET", "/api/v1/reports/training-output", 1, h_report,
	  "Trainees, passes, certificates by month (?from, ?to)", "training-output" },
	{ "GET", "/api/v1/reports/capability", 1, h_report,
	  "Institutions' assessments against the target (?as_of)", "capability" },
	{ "GET", "/api/v1/reports/suspension-impact", 1, h_report,
	  "A suspension's postponed sessions and re-runs (?event)", "suspension-impact" },
	{ "GET", "/api/v1/reports/transfer", 1, h_report,
	  "What passed from the coalition (?activity)", "transfer" },
	{ "GET", "/api/v1/audit", 1, h_audit,
	  "The audit log (?entity, ?key, ?actor, ?since, ?until, ?limit)", NULL },
};

#define KIND_PREFIX "/api/v1/"
#define CALENDAR_PREFIX "/api/v1/calendar/"

json_t *server_openapi(void)
{
	json_t *paths = json_object();

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		json_t *item = json_object_get(paths, routes[i].path);
		char method[8];

		if (!item) {
			item = json_object();
			json_object_set_new(paths, routes[i].path, item);
		}
		for (size_t j = 0; routes[i].method[j] && j < 7; j++)
			method[j] = (char)(routes[i].method[j] | 0x20);
		method[strlen(routes[i].method)] = '\0';
		json_object_set_new(item, method, json_pack("{s:s, s:{s:{s:s}}}",
			"summary", routes[i].summary, "responses", "200",
			"description", "OK"));
	}
	for (size_t i = 0; i < 2; i++) {
		char path[96];

		snprintf(path, sizeof(path), CALENDAR_PREFIX "%s/{code}.ics",
			 i ? "person" : "site");
		json_object_set_new(paths, path, json_pack("{s:{s:s, s:[{s:s, s:s, s:b, s:{s:s}}], s:{s:{s:s}, s:{s:s}}}}",
			"get", "summary", i ? "A trainer's sessions as iCalendar" :
			"A site's sessions as iCalendar", "parameters", "name", "code",
			"in", "path", "required", 1, "schema", "type", "string",
			"responses", "200", "description", "text/calendar", "404",
			"description", "No such site or person"));
	}
	for (size_t i = 0; i < nkinds; i++) {
		char list[96], one[112];

		snprintf(list, sizeof(list), KIND_PREFIX "%s", kinds[i]->name);
		snprintf(one, sizeof(one), KIND_PREFIX "%s/{key}", kinds[i]->name);
		json_t *params = json_array();
		static const char *const qp[][2] = {
			{ "as_of", "string" }, { "limit", "integer" },
			{ "cursor", "string" }, { "sort", "string" },
		};

		for (size_t j = 0; j < 4; j++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:{s:s}}",
				"name", qp[j][0], "in", "query", "schema", "type",
				qp[j][1]));
		json_object_set_new(paths, list, json_pack("{s:{s:s, s:o, s:{s:{s:s}}}, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}}",
			"get", "summary", kinds[i]->name, "parameters", params,
			"responses", "200", "description", "OK",
			"post", "summary", "Create one", "responses",
			"201", "description", "Created", "409", "description",
			"Refused by a mission rule, or the key exists", "422",
			"description", "Not valid"));
		json_object_set_new(paths, one, json_pack("{s:{s:s, s:[{s:s, s:s, s:b, s:{s:s}}], s:{s:{s:s}, s:{s:s}}}, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}, s:{s:s, s:{s:{s:s}, s:{s:s}}}}",
			"get", "summary", kinds[i]->label, "parameters", "name", "key",
			"in", "path", "required", 1, "schema", "type", "string",
			"responses", "200", "description", "OK", "404",
			"description", "No such record, or not visible to the caller",
			"patch", "summary", "Change fields; needs If-Match", "responses",
			"200", "description", "OK", "412", "description",
			"Stale: the record changed", "428", "description",
			"If-Match missing",
			"delete", "summary", "End its validity (?on=DATE); never erased",
			"responses", "200", "description", "OK", "405", "description",
			"Records of this kind are not ended"));
		if (!kind_field(kinds[i], "valid_to"))	/* not ended, not erased */
			json_object_del(json_object_get(paths, one), "delete");
	}
	return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}}}",
		"openapi", "3.1.0", "info", "title", "cadre", "version", CADRE_VERSION,
		"paths", paths, "components", "securitySchemes", "bearer",
		"type", "http", "scheme", "bearer", "cookie", "type", "apiKey",
		"in", "cookie", "name", COOKIE);
}

/* A resource that needs a caller: 401 without one, 403 for a change
 * made with a browser session's cookie but not its CSRF token. 1 when
 * refused, with the reply in *RET. */
static int refused(struct req *r, enum MHD_Result *ret)
{
	const char *t;

	if (!r->authed) {
		*ret = problem(r, 401, "Unauthorized", "log in, or send "
			       "Authorization: Bearer TOKEN", NULL);
		return 1;
	}
	if (!r->by_cookie || !strcmp(r->method, "GET"))
		return 0;
	t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
	if (t && !strcmp(t, r->csrf))
		return 0;
	*ret = problem(r, 403, "Forbidden", "a browser session's change needs "
		       "its X-CSRF-Token", NULL);
	return 1;
}

static enum MHD_Result dispatch(struct req *r)
{
	const char *allow = NULL;
	enum MHD_Result ret;

	snprintf(r->route, sizeof(r->route), "other");
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, r->url))
			continue;
		snprintf(r->route, sizeof(r->route), "%s", routes[i].path);
		if (strcmp(routes[i].method, r->method)) {
			allow = routes[i].method;
			continue;
		}
		if (routes[i].auth && refused(r, &ret))
			return ret;
		return routes[i].fn(r, routes[i].arg ? routes[i].arg : "");
	}
	if (!strncmp(r->url, CALENDAR_PREFIX, strlen(CALENDAR_PREFIX))) {
		const char *rest = r->url + strlen(CALENDAR_PREFIX);
		const char *what = !strncmp(rest, "site/", 5) ? "site" :
			!strncmp(rest, "person/", 7) ? "person" : NULL;

		if (what) {
			snprintf(r->route, sizeof(r->route), CALENDAR_PREFIX "%s/{code}.ics",
				 what);
			if (strcmp(r->method, "GET"))
				return not_allowed(r, "GET");
			if (refused(r, &ret))
				return ret;
			return h_calendar(r, what, strchr(rest, '/') + 1);
		}
	}
	if (!strncmp(r->url, KIND_PREFIX, strlen(KIND_PREFIX))) {
		const char *rest = r->url + strlen(KIND_PREFIX);
		const char *slash = strchr(rest, '/');
		char name[64];
		const struct kind *k;

		snprintf(name, sizeof(name), "%.*s", (int)(slash ? (size_t)(slash - rest) :
			 strlen(rest)), rest);
		k = kind_find(name);
		if (k && !strcmp(k->name, name)) {
			snprintf(r->route, sizeof(r->route), KIND_PREFIX "%s%s",
				 k->name, slash && slash[1] ? "/{key}" : "");
			if (refused(r, &ret))
				return ret;
			return h_records(r, k, slash && slash[1] ? slash + 1 : NULL);
		}
	}
	if (allow)
		return not_allowed(r, allow);
	if (strncmp(r->url, "/api/", 5)) {
		const struct web_file *f = ui_find(r->url);

		if (f && (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))) {
			snprintf(r->route, sizeof(r->route), "ui");
			return h_ui(r, f);
		}
		if (f)
			return not_allowed(r, "GET, HEAD");
	}
	return problem(r, 404, "Not Found", "no such resource", NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->body.max = BODY_MAX;
		r->started = monotonic();
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (buf_add(&r->body, upload, *upload_size))
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	r->conn = conn;
	r->url = url;
	r->method = method;
	if (r->too_big) {
		snprintf(r->route, sizeof(r->route), "too-large");
		return problem(r, 413, "Content Too Large", "request bodies are "
			       "at most 1 MiB", NULL);
	}
	if (!srv.no_cache && !strcmp(method, "GET") &&
	    strncmp(url, "/api/v1/", 8) == 0 &&
	    (r->cache_key = cache_key(r)) && cache_send(r, r->cache_key)) {
		metrics_add(r->route, r->status, monotonic() - r->started);
		if (srv.access_log)
			access_log(r, monotonic() - r->started);
		return MHD_YES;
	}
	pthread_mutex_lock(&srv.db);
	identify(r);
	ret = dispatch(r);
	if (strcmp(method, "GET"))
		cache_drop();
	pthread_mutex_unlock(&srv.db);
	{
		double secs = monotonic() - r->started;

		metrics_add(r->route, r->status, secs);
		if (srv.access_log)
			access_log(r, secs);
	}
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r) {
		buf_release(&r->body);
		free(r->cache_key);
		sodium_memzero(r, sizeof(*r));
		free(r);
	}
	*con_cls = NULL;
}

/*==== Running ==========================================================*/

static char *slurp(const char *path, struct error *e)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f) {
		error_set(e, ERR_IO, "cannot read %s", path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.failed) {
		buf_release(&b);
		error_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	return buf_detach(&b);
}

int server_run(const struct server_opts *o, struct error *e)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	int threads = o->threads > 0 ? o->threads : 2;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	char *cert = NULL, *key = NULL;

	if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
		return error_set(e, ERR_USAGE, "listen address '%s' is not an "
				 "IPv4 address", o->host);
	addr.sin_port = htons(o->port);
	if (!o->tls_cert != !o->tls_key)
		return error_set(e, ERR_USAGE, "--tls-cert and --tls-key go "
				 "together");
	if (o->tls_cert) {
		if (!(cert = slurp(o->tls_cert, e)) || !(key = slurp(o->tls_key, e))) {
			free(cert);
			return -1;
		}
		flags |= MHD_USE_TLS;
		srv.tls = 1;
	}
	if (store_open(o->db_path, &srv.store, e)) {
		free(cert);
		free(key);
		return -1;
	}
	metrics.db_path = o->db_path;
	srv.no_cache = o->no_cache;
	/* Tests shorten the idle limit; nobody else should. */
	srv.session_idle = getenv("CADRE_SESSION_IDLE") ?
		strtol(getenv("CADRE_SESSION_IDLE"), NULL, 10) : SESSION_IDLE;
	srv.access_log = !o->quiet;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
		cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
		MHD_OPTION_HTTPS_MEM_KEY, key,
		MHD_OPTION_END);
	if (!d) {
		store_close(srv.store);
		srv.store = NULL;
		free(cert);
		free(key);
		return error_set(e, ERR_IO, "cannot listen on %s:%u%s", o->host,
				 (unsigned)o->port, cert ? " (or the TLS certificate "
				 "and key are not usable)" : "");
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (o->ready)
		o->ready(o->ready_arg, info ? info->port : o->port);
	while (!*o->stop)
		usleep(100 * 1000);
	/* Finish what is in flight: accept nothing new, then stop. */
	MHD_quiesce_daemon(d);
	for (int i = 0; i < 100; i++) {
		info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || !info->num_connections)
			break;
		usleep(100 * 1000);
	}
	MHD_stop_daemon(d);
	store_close(srv.store);
	srv.store = NULL;
	if (key)
		sodium_memzero(key, strlen(key));
	free(cert);
	free(key);
	return 0;
}
