// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics_http.c - the Prometheus endpoint on libmicrohttpd (see
 * metrics_http.h). Requests are answered by the library's own polling
 * thread, one at a time, so a scrape never runs beside another; the
 * snapshot is large (every device's counters and state), hence on the
 * heap, allocated once.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "args.h"
#include "error.h"
#include "metrics.h"
#include "metrics_http.h"

struct metrics_http {
	struct MHD_Daemon *mhd;
	const char *pin;
	struct snapshot *snap;
	pthread_mutex_t lock; /* extra: written by the daemon's thread */
	struct metrics_extra extra;
};

int metrics_listen_parse(const char *text, __u8 *family, __u32 addr[4], __u16 *port)
{
	return parse_addr_port(text, "listen address", family, addr, port);
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int status, char *body,
			      size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned int status,
				   const char *text)
{
	char *body = strdup(text);

	return body ? answer(conn, status, body, strlen(body), "text/plain; charset=utf-8")
		    : MHD_NO;
}

static enum MHD_Result scrape(struct metrics_http *h, struct MHD_Connection *conn)
{
	struct metrics_extra x;
	char *body = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&body, &len);
	int ret;

	if (!out)
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	ret = snapshot_read(h->snap, h->pin);
	pthread_mutex_lock(&h->lock);
	if (ret)
		h->extra.scrape_errors++;
	x = h->extra;
	pthread_mutex_unlock(&h->lock);
	if (ret)
		metrics_write_down(out, err_msg(), &x);
	else
		metrics_write(out, h->snap, &x);
	if (fclose(out)) {
		free(body);
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	return answer(conn, MHD_HTTP_OK, body, len, METRICS_CONTENT_TYPE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **req)
{
	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (!strcmp(url, "/metrics"))
		return scrape(cls, conn);
	if (!strcmp(url, "/"))
		return answer_text(conn, MHD_HTTP_OK,
				   "hauler exporter: the metrics are at /metrics\n");
	return answer_text(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
}

struct metrics_http *metrics_http_start(const char *listen, const char *pin, int daemon)
{
	struct sockaddr_storage ss = {};
	struct metrics_http *h;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	__u32 addr[4];
	__u16 port;
	__u8 family;

	if (metrics_listen_parse(listen, &family, addr, &port))
		return NULL;
	if (family == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = port;
		in->sin_addr.s_addr = addr[0];
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = port;
		memcpy(&in6->sin6_addr, addr, 16);
		flags |= MHD_USE_IPv6;
	}
	h = calloc(1, sizeof(*h));
	if (h)
		h->snap = malloc(sizeof(*h->snap));
	if (!h || !h->snap) {
		free(h);
		err_set(ERR_SYSTEM, "out of memory");
		return NULL;
	}
	h->pin = pin;
	h->extra.daemon = daemon;
	pthread_mutex_init(&h->lock, NULL);
	h->mhd = MHD_start_daemon(flags, ntohs(port), NULL, NULL, on_request, h,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!h->mhd) {
		err_set(ERR_SYSTEM, "cannot serve metrics on %s (address in use or not local?)",
			listen);
		pthread_mutex_destroy(&h->lock);
		free(h->snap);
		free(h);
		return NULL;
	}
	return h;
}

void metrics_http_ring_updates(struct metrics_http *h, __u64 total)
{
	pthread_mutex_lock(&h->lock);
	h->extra.ring_updates = total;
	pthread_mutex_unlock(&h->lock);
}

void metrics_http_stop(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	pthread_mutex_destroy(&h->lock);
	free(h->snap);
	free(h);
}
