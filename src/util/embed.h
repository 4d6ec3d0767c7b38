/* Files compiled into the binary by tools/embed.py. */
#ifndef CADRE_UTIL_EMBED_H
#define CADRE_UTIL_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name;	/* base name, e.g. "0001_init.sql" */
	const char *data;	/* NUL-terminated contents */
	size_t len;		/* length without the terminator */
};

/* Find NAME in the NULL-terminated table FILES; NULL when absent. */
const struct embedded_file *embedded_find(const struct embedded_file *files,
					  const char *name);

#endif
