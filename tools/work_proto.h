/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * work_proto.h - the request workload's wire format, shared by workd (the
 * backend) and loadgen (the open-loop client).
 *
 * A request is WORK_REQ_LEN bytes: magic, sequence number and the client's
 * send time (CLOCK_MONOTONIC ns, echoed back untouched). The reply is
 * WORK_RESP_LEN bytes: the same three fields, the serving device's name
 * (NUL-padded) and what the device measured: its service time (the compute
 * kernel) and its queueing time (kernel receive timestamp to service
 * start), both in microseconds. Every field is in network byte order.
 * UDP: one datagram each way. TCP: one request per connection; the server
 * replies and closes.
 */
#ifndef HAULER_WORK_PROTO_H
#define HAULER_WORK_PROTO_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#define WORK_MAGIC    0x48574b31u /* "HWK1" */
#define WORK_NAME_LEN 16
#define WORK_REQ_LEN  16
#define WORK_RESP_LEN 40

struct work_req {
	uint32_t seq;
	uint64_t sent_ns;
};

struct work_resp {
	uint32_t seq;
	uint64_t sent_ns;
	char name[WORK_NAME_LEN + 1]; /* NUL-terminated copy */
	uint32_t service_us, queue_us;
};

static inline void work_put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static inline void work_put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static inline uint32_t work_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static inline uint64_t work_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static inline void work_req_encode(uint8_t buf[WORK_REQ_LEN], const struct work_req *r)
{
	work_put32(buf, WORK_MAGIC);
	work_put32(buf + 4, r->seq);
	work_put64(buf + 8, r->sent_ns);
}

/* 0 and *r filled, or -1 when buf is not a request (length or magic). */
static inline int work_req_decode(const uint8_t *buf, size_t len, struct work_req *r)
{
	if (len != WORK_REQ_LEN || work_get32(buf) != WORK_MAGIC)
		return -1;
	r->seq = work_get32(buf + 4);
	r->sent_ns = work_get64(buf + 8);
	return 0;
}

static inline void work_resp_encode(uint8_t buf[WORK_RESP_LEN], const struct work_resp *r)
{
	size_t n = strnlen(r->name, WORK_NAME_LEN);

	work_put32(buf, WORK_MAGIC);
	work_put32(buf + 4, r->seq);
	work_put64(buf + 8, r->sent_ns);
	memset(buf + 16, 0, WORK_NAME_LEN);
	memcpy(buf + 16, r->name, n);
	work_put32(buf + 32, r->service_us);
	work_put32(buf + 36, r->queue_us);
}

/* 0 and *r filled, or -1 when buf is not a reply (length or magic). */
static inline int work_resp_decode(const uint8_t *buf, size_t len, struct work_resp *r)
{
	if (len != WORK_RESP_LEN || work_get32(buf) != WORK_MAGIC)
		return -1;
	r->seq = work_get32(buf + 4);
	r->sent_ns = work_get64(buf + 8);
	memcpy(r->name, buf + 16, WORK_NAME_LEN);
	r->name[WORK_NAME_LEN] = '\0';
	r->service_us = work_get32(buf + 32);
	r->queue_us = work_get32(buf + 36);
	return 0;
}

#endif
