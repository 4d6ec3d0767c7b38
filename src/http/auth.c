/*
 * Callers: bearer tokens, browser sessions (a cookie, and a CSRF token
 * for every change made with it), logins with a pause after repeated
 * failures, and logout. Sessions live in the server's memory: a restart
 * logs everyone out.
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
	char login[64] = "";
	struct error e;
	int ok = 0;

	error_init(&e);
	if (authz && !strncmp(authz, "Bearer ", 7)) {
		ok = account_token_login(r->srv->store, authz + 7, login, &e) > 0;
	} else if (cookie) {
		struct session s;

		if (session_find(r->srv, cookie, &s)) {
			snprintf(login, sizeof(login), "%s", s.login);
			snprintf(r->csrf, sizeof(r->csrf), "%s", s.csrf);
			r->by_cookie = 1;
			ok = 1;
		}
	}
	if (ok && account_principal(r->srv->store, login, &r->who, &e))
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

/*==== Login, logout, who ===============================================*/

enum MHD_Result h_login(struct req *r, const char *tail)
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
	if (fail_count(r->srv, kl, 0) >= FAILS_MAX || fail_count(r->srv, ka, 0) >= FAILS_MAX * 4) {
		json_decref(in);
		return problem(r, 429, "Too Many Requests", "too many failed "
			       "logins; wait and try again", NULL);
	}
	error_init(&e);
	ok = account_check_password(r->srv->store, login, password, &e);
	if (ok > 0)
		ok = !account_principal(r->srv->store, login, &p, &e);
	json_decref(in);
	if (ok <= 0) {
		error_release(&e);
		fail_count(r->srv, kl, 1);
		fail_count(r->srv, ka, 1);
		return problem(r, 401, "Unauthorized", "wrong login or password",
			       NULL);
	}
	error_release(&e);
	session_new(r->srv, p.login, cookie, csrf);
	snprintf(header, sizeof(header), COOKIE "=%s; Path=/; HttpOnly; "
		 "SameSite=Strict%s", cookie, r->srv->tls ? "; Secure" : "");
	return send_json(r, 200, json_pack("{s:s, s:s, s:s?, s:s, s:s}",
		"login", p.login, "role", role_name(p.role),
		"nation", p.nation[0] ? p.nation : NULL,
		"clearance", clearance_name(p.clearance), "csrf_token", csrf),
		NULL, header, NULL);
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
	return send_json(r, 200, json_pack("{s:b, s:s, s:s, s:s?, s:s, s:s?}",
		"authenticated", 1, "login", r->who.login, "role", role_name(r->who.role),
		"nation", r->who.nation[0] ? r->who.nation : NULL,
		"clearance", clearance_name(r->who.clearance),
		"csrf_token", r->by_cookie ? r->csrf : NULL), NULL, NULL, NULL);
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
	if (!r->by_cookie || !strcmp(r->method, "GET"))
		return 0;
	t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
	if (t && !strcmp(t, r->csrf))
		return 0;
	*ret = problem(r, 403, "Forbidden", "a browser session's change needs "
		       "its X-CSRF-Token", NULL);
	return 1;
}
