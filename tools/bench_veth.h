/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_veth.h - what a veth's ethtool counters say about frames that
 * never reached the XDP program at its other end.
 *
 * The generator's frames go out of one veth (bpf_redirect, ndo_xdp_xmit)
 * into the ring of its peer's receive queue; when that ring is full the
 * frames are dropped before the peer's program runs, counted on the
 * sending veth as tx_queue_N_xdp_xmit_errors (the peer's
 * peer_tq_xdp_xmit_err). The kernel's own packets take the skb path and
 * are not counted there. tests/datapath/test_bench_veth.c forces such an
 * overflow, from a CPU of each queue, and checks this reading counts
 * exactly the frames the peer's program did not see.
 */
#ifndef HAULER_BENCH_VETH_H
#define HAULER_BENCH_VETH_H

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "bench_common.h"

/* One ethtool request on ifname; 0 or -1. */
static int veth_ethtool(int fd, const char *ifname, void *cmd)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = cmd;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

/* The sum of ifindex's tx_queue_N_xdp_xmit_errors: frames its peer's rings refused. */
static __u64 veth_xmit_errors(int ifindex)
{
	struct {
		struct ethtool_sset_info hdr;
		__u32 len;
	} sset = {.hdr = {.cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS}};
	char ifname[IF_NAMESIZE], name[ETH_GSTRING_LEN + 1];
	struct ethtool_gstrings *strs = NULL;
	struct ethtool_stats *vals = NULL;
	__u64 sum = 0;
	__u32 n, i;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || !if_indextoname(ifindex, ifname) || veth_ethtool(fd, ifname, &sset))
		bench_die("ethtool stats of ifindex %d: %s", ifindex, strerror(errno));
	n = sset.len;
	strs = calloc(1, sizeof(*strs) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(__u64));
	if (!strs || !vals)
		bench_die("ethtool stats: out of memory");
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_STATS;
	strs->len = n;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	if (veth_ethtool(fd, ifname, strs) || veth_ethtool(fd, ifname, vals))
		bench_die("ethtool stats of %s: %s", ifname, strerror(errno));
	for (i = 0; i < n && i < strs->len && i < vals->n_stats; i++) {
		unsigned int q, len = 0;

		memcpy(name, strs->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		name[ETH_GSTRING_LEN] = 0;
		if (sscanf(name, "tx_queue_%u_xdp_xmit_errors%n", &q, &len) == 1 &&
		    len == strlen(name))
			sum += vals->data[i];
	}
	free(strs);
	free(vals);
	close(fd);
	return sum;
}

#endif
