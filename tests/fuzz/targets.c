// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * targets.c - the user-space fuzz targets: the datapath's parser and the
 * report decoder, from the very headers the BPF programs compile, and
 * the invariants each must keep. The checks read the bytes at the places
 * the code under test names; they do not parse a frame a second way.
 */
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include "pkt_parse.h"
#include "hauler_report.h"
#include "targets.h"

const char *fuzz_result_name(int r)
{
	static const char *const names[] = {
	    [FUZZ_OK] = "ok",
	    [FUZZ_BUG_PLACE] = "cannot map the input below 4 GiB",
	    [FUZZ_BUG_REASON] = "parser returned an unknown reason",
	    [FUZZ_BUG_NONDET] = "parser not deterministic",
	    [FUZZ_BUG_OFFSETS] = "offsets outside the frame",
	    [FUZZ_BUG_FLOW] = "flow key disagrees with the frame",
	    [FUZZ_BUG_CLASS] = "family, protocol or reason contradicted by the frame",
	    [FUZZ_BUG_REPORT_ERR] = "report_decode returned no report_err",
	    [FUZZ_BUG_REPORT_OK] = "accepted a report that is not one",
	    [FUZZ_BUG_REPORT_RT] = "accepted report does not encode back to its bytes",
	    [FUZZ_BUG_REPORT_SEQ] = "replay check disagrees with the decode",
	};

	if (r < 0 || r >= FUZZ_BUG_COUNT)
		return "unknown result";
	return names[r];
}

/*
 * The input is copied so that it ends right before an unmapped page (a
 * read past its end faults, which AFL records as a crash) at an address
 * below 4 GiB: parse_packet() reads ctx->data and ctx->data_end, 32-bit
 * fields of struct xdp_md, as pointers, as the BPF program does.
 */
static __u8 *area_end;

static __u8 *place(const void *buf, size_t len)
{
	if (!area_end) {
		size_t pg = (size_t)sysconf(_SC_PAGESIZE);
		size_t body = (FUZZ_MAX_LEN + pg - 1) / pg * pg;
		unsigned long hint;
		void *p = MAP_FAILED;

		for (hint = 0x10000000ul; hint < 0xf0000000ul; hint += 0x1000000ul) {
			p = mmap((void *)hint, body + pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == (void *)hint)
				break;
			if (p != MAP_FAILED)
				munmap(p, body + pg);
			p = MAP_FAILED;
		}
		if (p == MAP_FAILED || mprotect((__u8 *)p + body, pg, PROT_NONE))
			return NULL;
		area_end = (__u8 *)p + body;
	}
	if (len > FUZZ_MAX_LEN)
		return NULL;
	memcpy(area_end - len, buf, len);
	return area_end - len;
}

static __u16 be16_at(const __u8 *f, size_t off)
{
	return (__u16)(f[off] << 8 | f[off + 1]);
}

static int is_pass_reason(int r)
{
	return r == HAULER_STAT_pass_not_ip || r == HAULER_STAT_pass_not_l4 ||
	       r == HAULER_STAT_pass_fragment || r == HAULER_STAT_pass_ipv6_ext ||
	       r == HAULER_STAT_pass_malformed;
}

/* The flow key's addresses are the frame's, the unused words of IPv4 zero. */
static int check_addrs(const __u8 *f, size_t l3, const struct pkt *p)
{
	size_t alen = p->flow.family == 4 ? 4 : 16;
	size_t soff = l3 + (p->flow.family == 4 ? 12 : 8);
	static const __u8 zero[12];

	if (memcmp(p->flow.src, f + soff, alen) || memcmp(p->flow.dst, f + soff + alen, alen))
		return FUZZ_BUG_FLOW;
	if (alen == 4 && (memcmp(&p->flow.src[1], zero, 12) || memcmp(&p->flow.dst[1], zero, 12)))
		return FUZZ_BUG_FLOW;
	return FUZZ_OK;
}

/* What must hold of a frame parse_packet() accepted. */
static int check_accepted(const __u8 *f, size_t len, const struct pkt *p)
{
	size_t l3 = p->l3_off, l4 = p->l4_off, l4len;
	__u16 tpid;

	if ((l3 != ETH_HLEN && l3 != ETH_HLEN + HAULER_VLAN_HLEN) || l4 > HAULER_MAX_L4_OFF ||
	    l4 <= l3)
		return FUZZ_BUG_OFFSETS;
	tpid = be16_at(f, 12);
	if ((l3 == ETH_HLEN + HAULER_VLAN_HLEN) != (tpid == ETH_P_8021Q || tpid == ETH_P_8021AD))
		return FUZZ_BUG_CLASS;
	if (p->eth_proto != bpf_htons(be16_at(f, l3 - 2)))
		return FUZZ_BUG_CLASS;
	if (p->flow.proto != IPPROTO_TCP && p->flow.proto != IPPROTO_UDP)
		return FUZZ_BUG_CLASS;
	l4len = p->flow.proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	if (l4 + l4len > len)
		return FUZZ_BUG_OFFSETS;
	if (p->flow.family == 4) {
		size_t ihl = (size_t)(f[l3] & 15) * 4;

		if (p->eth_proto != bpf_htons(ETH_P_IP) || f[l3] >> 4 != 4 ||
		    p->flow.proto != f[l3 + 9] || (be16_at(f, l3 + 6) & 0x3fff))
			return FUZZ_BUG_CLASS;
		if (ihl < 20 || l4 != l3 + ihl || be16_at(f, l3 + 2) < ihl)
			return FUZZ_BUG_OFFSETS;
		if (p->ipv4_options != (ihl > 20))
			return FUZZ_BUG_CLASS;
	} else if (p->flow.family == 6) {
		if (p->eth_proto != bpf_htons(ETH_P_IPV6) || f[l3] >> 4 != 6 ||
		    p->flow.proto != f[l3 + 6] || p->ipv4_options)
			return FUZZ_BUG_CLASS;
		if (l4 != l3 + 40)
			return FUZZ_BUG_OFFSETS;
	} else {
		return FUZZ_BUG_CLASS;
	}
	if (check_addrs(f, l3, p))
		return FUZZ_BUG_FLOW;
	if (memcmp(&p->flow.sport, f + l4, 2) || memcmp(&p->flow.dport, f + l4 + 2, 2))
		return FUZZ_BUG_FLOW;
	if (p->flow.proto == IPPROTO_TCP ? p->tcp_flags != f[l4 + 13] : p->tcp_flags != 0)
		return FUZZ_BUG_FLOW;
	return FUZZ_OK;
}

/* What a refusal claims about the frame must be true of it. */
static int check_refused(const __u8 *f, size_t len, int ret, const struct pkt *p)
{
	size_t l3 = p->l3_off;
	__u8 l4proto;

	if (ret == HAULER_STAT_pass_malformed || len < ETH_HLEN)
		return FUZZ_OK; /* anything may be malformed; a runt must be */
	if (ret == HAULER_STAT_pass_not_ip)
		return p->eth_proto == bpf_htons(ETH_P_IP) || p->eth_proto == bpf_htons(ETH_P_IPV6)
			   ? FUZZ_BUG_CLASS
			   : FUZZ_OK;
	/* The rest are said of an IP header the parser has bounds-checked. */
	if (p->eth_proto == bpf_htons(ETH_P_IP)) {
		if (l3 + 20 > len)
			return FUZZ_BUG_OFFSETS;
		l4proto = f[l3 + 9];
		if (ret == HAULER_STAT_pass_fragment)
			return be16_at(f, l3 + 6) & 0x3fff ? FUZZ_OK : FUZZ_BUG_CLASS;
		if (ret == HAULER_STAT_pass_ipv6_ext)
			return FUZZ_BUG_CLASS;
	} else if (p->eth_proto == bpf_htons(ETH_P_IPV6)) {
		if (l3 + 40 > len)
			return FUZZ_BUG_OFFSETS;
		l4proto = f[l3 + 6];
		if (ret == HAULER_STAT_pass_fragment)
			return l4proto == 44 ? FUZZ_OK : FUZZ_BUG_CLASS;
		if (ret == HAULER_STAT_pass_ipv6_ext)
			return l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP ? FUZZ_BUG_CLASS
										: FUZZ_OK;
	} else {
		return FUZZ_BUG_CLASS;
	}
	/* pass_not_l4 */
	return l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP ? FUZZ_BUG_CLASS : FUZZ_OK;
}

static int check_parse(const __u8 *f, size_t len, int ret, const struct pkt *p)
{
	if (ret == PARSE_OK)
		return check_accepted(f, len, p);
	if (!is_pass_reason(ret))
		return FUZZ_BUG_REASON;
	return check_refused(f, len, ret, p);
}

/* parse_packet() on f, placed (NULL when it cannot be). */
static __u8 *parse_placed(const uint8_t *buf, size_t len, struct xdp_md *ctx, struct pkt *p,
			  int *ret)
{
	__u8 *f = place(buf, len);

	if (!f)
		return NULL;
	ctx->data = (__u32)(unsigned long)f;
	ctx->data_end = (__u32)(unsigned long)(f + len);
	*ret = parse_packet(ctx, p);
	return f;
}

int fuzz_parse_tampered(const uint8_t *buf, size_t len, enum fuzz_tamper how)
{
	struct xdp_md ctx = {};
	struct pkt p = {};
	int ret;
	__u8 *f = parse_placed(buf, len, &ctx, &p, &ret);

	if (!f)
		return FUZZ_BUG_PLACE;
	switch (how) {
	case FUZZ_TAMPER_PORT:
		p.flow.sport ^= 1;
		break;
	case FUZZ_TAMPER_L4_OFF:
		p.l4_off += 2;
		break;
	case FUZZ_TAMPER_FAMILY:
		p.flow.family ^= 4 ^ 6;
		break;
	case FUZZ_TAMPER_REASON:
		ret = HAULER_STAT_pass_fragment;
		break;
	case FUZZ_TAMPER_ADDR:
		p.flow.dst[3] ^= 1;
		break;
	}
	return check_parse(f, len, ret, &p);
}

int fuzz_report_offset(const uint8_t *buf, size_t len)
{
	struct xdp_md ctx = {};
	struct pkt p = {};
	int ret;

	if (len > FUZZ_MAX_LEN || !parse_placed(buf, len, &ctx, &p, &ret))
		return -1;
	if (ret == HAULER_STAT_pass_not_ip && p.eth_proto == bpf_htons(HAULER_REPORT_ETHERTYPE))
		return p.l3_off;
	if (ret == PARSE_OK && p.flow.proto == IPPROTO_UDP &&
	    p.flow.dport == bpf_htons(HAULER_REPORT_PORT))
		return p.l4_off + sizeof(struct udphdr);
	return -1;
}

void fuzz_report_retag(__u8 *wire, __u64 k0, __u64 k1)
{
	struct hauler_report hr;

	memcpy(&hr, wire, sizeof(hr));
	hr.tag = report_be64(report_tag(&hr, k0, k1));
	memcpy(wire, &hr, sizeof(hr));
}

int fuzz_parse(const uint8_t *buf, size_t len)
{
	struct pkt p = {}, again = {};
	struct xdp_md ctx = {};
	__u8 *f;
	int ret;

	if (len > FUZZ_MAX_LEN)
		len = FUZZ_MAX_LEN;
	f = parse_placed(buf, len, &ctx, &p, &ret);
	if (!f)
		return FUZZ_BUG_PLACE;
	if (parse_packet(&ctx, &again) != ret || memcmp(&p, &again, sizeof(p)))
		return FUZZ_BUG_NONDET;
	return check_parse(f, len, ret, &p);
}

/* Keys as the report target's devices hold them: distinct per device. */
__u64 fuzz_report_k0(__u16 dev)
{
	return 0x0706050403020100ull ^ ((__u64)dev << 40);
}

__u64 fuzz_report_k1(__u16 dev)
{
	return 0x0f0e0d0c0b0a0908ull ^ dev;
}

/* Some devices have heard a report already (a sequence to replay below). */
__u64 fuzz_report_last_seq(__u16 dev)
{
	return dev & 1 ? (1700000000ull << HAULER_REPORT_SEQ_SHIFT) + dev : 0;
}

static struct dev_key keys[FUZZ_REPORT_DEVS];
static __u64 last_seq[FUZZ_REPORT_DEVS];

static void report_tables(void)
{
	__u16 d;

	for (d = 0; d < FUZZ_REPORT_DEVS; d++) {
		keys[d].k0 = d == FUZZ_REPORT_NOKEY ? 0 : fuzz_report_k0(d);
		keys[d].k1 = d == FUZZ_REPORT_NOKEY ? 0 : fuzz_report_k1(d);
		last_seq[d] = fuzz_report_last_seq(d);
	}
}

/* What an accepted report must be: 40 bytes that its fields encode back to. */
static int check_report(const __u8 *r, size_t len, const struct report_fields *f)
{
	struct hauler_report hr;
	__u8 again[HAULER_REPORT_LEN];

	if (len != HAULER_REPORT_LEN || f->device >= FUZZ_REPORT_DEVS ||
	    !report_key_set(&keys[f->device]))
		return FUZZ_BUG_REPORT_OK;
	memcpy(&hr, r, sizeof(hr));
	if (!report_header_ok(&hr) || !report_tag_ok(&hr, &keys[f->device]) ||
	    !report_values_ok(&hr) || f->cmp > 100 || f->mem > 100 || f->net > 100 ||
	    f->queue > 100)
		return FUZZ_BUG_REPORT_OK;
	report_encode(f, keys[f->device].k0, keys[f->device].k1, again);
	return memcmp(again, r, HAULER_REPORT_LEN) ? FUZZ_BUG_REPORT_RT : FUZZ_OK;
}

int fuzz_report(const uint8_t *buf, size_t len)
{
	struct report_fields with = {}, without = {};
	__u8 tmp[FUZZ_MAX_LEN];
	int ret, ret_noseq;
	size_t n;
	__u8 *r;

	if (len < 1)
		return FUZZ_OK;
	n = len - 1 > FUZZ_MAX_LEN ? FUZZ_MAX_LEN : len - 1;
	memcpy(tmp, buf + 1, n);
	if (!keys[0].k0)
		report_tables();
	if ((buf[0] & 1) && n >= HAULER_REPORT_LEN) {
		__u16 dev = tmp[6] << 8 | tmp[7];

		if (dev < FUZZ_REPORT_DEVS)
			fuzz_report_retag(tmp, keys[dev].k0, keys[dev].k1);
	}
	r = place(tmp, n);
	if (!r)
		return FUZZ_BUG_PLACE;
	ret = report_decode(r, n, keys, FUZZ_REPORT_DEVS, last_seq, &with);
	ret_noseq = report_decode(r, n, keys, FUZZ_REPORT_DEVS, NULL, &without);
	if (ret < REPORT_OK || ret > REPORT_REPLAY || ret == REPORT_BAD_SOURCE ||
	    ret_noseq < REPORT_OK || ret_noseq > REPORT_REPLAY || ret_noseq == REPORT_REPLAY ||
	    ret_noseq == REPORT_BAD_SOURCE)
		return FUZZ_BUG_REPORT_ERR;
	/* The sequence is the last check: it can only turn an accepted report away. */
	if ((ret == REPORT_OK || ret == REPORT_REPLAY) != (ret_noseq == REPORT_OK) ||
	    (ret != REPORT_OK && ret != REPORT_REPLAY && ret != ret_noseq))
		return FUZZ_BUG_REPORT_SEQ;
	if (ret_noseq != REPORT_OK)
		return FUZZ_OK;
	if (ret == REPORT_OK &&
	    (with.seq <= last_seq[with.device] || memcmp(&with, &without, sizeof(with))))
		return FUZZ_BUG_REPORT_SEQ;
	if (ret == REPORT_REPLAY && without.seq > last_seq[without.device])
		return FUZZ_BUG_REPORT_SEQ;
	return check_report(r, n, &without);
}

int fuzz_report_tampered(const uint8_t *buf, size_t len)
{
	struct report_fields f = {};
	__u8 *r;

	if (len != 1 + HAULER_REPORT_LEN)
		return FUZZ_BUG_PLACE;
	if (!keys[0].k0)
		report_tables();
	r = place(buf + 1, len - 1);
	if (!r || report_decode(r, len - 1, keys, FUZZ_REPORT_DEVS, NULL, &f) != REPORT_OK)
		return FUZZ_BUG_PLACE;
	f.queue ^= 1;
	return check_report(r, len - 1, &f);
}
