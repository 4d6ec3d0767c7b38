/* The web interface, built by Vite into web/dist and compiled into the
 * binary by tools/embed-web.py. */
#ifndef CADRE_HTTP_UI_H
#define CADRE_HTTP_UI_H

#include <stddef.h>

struct web_file {
	const char *path;		/* "/index.html", "/app.js" */
	const unsigned char *data;
	size_t len;
	const char *type;		/* Content-Type */
	const char *etag;		/* quoted, from the bytes */
};

extern const struct web_file web_files[];

#endif
