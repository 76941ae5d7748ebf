// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: NVLink ports (models/nvlink/nvlink_port_hw.h).
 *
 * sysfs: <device>/nvlink/ is a kobject under the bus device (a named
 * attribute group cannot hold directories) with the file links and one
 * kobject link<L>/ per port (ABI in sysfs-driver-nvsoc-gpu).
 *
 * Events: each port's LINK_DOWN, RECOVERY, TRAIN_FAIL and STATE interrupt
 * (ERR_EN) reach the stall vector's thread, which logs them (Xid 74 for a
 * link that failed) and traces state changes.
 *
 * Software training: ports whose CTRL.ALI is 0 (NVLink 1-3, or 4-5 with ALI
 * off) are stepped by one module-level delayed work, run when such a GPU
 * binds and every 100 ms while one of its links is not HS. Each pass looks
 * at a port's state and issues the one command that moves it on:
 *
 *   OFF         INITPHASE1; refused means a link of generation 1 or 2
 *               (INITPHASE1 exists from NVLink 3), and the port is then
 *               remembered as "legacy" and given RXDET in the same pass
 *   INITPHASE1  RXDET
 *   DETECT      SAFE
 *   SAFE        legacy: HS. Generation 3+: INITNEGOTIATE while STATUS
 *               reads no generation, then INITOPTIMIZE, then INITTL once
 *               INITOPTIMIZE is done (INITTL refused: INITOPTIMIZE again)
 *   INITTL      HS
 *
 * A training step needs both ends' command; the first end's waits. So a
 * command is not issued again while CMD reads it back and CMD_STATUS is
 * BUSY or the state has not moved since it was issued: the other end has
 * not given it yet. Both GPUs of a link are bound by this driver, so the
 * link moves once both are bound. A port gives up (and is left alone) when
 * its state does not move for the open driver's timeouts: 300 ms before
 * SAFE, 8 s from SAFE to HS; every bind restarts the clocks. FAIL is left
 * for the user.
 *
 * Retraining: a link that fails (LINK_DOWN: FAULT, Xid 74) is given RESET
 * by the same work nvlink_retrain_ms later (module parameter, 0: never),
 * from one end; an ALI link then trains by itself, a software-trained one
 * by the passes above. A port is retrained at most
 * NVSOC_GPU_NVL_RETRAIN_MAX times per bind, so a link that keeps failing
 * stays down (logged) rather than flapping.
 *
 * Peer access (nvsoc_gpu_peer.c) follows the links: a port coming up or
 * going down, or the fabric manager writing fabric_state, has the peer
 * slots reviewed (NVLink, else PCIe).
 *
 * Locking: nvsoc_gpu_nvlink_lock (a mutex) protects the list of bound
 * GPUs with ports (nvsoc_gpu_nvlinks), every gdev->nvl[] entry,
 * gdev->nvl_listed and gdev->fabric_state. The training work, the stall
 * thread's link events and remote_device reads take it; it is never held
 * while taking another of the driver's locks (the peer code takes it
 * inside nvsoc_gpu_peer_lock). A GPU leaves the list before its link
 * kobjects go, so nothing reached through the list touches a freed
 * kobject.
 */
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_trace.h"

#define NVSOC_GPU_NVL_ERR_EN \
	(NVSOC_NVL_ERR_LINK_DOWN | NVSOC_NVL_ERR_RECOVERY | NVSOC_NVL_ERR_TRAIN_FAIL | \
	 NVSOC_NVL_ERR_STATE)
#define NVSOC_GPU_NVL_POLL_MS		100
#define NVSOC_GPU_NVL_SAFE_TIMEOUT_MS	300
#define NVSOC_GPU_NVL_HS_TIMEOUT_MS	8000
#define NVSOC_GPU_NVL_RETRAIN_MAX	3

static unsigned int nvlink_retrain_ms = 1000;
module_param(nvlink_retrain_ms, uint, 0644);
MODULE_PARM_DESC(nvlink_retrain_ms,
		 "Retrain a failed NVLink link (Xid 74) this long after it failed; 0: never (default: 1000)");

static DEFINE_MUTEX(nvsoc_gpu_nvlink_lock);
static LIST_HEAD(nvsoc_gpu_nvlinks);

static void nvsoc_gpu_nvlink_train_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(nvsoc_gpu_nvlink_work, nvsoc_gpu_nvlink_train_work);

/* One port's directory, link<L>/. */
struct nvsoc_gpu_nvlink_link {
	struct kobject kobj;
	struct nvsoc_gpu_device *gdev;
	unsigned int index;
};

static struct nvsoc_gpu_nvlink_link *to_nvl_link(struct kobject *kobj)
{
	return container_of(kobj, struct nvsoc_gpu_nvlink_link, kobj);
}

static u32 nvl_rd(struct nvsoc_gpu_device *gdev, unsigned int l, u32 reg)
{
	return nvsoc_gpu_rd(gdev, NVSOC_GPU_NVL(l, reg));
}

static void nvl_wr(struct nvsoc_gpu_device *gdev, unsigned int l, u32 reg, u32 val)
{
	nvsoc_gpu_wr(gdev, NVSOC_GPU_NVL(l, reg), val);
}

static u64 nvl_rd64(struct nvsoc_gpu_device *gdev, unsigned int l, u32 reg)
{
	u32 hi, lo;

	/* HI, LO, HI again: a carry between the reads is seen. */
	do {
		hi = nvl_rd(gdev, l, reg + 4);
		lo = nvl_rd(gdev, l, reg);
	} while (hi != nvl_rd(gdev, l, reg + 4));
	return (u64)hi << 32 | lo;
}

/*
 * The PCI address of the bound GPU whose NVLINK_ID is id, or "unknown".
 * Called with nvsoc_gpu_nvlink_lock held.
 */
static void nvsoc_gpu_nvl_remote_name(u32 id, char *buf, size_t size)
{
	struct nvsoc_gpu_device *other;

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	if (id) {
		list_for_each_entry(other, &nvsoc_gpu_nvlinks, nvl_node) {
			if (other->nvlink_id == id) {
				strscpy(buf, dev_name(other->bus.dev), size);
				return;
			}
		}
	}
	strscpy(buf, "unknown", size);
}

/* Remembers the remote end while discovery knows it (FAULT forgets it). */
static void nvsoc_gpu_nvl_learn_remote(struct nvsoc_gpu_device *gdev, unsigned int l)
{
	u32 rl = nvl_rd(gdev, l, NVSOC_NVL_REMOTE_LINK);

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	if (rl == ~0u || !(rl & NVSOC_NVL_REMOTE_VALID))
		return;
	gdev->nvl[l].remote_id = nvl_rd(gdev, l, NVSOC_NVL_REMOTE_DEVICE);
	gdev->nvl[l].remote_link = rl & 0xffff;
}

/* Up for traffic: HS, or RECOVERY, which the link leaves by itself. */
static bool nvsoc_gpu_nvl_usable(u32 state)
{
	return state == NVSOC_NVL_STATE_HS || state == NVSOC_NVL_STATE_RECOVERY;
}

/* Port l's remote device type (NVSOC_NVL_DEVICE_*), ~0u until discovery tells it. */
static u32 nvsoc_gpu_nvl_remote_type(struct nvsoc_gpu_device *gdev, unsigned int l)
{
	u32 rl = nvl_rd(gdev, l, NVSOC_NVL_REMOTE_LINK);

	if (rl == ~0u || !(rl & NVSOC_NVL_REMOTE_VALID))
		return ~0u;
	return (rl >> NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT) & 0xf;
}

/* Ports up with a remote of @type (and NVLink ID @id, if not 0). */
static u32 nvsoc_gpu_nvl_count_up(struct nvsoc_gpu_device *gdev, u32 type, u32 id)
{
	unsigned int l;
	u32 n = 0;

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	for (l = 0; l < gdev->num_nvlinks; l++) {
		u32 status = nvl_rd(gdev, l, NVSOC_NVL_STATUS);

		if (status == ~0u || !nvsoc_gpu_nvl_usable(status & NVSOC_NVL_STATUS_STATE_MASK))
			continue;
		if (nvsoc_gpu_nvl_remote_type(gdev, l) != type)
			continue;
		if (!id || nvl_rd(gdev, l, NVSOC_NVL_REMOTE_DEVICE) == id)
			n++;
	}
	return n;
}

/*
 * The links of @gdev that carry its peer traffic to @peer now: those up
 * to it directly, else those up to NVSwitches when the fabric manager has
 * marked both GPUs ready (it programs every switch to route each GPU's
 * NVLink ID) and @peer has a link up to a switch too.
 */
u32 nvsoc_gpu_nvlink_links_to(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer)
{
	u32 n = 0;

	if (!gdev->num_nvlinks || !peer->nvlink_id)
		return 0;
	mutex_lock(&nvsoc_gpu_nvlink_lock);
	/* Listed: bound, its registers mapped. */
	if (gdev->nvl_listed && peer->nvl_listed) {
		n = nvsoc_gpu_nvl_count_up(gdev, NVSOC_NVL_DEVICE_GPU, peer->nvlink_id);
		if (!n && gdev->fabric_state == NVSOC_GPU_FABRIC_READY &&
		    peer->fabric_state == NVSOC_GPU_FABRIC_READY &&
		    nvsoc_gpu_nvl_count_up(peer, NVSOC_NVL_DEVICE_NVSWITCH, 0))
			n = nvsoc_gpu_nvl_count_up(gdev, NVSOC_NVL_DEVICE_NVSWITCH, 0);
	}
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
	return n;
}

/* --- sysfs ----------------------------------------------------------------------- */

static ssize_t links_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct device *dev = kobj_to_dev(kobj->parent);
	struct nvsoc_gpu_device *gdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", gdev->num_nvlinks);
}

static struct kobj_attribute nvsoc_gpu_nvl_links_attr = __ATTR_RO(links);

/*
 * Whether NVSwitch routing is in place for this GPU: "none" (no port has
 * trained to an NVSwitch), "pending" or "ready", as the fabric manager
 * (sw/tools/nvsoc-fm) last wrote it. Peers reached only through switches
 * are peers over NVLink once both GPUs read "ready".
 */
static ssize_t fabric_state_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nvsoc_gpu_device *gdev = dev_get_drvdata(kobj_to_dev(kobj->parent));
	const char *state = "none";
	unsigned int l;

	mutex_lock(&nvsoc_gpu_nvlink_lock);
	for (l = 0; l < gdev->num_nvlinks; l++) {
		if (nvsoc_gpu_nvl_remote_type(gdev, l) == NVSOC_NVL_DEVICE_NVSWITCH) {
			state = gdev->fabric_state == NVSOC_GPU_FABRIC_READY ? "ready" : "pending";
			break;
		}
	}
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
	return sysfs_emit(buf, "%s\n", state);
}

static ssize_t fabric_state_store(struct kobject *kobj, struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	struct nvsoc_gpu_device *gdev = dev_get_drvdata(kobj_to_dev(kobj->parent));
	u32 state;

	if (sysfs_streq(buf, "ready"))
		state = NVSOC_GPU_FABRIC_READY;
	else if (sysfs_streq(buf, "pending"))
		state = NVSOC_GPU_FABRIC_PENDING;
	else
		return -EINVAL;
	mutex_lock(&nvsoc_gpu_nvlink_lock);
	if (gdev->fabric_state != state)
		dev_info(gdev->bus.dev, "NVLink fabric %s\n",
			 state == NVSOC_GPU_FABRIC_READY ? "ready (NVSwitch routes programmed)" :
							 "pending");
	gdev->fabric_state = state;
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
	nvsoc_gpu_peers_changed();
	return count;
}

static struct kobj_attribute nvsoc_gpu_nvl_fabric_state_attr = __ATTR_RW(fabric_state);

static struct attribute *nvsoc_gpu_nvl_top_attrs[] = {
	&nvsoc_gpu_nvl_links_attr.attr,
	&nvsoc_gpu_nvl_fabric_state_attr.attr,
	NULL
};

static const struct attribute_group nvsoc_gpu_nvl_top_group = {
	.attrs = nvsoc_gpu_nvl_top_attrs,
};

static u32 nvl_status(struct kobject *kobj)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);

	return nvl_rd(link->gdev, link->index, NVSOC_NVL_STATUS);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  nvsoc_nvl_state_name(nvl_status(kobj) & NVSOC_NVL_STATUS_STATE_MASK));
}

static ssize_t generation_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", (nvl_status(kobj) >> NVSOC_NVL_STATUS_GEN_SHIFT) & 0xf);
}

static ssize_t lanes_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", (nvl_status(kobj) >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf);
}

/* The device's rate per direction, in whole MB/s as nvidia-smi prints it. */
static ssize_t bandwidth_mbps_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	u32 status = nvl_status(kobj);

	if (status == ~0u || !(status & NVSOC_NVL_STATUS_ACTIVE))
		return sysfs_emit(buf, "0\n");
	return sysfs_emit(buf, "%u\n", nvl_rd(link->gdev, link->index, NVSOC_NVL_BANDWIDTH_MBPS));
}

static u32 nvl_remote_link(struct kobject *kobj)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	u32 rl = nvl_rd(link->gdev, link->index, NVSOC_NVL_REMOTE_LINK);

	return rl == ~0u ? 0 : rl;
}

static ssize_t remote_type_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	const char *type = "none";

	switch (nvsoc_gpu_nvl_remote_type(link->gdev, link->index)) {
	case NVSOC_NVL_DEVICE_GPU:
		type = "GPU";
		break;
	case NVSOC_NVL_DEVICE_NVSWITCH:
		type = "NVSWITCH";
		break;
	}
	return sysfs_emit(buf, "%s\n", type);
}

static ssize_t remote_device_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	char name[32];
	u32 id = 0;

	if (nvl_remote_link(kobj) & NVSOC_NVL_REMOTE_VALID)
		id = nvl_rd(link->gdev, link->index, NVSOC_NVL_REMOTE_DEVICE);
	mutex_lock(&nvsoc_gpu_nvlink_lock);
	nvsoc_gpu_nvl_remote_name(id, name, sizeof(name));
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
	return sysfs_emit(buf, "%s\n", name);
}

static ssize_t remote_link_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u32 rl = nvl_remote_link(kobj);

	if (!(rl & NVSOC_NVL_REMOTE_VALID))
		return sysfs_emit(buf, "-1\n");
	return sysfs_emit(buf, "%u\n", rl & 0xffff);
}

static ssize_t reset_counters_store(struct kobject *kobj, struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	unsigned int v;
	int ret;

	ret = kstrtouint(buf, 0, &v);
	if (ret)
		return ret;
	if (v != 1)
		return -EINVAL;
	nvl_wr(link->gdev, link->index, NVSOC_NVL_COUNTER_RESET, 1);
	return count;
}

/* A counter file: its register and width. */
struct nvsoc_gpu_nvl_counter {
	struct kobj_attribute attr;
	u32 reg;
	bool wide;
};

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	const struct nvsoc_gpu_nvl_counter *c =
		container_of(attr, struct nvsoc_gpu_nvl_counter, attr);
	u64 v;

	if (c->wide)
		v = nvl_rd64(link->gdev, link->index, c->reg);
	else
		v = nvl_rd(link->gdev, link->index, c->reg);
	return sysfs_emit(buf, "%llu\n", v);
}

#define NVL_COUNTER(_name, _reg, _wide)						\
	static struct nvsoc_gpu_nvl_counter nvl_counter_##_name = {		\
		.attr = __ATTR(_name, 0444, counter_show, NULL),		\
		.reg = _reg,							\
		.wide = _wide,							\
	}

NVL_COUNTER(tl_tx_bytes, NVSOC_NVL_TL_TX_BYTES, true);
NVL_COUNTER(tl_rx_bytes, NVSOC_NVL_TL_RX_BYTES, true);
NVL_COUNTER(tl_tx_packets, NVSOC_NVL_TL_TX_PACKETS, true);
NVL_COUNTER(tl_rx_packets, NVSOC_NVL_TL_RX_PACKETS, true);
NVL_COUNTER(dl_replay, NVSOC_NVL_DL_REPLAY, true);
NVL_COUNTER(dl_recovery, NVSOC_NVL_DL_RECOVERY, true);
NVL_COUNTER(dl_crc_flit, NVSOC_NVL_DL_CRC_FLIT, true);
NVL_COUNTER(dl_crc_data, NVSOC_NVL_DL_CRC_DATA, true);
NVL_COUNTER(crc_lane0, NVSOC_NVL_CRC_LANE(0), false);
NVL_COUNTER(crc_lane1, NVSOC_NVL_CRC_LANE(1), false);
NVL_COUNTER(crc_lane2, NVSOC_NVL_CRC_LANE(2), false);
NVL_COUNTER(crc_lane3, NVSOC_NVL_CRC_LANE(3), false);
NVL_COUNTER(crc_lane4, NVSOC_NVL_CRC_LANE(4), false);
NVL_COUNTER(crc_lane5, NVSOC_NVL_CRC_LANE(5), false);
NVL_COUNTER(crc_lane6, NVSOC_NVL_CRC_LANE(6), false);
NVL_COUNTER(crc_lane7, NVSOC_NVL_CRC_LANE(7), false);
NVL_COUNTER(ecc_lane0, NVSOC_NVL_ECC_LANE(0), false);
NVL_COUNTER(ecc_lane1, NVSOC_NVL_ECC_LANE(1), false);
NVL_COUNTER(ecc_lane2, NVSOC_NVL_ECC_LANE(2), false);
NVL_COUNTER(ecc_lane3, NVSOC_NVL_ECC_LANE(3), false);

static struct kobj_attribute nvl_attr_state = __ATTR_RO(state);
static struct kobj_attribute nvl_attr_generation = __ATTR_RO(generation);
static struct kobj_attribute nvl_attr_lanes = __ATTR_RO(lanes);
static struct kobj_attribute nvl_attr_bandwidth_mbps = __ATTR_RO(bandwidth_mbps);
static struct kobj_attribute nvl_attr_remote_type = __ATTR_RO(remote_type);
static struct kobj_attribute nvl_attr_remote_device = __ATTR_RO(remote_device);
static struct kobj_attribute nvl_attr_remote_link = __ATTR_RO(remote_link);
static struct kobj_attribute nvl_attr_reset_counters = __ATTR_WO(reset_counters);

static struct attribute *nvsoc_gpu_nvl_link_attrs[] = {
	&nvl_attr_state.attr,
	&nvl_attr_generation.attr,
	&nvl_attr_lanes.attr,
	&nvl_attr_bandwidth_mbps.attr,
	&nvl_attr_remote_type.attr,
	&nvl_attr_remote_device.attr,
	&nvl_attr_remote_link.attr,
	&nvl_counter_tl_tx_bytes.attr.attr,
	&nvl_counter_tl_rx_bytes.attr.attr,
	&nvl_counter_tl_tx_packets.attr.attr,
	&nvl_counter_tl_rx_packets.attr.attr,
	&nvl_counter_dl_replay.attr.attr,
	&nvl_counter_dl_recovery.attr.attr,
	&nvl_counter_dl_crc_flit.attr.attr,
	&nvl_counter_dl_crc_data.attr.attr,
	&nvl_counter_crc_lane0.attr.attr,
	&nvl_counter_crc_lane1.attr.attr,
	&nvl_counter_crc_lane2.attr.attr,
	&nvl_counter_crc_lane3.attr.attr,
	&nvl_counter_crc_lane4.attr.attr,
	&nvl_counter_crc_lane5.attr.attr,
	&nvl_counter_crc_lane6.attr.attr,
	&nvl_counter_crc_lane7.attr.attr,
	&nvl_attr_reset_counters.attr,
	NULL
};

static const struct attribute_group nvsoc_gpu_nvl_link_group = {
	.attrs = nvsoc_gpu_nvl_link_attrs,
};

static struct attribute *nvsoc_gpu_nvl_ecc_attrs[] = {
	&nvl_counter_ecc_lane0.attr.attr,
	&nvl_counter_ecc_lane1.attr.attr,
	&nvl_counter_ecc_lane2.attr.attr,
	&nvl_counter_ecc_lane3.attr.attr,
	NULL
};

/*
 * Per-lane ECC exists from NVLink 3: shown when the link trained at 3 or
 * later, or trains by itself (ALI: generation 4 or 5) before it has.
 * Software-trained links are looked at again when they reach HS.
 */
static umode_t nvsoc_gpu_nvl_ecc_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	struct nvsoc_gpu_nvlink_link *link = to_nvl_link(kobj);
	u32 gen = (nvl_status(kobj) >> NVSOC_NVL_STATUS_GEN_SHIFT) & 0xf;

	if (gen >= 3)
		return attr->mode;
	if (!gen && (nvl_rd(link->gdev, link->index, NVSOC_NVL_CTRL) & NVSOC_NVL_CTRL_ALI))
		return attr->mode;
	return 0;
}

static const struct attribute_group nvsoc_gpu_nvl_ecc_group = {
	.attrs = nvsoc_gpu_nvl_ecc_attrs,
	.is_visible = nvsoc_gpu_nvl_ecc_visible,
};

static const struct attribute_group *nvsoc_gpu_nvl_link_groups[] = {
	&nvsoc_gpu_nvl_link_group,
	&nvsoc_gpu_nvl_ecc_group,
	NULL
};

static void nvsoc_gpu_nvl_link_release(struct kobject *kobj)
{
	kfree(to_nvl_link(kobj));
}

static const struct kobj_type nvsoc_gpu_nvl_link_ktype = {
	.release = nvsoc_gpu_nvl_link_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = nvsoc_gpu_nvl_link_groups,
};

/* --- Events ---------------------------------------------------------------------- */

/* The HS line, once per arrival at HS. Called with the lock held. */
static void nvsoc_gpu_nvl_report_hs(struct nvsoc_gpu_device *gdev, unsigned int l, u32 status)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
	char remote[32];

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	if (p->hs_reported)
		return;
	nvsoc_gpu_nvl_learn_remote(gdev, l);
	if (p->retrains)
		dev_dbg(gdev->bus.dev, "NVLink link %u: up again after %u retrains\n", l,
			p->retrains);
	nvsoc_gpu_nvl_remote_name(p->remote_id, remote, sizeof(remote));
	/* The remote GPU not bound yet: its bind runs the work again. */
	if (!strcmp(remote, "unknown"))
		return;
	p->hs_reported = true;
	dev_info(gdev->bus.dev, "NVLink link %u: HS, generation %u x%u, to %s link %d\n", l,
		 (status >> NVSOC_NVL_STATUS_GEN_SHIFT) & 0xf,
		 (status >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf, remote, p->remote_link);
	if (gdev->nvl_listed && gdev->nvl_links[l])
		WARN_ON(sysfs_update_group(&gdev->nvl_links[l]->kobj, &nvsoc_gpu_nvl_ecc_group));
}

/* Notes a state seen (trace, clocks); called with the lock held. */
static void nvsoc_gpu_nvl_note_state(struct nvsoc_gpu_device *gdev, unsigned int l, u32 status)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
	u32 state = status & NVSOC_NVL_STATUS_STATE_MASK;

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	if (state != p->state) {
		trace_nvsoc_gpu_nvlink_state(gdev->bus.dev, l, nvsoc_nvl_state_name(p->state),
					     nvsoc_nvl_state_name(state),
					     (status >> NVSOC_NVL_STATUS_GEN_SHIFT) & 0xf,
					     (status >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf);
		if (nvsoc_gpu_nvl_usable(state) != nvsoc_gpu_nvl_usable(p->state))
			nvsoc_gpu_peers_changed();
		p->state = state;
		p->since = jiffies;
	}
	if (state == NVSOC_NVL_STATE_HS)
		nvsoc_gpu_nvl_report_hs(gdev, l, status);
	else if (state != NVSOC_NVL_STATE_RECOVERY)
		p->hs_reported = false;
}

/* After Xid 74: a RESET in nvlink_retrain_ms, if the port has retrains left. */
static void nvsoc_gpu_nvl_plan_retrain(struct nvsoc_gpu_device *gdev, unsigned int l)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
	unsigned int ms = READ_ONCE(nvlink_retrain_ms);

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	if (!ms) {
		dev_info(gdev->bus.dev, "NVLink link %u: not retrained (nvlink_retrain_ms=0)\n", l);
		return;
	}
	if (p->retrains >= NVSOC_GPU_NVL_RETRAIN_MAX) {
		dev_err(gdev->bus.dev,
			"NVLink link %u: failed again after %u retrains: left down until the GPU is rebound\n",
			l, p->retrains);
		return;
	}
	p->retrain = true;
	p->retrain_at = jiffies + msecs_to_jiffies(ms);
	/* Pending already (training passes): those passes see it due. */
	schedule_delayed_work(&nvsoc_gpu_nvlink_work, msecs_to_jiffies(ms));
}

/*
 * The other end of port l, when a bound GPU: its retrain is this one's
 * (a RESET from either end resets the link).
 */
static void nvsoc_gpu_nvl_cancel_remote_retrain(struct nvsoc_gpu_device *gdev, unsigned int l)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
	struct nvsoc_gpu_device *other;

	lockdep_assert_held(&nvsoc_gpu_nvlink_lock);
	if (!p->remote_id || p->remote_link < 0)
		return;
	list_for_each_entry(other, &nvsoc_gpu_nvlinks, nvl_node) {
		if (other->nvlink_id == p->remote_id && p->remote_link < other->num_nvlinks) {
			other->nvl[p->remote_link].retrain = false;
			other->nvl[p->remote_link].retrains++;
		}
	}
}

/* A retrain that is due: RESET from this end. True while one is planned. */
static bool nvsoc_gpu_nvl_retrain_port(struct nvsoc_gpu_device *gdev, unsigned int l, u32 state)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];

	if (!p->retrain)
		return false;
	if (state != NVSOC_NVL_STATE_FAULT) {
		/* Reset by other means (the other end, a GPU reset). */
		p->retrain = false;
		return false;
	}
	if (time_before(jiffies, p->retrain_at))
		return true;
	p->retrain = false;
	p->retrains++;
	p->gave_up = false;
	p->since = jiffies;
	dev_info(gdev->bus.dev, "NVLink link %u: retraining (RESET, attempt %u of %u)\n", l,
		 p->retrains, NVSOC_GPU_NVL_RETRAIN_MAX);
	nvsoc_gpu_nvl_cancel_remote_retrain(gdev, l);
	p->issued_state = state;
	nvl_wr(gdev, l, NVSOC_NVL_CMD, NVSOC_NVL_CMD_RESET);
	return true;
}

/* The stall thread: every port with ERR_STATUS & ERR_EN. */
void nvsoc_gpu_nvlink_intr(struct nvsoc_gpu_device *gdev)
{
	u32 pending = nvsoc_gpu_rd(gdev, NVSOC_GPU_NVLINK_INTR_PENDING);
	struct device *dev = gdev->bus.dev;

	if (!gdev->num_nvlinks || pending == ~0u)
		return;
	pending &= GENMASK(gdev->num_nvlinks - 1, 0);
	mutex_lock(&nvsoc_gpu_nvlink_lock);
	while (pending) {
		unsigned int l = __ffs(pending);
		struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
		u32 err = nvl_rd(gdev, l, NVSOC_NVL_ERR_STATUS) & NVSOC_GPU_NVL_ERR_EN;
		u32 status = nvl_rd(gdev, l, NVSOC_NVL_STATUS);
		char remote[32];

		pending &= pending - 1;
		if (status != ~0u && (err & NVSOC_NVL_ERR_STATE))
			nvsoc_gpu_nvl_note_state(gdev, l, status);
		if (err & NVSOC_NVL_ERR_LINK_DOWN) {
			nvsoc_gpu_nvl_learn_remote(gdev, l);
			nvsoc_gpu_nvl_remote_name(p->remote_id, remote, sizeof(remote));
			dev_err(dev, "Xid 74: NVLink link %u failed (FAULT), remote %s link %d\n",
				l, remote, p->remote_link);
			trace_nvsoc_gpu_fault(dev, 74, NVSOC_GPU_FAULT_NO_CHANNEL, 0, 0, 0, 0, l,
					      0);
			nvsoc_gpu_nvl_plan_retrain(gdev, l);
		}
		if (err & NVSOC_NVL_ERR_RECOVERY)
			dev_warn_ratelimited(dev, "NVLink link %u: recovery (DL retrain)\n", l);
		if (err & NVSOC_NVL_ERR_TRAIN_FAIL)
			dev_err(dev, "NVLink link %u: training failed (FAIL) in %s\n", l,
				nvsoc_nvl_state_name(p->state));
		nvl_wr(gdev, l, NVSOC_NVL_ERR_STATUS, err);
	}
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
}

/* --- Software training ------------------------------------------------------------ */

/* Issues cmd unless the other end still has to give it. */
static void nvsoc_gpu_nvl_issue(struct nvsoc_gpu_device *gdev, unsigned int l, u32 cmd,
				u32 state)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
	u32 last = nvl_rd(gdev, l, NVSOC_NVL_CMD) & 0xff;
	u32 cs = nvl_rd(gdev, l, NVSOC_NVL_CMD_STATUS) & 3;

	if (last == cmd && (cs == NVSOC_NVL_CMD_STATUS_BUSY ||
			    (cs == NVSOC_NVL_CMD_STATUS_DONE && p->issued_state == state)))
		return;
	dev_dbg(gdev->bus.dev, "NVLink link %u: %s: command %u\n", l,
		nvsoc_nvl_state_name(state), cmd);
	p->issued_state = state;
	nvl_wr(gdev, l, NVSOC_NVL_CMD, cmd);
}

static bool nvsoc_gpu_nvl_refused(struct nvsoc_gpu_device *gdev, unsigned int l)
{
	return (nvl_rd(gdev, l, NVSOC_NVL_CMD_STATUS) & 3) == NVSOC_NVL_CMD_STATUS_REFUSED;
}

/* One step of one port; true while it still needs the work. */
static bool nvsoc_gpu_nvl_train_port(struct nvsoc_gpu_device *gdev, unsigned int l)
{
	struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];
	u32 status = nvl_rd(gdev, l, NVSOC_NVL_STATUS);
	u32 state = status & NVSOC_NVL_STATUS_STATE_MASK;
	u32 gen = (status >> NVSOC_NVL_STATUS_GEN_SHIFT) & 0xf;
	unsigned int limit;
	u32 last;

	if (status == ~0u)
		return false;
	nvsoc_gpu_nvl_note_state(gdev, l, status);
	if (nvsoc_gpu_nvl_retrain_port(gdev, l, state))
		return true;
	if (p->ali || p->gave_up)
		return false;
	switch (state) {
	case NVSOC_NVL_STATE_HS:
	case NVSOC_NVL_STATE_FAULT:
	case NVSOC_NVL_STATE_FAIL:
	case NVSOC_NVL_STATE_SLEEP:
	case NVSOC_NVL_STATE_RECOVERY:
		return false;
	case NVSOC_NVL_STATE_OFF:
	case NVSOC_NVL_STATE_INITPHASE1:
	case NVSOC_NVL_STATE_DETECT:
		limit = NVSOC_GPU_NVL_SAFE_TIMEOUT_MS;
		break;
	default:
		limit = NVSOC_GPU_NVL_HS_TIMEOUT_MS;
		break;
	}
	if (time_after(jiffies, p->since + msecs_to_jiffies(limit))) {
		p->gave_up = true;
		if (nvsoc_gpu_nvl_refused(gdev, l) && state == NVSOC_NVL_STATE_OFF)
			dev_dbg(gdev->bus.dev, "NVLink link %u: not connected\n", l);
		else
			dev_warn(gdev->bus.dev, "NVLink link %u: training gave up in %s after %u ms\n",
				 l, nvsoc_nvl_state_name(state), limit);
		return false;
	}
	last = nvl_rd(gdev, l, NVSOC_NVL_CMD) & 0xff;
	switch (state) {
	case NVSOC_NVL_STATE_OFF:
		if (!p->legacy) {
			nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_INITPHASE1, state);
			if (!nvsoc_gpu_nvl_refused(gdev, l))
				break;
			p->legacy = true;
		}
		nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_RXDET, state);
		break;
	case NVSOC_NVL_STATE_INITPHASE1:
		nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_RXDET, state);
		break;
	case NVSOC_NVL_STATE_DETECT:
		nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_SAFE, state);
		break;
	case NVSOC_NVL_STATE_SAFE:
		if (p->legacy) {
			nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_HS, state);
		} else if (!gen) {
			nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_INITNEGOTIATE, state);
		} else if (last == NVSOC_NVL_CMD_INITOPTIMIZE && !nvsoc_gpu_nvl_refused(gdev, l)) {
			/* Done, or waiting for the other end: INITTL tells. */
			p->issued_state = 0xff;
			nvl_wr(gdev, l, NVSOC_NVL_CMD, NVSOC_NVL_CMD_INITTL);
		} else {
			nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_INITOPTIMIZE, state);
		}
		break;
	case NVSOC_NVL_STATE_INITTL:
		nvsoc_gpu_nvl_issue(gdev, l, NVSOC_NVL_CMD_HS, state);
		break;
	}
	return true;
}

static void nvsoc_gpu_nvlink_train_work(struct work_struct *work)
{
	struct nvsoc_gpu_device *gdev;
	bool again = false;
	unsigned int l;

	mutex_lock(&nvsoc_gpu_nvlink_lock);
	list_for_each_entry(gdev, &nvsoc_gpu_nvlinks, nvl_node) {
		if (READ_ONCE(gdev->state) != NVSOC_GPU_RUNNING)
			continue;
		for (l = 0; l < gdev->num_nvlinks; l++)
			again |= nvsoc_gpu_nvl_train_port(gdev, l);
	}
	if (again)
		schedule_delayed_work(&nvsoc_gpu_nvlink_work,
				      msecs_to_jiffies(NVSOC_GPU_NVL_POLL_MS));
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
}

/* --- Life cycle -------------------------------------------------------------------- */

/* After an engine reset (probe, slot reset): the ports' interrupts. */
void nvsoc_gpu_nvlink_hw_init(struct nvsoc_gpu_device *gdev)
{
	unsigned int l;

	for (l = 0; l < gdev->num_nvlinks; l++) {
		nvl_wr(gdev, l, NVSOC_NVL_ERR_STATUS, ~0u);
		nvl_wr(gdev, l, NVSOC_NVL_ERR_EN, NVSOC_GPU_NVL_ERR_EN);
	}
}

static void nvsoc_gpu_nvlink_del_links(struct nvsoc_gpu_device *gdev)
{
	unsigned int l = gdev->num_nvlinks;

	while (l--) {
		if (gdev->nvl_links[l]) {
			kobject_put(&gdev->nvl_links[l]->kobj);
			gdev->nvl_links[l] = NULL;
		}
	}
	sysfs_remove_group(gdev->nvl_kobj, &nvsoc_gpu_nvl_top_group);
	kobject_put(gdev->nvl_kobj);
	gdev->nvl_kobj = NULL;
}

/*
 * <device>/nvlink/ and its links, then the GPU joins the list the
 * training work and remote_device look at. Nothing without ports.
 */
int nvsoc_gpu_nvlink_init(struct nvsoc_gpu_device *gdev)
{
	struct device *dev = gdev->bus.dev;
	struct nvsoc_gpu_device *other;
	unsigned int l;
	int ret;

	if (!gdev->num_nvlinks)
		return 0;
	gdev->nvl_kobj = kobject_create_and_add("nvlink", &dev->kobj);
	if (!gdev->nvl_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(gdev->nvl_kobj, &nvsoc_gpu_nvl_top_group);
	if (ret) {
		kobject_put(gdev->nvl_kobj);
		gdev->nvl_kobj = NULL;
		return ret;
	}
	for (l = 0; l < gdev->num_nvlinks; l++) {
		struct nvsoc_gpu_nvlink_link *link = kzalloc(sizeof(*link), GFP_KERNEL);

		if (!link) {
			ret = -ENOMEM;
			goto err_links;
		}
		link->gdev = gdev;
		link->index = l;
		ret = kobject_init_and_add(&link->kobj, &nvsoc_gpu_nvl_link_ktype, gdev->nvl_kobj,
					   "link%u", l);
		if (ret) {
			/* The kobject owns link now: put frees it. */
			kobject_put(&link->kobj);
			goto err_links;
		}
		gdev->nvl_links[l] = link;
	}

	mutex_lock(&nvsoc_gpu_nvlink_lock);
	for (l = 0; l < gdev->num_nvlinks; l++) {
		struct nvsoc_gpu_nvl_port *p = &gdev->nvl[l];

		p->ali = nvl_rd(gdev, l, NVSOC_NVL_CTRL) & NVSOC_NVL_CTRL_ALI;
		p->remote_link = -1;
	}
	list_add_tail(&gdev->nvl_node, &nvsoc_gpu_nvlinks);
	gdev->nvl_listed = true;
	/* A new GPU: every port's clocks start again. */
	list_for_each_entry(other, &nvsoc_gpu_nvlinks, nvl_node) {
		for (l = 0; l < other->num_nvlinks; l++) {
			other->nvl[l].since = jiffies;
			other->nvl[l].gave_up = false;
		}
	}
	mod_delayed_work(system_wq, &nvsoc_gpu_nvlink_work, 0);
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
	return 0;

err_links:
	nvsoc_gpu_nvlink_del_links(gdev);
	return ret;
}

/* The reverse of nvsoc_gpu_nvlink_init: off the list, interrupts off, sysfs. */
void nvsoc_gpu_nvlink_fini(struct nvsoc_gpu_device *gdev, bool reachable)
{
	unsigned int l;

	if (!gdev->num_nvlinks)
		return;
	mutex_lock(&nvsoc_gpu_nvlink_lock);
	if (gdev->nvl_listed) {
		list_del(&gdev->nvl_node);
		gdev->nvl_listed = false;
	}
	if (list_empty(&nvsoc_gpu_nvlinks))
		cancel_delayed_work(&nvsoc_gpu_nvlink_work);
	for (l = 0; reachable && l < gdev->num_nvlinks; l++)
		nvl_wr(gdev, l, NVSOC_NVL_ERR_EN, 0);
	mutex_unlock(&nvsoc_gpu_nvlink_lock);
	/*
	 * Off the list, the stall thread no longer touches the kobjects;
	 * removed outside the lock, which their readers take.
	 */
	nvsoc_gpu_nvlink_del_links(gdev);
}

/* Module exit: no GPU is left, nor any pass of the work. */
void nvsoc_gpu_nvlink_exit(void)
{
	cancel_delayed_work_sync(&nvsoc_gpu_nvlink_work);
}
