/*
 * A progress bar on standard error, drawn only when it is a terminal.
 * Long work (imports, exports, planning) reports done/total through it.
 */
#ifndef CADRE_UTIL_PROGRESS_H
#define CADRE_UTIL_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *label;
	uint64_t total;
	int enabled;		/* stderr is a terminal */
	int last_permille;
	long last_ms;
};

void progress_start(struct progress *p, const char *label, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
void progress_done(struct progress *p);

/* Adapter for core callbacks: ARG is a struct progress *. */
void progress_cb(void *arg, uint64_t done, uint64_t total);

#endif
