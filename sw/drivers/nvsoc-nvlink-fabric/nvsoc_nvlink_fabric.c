// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc native NVLink fabric node: a platform driver for the device tree
 * node "nvsoc,nvlink-fabric" (docs/bindings/nvsoc,nvlink-fabric.yaml;
 * registers in models/nvlink/nvlink_fabric_hw.h).
 *
 * The node sits on the SoC interconnect and holds up to 8 GPUs over
 * NVLink-C2C-style coherent links, one slot each. This driver:
 *
 *   - checks the node (IDENT "NVFB", VERSION 1.x) and finds its slots;
 *   - handles the node interrupt: a slot whose links fail (LINK_FAIL) is
 *     logged once and marked failed, which the GPU driver's platform front
 *     end sees as its bus being gone, and its GPU is unbound (a surprise
 *     removal, from a work item); a slot woken by an access
 *     (WOKE_BY_ACCESS) brings the runtime PM state back in line with the
 *     hardware (pm_request_resume); bus errors are logged, rate-limited;
 *   - drives the links' power states with runtime PM and autosuspend:
 *     runtime suspend puts every slot in L2 (SLOT_CTRL.SLEEP_REQ), then
 *     the node (NODE_CTRL.SLEEP); runtime resume undoes both and waits for
 *     L0 (when CAPS says the node has L2). A GPU's jobs hold runtime PM
 *     references on the GPU device, its child, so the fabric only sleeps
 *     when every GPU is idle;
 *   - creates the gpu@<slot> children (devm_of_platform_populate: the node
 *     is not a simple-bus), which nvsoc-gpu.ko binds;
 *   - shows each slot in sysfs (slot<N>/c2c_links, c2c_state, wake_count;
 *     ABI in sysfs-driver-nvsoc-nvlink-fabric).
 *
 * Everything is devres, so there is no remove(): at unbind the steps go
 * in reverse order of probe. First the slots are woken through runtime PM
 * (a reference held until the children are gone), then the children go,
 * runtime PM is disabled, the hardware is left awake, interrupts are
 * disabled at the source, the IRQ is freed, the registers unmapped and
 * the unbind work cancelled.
 *
 * Locking: the runtime PM core serialises runtime_suspend and
 * runtime_resume, and they are the only writers of SLOT_CTRL and
 * NODE_CTRL once runtime PM is enabled (before it, only probe writes them;
 * after it is disabled, only the teardown). The interrupt handler writes
 * only ERR_STATUS (write-1-to-clear, per slot, so it races with nobody)
 * and sets bits in shared.failed with atomic bitops; it runs in hard IRQ
 * context and takes no lock (pm_request_resume and schedule_work are safe
 * there). The unbind work is the only user of unbound; it takes the GPU
 * child's device lock (device_release_driver), never the fabric's. The
 * sysfs attributes read registers only.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "nvsoc_nvlink_fabric.h"

/* How long the fabric stays up after its last use (power/autosuspend_delay_ms). */
#define NVSOC_NVFB_AUTOSUSPEND_MS	200
/*
 * Bounds on a power transition: the model's L2 entry and exit latencies
 * are microseconds (NVSOC_NVFB_SLOT_L2_EXIT_NS says); these are far above.
 */
#define NVSOC_NVFB_L2_TIMEOUT_MS	100
#define NVSOC_NVFB_L0_TIMEOUT_MS	100
#define NVSOC_NVFB_POLL_US		10

/* ERR_STATUS events the driver acts on (ERR_EN). */
#define NVSOC_NVFB_ERR_HANDLED	(NVSOC_NVFB_SLOT_ERR_LINK_FAIL | \
				 NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS | \
				 NVSOC_NVFB_SLOT_ERR_BUS_ERROR)

struct nvsoc_nvfb {
	struct nvsoc_nvfb_shared sh;	/* the drvdata: what the children read */
	struct device *dev;
	u32 present;			/* bit s: slot s holds a GPU (at probe) */
	u32 caps;			/* CAPS */
	/* Unbinds the GPUs of failed slots (process context). */
	struct work_struct fail_work;
	unsigned long unbound;		/* bit s: slot s's GPU was unbound (the work's own) */
};

static struct nvsoc_nvfb *nvsoc_nvfb_from_dev(struct device *dev)
{
	return container_of(dev_get_drvdata(dev), struct nvsoc_nvfb, sh);
}

static u32 nvsoc_nvfb_rd(struct nvsoc_nvfb *fab, u32 reg)
{
	return readl(fab->sh.regs + reg);
}

static void nvsoc_nvfb_wr(struct nvsoc_nvfb *fab, u32 reg, u32 val)
{
	writel(val, fab->sh.regs + reg);
}

static u32 nvsoc_nvfb_slot_state(struct nvsoc_nvfb *fab, unsigned int s)
{
	return nvsoc_nvfb_slot_rd(&fab->sh, s, NVSOC_NVFB_SLOT_STATUS) &
	       NVSOC_NVFB_SLOT_STATUS_STATE_MASK;
}

static const char *const nvsoc_nvfb_state_names[] = {
	[NVSOC_NVFB_STATE_L0] = "L0",
	[NVSOC_NVFB_STATE_ENTERING_L2] = "entering-L2",
	[NVSOC_NVFB_STATE_L2] = "L2",
	[NVSOC_NVFB_STATE_WAKING] = "waking",
	[NVSOC_NVFB_STATE_FAILED] = "failed",
};

static const char *nvsoc_nvfb_state_name(u32 state)
{
	if (state < ARRAY_SIZE(nvsoc_nvfb_state_names))
		return nvsoc_nvfb_state_names[state];
	return "unknown";
}

/* Slots that take part in power management: present and not failed. */
static unsigned long nvsoc_nvfb_live_slots(struct nvsoc_nvfb *fab)
{
	return fab->present & ~READ_ONCE(fab->sh.failed);
}

/*
 * Marks slot @s failed; logs it the first time and has its GPU unbound.
 * Any context.
 */
static void nvsoc_nvfb_slot_fail(struct nvsoc_nvfb *fab, unsigned int s, const char *how)
{
	if (test_and_set_bit(s, &fab->sh.failed))
		return;
	dev_err(fab->dev, "slot %u: C2C links failed (%s): its GPU is gone, and loads from its VRAM take a bus error\n",
		s, how);
	schedule_work(&fab->fail_work);
}

static int nvsoc_nvfb_match_slot(struct device *dev, void *data)
{
	u32 slot;

	return !of_property_read_u32(dev->of_node, "nvsoc,slot", &slot) &&
	       slot == *(unsigned int *)data;
}

/*
 * A failed slot's GPU is unbound, as a surprise removal: every access to
 * the slot's windows, its registers included, now ends in a bus error,
 * which in the kernel is an access fault (an oops), not the all-ones a
 * dead PCIe device reads. nvsoc-gpu's state reports GONE from the moment
 * the slot is marked failed, so its remove path touches no register; the
 * sooner it runs, the fewer other register accesses can happen (there is
 * still a window between the failure and the unbind, see README.md).
 */
static void nvsoc_nvfb_fail_work(struct work_struct *work)
{
	struct nvsoc_nvfb *fab = container_of(work, struct nvsoc_nvfb, fail_work);
	unsigned long unbind = READ_ONCE(fab->sh.failed) & fab->present & ~fab->unbound;
	unsigned int s;

	for_each_set_bit(s, &unbind, NVSOC_NVFB_MAX_SLOTS) {
		struct device *gpu = device_find_child(fab->dev, &s, nvsoc_nvfb_match_slot);

		fab->unbound |= BIT(s);
		/* No child yet: its probe refuses a failed slot. */
		if (!gpu)
			continue;
		dev_info(fab->dev, "slot %u: unbinding %s\n", s, dev_name(gpu));
		device_release_driver(gpu);
		put_device(gpu);
	}
}

/*
 * Teardown, last (and on a failed probe): the work may have run during the
 * children's removal, which is harmless (device_release_driver and the
 * removal serialise on the child's device lock); it must not run after.
 */
static void nvsoc_nvfb_cancel_fail_work(void *arg)
{
	struct nvsoc_nvfb *fab = arg;

	cancel_work_sync(&fab->fail_work);
}

/* --- Power states ------------------------------------------------------------- */

/*
 * Waits until every slot in @slots is in @want (or has failed, which ends
 * its wait: a failed slot is marked and left out of power management).
 * Process context, sleeps. 0, or -ETIMEDOUT with the late slot in *late.
 */
static int nvsoc_nvfb_wait_slots(struct nvsoc_nvfb *fab, unsigned long slots, u32 want,
				 unsigned int timeout_ms, unsigned int *late)
{
	unsigned int s;
	u32 state;
	int ret;

	for_each_set_bit(s, &slots, NVSOC_NVFB_MAX_SLOTS) {
		void __iomem *reg = fab->sh.regs + NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_STATUS);

		ret = readx_poll_timeout(readl, reg, state,
					 (state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) == want ||
					 (state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) ==
					 NVSOC_NVFB_STATE_FAILED,
					 NVSOC_NVFB_POLL_US, timeout_ms * USEC_PER_MSEC);
		if (ret) {
			*late = s;
			return ret;
		}
		if ((state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) == NVSOC_NVFB_STATE_FAILED)
			nvsoc_nvfb_slot_fail(fab, s, "during a power transition");
	}
	return 0;
}

/*
 * Runtime suspend's wait: every slot in @slots reaches L2, or fails, or has
 * been woken by an access since SLEEP_REQ (its WAKE_COUNT moved past
 * @wakes[s]). The last is a suspend that happened: the links slept and the
 * hardware woke them for an access, as it does for the kernel's own use of
 * a GPU's NUMA memory; the WOKE_BY_ACCESS interrupt asks runtime PM to
 * resume (the PM core runs that request once this suspend completes).
 */
static int nvsoc_nvfb_wait_asleep(struct nvsoc_nvfb *fab, unsigned long slots, const u32 *wakes,
				  unsigned int *late, unsigned long *woken)
{
	unsigned int s;
	u32 state;
	int ret;

	*woken = 0;
	for_each_set_bit(s, &slots, NVSOC_NVFB_MAX_SLOTS) {
		void __iomem *reg = fab->sh.regs + NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_STATUS);
		void __iomem *wake = fab->sh.regs + NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_WAKE_COUNT);

		ret = readx_poll_timeout(readl, reg, state,
					 (state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) ==
					 NVSOC_NVFB_STATE_L2 ||
					 (state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) ==
					 NVSOC_NVFB_STATE_FAILED || readl(wake) != wakes[s],
					 NVSOC_NVFB_POLL_US,
					 NVSOC_NVFB_L2_TIMEOUT_MS * USEC_PER_MSEC);
		if (ret) {
			*late = s;
			return ret;
		}
		if ((state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) == NVSOC_NVFB_STATE_FAILED)
			nvsoc_nvfb_slot_fail(fab, s, "during a power transition");
		else if ((state & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) != NVSOC_NVFB_STATE_L2)
			*woken |= BIT(s);
	}
	return 0;
}

/* Sets or clears SLEEP_REQ on @slots, keeping AUTO_WAKE set. */
static void nvsoc_nvfb_sleep_req(struct nvsoc_nvfb *fab, unsigned long slots, bool sleep)
{
	unsigned int s;

	for_each_set_bit(s, &slots, NVSOC_NVFB_MAX_SLOTS)
		nvsoc_nvfb_wr(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_CTRL),
			      NVSOC_NVFB_SLOT_CTRL_AUTO_WAKE |
			      (sleep ? NVSOC_NVFB_SLOT_CTRL_SLEEP_REQ : 0));
}

/*
 * Node awake, every live slot asked to leave L2 and waited for in L0.
 * Probe, runtime resume and teardown. Process context.
 */
static int nvsoc_nvfb_wake(struct nvsoc_nvfb *fab)
{
	unsigned int late;
	int ret;

	nvsoc_nvfb_wr(fab, NVSOC_NVFB_NODE_CTRL, 0);
	nvsoc_nvfb_sleep_req(fab, nvsoc_nvfb_live_slots(fab), false);
	ret = nvsoc_nvfb_wait_slots(fab, nvsoc_nvfb_live_slots(fab), NVSOC_NVFB_STATE_L0,
				    NVSOC_NVFB_L0_TIMEOUT_MS, &late);
	if (ret)
		dev_err(fab->dev, "wake: slot %u did not reach L0 within %u ms (it is %s)\n", late,
			NVSOC_NVFB_L0_TIMEOUT_MS,
			nvsoc_nvfb_state_name(nvsoc_nvfb_slot_state(fab, late)));
	return ret;
}

/*
 * Every live slot to L2, then the node to sleep. A slot that does not get
 * there in time, or is woken by an access meanwhile, cancels the suspend:
 * the slots are woken again and -EBUSY tells the PM core to try later
 * (an error other than -EBUSY or -EAGAIN would stop runtime PM for good).
 * The node sleeps only when no present slot has failed (the hardware
 * accepts NODE_CTRL.SLEEP only with every GPU's slot in L2).
 */
static int nvsoc_nvfb_runtime_suspend(struct device *dev)
{
	struct nvsoc_nvfb *fab = nvsoc_nvfb_from_dev(dev);
	unsigned long live = nvsoc_nvfb_live_slots(fab);
	u32 wakes[NVSOC_NVFB_MAX_SLOTS] = { };
	unsigned long woken;
	unsigned int late, s;
	int ret;

	/* A node without link power states: runtime PM is bookkeeping only. */
	if (!(fab->caps & NVSOC_NVFB_CAPS_L2))
		return 0;
	for_each_set_bit(s, &live, NVSOC_NVFB_MAX_SLOTS)
		wakes[s] = nvsoc_nvfb_rd(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_WAKE_COUNT));
	nvsoc_nvfb_sleep_req(fab, live, true);
	ret = nvsoc_nvfb_wait_asleep(fab, live, wakes, &late, &woken);
	if (!ret && woken) {
		/* Asleep, then woken by an access: the node stays up; resume follows. */
		dev_dbg(dev, "runtime suspend: slots 0x%lx slept, 0x%lx woken by an access since\n",
			live, woken);
		return 0;
	}
	if (ret) {
		/* Rate-limited: the PM core retries after each autosuspend delay. */
		dev_warn_ratelimited(dev, "runtime suspend: slot %u did not reach L2 within %u ms (it is %s); staying awake\n",
				     late, NVSOC_NVFB_L2_TIMEOUT_MS,
				     nvsoc_nvfb_state_name(nvsoc_nvfb_slot_state(fab, late)));
		goto undo;
	}
	if (READ_ONCE(fab->sh.failed) & fab->present) {
		dev_dbg(dev, "runtime suspend: slots in L2; the node stays up (a slot has failed)\n");
		return 0;
	}
	nvsoc_nvfb_wr(fab, NVSOC_NVFB_NODE_CTRL, NVSOC_NVFB_NODE_CTRL_SLEEP);
	if (!(nvsoc_nvfb_rd(fab, NVSOC_NVFB_NODE_STATUS) & NVSOC_NVFB_NODE_STATUS_ASLEEP)) {
		dev_dbg(dev, "runtime suspend: the node refused to sleep (a slot left L2); staying awake\n");
		goto undo;
	}
	dev_dbg(dev, "runtime suspend: slots 0x%lx in L2, node asleep\n", live);
	return 0;

undo:
	nvsoc_nvfb_wake(fab);
	return -EBUSY;
}

static int nvsoc_nvfb_runtime_resume(struct device *dev)
{
	struct nvsoc_nvfb *fab = nvsoc_nvfb_from_dev(dev);
	int ret;

	ret = nvsoc_nvfb_wake(fab);
	if (ret)
		return ret;
	pm_runtime_mark_last_busy(dev);
	dev_dbg(dev, "runtime resume: slots 0x%lx in L0\n", nvsoc_nvfb_live_slots(fab));
	return 0;
}

/*
 * Runtime PM only: system sleep is not handled (the GPU driver has no
 * system sleep support either, and nvsoc's kernel does not suspend).
 */
static const struct dev_pm_ops nvsoc_nvfb_pm_ops = {
	RUNTIME_PM_OPS(nvsoc_nvfb_runtime_suspend, nvsoc_nvfb_runtime_resume, NULL)
};

/* --- Interrupt ----------------------------------------------------------------- */

/* Hard IRQ context: ERR_STATUS is acknowledged here, nothing sleeps. */
static irqreturn_t nvsoc_nvfb_irq(int irq, void *arg)
{
	struct nvsoc_nvfb *fab = arg;
	unsigned long pending = nvsoc_nvfb_rd(fab, NVSOC_NVFB_INTR_STATUS) & fab->present;
	bool woke = false;
	unsigned int s;

	if (!pending)
		return IRQ_NONE;
	for_each_set_bit(s, &pending, NVSOC_NVFB_MAX_SLOTS) {
		u32 err = nvsoc_nvfb_slot_rd(&fab->sh, s, NVSOC_NVFB_SLOT_ERR_STATUS);

		nvsoc_nvfb_wr(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_ERR_STATUS), err);
		if (err & NVSOC_NVFB_SLOT_ERR_LINK_FAIL)
			nvsoc_nvfb_slot_fail(fab, s, "LINK_FAIL");
		if (err & NVSOC_NVFB_SLOT_ERR_BUS_ERROR) {
			u32 state = nvsoc_nvfb_slot_state(fab, s);

			dev_warn_ratelimited(fab->dev, "slot %u: an access to its windows took a bus error (slot %s)\n",
					     s, nvsoc_nvfb_state_name(state));
		}
		if (err & NVSOC_NVFB_SLOT_ERR_WOKE_BY_ACCESS)
			woke = true;
	}
	/*
	 * An access woke a sleeping slot by itself: the hardware is (being)
	 * woken, so the PM state follows. The resume waits for L0 and
	 * clears NODE_CTRL; autosuspend puts the fabric back to sleep.
	 */
	if (woke) {
		pm_runtime_mark_last_busy(fab->dev);
		pm_request_resume(fab->dev);
	}
	return IRQ_HANDLED;
}

/* Teardown: no slot raises the node line any more. */
static void nvsoc_nvfb_irqs_off(void *arg)
{
	struct nvsoc_nvfb *fab = arg;
	unsigned long present = fab->present;
	unsigned int s;

	for_each_set_bit(s, &present, NVSOC_NVFB_MAX_SLOTS)
		nvsoc_nvfb_wr(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_ERR_EN), 0);
	nvsoc_nvfb_rd(fab, NVSOC_NVFB_INTR_STATUS);
}

/* --- sysfs: slot<N>/ (ABI in sysfs-driver-nvsoc-nvlink-fabric) --------------------- */

static unsigned int nvsoc_nvfb_attr_slot(struct device_attribute *attr);

static ssize_t c2c_links_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvsoc_nvfb *fab = nvsoc_nvfb_from_dev(dev);
	u32 status = nvsoc_nvfb_slot_rd(&fab->sh, nvsoc_nvfb_attr_slot(attr),
					NVSOC_NVFB_SLOT_STATUS);

	return sysfs_emit(buf, "%u\n", FIELD_GET(NVSOC_NVFB_SLOT_STATUS_LINKS_MASK, status));
}

static ssize_t c2c_state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvsoc_nvfb *fab = nvsoc_nvfb_from_dev(dev);
	u32 state = nvsoc_nvfb_slot_state(fab, nvsoc_nvfb_attr_slot(attr));

	return sysfs_emit(buf, "%s\n", nvsoc_nvfb_state_name(state));
}

static ssize_t wake_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvsoc_nvfb *fab = nvsoc_nvfb_from_dev(dev);

	return sysfs_emit(buf, "%u\n", nvsoc_nvfb_slot_rd(&fab->sh, nvsoc_nvfb_attr_slot(attr),
							  NVSOC_NVFB_SLOT_WAKE_COUNT));
}

/* Only a present slot's directory is shown. */
static umode_t nvsoc_nvfb_slot_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	struct device *dev = kobj_to_dev(kobj);
	struct device_attribute *dattr = container_of(attr, struct device_attribute, attr);

	if (!(nvsoc_nvfb_from_dev(dev)->present & BIT(nvsoc_nvfb_attr_slot(dattr))))
		return SYSFS_GROUP_INVISIBLE;
	return attr->mode;
}

#define NVSOC_NVFB_SLOT_ATTRS	3

/* slot<N>/: the same three attributes, one set per slot. */
#define NVSOC_NVFB_SLOT_GROUP(s)						\
static struct device_attribute nvsoc_nvfb_slot##s##_attrs[NVSOC_NVFB_SLOT_ATTRS] = {	\
	__ATTR_RO(c2c_links),							\
	__ATTR_RO(c2c_state),							\
	__ATTR_RO(wake_count),							\
};										\
static struct attribute *nvsoc_nvfb_slot##s##_list[] = {			\
	&nvsoc_nvfb_slot##s##_attrs[0].attr,					\
	&nvsoc_nvfb_slot##s##_attrs[1].attr,					\
	&nvsoc_nvfb_slot##s##_attrs[2].attr,					\
	NULL									\
};										\
static const struct attribute_group nvsoc_nvfb_slot##s##_group = {		\
	.name = "slot" #s,							\
	.attrs = nvsoc_nvfb_slot##s##_list,					\
	.is_visible = nvsoc_nvfb_slot_visible,					\
}

NVSOC_NVFB_SLOT_GROUP(0);
NVSOC_NVFB_SLOT_GROUP(1);
NVSOC_NVFB_SLOT_GROUP(2);
NVSOC_NVFB_SLOT_GROUP(3);
NVSOC_NVFB_SLOT_GROUP(4);
NVSOC_NVFB_SLOT_GROUP(5);
NVSOC_NVFB_SLOT_GROUP(6);
NVSOC_NVFB_SLOT_GROUP(7);

/* Indexed by slot. */
static struct device_attribute *const nvsoc_nvfb_slot_attrs[NVSOC_NVFB_MAX_SLOTS] = {
	nvsoc_nvfb_slot0_attrs, nvsoc_nvfb_slot1_attrs, nvsoc_nvfb_slot2_attrs,
	nvsoc_nvfb_slot3_attrs, nvsoc_nvfb_slot4_attrs, nvsoc_nvfb_slot5_attrs,
	nvsoc_nvfb_slot6_attrs, nvsoc_nvfb_slot7_attrs,
};

static const struct attribute_group *nvsoc_nvfb_groups[] = {
	&nvsoc_nvfb_slot0_group, &nvsoc_nvfb_slot1_group,
	&nvsoc_nvfb_slot2_group, &nvsoc_nvfb_slot3_group,
	&nvsoc_nvfb_slot4_group, &nvsoc_nvfb_slot5_group,
	&nvsoc_nvfb_slot6_group, &nvsoc_nvfb_slot7_group,
	NULL
};

/* The slot whose directory holds @attr. */
static unsigned int nvsoc_nvfb_attr_slot(struct device_attribute *attr)
{
	unsigned int s;

	for (s = 0; s < NVSOC_NVFB_MAX_SLOTS; s++)
		if (attr >= nvsoc_nvfb_slot_attrs[s] &&
		    attr < nvsoc_nvfb_slot_attrs[s] + NVSOC_NVFB_SLOT_ATTRS)
			return s;
	WARN_ON_ONCE(1);
	return 0;
}

/* --- Probe and teardown -------------------------------------------------------- */

/* Teardown, after runtime PM is disabled: leave the links up for the next bind. */
static void nvsoc_nvfb_leave_awake(void *arg)
{
	nvsoc_nvfb_wake(arg);
}

/* Teardown, before the children go: they find the slots awake. */
static void nvsoc_nvfb_pm_get(void *arg)
{
	pm_runtime_get_sync(arg);
}

/* Teardown, after the children are gone: the reference above. */
static void nvsoc_nvfb_pm_put(void *arg)
{
	pm_runtime_put_noidle(arg);
}

/* The node's slots: which hold a GPU, and which have failed already. */
static void nvsoc_nvfb_find_slots(struct nvsoc_nvfb *fab)
{
	u32 num = nvsoc_nvfb_rd(fab, NVSOC_NVFB_NUM_SLOTS);
	unsigned int s;

	for (s = 0; s < NVSOC_NVFB_MAX_SLOTS; s++) {
		u32 status = nvsoc_nvfb_slot_rd(&fab->sh, s, NVSOC_NVFB_SLOT_STATUS);

		if (!(status & NVSOC_NVFB_SLOT_STATUS_PRESENT))
			continue;
		fab->present |= BIT(s);
		if ((status & NVSOC_NVFB_SLOT_STATUS_STATE_MASK) == NVSOC_NVFB_STATE_FAILED)
			nvsoc_nvfb_slot_fail(fab, s, "at probe");
		dev_dbg(fab->dev, "slot %u: %u C2C links, %s, %u MB/s, %u ns\n", s,
			FIELD_GET(NVSOC_NVFB_SLOT_STATUS_LINKS_MASK, status),
			nvsoc_nvfb_state_name(status & NVSOC_NVFB_SLOT_STATUS_STATE_MASK),
			nvsoc_nvfb_slot_rd(&fab->sh, s, NVSOC_NVFB_SLOT_BANDWIDTH_MBPS),
			nvsoc_nvfb_slot_rd(&fab->sh, s, NVSOC_NVFB_SLOT_LATENCY_NS));
	}
	if (hweight32(fab->present) != num)
		dev_warn(fab->dev, "NUM_SLOTS says %u GPUs, the slots show %u\n", num,
			 hweight32(fab->present));
}

static int nvsoc_nvfb_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	unsigned long present;
	struct nvsoc_nvfb *fab;
	struct resource *res;
	u32 ident, version;
	unsigned int s;
	int irq, ret;

	fab = devm_kzalloc(dev, sizeof(*fab), GFP_KERNEL);
	if (!fab)
		return -ENOMEM;
	fab->dev = dev;
	fab->sh.version = NVSOC_NVFB_SHARED_VERSION;
	INIT_WORK(&fab->fail_work, nvsoc_nvfb_fail_work);
	/* First registered, so last undone: the work never outlives fab. */
	ret = devm_add_action_or_reset(dev, nvsoc_nvfb_cancel_fail_work, fab);
	if (ret)
		return ret;

	/* Step 1: the node registers, and the right device behind them. */
	fab->sh.regs = devm_platform_get_and_ioremap_resource(pdev, 0, &res);
	if (IS_ERR(fab->sh.regs))
		return dev_err_probe(dev, PTR_ERR(fab->sh.regs), "the node registers (reg)\n");
	if (resource_size(res) < NVSOC_NVFB_NODE_REGS_SIZE)
		return dev_err_probe(dev, -EINVAL,
				     "reg %pR is smaller than the %u KiB of node registers\n", res,
				     NVSOC_NVFB_NODE_REGS_SIZE >> 10);
	ident = nvsoc_nvfb_rd(fab, NVSOC_NVFB_IDENT);
	if (ident != NVSOC_NVFB_IDENT_VALUE)
		return dev_err_probe(dev, -ENODEV, "IDENT reads 0x%08x, not 0x%08x (\"NVFB\")\n",
				     ident, NVSOC_NVFB_IDENT_VALUE);
	version = nvsoc_nvfb_rd(fab, NVSOC_NVFB_VERSION);
	if (version >> 8 != NVSOC_NVFB_VERSION_VALUE >> 8)
		return dev_err_probe(dev, -ENODEV,
				     "register layout %u.%u; this driver knows %u.x\n",
				     version >> 8, version & 0xff, NVSOC_NVFB_VERSION_VALUE >> 8);
	fab->caps = nvsoc_nvfb_rd(fab, NVSOC_NVFB_CAPS);
	nvsoc_nvfb_find_slots(fab);
	present = fab->present;

	/* Step 2: interrupts, quiet and acknowledged before the line is ours. */
	for_each_set_bit(s, &present, NVSOC_NVFB_MAX_SLOTS) {
		nvsoc_nvfb_wr(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_ERR_EN), 0);
		nvsoc_nvfb_wr(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_ERR_STATUS), ~0u);
	}
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	ret = devm_request_irq(dev, irq, nvsoc_nvfb_irq, 0, dev_name(dev), fab);
	if (ret)
		return dev_err_probe(dev, ret, "IRQ %d\n", irq);
	ret = devm_add_action_or_reset(dev, nvsoc_nvfb_irqs_off, fab);
	if (ret)
		return ret;
	for_each_set_bit(s, &present, NVSOC_NVFB_MAX_SLOTS)
		nvsoc_nvfb_wr(fab, NVSOC_NVFB_SLOT(s, NVSOC_NVFB_SLOT_ERR_EN),
			      NVSOC_NVFB_ERR_HANDLED);

	/* Step 3: the links awake (a previous bind may have left them asleep). */
	ret = nvsoc_nvfb_wake(fab);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, nvsoc_nvfb_leave_awake, fab);
	if (ret)
		return ret;

	/*
	 * Step 4: runtime PM, active now, with autosuspend
	 * (Documentation/power/runtime_pm.rst). devres undoes it in the order
	 * that document asks: dont_use_autosuspend, disable, set_suspended.
	 */
	dev_set_drvdata(dev, &fab->sh);
	pm_runtime_set_autosuspend_delay(dev, NVSOC_NVFB_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	ret = devm_pm_runtime_set_active_enabled(dev);
	if (ret)
		return dev_err_probe(dev, ret, "runtime PM\n");
	ret = devm_add_action_or_reset(dev, nvsoc_nvfb_pm_put, dev);
	if (ret)
		return ret;

	/* Step 5: the gpu@<slot> children (drvdata is set: they read it). */
	ret = devm_of_platform_populate(dev);
	if (ret)
		return dev_err_probe(dev, ret, "creating the GPU devices\n");
	ret = devm_add_action_or_reset(dev, nvsoc_nvfb_pm_get, dev);
	if (ret)
		return ret;

	dev_info(dev, "NVLink fabric node %u.%u: %u GPU slot(s) (0x%02x)%s%s%s, autosuspend %u ms\n",
		 version >> 8, version & 0xff, hweight32(fab->present), fab->present,
		 fab->caps & NVSOC_NVFB_CAPS_COHERENT ? ", coherent" : "",
		 fab->caps & NVSOC_NVFB_CAPS_ATOMICS ? ", atomics" : "",
		 fab->caps & NVSOC_NVFB_CAPS_L2 ? ", L2" : "", NVSOC_NVFB_AUTOSUSPEND_MS);
	pm_runtime_mark_last_busy(dev);
	return 0;
}

static const struct of_device_id nvsoc_nvfb_of_ids[] = {
	{ .compatible = NVSOC_NVFB_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, nvsoc_nvfb_of_ids);

static struct platform_driver nvsoc_nvfb_driver = {
	.probe = nvsoc_nvfb_probe,
	.driver = {
		.name = NVSOC_NVFB_DRIVER_NAME,
		.of_match_table = nvsoc_nvfb_of_ids,
		.dev_groups = nvsoc_nvfb_groups,
		.pm = pm_ptr(&nvsoc_nvfb_pm_ops),
	},
};
module_platform_driver(nvsoc_nvfb_driver);

MODULE_DESCRIPTION("nvsoc native NVLink fabric node (NVLink-C2C style)");
MODULE_LICENSE("GPL");
