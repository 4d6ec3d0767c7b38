/*
 * `cadre serve`: the JSON API under /api/v1 over libmicrohttpd. Every
 * request is answered as its caller (a bearer token or a session cookie)
 * through the same principal-filtered reads as the command line.
 */
#ifndef CADRE_HTTP_SERVER_H
#define CADRE_HTTP_SERVER_H

#include <signal.h>

#include "store/store.h"

struct server_opts {
	const char *db_path;
	const char *host;	/* "127.0.0.1" unless told otherwise */
	unsigned short port;	/* 0: any free port */
	int threads;		/* worker threads */
	/* 0 for each of these three: SERVE_* below. */
	unsigned max_connections;	/* at once, from everyone */
	unsigned max_per_address;	/* at once, from one address */
	unsigned request_timeout;	/* seconds for a request to arrive whole */
	int quiet;		/* no access log */
	int no_cache;		/* answer every GET from the database */
	/* Answer reads only (a replica, a hot standby): every change is
	 * refused at the door, and the database is opened to read. */
	int read_only;
	/* Connections that answer GETs beside the writer; 0: the writer
	 * answers everything, one request at a time; < 0: one a thread. */
	int readers;
	const char *tls_cert;	/* PEM files: both or neither */
	const char *tls_key;
	const volatile sig_atomic_t *stop;	/* set by SIGTERM/SIGINT */
	void (*ready)(void *arg, unsigned short port);	/* once listening */
	void *ready_arg;
};

#define SERVE_MAX_CONNECTIONS 512
#define SERVE_MAX_PER_ADDRESS 64
#define SERVE_REQUEST_TIMEOUT 10	/* seconds */
#define SERVE_IDLE_TIMEOUT 30		/* seconds, for a reply a client reads slowly */
#define SERVE_WRITE_WAIT_MS 5000	/* a write waits for another writer */
#define SERVE_LOCKED_WAIT_MS 1000	/* the same, holding the store's lock */
#define SERVE_LOG_BURST 10		/* libmicrohttpd messages a second */

/* Serve until *STOP; then finish the requests in flight and return. */
int server_run(const struct server_opts *o, struct error *e);

/* The OpenAPI 3.1 description of the routes (a new reference). */
struct json_t;
struct json_t *server_openapi(void);

#endif
