/* Serving the web interface compiled into the binary: every file with
 * its ETag (a conditional GET answers 304) and a strict content security
 * policy — scripts, styles, images and data only from this server. */
#include <string.h>

#include "http/http_int.h"
#include "http/ui.h"

#define CSP "default-src 'self'; script-src 'self'; " \
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
	"connect-src 'self'; font-src 'self'; object-src 'none'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const struct web_file *ui_find(const char *url)
{
	if (!strcmp(url, "/"))
		url = "/index.html";
	for (const struct web_file *f = web_files; f->path; f++)
		if (!strcmp(f->path, url))
			return f;
	return NULL;
}

enum MHD_Result h_ui(struct req *r, const struct web_file *f)
{
	const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						      "If-None-Match");
	int fresh = inm && strstr(inm, f->etag);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = fresh ? MHD_create_response_from_buffer(0, NULL,
						       MHD_RESPMEM_PERSISTENT) :
		MHD_create_response_from_buffer(f->len, (void *)f->data,
						MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", f->type);
	MHD_add_response_header(resp, "ETag", f->etag);
	/* Revalidate every time: the ETag makes that a 304 of no bytes. */
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	r->status = fresh ? 304 : 200;
	ret = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}
