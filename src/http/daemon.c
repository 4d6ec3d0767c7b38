/*
 * `cadre serve`: the daemon (see server.h). libmicrohttpd's set-up, the
 * life of a request (its body read, its caller identified, the answer
 * cache, the route, the metrics and the access log) and the replies all
 * handlers send.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"

/*==== Replies ==========================================================*/

enum MHD_Result send_json(struct req *r, unsigned status, json_t *j,
			  const char *type, const char *cookie,
			  const char *allow)
{
	char *body = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
				JSON_REAL_PRECISION(15));

	json_decref(j);
	if (!body)
		body = strdup("{}");
	return send_body(r, status, body, body ? strlen(body) : 0, type,
			 cookie, allow);
}

enum MHD_Result send_body(struct req *r, unsigned status, char *body,
			  size_t len, const char *type, const char *cookie,
			  const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
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
	if (status == 503)
		MHD_add_response_header(resp, "Retry-After", "1");
	r->status = status;
	if (r->cache_key && status == 200)
		cache_put(r->srv->cache, r->cache_key, body, len, r->etag,
			  r->cache_gen);
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
	case ERR_BUSY: status = 503; title = "Service Unavailable"; break;
	default: status = 500; title = "Internal Server Error"; break;
	}
	/* The cause of a failure is the operator's to read, not the
	 * caller's: logged whatever --quiet says. */
	if (status >= 500)
		fprintf(stderr, "cadre: %s %s: %s\n", r->method, r->url,
			e->message ? e->message : error_code_name(e->code));
	if (e->code == ERR_RULE) {
		/* The refusal whole: what the CLI's --json gives, the records
		 * and the days it names. */
		json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s?, s:[], s:[]}",
				      "type", "about:blank", "title", title,
				      "status", status, "detail", e->message ?
				      e->message : title, "instance", r->url,
				      "rule", e->rule, "records", "dates");

		for (size_t i = 0; p && i < e->nrecords; i++)
			json_array_append_new(json_object_get(p, "records"),
					      json_string(e->records[i]));
		for (size_t i = 0; p && i < e->ndates; i++)
			json_array_append_new(json_object_get(p, "dates"),
					      json_string(e->dates[i]));
		return send_json(r, status, p, "application/problem+json",
				 NULL, NULL);
	}
	return problem(r, status, title, status == 503 ?
		       "the database is busy: try again in a moment" :
		       status == 500 ? "the server failed" :
		       e->message ? e->message : title, e->rule);
}

enum MHD_Result not_allowed(struct req *r, const char *allow)
{
	return send_json(r, 405, json_pack("{s:s, s:s, s:i}", "type",
		"about:blank", "title", "Method Not Allowed", "status", 405),
		"application/problem+json", NULL, allow);
}

/*==== Connections ======================================================*/

/*
 * libmicrohttpd closes a connection only when it has been idle for the
 * idle timeout: a client that sends a byte of its headers or its body
 * every second keeps its connection for ever, and 512 of them, or 400
 * with the listen queue, kept everyone else out. The server therefore
 * keeps its own table of connections waiting for a request (from their
 * start, or from the end of the one before) and the main loop shuts down
 * those whose request has not arrived whole within --request-timeout.
 * The table's lock is held across shutdown(): a slot is freed (in
 * on_connection) before libmicrohttpd closes its socket, so the number
 * shut down is never another connection's.
 */

static struct conn_slot *conn_slot(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct server_state *srv = cls;
	struct conn_slot *slot = *socket_context;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&srv->conns_lock);
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED && slot) {
		slot->fd = -1;
		slot->waiting = 0;
		*socket_context = NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_STARTED &&
		   (ci = MHD_get_connection_info(conn,
			MHD_CONNECTION_INFO_CONNECTION_FD))) {
		/* No slot free (never, with the table as large as the
		 * connection limit): the connection has no deadline. */
		for (size_t i = 0; i < srv->nconns; i++) {
			if (srv->conns[i].fd >= 0)
				continue;
			srv->conns[i].fd = ci->connect_fd;
			srv->conns[i].waiting = 1;
			srv->conns[i].since = monotonic();
			*socket_context = &srv->conns[i];
			break;
		}
	}
	pthread_mutex_unlock(&srv->conns_lock);
}

/* CONN's request has arrived whole (WAITING 0), or it waits for the next
 * one from now (1). */
static void conn_waiting(struct server_state *srv, struct MHD_Connection *conn,
			 int waiting)
{
	struct conn_slot *slot = conn_slot(conn);

	if (!slot)
		return;
	pthread_mutex_lock(&srv->conns_lock);
	slot->waiting = waiting;
	slot->since = monotonic();
	pthread_mutex_unlock(&srv->conns_lock);
}

/* Shut down the connections whose request is late; libmicrohttpd then
 * reads the end of the stream and closes them. */
static void conns_reap(struct server_state *srv)
{
	double now = monotonic();

	pthread_mutex_lock(&srv->conns_lock);
	for (size_t i = 0; i < srv->nconns; i++) {
		struct conn_slot *c = &srv->conns[i];

		if (c->fd < 0 || !c->waiting ||
		    now - c->since < srv->request_timeout)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->waiting = 0;
	}
	pthread_mutex_unlock(&srv->conns_lock);
}

/*==== A request's life =================================================*/

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

/* A request answered: counted, and logged unless --quiet. */
static void finished(const struct req *r)
{
	double secs = monotonic() - r->started;

	metrics_add(r->srv->metrics, r->route, r->status, secs);
	if (r->srv->access_log)
		access_log(r, secs);
}

/*==== Readers ==========================================================*/

/*
 * With --readers, a GET or HEAD is answered through a reader of its own
 * (store_open_reader) in a read transaction: a committed snapshot, the
 * newest when it starts, so a write answered before it is seen and a
 * report's queries agree with each other. Reads then go on beside the
 * writer and beside each other; SQLite's WAL keeps them apart. No GET
 * writes (a reader is query_only: one that tried would fail, not write).
 */

static struct store *reader_take(struct server_state *srv)
{
	struct store *s;

	pthread_mutex_lock(&srv->pool_lock);
	while (!srv->nfree)
		pthread_cond_wait(&srv->pool_free, &srv->pool_lock);
	s = srv->readers[--srv->nfree];
	pthread_mutex_unlock(&srv->pool_lock);
	return s;
}

static void reader_give(struct server_state *srv, struct store *s)
{
	pthread_mutex_lock(&srv->pool_lock);
	srv->readers[srv->nfree++] = s;
	pthread_cond_signal(&srv->pool_free);
	pthread_mutex_unlock(&srv->pool_lock);
}

/* Answer a GET or HEAD through a reader. */
static enum MHD_Result on_read(struct server_state *srv, struct req *r)
{
	enum MHD_Result ret;
	struct error e;

	error_init(&e);
	r->db = reader_take(srv);
	/* Before the snapshot: a change committed after it drops the
	 * answers, and this one is not kept (cache_put). */
	r->cache_gen = cache_gen(srv->cache);
	if (store_read_begin(r->db, &e)) {
		snprintf(r->route, sizeof(r->route), "other");
		ret = error_reply(r, &e);
	} else {
		auth_identify(r);
		if (srv->cache && !strcmp(r->method, "GET") &&
		    strncmp(r->url, "/api/v1/", 8) == 0 &&
		    (r->cache_key = cache_key(r)) &&
		    cache_send(srv->cache, r, r->cache_key))
			ret = MHD_YES;
		else
			ret = route_dispatch(r);
	}
	store_read_end(r->db);
	reader_give(srv, r->db);
	r->db = NULL;
	error_release(&e);
	finished(r);
	return ret;
}

/* Open N readers of PATH; 0, or -1 with E set. */
static int readers_open(struct server_state *srv, const char *path, int n,
			struct error *e)
{
	if (n <= 0)
		return 0;
	srv->readers = calloc((size_t)n, sizeof(*srv->readers));
	if (!srv->readers)
		return error_set(e, ERR_NOMEM, "out of memory");
	for (; srv->nreaders < (size_t)n; srv->nreaders++) {
		struct store **s = &srv->readers[srv->nreaders];

		if (store_open_reader(path, s, e))
			return -1;
		store_set_busy_timeout(*s, SERVE_LOCKED_WAIT_MS);
	}
	srv->nfree = srv->nreaders;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct server_state *srv = cls;
	struct req *r = *con_cls;
	enum MHD_Result ret;

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
	conn_waiting(srv, conn, 0);
	r->srv = srv;
	r->conn = conn;
	r->url = url;
	r->method = method;
	if (r->too_big) {
		snprintf(r->route, sizeof(r->route), "too-large");
		return problem(r, 413, "Content Too Large", "request bodies are "
			       "at most 1 MiB", NULL);
	}
	if (atomic_load(&srv->draining)) {
		snprintf(r->route, sizeof(r->route), "other");
		return problem(r, 503, "Service Unavailable", "the server is "
			       "stopping", NULL);
	}
	/* A read-only server takes no change; logging in and out are the
	 * server's own (its sessions are in memory), not the database's. */
	if (srv->read_only && strcmp(method, "GET") && strcmp(method, "HEAD") &&
	    strcmp(url, "/api/v1/auth/login") && strcmp(url, "/api/v1/auth/logout")) {
		snprintf(r->route, sizeof(r->route), "read-only");
		ret = problem(r, 405, "Method Not Allowed", "this server is "
			      "read-only (a replica of the mission's database): "
			      "make changes on the mission's main server", NULL);
		finished(r);
		return ret;
	}
	/* A write waits for SQLite's write lock (another process's import
	 * may hold it) before it takes the store's lock, so that reads go on
	 * meanwhile; a write that waits too long is a 503. */
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		struct error e;
		int busy;

		error_init(&e);
		pthread_mutex_lock(&srv->gate);
		busy = store_wait_writable(srv->store, SERVE_WRITE_WAIT_MS, &e);
		pthread_mutex_unlock(&srv->gate);
		if (busy) {
			ret = error_reply(r, &e);
			error_release(&e);
			finished(r);
			return ret;
		}
	}
	if (srv->nreaders && (!strcmp(method, "GET") || !strcmp(method, "HEAD")))
		return on_read(srv, r);
	pthread_mutex_lock(&srv->db);
	r->db = srv->store;
	r->cache_gen = cache_gen(srv->cache);
	/* Who asks comes first: a disabled account or a revoked token is
	 * refused at once, never answered from what it was shown before. */
	auth_identify(r);
	if (srv->cache && !strcmp(method, "GET") &&
	    strncmp(url, "/api/v1/", 8) == 0 &&
	    (r->cache_key = cache_key(r)) &&
	    cache_send(srv->cache, r, r->cache_key)) {
		pthread_mutex_unlock(&srv->db);
		finished(r);
		return MHD_YES;
	}
	ret = route_dispatch(r);
	if (strcmp(method, "GET"))
		cache_drop(srv->cache);
	pthread_mutex_unlock(&srv->db);
	/* A parked login is answered when libmicrohttpd calls again. */
	if (!r->parked)
		finished(r);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct server_state *srv = cls;
	struct req *r = *con_cls;

	/* Answered: the connection may wait for its next request. */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		conn_waiting(srv, conn, 1);
	if (r) {
		auth_release(r);
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

/* libmicrohttpd's messages: one for every connection it refuses or
 * closes, so a flood of connections would flood the log too. At most
 * SERVE_LOG_BURST a second are shown; the count of the others follows. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server_state *srv = cls;
	long now = (long)time(NULL);

	pthread_mutex_lock(&srv->log_lock);
	if (now != srv->log_second) {
		if (srv->log_dropped)
			fprintf(stderr, "cadre: libmicrohttpd: %ld more messages "
				"not shown\n", srv->log_dropped);
		srv->log_second = now;
		srv->log_shown = srv->log_dropped = 0;
	}
	if (srv->log_shown++ < SERVE_LOG_BURST) {
		fputs("cadre: libmicrohttpd: ", stderr);
		vfprintf(stderr, fmt, ap);
	} else {
		srv->log_dropped++;
	}
	pthread_mutex_unlock(&srv->log_lock);
}

static void state_free(struct server_state *srv)
{
	if (!srv)
		return;
	auth_stop(srv);
	if (srv->log_dropped)
		fprintf(stderr, "cadre: libmicrohttpd: %ld more messages not "
			"shown\n", srv->log_dropped);
	store_close(srv->store);
	for (size_t i = 0; i < srv->nreaders; i++)
		store_close(srv->readers[i]);
	free(srv->readers);
	if (srv->held >= 0)
		close(srv->held);
	cache_free(srv->cache);
	metrics_free(srv->metrics);
	free(srv->conns);
	pthread_mutex_destroy(&srv->db);
	pthread_mutex_destroy(&srv->pool_lock);
	pthread_cond_destroy(&srv->pool_free);
	pthread_mutex_destroy(&srv->gate);
	pthread_mutex_destroy(&srv->log_lock);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->conns_lock);
	/* The sessions' CSRF tokens are secrets too. */
	sodium_memzero(srv, sizeof(*srv));
	free(srv);
}

/* The server's state for one run; NULL when out of memory. */
static struct server_state *state_new(const struct server_opts *o)
{
	struct server_state *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->held = -1;
	pthread_mutex_init(&srv->db, NULL);
	pthread_mutex_init(&srv->pool_lock, NULL);
	pthread_cond_init(&srv->pool_free, NULL);
	pthread_mutex_init(&srv->log_lock, NULL);
	pthread_mutex_init(&srv->gate, NULL);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->conns_lock, NULL);
	srv->metrics = metrics_new(o->db_path);
	srv->read_only = o->read_only;
	srv->cache = o->no_cache ? NULL : cache_new();
	srv->nconns = o->max_connections ? o->max_connections :
		      SERVE_MAX_CONNECTIONS;
	srv->conns = calloc(srv->nconns, sizeof(*srv->conns));
	if (!srv->metrics || (!o->no_cache && !srv->cache) || !srv->conns) {
		state_free(srv);
		return NULL;
	}
	for (size_t i = 0; i < srv->nconns; i++)
		srv->conns[i].fd = -1;
	srv->request_timeout = o->request_timeout ? o->request_timeout :
			       SERVE_REQUEST_TIMEOUT;
	/* Tests shorten the idle limit; nobody else should. */
	srv->session_idle = getenv("CADRE_SESSION_IDLE") ?
		strtol(getenv("CADRE_SESSION_IDLE"), NULL, 10) : SESSION_IDLE;
	srv->access_log = !o->quiet;
	return srv;
}

int server_run(const struct server_opts *o, struct error *e)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct server_state *srv = NULL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	int threads = o->threads > 0 ? o->threads : 2;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	char *cert = NULL, *key = NULL;
	int rc = -1;

	if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
		return error_set(e, ERR_USAGE, "listen address '%s' is not an "
				 "IPv4 address", o->host);
	addr.sin_port = htons(o->port);
	if (!o->tls_cert != !o->tls_key)
		return error_set(e, ERR_USAGE, "--tls-cert and --tls-key go "
				 "together");
	if (!(srv = state_new(o)))
		return error_set(e, ERR_NOMEM, "out of memory");
	if (o->tls_cert) {
		if (!(cert = slurp(o->tls_cert, e)) || !(key = slurp(o->tls_key, e)))
			goto out;
		flags |= MHD_USE_TLS;
		srv->tls = 1;
	}
	/* Held for the server's life, so that a restore or demo --force
	 * refuses to replace the database under it. */
	if ((o->read_only ? store_open_reader(o->db_path, &srv->store, e) :
	     store_open(o->db_path, &srv->store, e)) ||
	    (srv->held = store_hold(o->db_path, e)) == -1 ||
	    readers_open(srv, o->db_path, o->readers < 0 ? threads : o->readers,
			 e) || auth_start(srv, e))
		goto out;
	/* Under the store's lock a write waits little: it waited for the
	 * database before (SERVE_WRITE_WAIT_MS), and every request waits
	 * behind it. */
	store_set_busy_timeout(srv->store, SERVE_LOCKED_WAIT_MS);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_IDLE_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->nconns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_address ?
			o->max_per_address : SERVE_MAX_PER_ADDRESS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
		MHD_OPTION_HTTPS_MEM_KEY, key,
		MHD_OPTION_END);
	if (!d) {
		error_set(e, ERR_IO, "cannot listen on %s:%u%s", o->host,
			  (unsigned)o->port, cert ? " (or the TLS certificate "
			  "and key are not usable)" : "");
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (o->ready)
		o->ready(o->ready_arg, info ? info->port : o->port);
	while (!*o->stop) {
		usleep(100 * 1000);
		conns_reap(srv);
	}
	/* Finish what is in flight, begin nothing new (a 503), then stop.
	 * Not MHD_quiesce_daemon(): with a thread pool on epoll it races a
	 * worker that takes its listening socket out of its epoll set (at
	 * its connection limit), and libmicrohttpd 0.9.75 then aborts the
	 * process ("Failed to remove listen FD from epoll set"), as the
	 * property test saw once in some two thousand stops. */
	atomic_store(&srv->draining, 1);
	for (int i = 0; i < 100; i++) {
		info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || !info->num_connections)
			break;
		usleep(100 * 1000);
		conns_reap(srv);
	}
	/* No connection may stay suspended for MHD_stop_daemon. */
	auth_stop(srv);
	MHD_stop_daemon(d);
	rc = 0;
out:
	state_free(srv);
	if (key)
		sodium_memzero(key, strlen(key));
	free(cert);
	free(key);
	return rc;
}
