/*
 * Callers: bearer tokens, browser sessions (a cookie, and a CSRF token
 * for every change made with it), logins with a pause after repeated
 * failures (the password checked on threads of its own, outside the
 * database lock), and logout. Sessions live in the server's memory: a
 * restart logs everyone out.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/account.h"
#include "http/http_int.h"

/*==== Sessions =========================================================*/

static void id_hash(const char *id, char out[65])
{
	unsigned char md[32];

	crypto_generichash(md, sizeof(md), (const unsigned char *)id, strlen(id),
			   NULL, 0);
	sodium_bin2hex(out, 65, md, sizeof(md));
}

/* The session of a cookie value, still fresh; copies it into OUT. */
static int session_find(struct server_state *srv, const char *cookie,
			struct session *out)
{
	char h[65];
	time_t now = time(NULL);
	int found = 0;

	id_hash(cookie, h);
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &srv->sessions[i];

		if (!s->login[0] || strcmp(s->id_hash, h))
			continue;
		if (now - s->last > srv->session_idle ||
		    now - s->created > SESSION_ABSOLUTE) {
			memset(s, 0, sizeof(*s));
			break;
		}
		s->last = now;
		*out = *s;
		found = 1;
		break;
	}
	pthread_mutex_unlock(&srv->lock);
	return found;
}

static int session_new(struct server_state *srv, const char *login,
		       char cookie[64], char csrf[48])
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
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &srv->sessions[i];

		if (!s->login[0] || now - s->last > srv->session_idle ||
		    now - s->created > SESSION_ABSOLUTE) {
			slot = i;
			break;
		}
		if (s->last < srv->sessions[oldest].last)
			oldest = i;
	}
	if (slot == SESSIONS_MAX)
		slot = oldest;	/* full: the least recently used goes */
	id_hash(cookie, srv->sessions[slot].id_hash);
	snprintf(srv->sessions[slot].login, 64, "%s", login);
	snprintf(srv->sessions[slot].csrf, 48, "%s", csrf);
	srv->sessions[slot].created = srv->sessions[slot].last = now;
	pthread_mutex_unlock(&srv->lock);
	return 0;
}

static void session_end(struct server_state *srv, const char *cookie)
{
	char h[65];

	id_hash(cookie, h);
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (!strcmp(srv->sessions[i].id_hash, h))
			memset(&srv->sessions[i], 0, sizeof(srv->sessions[i]));
	pthread_mutex_unlock(&srv->lock);
}

/*==== Callers ==========================================================*/

/* Who is calling: a bearer token or a session cookie; see http_int.h. */
int auth_identify(struct req *r)
{
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							"Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
							 COOKIE);
	const char *feed = NULL;
	char login[64] = "", scope[TOKEN_SCOPE_MAX] = "";
	struct error e;
	int ok = 0;

	error_init(&e);

	/* A calendar application cannot send a header: on a calendar feed,
	 * a calendar token may come in the URL instead, and only a calendar
	 * token, which opens nothing else (an API token there would be a
	 * secret that opens everything, written in a URL). */
	if (!authz && !strncmp(r->url, CALENDAR_PREFIX, strlen(CALENDAR_PREFIX)))
		feed = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
						   "token");
	if (feed || (authz && !strncmp(authz, "Bearer ", 7))) {
		/* The token and its account in one statement. */
		ok = account_token_principal(r->db, feed ? feed : authz + 7,
					     &r->who, scope, &e) > 0;
		if (ok && feed && strcmp(scope, "calendar"))
			ok = 0;
		r->feed_only = ok && !strcmp(scope, "calendar");
		error_release(&e);
		r->authed = ok;
		return ok;
	}
	if (cookie) {
		struct session s;

		if (session_find(r->srv, cookie, &s)) {
			snprintf(login, sizeof(login), "%s", s.login);
			snprintf(r->csrf, sizeof(r->csrf), "%s", s.csrf);
			r->by_cookie = 1;
			ok = 1;
		}
	}
	if (ok && account_principal(r->db, login, &r->who, &e))
		ok = 0;	/* disabled since */
	error_release(&e);
	r->authed = ok;
	return ok;
}

/*==== Failed logins ====================================================*/

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
static int fail_count(struct server_state *srv, const char *key, int add)
{
	time_t now = time(NULL);
	struct failure *slot = NULL, *oldest = &srv->fails[0];
	int n;

	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < sizeof(srv->fails) / sizeof(srv->fails[0]); i++) {
		struct failure *f = &srv->fails[i];

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
	pthread_mutex_unlock(&srv->lock);
	return n;
}

/*==== Password checks, off the request threads ========================*/

/*
 * Argon2id takes about 0.1 s and 64 MiB. Run under the database lock, 40
 * logins stalled every request for seconds; run on libmicrohttpd's few
 * threads, they would stall every connection of those threads. So a
 * login's request is suspended while one of a few threads of its own
 * checks the password, and resumed to answer. HASHERS_MAX threads bound
 * the memory held at once; HASH_QUEUE_MAX logins may wait, the next
 * answers 503 with Retry-After.
 */
#define HASHERS_MAX 4
#define HASH_QUEUE_MAX 32

struct login_check {
	char login[64];
	char fail_login[96], fail_addr[96];	/* keys of fail_count() */
	char hash[ACCOUNT_HASH_MAX];	/* "" for no usable account */
	char *password;		/* owned; zeroed when released */
	int ok;			/* account_verify_password()'s answer */
};

struct hasher {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct req *queue[HASH_QUEUE_MAX];	/* suspended requests */
	size_t head, len;
	int stopping;
	size_t nthreads;
	pthread_t threads[HASHERS_MAX];
};

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;

	for (;;) {
		struct req *r;
		struct error e;

		pthread_mutex_lock(&h->lock);
		while (!h->len && !h->stopping)
			pthread_cond_wait(&h->work, &h->lock);
		if (!h->len) {	/* stopping, and nothing left to check */
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		r = h->queue[h->head];
		h->head = (h->head + 1) % HASH_QUEUE_MAX;
		h->len--;
		pthread_mutex_unlock(&h->lock);
		error_init(&e);
		r->login->ok = account_verify_password(r->login->hash,
						       r->login->password, &e);
		error_release(&e);
		/* Hands R back to libmicrohttpd, which calls h_login again;
		 * its lock orders the write above before that call. */
		MHD_resume_connection(r->conn);
	}
}

/* Park R (suspended) until a thread has checked its password: 0, or -1
 * when too many wait already (R is then not suspended). */
static int hasher_submit(struct hasher *h, struct req *r)
{
	pthread_mutex_lock(&h->lock);
	if (h->len == HASH_QUEUE_MAX || h->stopping) {
		pthread_mutex_unlock(&h->lock);
		return -1;
	}
	/* Suspended before any thread can see it, so that it is never
	 * resumed first. */
	MHD_suspend_connection(r->conn);
	r->parked = 1;
	h->queue[(h->head + h->len) % HASH_QUEUE_MAX] = r;
	h->len++;
	pthread_cond_signal(&h->work);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

int auth_start(struct server_state *srv, struct error *e)
{
	struct hasher *h = calloc(1, sizeof(*h));
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cores < 1 ? 1 : cores > HASHERS_MAX ? HASHERS_MAX :
		      (size_t)cores;

	if (!h)
		return error_set(e, ERR_NOMEM, "out of memory");
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->work, NULL);
	srv->hasher = h;
	for (; h->nthreads < want; h->nthreads++)
		if (pthread_create(&h->threads[h->nthreads], NULL, hasher_main, h))
			break;
	if (!h->nthreads) {
		auth_stop(srv);
		return error_set(e, ERR_NOMEM, "cannot start a thread to "
				 "check passwords");
	}
	return 0;
}

void auth_stop(struct server_state *srv)
{
	struct hasher *h = srv->hasher;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = 1;
	pthread_cond_broadcast(&h->work);
	pthread_mutex_unlock(&h->lock);
	for (size_t i = 0; i < h->nthreads; i++)
		pthread_join(h->threads[i], NULL);
	pthread_cond_destroy(&h->work);
	pthread_mutex_destroy(&h->lock);
	free(h);
	srv->hasher = NULL;
}

void auth_release(struct req *r)
{
	struct login_check *c = r->login;

	if (!c)
		return;
	if (c->password) {
		sodium_memzero(c->password, strlen(c->password));
		free(c->password);
	}
	sodium_memzero(c, sizeof(*c));
	free(c);
	r->login = NULL;
}

/*==== Login, logout, who ===============================================*/

/* The first call of a login, under the database lock: refused at once,
 * or its hash read and the request parked for a password thread. */
static enum MHD_Result login_start(struct req *r)
{
	json_t *in = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
	const char *login = json_string_value(json_object_get(in, "login"));
	const char *password = json_string_value(json_object_get(in, "password"));
	struct login_check *c = NULL;
	char addr[64];
	struct error e;
	enum MHD_Result ret;

	error_init(&e);
	if (!login || !password) {
		ret = problem(r, 422, "Unprocessable Content",
			      "send {\"login\": …, \"password\": …}", NULL);
		goto out;
	}
	if (!(c = calloc(1, sizeof(*c))) || !(c->password = strdup(password))) {
		error_set(&e, ERR_NOMEM, "out of memory");
		ret = error_reply(r, &e);
		goto out;
	}
	r->login = c;
	client_address(r, addr);
	snprintf(c->fail_login, sizeof(c->fail_login), "login:%s", login);
	snprintf(c->fail_addr, sizeof(c->fail_addr), "addr:%s", addr);
	if (fail_count(r->srv, c->fail_login, 0) >= FAILS_MAX ||
	    fail_count(r->srv, c->fail_addr, 0) >= FAILS_MAX * 4) {
		ret = problem(r, 429, "Too Many Requests", "too many failed "
			      "logins; wait and try again", NULL);
		goto out;
	}
	/* A login too long for any account keeps the hash "": the check
	 * then fails in the usual time, and no shorter login is asked. */
	if (strlen(login) < sizeof(c->login)) {
		snprintf(c->login, sizeof(c->login), "%s", login);
		if (account_password_hash(r->db, login, c->hash, &e)) {
			ret = error_reply(r, &e);
			goto out;
		}
	}
	if (hasher_submit(r->srv->hasher, r)) {
		ret = problem(r, 503, "Service Unavailable", "too many logins "
			      "at once: try again in a moment", NULL);
		goto out;
	}
	ret = MHD_YES;
out:
	json_decref(in);
	error_release(&e);
	return ret;
}

/* The second call, under the database lock again once the password is
 * checked: the account may have been disabled meanwhile. */
static enum MHD_Result login_finish(struct req *r)
{
	struct login_check *c = r->login;
	char cookie[64], csrf[48], header[160];
	struct principal p;
	struct error e;
	int ok = c->ok > 0;

	r->parked = 0;
	error_init(&e);
	if (c->ok < 0)
		error_set(&e, ERR_NOMEM, "out of memory checking a password");
	else if (ok)
		ok = !account_principal(r->db, c->login, &p, &e);
	/* Disabled since is a refusal; a failing store is not. */
	if (e.code != ERR_OK && e.code != ERR_INPUT) {
		enum MHD_Result ret = error_reply(r, &e);

		error_release(&e);
		return ret;
	}
	error_release(&e);
	if (!ok) {
		fail_count(r->srv, c->fail_login, 1);
		fail_count(r->srv, c->fail_addr, 1);
		return problem(r, 401, "Unauthorized", "wrong login or password",
			       NULL);
	}
	session_new(r->srv, p.login, cookie, csrf);
	snprintf(header, sizeof(header), COOKIE "=%s; Path=/; HttpOnly; "
		 "SameSite=Strict%s", cookie, r->srv->tls ? "; Secure" : "");
	return send_json(r, 200, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:b}",
		"login", p.login, "role", role_name(p.role),
		"nation", p.nation[0] ? p.nation : NULL,
		"clearance", clearance_name(p.clearance), "csrf_token", csrf,
		"read_only", r->srv->read_only), NULL, header, NULL);
}

enum MHD_Result h_login(struct req *r, const char *tail)
{
	(void)tail;
	return r->parked ? login_finish(r) : login_start(r);
}

enum MHD_Result h_logout(struct req *r, const char *tail)
{
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
							 COOKIE);

	(void)tail;
	if (cookie)
		session_end(r->srv, cookie);
	return send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL,
			 COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
			 NULL);
}

/* Who the caller is, and for a browser session its CSRF token again, so
 * that a reloaded page can go on without logging in. */
enum MHD_Result h_me(struct req *r, const char *tail)
{
	(void)tail;
	/* Nobody is an answer, not an error: the interface asks on load. */
	if (!r->authed)
		return send_json(r, 200, json_pack("{s:b}", "authenticated", 0),
				 NULL, NULL, NULL);
	return send_json(r, 200, json_pack("{s:b, s:s, s:s, s:s?, s:s, s:s?, s:b}",
		"authenticated", 1, "login", r->who.login, "role", role_name(r->who.role),
		"nation", r->who.nation[0] ? r->who.nation : NULL,
		"clearance", clearance_name(r->who.clearance),
		"csrf_token", r->by_cookie ? r->csrf : NULL,
		"read_only", r->srv->read_only), NULL, NULL, NULL);
}

/* POST: a new calendar token for the caller, with the feeds' URLs; the
 * caller's own calendars, as they see them, and nothing else. DELETE:
 * every calendar token of the caller's, revoked. */
enum MHD_Result h_feed(struct req *r, const char *tail)
{
	char token[64];
	struct error e;
	enum MHD_Result ret;
	int n = 0;

	(void)tail;
	error_init(&e);
	if (!strcmp(r->method, "DELETE")) {
		if (account_token_revoke(r->db, r->who.login, NULL, "calendar",
					 &n, &e)) {
			ret = error_reply(r, &e);
			error_release(&e);
			return ret;
		}
		return send_json(r, 200, json_pack("{s:i}", "revoked", n), NULL,
				 NULL, NULL);
	}
	if (account_token_add(r->db, r->who.login, "calendar", token, &e)) {
		ret = error_reply(r, &e);
		error_release(&e);
		return ret;
	}
	ret = send_json(r, 200, json_pack("{s:s, s:s, s:{s:s+, s:s+}}",
		"token", token, "scope", "calendar", "feeds",
		"site", CALENDAR_PREFIX "site/{code}.ics?token=", token,
		"person", CALENDAR_PREFIX "person/{code}.ics?token=", token),
		NULL, NULL, NULL);
	sodium_memzero(token, sizeof(token));
	return ret;
}

/* A change made with a browser session's cookie must carry the
 * session's CSRF token: another site can make the browser send the
 * cookie, not read the token. */
int auth_refused(struct req *r, enum MHD_Result *ret)
{
	const char *t;

	if (!r->authed) {
		*ret = problem(r, 401, "Unauthorized", "log in, or send "
			       "Authorization: Bearer TOKEN", NULL);
		return 1;
	}
	if (r->feed_only && strncmp(r->url, CALENDAR_PREFIX, strlen(CALENDAR_PREFIX))) {
		*ret = problem(r, 403, "Forbidden", "a calendar token opens the "
			       "calendar feeds only", NULL);
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
