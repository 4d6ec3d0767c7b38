/*
 * The answer cache. Mission data is read far more than written: a GET's
 * 200 answer is kept for the same caller and URL for at most CACHE_TTL
 * seconds, and dropped at once by any change made through this server. A
 * change made by another process (the command line) is seen within
 * CACHE_TTL.
 *
 * It is consulted only once the caller is identified (daemon.c): the key
 * holds the caller's principal, so a disabled account or a revoked token
 * is never answered from it.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#define CACHE_SLOTS 256
#define CACHE_TTL 1.0
#define CACHE_BODY_MAX (256 * 1024)

struct answer_cache {
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
};

struct answer_cache *cache_new(void)
{
	struct answer_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void cache_free(struct answer_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(c->e[i].key);
		free(c->e[i].body);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *k, const char *v)
{
	(void)kind;
	/* Values are length-prefixed: "a=b&c" and "a=b%26c=" differ. */
	buf_addf(cls, "&%zu:%s=%zu:%s", strlen(k), k, v ? strlen(v) : 0,
		 v ? v : "");
	return MHD_YES;
}

/* Who asks decides what the answer holds: the principal (login, role,
 * nation, clearance) and the credential it came with (a browser
 * session's answer to /auth/me holds its CSRF token), kept as a hash so
 * that no token sits in the cache in the clear. */
char *cache_key(struct req *r)
{
	struct buf b = BUF_INIT;
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							"Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
							 COOKIE);
	crypto_generichash_state h;
	unsigned char md[16];
	char hex[33];

	crypto_generichash_init(&h, NULL, 0, sizeof(md));
	crypto_generichash_update(&h, (const unsigned char *)(authz ? authz : ""),
				  authz ? strlen(authz) + 1 : 1);
	crypto_generichash_update(&h, (const unsigned char *)(cookie ? cookie : ""),
				  cookie ? strlen(cookie) + 1 : 1);
	crypto_generichash_final(&h, md, sizeof(md));
	sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
	buf_addf(&b, "%s?", r->url);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &b);
	if (r->authed)
		buf_addf(&b, "|%s|%d|%s|%d|%d|%s", r->who.login, (int)r->who.role,
			 r->who.nation, r->who.clearance, r->by_cookie, hex);
	else
		buf_addf(&b, "|-|%s", hex);
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int cache_send(struct answer_cache *c, struct req *r, const char *key)
{
	double now = monotonic();
	struct MHD_Response *resp = NULL;
	char etag[24] = "";

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct centry *e = &c->e[i];

		if (!e->key || strcmp(e->key, key) || e->gen != c->gen)
			continue;
		/* Fresh; or being rebuilt by another caller and not too old:
		 * a burst of callers does not queue up behind one rebuild. */
		if (now - e->at < CACHE_TTL ||
		    (e->refreshing && now - e->at < 2 * CACHE_TTL)) {
			resp = MHD_create_response_from_buffer(e->len, e->body,
							       MHD_RESPMEM_MUST_COPY);
			snprintf(etag, sizeof(etag), "%s", e->etag);
		} else {
			e->refreshing = 1;	/* this caller rebuilds it */
		}
		break;
	}
	pthread_mutex_unlock(&c->lock);
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

unsigned long cache_gen(struct answer_cache *c)
{
	unsigned long gen;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->lock);
	gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	return gen;
}

void cache_put(struct answer_cache *c, const char *key, const char *body,
	       size_t len, const char *etag, unsigned long gen)
{
	struct centry *e = NULL;

	if (len > CACHE_BODY_MAX)
		return;
	pthread_mutex_lock(&c->lock);
	/* A reader beside the writer may have read before a change that
	 * has since dropped the answers: what it read is stale already. */
	if (gen != c->gen) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	for (size_t i = 0; i < CACHE_SLOTS && !e; i++)
		if (c->e[i].key && !strcmp(c->e[i].key, key))
			e = &c->e[i];
	if (!e)
		e = &c->e[c->next++ % CACHE_SLOTS];
	e->refreshing = 0;
	free(e->key);
	free(e->body);
	e->key = strdup(key);
	e->body = malloc(len ? len : 1);
	if (e->key && e->body) {
		memcpy(e->body, body, len);
		e->len = len;
		snprintf(e->etag, sizeof(e->etag), "%s", etag ? etag : "");
		e->at = monotonic();
		e->gen = c->gen;
	} else {
		free(e->key);
		free(e->body);
		e->key = e->body = NULL;
	}
	pthread_mutex_unlock(&c->lock);
}

void cache_drop(struct answer_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->gen++;
	pthread_mutex_unlock(&c->lock);
}
