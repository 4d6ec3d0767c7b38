/* `cadre serve`: run the HTTP API until SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/server.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int tls;

static void ready(void *arg, unsigned short port)
{
	const char *host = arg;

	/* One line a script can wait for. */
	printf("cadre: serving %s://%s:%u/ (API under /api/v1)\n",
	       tls ? "https" : "http", host, port);
	fflush(stdout);
}

/* The bounds of the options that limit clients. */
struct limit {
	int opt;
	const char *name;
	unsigned min, max;
};

static const struct limit limits[] = {
	{ 'M', "max-connections", 1, 10000 },
	{ 'A', "max-per-address", 1, 10000 },
	{ 'T', "request-timeout", 1, 3600 },
	{ 'R', "readers", 0, 256 },
};

static const struct limit *limit_of(int opt)
{
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (limits[i].opt == opt)
			return &limits[i];
	return NULL;
}

static int parse_limit(const char *s, const struct limit *l, unsigned *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < (long)l->min || v > (long)l->max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "max-connections", required_argument, NULL, 'M' },
		{ "max-per-address", required_argument, NULL, 'A' },
		{ "request-timeout", required_argument, NULL, 'T' },
		{ "readers", required_argument, NULL, 'R' },
		{ "read-only", no_argument, NULL, 'O' },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct server_opts o = { .db_path = c->db_path, .host = "127.0.0.1",
				 .port = 8080, .stop = &stop_flag,
				 .readers = -1 };
	char host[64];
	struct sigaction sa = { .sa_handler = on_signal };
	struct error e;
	int opt, now;

	while ((opt = getopt_long(argc, argv, ":l:t:qNOC:K:M:A:T:R:", opts, NULL)) != -1) {
		if (cli_common_option(c, "serve", opt, &now) > 0)
			return now;
		if (opt == 'l') {
			const char *colon = strrchr(optarg, ':');
			char *end;
			long port;

			if (!colon)
				return cli_usage(c, "serve", "--listen HOST:PORT");
			port = strtol(colon + 1, &end, 10);
			if (*end || port < 0 || port > 65535)
				return cli_usage(c, "serve", "bad port in '%s'", optarg);
			snprintf(host, sizeof(host), "%.*s", (int)(colon - optarg), optarg);
			o.host = host;
			o.port = (unsigned short)port;
		} else if (opt == 't') {
			o.threads = (int)strtol(optarg, NULL, 10);
		} else if (opt == 'q') {
			o.quiet = 1;
		} else if (opt == 'N') {
			o.no_cache = 1;
		} else if (opt == 'O') {
			o.read_only = 1;
		} else if (opt == 'C') {
			o.tls_cert = optarg;
		} else if (opt == 'K') {
			o.tls_key = optarg;
		} else if (opt == 'M' || opt == 'A' || opt == 'T' || opt == 'R') {
			const struct limit *l = limit_of(opt);
			unsigned readers = 0;
			unsigned *to = opt == 'M' ? &o.max_connections :
				       opt == 'A' ? &o.max_per_address :
				       opt == 'T' ? &o.request_timeout : &readers;

			if (parse_limit(optarg, l, to))
				return cli_usage(c, "serve", "--%s: an integer from "
						 "%u to %u", l->name, l->min, l->max);
			if (opt == 'R')
				o.readers = (int)readers;
		}
	}
	if (o.max_per_address > (o.max_connections ? o.max_connections :
				 SERVE_MAX_CONNECTIONS))
		return cli_usage(c, "serve", "--max-per-address is more than "
				 "--max-connections");
	o.db_path = c->db_path;
	tls = o.tls_cert != NULL;
	o.ready = ready;
	o.ready_arg = (void *)o.host;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	error_init(&e);
	if (server_run(&o, &e)) {
		int rc = cli_error(c, &e);

		error_release(&e);
		return rc;
	}
	fprintf(stderr, "cadre: stopped\n");
	return 0;
}
