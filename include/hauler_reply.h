/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_reply.h - a nat reply (device -> client) as the datapath knows
 * it on both tables: the device whose address and port are its source
 * (dev_hints, else dev_addrs: ct_reply_device_in) and what the binding of
 * the client's flow says of it (ct_reply_bound_in). One definition for
 * the datapath (bpf/ctconn.h: nat_return, ct_nat_return, ICMP errors)
 * and for hauler conns --flow (user/cmd_conns.c), which looks a device's
 * reply up as the datapath does.
 *
 * The includer says first how the maps are read, src being its state
 * (the datapath: NULL, the maps themselves; user space: the devices of
 * its model and the pinned dev_hints and dev_addrs):
 *
 *   struct device_info *ct_src_device(struct ct_src *src, const __u32 *id);
 *	devices[*id], NULL: none
 *   struct dev_hint *ct_src_hint(struct ct_src *src, const __u32 *i);
 *	dev_hints[*i], NULL: none
 *   struct dev_ref *ct_src_addr(struct ct_src *src, const struct dev_addr *a);
 *	dev_addrs[*a], NULL: none
 *
 * A pointer one returns is read before the next call.
 */
#ifndef HAULER_REPLY_H
#define HAULER_REPLY_H

#include "hauler_schema.h"
#include "hauler_keys.h"
#include "dev_tomb.h"

/* Are device dev's address and port the source of k? */
static __always_inline int ct_dev_at(const struct device_info *dev, const struct flow_key *k)
{
	return dev->family == k->family && dev->port == k->sport && dev->addr[0] == k->src[0] &&
	       (k->family != 6 || (dev->addr[1] == k->src[1] && dev->addr[2] == k->src[2] &&
				   dev->addr[3] == k->src[3]));
}

/* Is dev a device of a nat VIP of k's protocol and family at k's source? */
static __always_inline int ct_reply_device_is(const struct device_info *dev,
					      const struct flow_key *k)
{
	return dev && dev->in_use && dev->fwd == HAULER_FWD_NAT + 1 && dev->vip.proto == k->proto &&
	       dev->vip.family == k->family && ct_dev_at(dev, k);
}

/*
 * dev_hints' entry for k's source (hauler_dev_hint_at): 0 when no device
 * of a nat VIP is there (the manager writes an entry before the device's
 * key and clears it only when no key is left under it), else 1 + the id
 * of a device whose key is under it, maybe another address's.
 */
static __always_inline __u32 ct_dev_hint_in(struct ct_src *src, const struct flow_key *k)
{
	__u32 i = hauler_dev_hint_at(k->src, k->sport, k->family, k->proto);
	struct dev_hint *e = ct_src_hint(src, &i);

	return e ? e->dev1 : 0;
}

/*
 * k's source's dev_addrs entry, a live device's key; NULL: none, or a
 * tombstone (include/dev_tomb.h), which names no device (its id may be
 * another device's now) and is copied to *tomb, left as it was else.
 */
static __always_inline struct dev_ref *ct_reply_ref_in(struct ct_src *src, const struct flow_key *k,
						       struct dev_ref *tomb)
{
	struct dev_ref *ref;
	struct dev_addr a;

	hauler_dev_addr_key(&a, k->src, k->sport, k->family, k->proto);
	ref = ct_src_addr(src, &a);
	if (!ref || !hauler_dev_ref_tomb(ref))
		return ref;
	*tomb = *ref;
	return NULL;
}

/*
 * The device a nat reply k (device -> client) comes from, hint its
 * source's dev_hints entry (ct_dev_hint_in): the device whose address and
 * port are k's source, of a nat VIP of k's protocol and family. The
 * hint's device when it is that (one array lookup), else dev_addrs's
 * (written with devices by the manager's commit, mapw_device): another
 * device's address under the same hint, or an entry not yet rewritten.
 * The entry is checked, not the key alone: a key the commit has yet to
 * delete names a device that no longer has that address. *id: its id.
 * NULL: none. Devices of one VIP may share an address and port (model.c,
 * nat_address_free): the key names one of them, and so the VIP, which is
 * all the client's flow takes from it. *tomb: the tombstone found at k's
 * source in that one dev_addrs lookup (mapw_device keeps the hint while
 * one is under it), whether it stands or not (hauler_dev_tomb_stands);
 * zero where none was.
 */
static __always_inline struct device_info *ct_reply_device_in(struct ct_src *src,
							      const struct flow_key *k, __u32 hint,
							      __u32 *id, struct dev_ref *tomb)
{
	struct device_info *dev;
	struct dev_ref *ref;

	tomb->id = 0;
	tomb->gone_until_s = 0;
	if (!hint)
		return NULL;
	*id = hint - 1;
	dev = ct_src_device(src, id);
	if (ct_reply_device_is(dev, k))
		return dev;
	ref = ct_reply_ref_in(src, k, tomb);
	if (!ref)
		return NULL;
	*id = ref->id;
	dev = ct_src_device(src, id);
	return ct_reply_device_is(dev, k) ? dev : NULL;
}

#define CT_REPLY_FLOW  0 /* the flow's slot, bound to a device at the reply's source, live */
#define CT_REPLY_NONE  1 /* no slot of the flow: decided without state, or removed */
#define CT_REPLY_GONE  2 /* the flow's slot is of a device gone (deleted, or its id given again) */
#define CT_REPLY_OTHER 3 /* the flow's slot is a device's at another address: not its reply */

/*
 * What a nat flow's state bound to device id sid says of reply k, for
 * both tables (the compact table's slot, ct_reply_flow; an LRU client
 * entry, reply_flow_entry): fd, the binding's device while it lives (NULL:
 * gone), must be at the reply's source (CT_REPLY_FLOW; *dev becomes it: a
 * device of the same VIP at the same address, or the one the key named);
 * a gone binding (its device deleted, or its id given again) is
 * CT_REPLY_GONE, whichever device the reply's source names now: the flow
 * is over, and the reply is its device's late one (its address given to
 * another device of the VIP, or its id), never a live flow's;
 * anything else CT_REPLY_OTHER. *id becomes sid.
 */
static __always_inline int ct_reply_bound_in(struct ct_src *src, const struct flow_key *k,
					     struct device_info *fd, __u32 sid,
					     struct device_info **dev, __u32 *id)
{
	(void)src;
	*id = sid;
	if (!fd)
		return CT_REPLY_GONE;
	if (!ct_dev_at(fd, k))
		return CT_REPLY_OTHER;
	*dev = fd;
	return CT_REPLY_FLOW;
}

#endif
