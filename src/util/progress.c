/* Terminal progress bar: redrawn at most ten times a second. */
#include "util/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void progress_start(struct progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->enabled = isatty(STDERR_FILENO);
	p->last_permille = -1;
	p->last_ms = 0;
}

static void draw(struct progress *p, uint64_t done)
{
	int width = 30, fill, permille;

	permille = p->total ? (int)(done * 1000 / p->total) : 0;
	if (permille > 1000)
		permille = 1000;
	fill = permille * width / 1000;
	fprintf(stderr, "\r%-10s [", p->label);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%%", permille / 10);
	fflush(stderr);
	p->last_permille = permille;
}

void progress_update(struct progress *p, uint64_t done)
{
	long t;

	if (!p->enabled)
		return;
	t = now_ms();
	if (t - p->last_ms < 100)
		return;
	p->last_ms = t;
	draw(p, done);
}

void progress_done(struct progress *p)
{
	if (!p->enabled || p->last_permille < 0)
		return;
	draw(p, p->total);
	fputc('\n', stderr);
}

void progress_cb(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;

	p->total = total;
	progress_update(p, done);
}
