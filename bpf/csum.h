/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * csum.h - incremental Internet checksum updates (RFC 1624). Values are
 * taken as they lie in the packet; the ones' complement sum does not care
 * about byte order as long as old and new values are read the same way.
 */
#ifndef HAULER_BPF_CSUM_H
#define HAULER_BPF_CSUM_H

#include <linux/types.h>

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* Sum of the 16-bit words of the change from `from` to `to`. */
static __always_inline __u32 csum_delta4(__u32 from, __u32 to)
{
	return (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
}

static __always_inline __u32 csum_delta2(__u16 from, __u16 to)
{
	return (__u16)~from + (__u32)to;
}

static __always_inline void csum_apply(__u16 *sum, __u32 delta)
{
	*sum = ~csum_fold((__u16) ~*sum + delta);
}

static __always_inline __u32 csum_delta16(const __u32 *from, const __u32 *to)
{
	__u32 d = 0;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < 4; i++)
		d += csum_fold(csum_delta4(from[i], to[i]));
	return d;
}

/* Checksum of a 20-byte IPv4 header with its check field zero. */
static __always_inline __u16 csum_ipv4_header(const __u16 *w)
{
	__u32 s = 0;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < 10; i++)
		s += w[i];
	return ~csum_fold(s);
}

#endif
