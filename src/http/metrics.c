/*
 * The server's metrics: requests counted by route and status, a latency
 * histogram, and the database's size, in Prometheus's text format at
 * GET /metrics.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "http/http_int.h"

static const double buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
				  1, 2.5, 5 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))
#define COUNTERS_MAX 256	/* routes x statuses; past it, not counted */

struct metrics {
	pthread_mutex_t lock;
	struct counter {
		char route[96];
		unsigned status;
		unsigned long n;
	} counters[COUNTERS_MAX];
	size_t ncounters;
	unsigned long hist[NBUCKETS + 1];
	double sum;
	unsigned long count;
	const char *db_path;	/* not copied: the caller's, for the run */
};

double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct metrics *metrics_new(const char *db_path)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->db_path = db_path;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void metrics_add(struct metrics *m, const char *route, unsigned status,
		 double secs)
{
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->ncounters; i++)
		if (m->counters[i].status == status &&
		    !strcmp(m->counters[i].route, route))
			break;
	if (i == m->ncounters && i < COUNTERS_MAX) {
		snprintf(m->counters[i].route, 96, "%s", route);
		m->counters[i].status = status;
		m->ncounters++;
	}
	if (i < COUNTERS_MAX)
		m->counters[i].n++;
	for (i = 0; i < NBUCKETS && secs > buckets[i]; i++)
		;
	m->hist[i]++;
	m->sum += secs;
	m->count++;
	pthread_mutex_unlock(&m->lock);
}

/* Prometheus text exposition format. */
enum MHD_Result h_metrics(struct req *r, const char *tail)
{
	struct metrics *m = r->srv->metrics;
	struct buf b = BUF_INIT;
	struct MHD_Response *resp;
	struct stat st;
	unsigned long cum = 0;
	enum MHD_Result ret;
	size_t len;
	char *body;

	(void)tail;
	pthread_mutex_lock(&m->lock);
	buf_adds(&b, "# HELP cadre_http_requests_total Requests by route and status.\n"
		 "# TYPE cadre_http_requests_total counter\n");
	for (size_t i = 0; i < m->ncounters; i++)
		buf_addf(&b, "cadre_http_requests_total{route=\"%s\",status=\"%u\"} %lu\n",
			 m->counters[i].route, m->counters[i].status,
			 m->counters[i].n);
	buf_adds(&b, "# HELP cadre_http_request_seconds Request latency.\n"
		 "# TYPE cadre_http_request_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += m->hist[i];
		buf_addf(&b, "cadre_http_request_seconds_bucket{le=\"%g\"} %lu\n",
			 buckets[i], cum);
	}
	buf_addf(&b, "cadre_http_request_seconds_bucket{le=\"+Inf\"} %lu\n"
		 "cadre_http_request_seconds_sum %.6f\n"
		 "cadre_http_request_seconds_count %lu\n",
		 m->count, m->sum, m->count);
	pthread_mutex_unlock(&m->lock);
	/* A SQLite file's size; a PostgreSQL database's is its server's to
	 * tell (pg_database_size), and no gauge is better than a 0. */
	if (m->db_path && !stat(m->db_path, &st))
		buf_addf(&b, "# HELP cadre_database_bytes Size of the database "
			 "file.\n# TYPE cadre_database_bytes gauge\n"
			 "cadre_database_bytes %lld\n", (long long)st.st_size);
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
