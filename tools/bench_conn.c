// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_conn - TCP connections a second and request latency against echod
 * (docs/performance.md, "Connections").
 *
 *   bench_conn --tcp ADDR:PORT [-n N] [-c CONC] [--bytes B] [--label L] [--json FILE]
 *
 * CONC threads each open connections one after another until N are done:
 * connect, read echod's banner, send B bytes, read their echo, close. A
 * connection's latency is from connect() to the last echoed byte. Prints
 * connections/s (completed over wall time) and latency p50/p99.
 */
#include <getopt.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bench_common.h"
#include "echo_proto.h"

struct conn_bench {
	struct echo_addr target;
	unsigned long n, bytes;
	atomic_ulong next, failed;
	__u64 *lat; /* ns, by connection */
	__u8 *ok;
};

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		got += r;
	}
	return 0;
}

static int one_conn(struct conn_bench *b, char *tx, char *rx)
{
	struct timeval tv = {.tv_sec = 2};
	char banner[ECHO_BANNER_LEN];
	int fd, one = 1, rc = -1;

	fd = socket(b->target.ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&b->target.ss, b->target.len))
		goto out;
	if (read_full(fd, banner, sizeof(banner)))
		goto out;
	if (write(fd, tx, b->bytes) != (ssize_t)b->bytes)
		goto out;
	if (read_full(fd, rx, b->bytes) || memcmp(tx, rx, b->bytes))
		goto out;
	rc = 0;
out:
	close(fd);
	return rc;
}

static void *worker(void *arg)
{
	struct conn_bench *b = arg;
	char *tx = malloc(b->bytes), *rx = malloc(b->bytes);
	unsigned long i;

	if (!tx || !rx)
		bench_die("out of memory");
	for (i = 0; i < b->bytes; i++)
		tx[i] = 'a' + i % 26;
	while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
		__u64 t0 = bench_now_ns();

		if (one_conn(b, tx, rx)) {
			atomic_fetch_add(&b->failed, 1);
			continue;
		}
		b->lat[i] = bench_now_ns() - t0;
		b->ok[i] = 1;
	}
	free(tx);
	free(rx);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_conn --tcp ADDR:PORT [-n N] [-c CONC] [--bytes B] "
			"[--label L] [--json FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"tcp", required_argument, NULL, 't'},
					     {"bytes", required_argument, NULL, 'B'},
					     {"label", required_argument, NULL, 'l'},
					     {"json", required_argument, NULL, 'j'},
					     {NULL, 0, NULL, 0}};
	static struct conn_bench b = {.n = 2000, .bytes = 64};
	const char *label = "tcp", *json = NULL;
	unsigned long conc = 4, i, done = 0;
	pthread_t th[64];
	struct bench_json j;
	__u64 t0, *sorted;
	double secs;
	int opt, have_target = 0;

	while ((opt = getopt_long(argc, argv, "n:c:", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (echo_parse_hostport(&b.target, optarg))
				bench_die("bad address '%s' (want ADDR:PORT)", optarg);
			have_target = 1;
			break;
		case 'n':
			b.n = bench_ulong("count", optarg);
			break;
		case 'c':
			conc = bench_ulong("concurrency", optarg);
			break;
		case 'B':
			b.bytes = bench_ulong("bytes", optarg);
			break;
		case 'l':
			label = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		default:
			usage();
		}
	}
	if (!have_target || optind != argc || !b.n || !conc || conc > 64 || !b.bytes ||
	    b.bytes > 65536)
		usage();
	b.lat = calloc(b.n, sizeof(*b.lat));
	b.ok = calloc(b.n, 1);
	sorted = calloc(b.n, sizeof(*sorted));
	if (!b.lat || !b.ok || !sorted)
		bench_die("out of memory");

	t0 = bench_now_ns();
	for (i = 0; i < conc; i++)
		if (pthread_create(&th[i], NULL, worker, &b))
			bench_die("cannot start a thread");
	for (i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	secs = (bench_now_ns() - t0) / 1e9;
	for (i = 0; i < b.n; i++)
		if (b.ok[i])
			sorted[done++] = b.lat[i];
	qsort(sorted, done, sizeof(*sorted), bench_cmp_u64);

	printf("  %-24s %9.0f conn/s  p50 %8.1f us  p99 %8.1f us  (%lu ok, %lu failed)\n", label,
	       done / secs, bench_percentile(sorted, done, 50) / 1e3,
	       bench_percentile(sorted, done, 99) / 1e3, done, (unsigned long)b.failed);
	bench_json_open(&j, json);
	bench_json_num(&j, "connections", b.n);
	bench_json_num(&j, "concurrency", conc);
	bench_json_num(&j, "bytes", b.bytes);
	bench_json_num(&j, "ok", done);
	bench_json_num(&j, "failed", b.failed);
	bench_json_num(&j, "conn_per_s", done / secs);
	bench_json_num(&j, "latency_us_p50", bench_percentile(sorted, done, 50) / 1e3);
	bench_json_num(&j, "latency_us_p99", bench_percentile(sorted, done, 99) / 1e3);
	bench_json_close(&j);
	return done == b.n ? 0 : 1;
}
