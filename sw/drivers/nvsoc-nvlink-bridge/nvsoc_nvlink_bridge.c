// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc NVLink-to-PCIe bridge: the driver of the bridge's management
 * function (PCI 1e5c:0003, function 1 of the bridge's upstream port).
 *
 * The bridge is a PCIe switch whose downstream ports (vDSPs) reach their
 * GPUs over NVLink instead of a PCIe link. This driver
 *  - lets the NVLink ports train (CTRL.PORTS_ENABLE; the links train by
 *    themselves, ALI) and logs each port's state changes. A vDSP's slot
 *    shows a GPU once its link is HS, and pciehp, which owns the vDSPs'
 *    hot-plug slots, enumerates it: so the GPUs appear after this driver
 *    binds and disappear when their link fails;
 *  - limits the DMA of every device below the bridge to the bridge's
 *    inbound window (dev->bus_dma_limit, set before their drivers probe),
 *    so that a driver asking for a wider mask gets the window instead;
 *  - drains the bridge's fault ring (DMA beyond the window, answered with
 *    Unsupported Request by the bridge) and its error registers;
 *  - retrains a port whose link failed, after nvlink_retrain_ms.
 *
 * Register manual: models/nvlink/nvlink_bridge_hw.h and nvlink_port_hw.h.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "nvlink_bridge_hw.h"
#include "nvlink_port_hw.h"

#define DRV_NAME "nvsoc-nvlink-bridge"

static unsigned int nvlink_retrain_ms = 1000;
module_param(nvlink_retrain_ms, uint, 0644);
MODULE_PARM_DESC(nvlink_retrain_ms,
		 "Retrain a failed port's link after this many ms (0: never; default 1000)");

#define NVBR_MAX_RETRAINS	3

struct nvbr;

/* ports/<p> in sysfs: its own allocation, freed when its last user goes. */
struct nvbr_port_kobj {
	struct kobject kobj;
	struct nvbr *br;
	unsigned int index;
};

struct nvbr_port {
	struct nvbr *br;
	unsigned int index;
	struct nvbr_port_kobj *sysfs;
	struct delayed_work retrain;
	unsigned int retrains;		/* RESETs sent since bind */
	u8 last_state;			/* last state logged */
};

struct nvbr {
	struct pci_dev *pdev;		/* the management function */
	struct pci_dev *usp;		/* the upstream port (function 0) */
	void __iomem *regs;
	unsigned int nports;
	unsigned int window_bits;
	u64 dma_limit;			/* 0: the window is all 64 bits */
	struct notifier_block nb;
	struct kobject *ports_kobj;
	/* Serialises the ports' state bookkeeping (IRQ thread, retrain work). */
	struct mutex lock;
	atomic_t dma_faults;		/* fault records read */
	atomic_t lost_faults;		/* FAULT_OVERFLOW seen */
	bool stopping;			/* remove(): no new retrains */
	struct nvbr_port port[NVSOC_NVBR_MAX_PORTS];
};

static u32 nvbr_rd(struct nvbr *br, u32 off)
{
	return readl(br->regs + off);
}

static void nvbr_wr(struct nvbr *br, u32 off, u32 val)
{
	writel(val, br->regs + off);
}

static u32 nvbr_port_rd(struct nvbr *br, unsigned int p, u32 reg)
{
	return nvbr_rd(br, NVSOC_NVBR_PORT(p, reg));
}

static void nvbr_port_wr(struct nvbr *br, unsigned int p, u32 reg, u32 val)
{
	nvbr_wr(br, NVSOC_NVBR_PORT(p, reg), val);
}

/* The vDSP in front of NVLink port @p: device p on the upstream port's bus. */
static struct pci_dev *nvbr_vdsp_get(struct nvbr *br, unsigned int p)
{
	struct pci_bus *bus = br->usp->subordinate;

	if (!bus)
		return NULL;
	return pci_get_slot(bus, PCI_DEVFN(p, 0));
}

/* Is @pdev below this bridge's upstream port? */
static bool nvbr_below(struct nvbr *br, struct pci_dev *pdev)
{
	struct pci_dev *up;

	for (up = pci_upstream_bridge(pdev); up; up = pci_upstream_bridge(up))
		if (up == br->usp)
			return true;
	return false;
}

static int nvbr_limit_one(struct pci_dev *pdev, void *data)
{
	struct nvbr *br = data;

	if (!br->dma_limit || pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return 0;
	if (!pdev->dev.bus_dma_limit || pdev->dev.bus_dma_limit > br->dma_limit) {
		pdev->dev.bus_dma_limit = br->dma_limit;
		pci_info(pdev, "DMA limited to the NVLink bridge's %u-bit window (%s)\n",
			 br->window_bits, pci_name(br->pdev));
	}
	return 0;
}

/*
 * A device added below the bridge gets the window as its bus DMA limit
 * before any driver probes it (BUS_NOTIFY_ADD_DEVICE comes from
 * device_add(), ahead of the driver match).
 */
static int nvbr_bus_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct nvbr *br = container_of(nb, struct nvbr, nb);
	struct pci_dev *pdev = to_pci_dev(data);

	if (action == BUS_NOTIFY_ADD_DEVICE && nvbr_below(br, pdev))
		nvbr_limit_one(pdev, br);
	return NOTIFY_DONE;
}

/* Reads and logs every record in the fault ring; returns how many. */
static unsigned int nvbr_drain_faults(struct nvbr *br)
{
	u32 put = nvbr_rd(br, NVSOC_NVBR_FAULT_PUT);
	u32 get = nvbr_rd(br, NVSOC_NVBR_FAULT_GET);
	unsigned int n = 0;

	while (get != put) {
		unsigned int i = get % NVSOC_NVBR_FAULT_RECORDS;
		u32 lo = nvbr_rd(br, NVSOC_NVBR_FAULT(i, NVSOC_NVBR_FAULT_ADDR_LO));
		u32 hi = nvbr_rd(br, NVSOC_NVBR_FAULT(i, NVSOC_NVBR_FAULT_ADDR_HI));
		u32 info = nvbr_rd(br, NVSOC_NVBR_FAULT(i, NVSOC_NVBR_FAULT_INFO));
		u32 len = nvbr_rd(br, NVSOC_NVBR_FAULT(i, NVSOC_NVBR_FAULT_LEN));
		u16 rid = FIELD_GET(NVSOC_NVBR_FAULT_INFO_RID_MASK, info);
		unsigned int port = FIELD_GET(NVSOC_NVBR_FAULT_INFO_PORT_MASK, info);

		if (info & NVSOC_NVBR_FAULT_INFO_VALID)
			dev_err_ratelimited(&br->pdev->dev,
					    "DMA outside the window: %04x:%02x:%02x.%d %s 0x%llx+%u (window %u bits, port %u): Unsupported Request\n",
					    pci_domain_nr(br->pdev->bus), rid >> 8,
					    PCI_SLOT(rid & 0xff), PCI_FUNC(rid & 0xff),
					    info & NVSOC_NVBR_FAULT_INFO_WRITE ? "write" : "read",
					    ((u64)hi << 32) | lo, len, br->window_bits,
					    port);
		get++;
		n++;
	}
	nvbr_wr(br, NVSOC_NVBR_FAULT_GET, get);
	atomic_add(n, &br->dma_faults);
	return n;
}

static void nvbr_log_state(struct nvbr_port *port, u32 status)
{
	struct nvbr *br = port->br;
	u8 state = status & NVSOC_NVL_STATUS_STATE_MASK;
	struct pci_dev *vdsp;

	if (state == port->last_state)
		return;
	port->last_state = state;
	vdsp = nvbr_vdsp_get(br, port->index);
	if (state == NVSOC_NVL_STATE_HS)
		pci_info(br->pdev, "port %u: HS, NVLink %lu x%lu (vDSP %s)\n", port->index,
			 (unsigned long)((status >> NVSOC_NVL_STATUS_GEN_SHIFT) & 0xf),
			 (unsigned long)((status >> NVSOC_NVL_STATUS_LANES_SHIFT) & 0xf),
			 vdsp ? pci_name(vdsp) : "none");
	else
		pci_info(br->pdev, "port %u: %s\n", port->index, nvsoc_nvl_state_name(state));
	pci_dev_put(vdsp);
}

static void nvbr_port_error(struct nvbr_port *port, u32 err)
{
	struct nvbr *br = port->br;
	unsigned int p = port->index;

	if (err & NVSOC_NVL_ERR_LINK_DOWN) {
		pci_err(br->pdev, "port %u: NVLink link down (FAULT): its GPU is gone\n", p);
		if (nvlink_retrain_ms && !br->stopping) {
			if (port->retrains < NVBR_MAX_RETRAINS)
				mod_delayed_work(system_wq, &port->retrain,
						 msecs_to_jiffies(nvlink_retrain_ms));
			else
				pci_err(br->pdev, "port %u: %u retrains already: left down\n",
					p, port->retrains);
		}
	}
	if (err & NVSOC_NVL_ERR_TRAIN_FAIL)
		pci_err(br->pdev, "port %u: training failed (FAIL)\n", p);
	if (err & NVSOC_NVL_ERR_RECOVERY)
		dev_warn_ratelimited(&br->pdev->dev, "port %u: link recovery (replays %llu, CRC flits %llu)\n",
				     p,
				     nvbr_port_rd(br, p, NVSOC_NVL_DL_REPLAY) |
				     (u64)nvbr_port_rd(br, p, NVSOC_NVL_DL_REPLAY + 4) << 32,
				     nvbr_port_rd(br, p, NVSOC_NVL_DL_CRC_FLIT) |
				     (u64)nvbr_port_rd(br, p, NVSOC_NVL_DL_CRC_FLIT + 4) << 32);
	if (err & NVSOC_NVL_ERR_CMD_REFUSED)
		pci_warn(br->pdev, "port %u: a command was refused\n", p);
}

static irqreturn_t nvbr_irq(int irq, void *data)
{
	struct nvbr *br = data;
	u32 pending = nvbr_rd(br, NVSOC_NVBR_INTR_PENDING);

	/* All-ones: the function is gone (surprise removal of the bridge). */
	if (!pending || pending == ~0u)
		return IRQ_NONE;
	return IRQ_WAKE_THREAD;
}

/* Handles what INTR_PENDING shows once; the caller loops until it reads 0. */
static void nvbr_handle(struct nvbr *br, u32 pending)
{
	unsigned int p;

	for (p = 0; p < br->nports; p++) {
		u32 err;

		if (!(pending & BIT(p)))
			continue;
		err = nvbr_port_rd(br, p, NVSOC_NVL_ERR_STATUS);
		nvbr_port_wr(br, p, NVSOC_NVL_ERR_STATUS, err);
		if (err & NVSOC_NVL_ERR_STATE)
			nvbr_log_state(&br->port[p], nvbr_port_rd(br, p, NVSOC_NVL_STATUS));
		nvbr_port_error(&br->port[p], err);
	}
	if (pending & NVSOC_NVBR_INTR_PENDING_BRIDGE) {
		u32 err = nvbr_rd(br, NVSOC_NVBR_BR_ERR_STATUS);

		nvbr_wr(br, NVSOC_NVBR_BR_ERR_STATUS, err);
		if (err & NVSOC_NVBR_BR_ERR_DMA_WINDOW)
			nvbr_drain_faults(br);
		if (err & NVSOC_NVBR_BR_ERR_FAULT_OVERFLOW) {
			atomic_inc(&br->lost_faults);
			dev_err_ratelimited(&br->pdev->dev,
					    "fault ring overflow: DMA fault records lost\n");
		}
		if (err & NVSOC_NVBR_BR_ERR_SURPRISE_DOWN)
			pci_info(br->pdev, "surprise down reported on a vDSP (pciehp removes its GPU)\n");
	}
}

/*
 * The MSI is an edge: an event that arrives while INTR_PENDING is already
 * non-zero sends no new message, so the thread reads INTR_PENDING again
 * after each pass and stops only when it reads 0 (or after a bounded
 * number of passes, leaving the rest to the next message).
 */
static irqreturn_t nvbr_irq_thread(int irq, void *data)
{
	struct nvbr *br = data;
	u32 pending = nvbr_rd(br, NVSOC_NVBR_INTR_PENDING);
	unsigned int pass;

	if (pending == ~0u)
		return IRQ_NONE;
	mutex_lock(&br->lock);
	for (pass = 0; pending && pending != ~0u && pass < 16; pass++) {
		nvbr_handle(br, pending);
		pending = nvbr_rd(br, NVSOC_NVBR_INTR_PENDING);
	}
	mutex_unlock(&br->lock);
	return IRQ_HANDLED;
}

/* Sends RESET to a failed port; its link then trains again by itself. */
static void nvbr_retrain_work(struct work_struct *work)
{
	struct nvbr_port *port = container_of(to_delayed_work(work), struct nvbr_port, retrain);
	struct nvbr *br = port->br;
	u8 state;

	mutex_lock(&br->lock);
	state = nvbr_port_rd(br, port->index, NVSOC_NVL_STATUS) & NVSOC_NVL_STATUS_STATE_MASK;
	if (!br->stopping && state == NVSOC_NVL_STATE_FAULT) {
		port->retrains++;
		pci_info(br->pdev, "port %u: retraining (RESET %u of %u)\n", port->index,
			 port->retrains, NVBR_MAX_RETRAINS);
		nvbr_port_wr(br, port->index, NVSOC_NVL_CMD, NVSOC_NVL_CMD_RESET);
	}
	mutex_unlock(&br->lock);
}

/* sysfs: ports/<p>/{state,remote} on the management function. */
struct nvbr_port_attr {
	struct attribute attr;
	ssize_t (*show)(struct nvbr_port_kobj *port, char *buf);
};

static ssize_t state_show(struct nvbr_port_kobj *port, char *buf)
{
	u32 status = nvbr_port_rd(port->br, port->index, NVSOC_NVL_STATUS);

	return sysfs_emit(buf, "%s\n", nvsoc_nvl_state_name(status & NVSOC_NVL_STATUS_STATE_MASK));
}

static ssize_t remote_show(struct nvbr_port_kobj *port, char *buf)
{
	struct nvbr *br = port->br;
	u32 link = nvbr_port_rd(br, port->index, NVSOC_NVL_REMOTE_LINK);

	if (!(link & NVSOC_NVL_REMOTE_VALID))
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u.%u\n", nvbr_port_rd(br, port->index, NVSOC_NVL_REMOTE_DEVICE),
			  link & 0xffff);
}

static struct nvbr_port_attr nvbr_attr_state = __ATTR_RO(state);
static struct nvbr_port_attr nvbr_attr_remote = __ATTR_RO(remote);

static struct attribute *nvbr_port_attrs[] = {
	&nvbr_attr_state.attr,
	&nvbr_attr_remote.attr,
	NULL,
};
ATTRIBUTE_GROUPS(nvbr_port);

static ssize_t nvbr_port_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct nvbr_port_attr *pa = container_of(attr, struct nvbr_port_attr, attr);

	return pa->show(container_of(kobj, struct nvbr_port_kobj, kobj), buf);
}

static const struct sysfs_ops nvbr_port_sysfs_ops = {
	.show = nvbr_port_attr_show,
};

static void nvbr_port_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct nvbr_port_kobj, kobj));
}

static const struct kobj_type nvbr_port_ktype = {
	.release = nvbr_port_release,
	.sysfs_ops = &nvbr_port_sysfs_ops,
	.default_groups = nvbr_port_groups,
};

static ssize_t dma_window_bits_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvbr *br = pci_get_drvdata(to_pci_dev(dev));

	return sysfs_emit(buf, "%u\n", br->window_bits);
}
static DEVICE_ATTR_RO(dma_window_bits);

static ssize_t dma_faults_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvbr *br = pci_get_drvdata(to_pci_dev(dev));

	return sysfs_emit(buf, "%d\n", atomic_read(&br->dma_faults));
}
static DEVICE_ATTR_RO(dma_faults);

static ssize_t present_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct nvbr *br = pci_get_drvdata(to_pci_dev(dev));

	return sysfs_emit(buf, "0x%x\n", nvbr_rd(br, NVSOC_NVBR_PRESENT));
}
static DEVICE_ATTR_RO(present);

static struct attribute *nvbr_dev_attrs[] = {
	&dev_attr_dma_window_bits.attr,
	&dev_attr_dma_faults.attr,
	&dev_attr_present.attr,
	NULL,
};
ATTRIBUTE_GROUPS(nvbr_dev);

static void nvbr_ports_del(struct nvbr *br, unsigned int n)
{
	while (n--)
		kobject_put(&br->port[n].sysfs->kobj);
	kobject_put(br->ports_kobj);
}

static int nvbr_ports_add(struct nvbr *br)
{
	unsigned int p;
	int ret;

	br->ports_kobj = kobject_create_and_add("ports", &br->pdev->dev.kobj);
	if (!br->ports_kobj)
		return -ENOMEM;
	for (p = 0; p < br->nports; p++) {
		struct nvbr_port_kobj *pk = kzalloc(sizeof(*pk), GFP_KERNEL);

		if (!pk) {
			ret = -ENOMEM;
			goto err;
		}
		pk->br = br;
		pk->index = p;
		ret = kobject_init_and_add(&pk->kobj, &nvbr_port_ktype, br->ports_kobj, "%u", p);
		if (ret) {
			kobject_put(&pk->kobj);
			goto err;
		}
		br->port[p].sysfs = pk;
	}
	return 0;

err:
	nvbr_ports_del(br, p);
	return ret;
}

static void nvbr_stop_ports(struct nvbr *br)
{
	unsigned int p;

	mutex_lock(&br->lock);
	br->stopping = true;
	mutex_unlock(&br->lock);
	for (p = 0; p < br->nports; p++)
		cancel_delayed_work_sync(&br->port[p].retrain);
}

static int nvbr_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct nvbr *br;
	unsigned int p;
	u32 ident, version;
	int ret, irq;

	br = devm_kzalloc(&pdev->dev, sizeof(*br), GFP_KERNEL);
	if (!br)
		return -ENOMEM;
	br->pdev = pdev;
	mutex_init(&br->lock);
	pci_set_drvdata(pdev, br);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	br->regs = pcim_iomap_region(pdev, NVSOC_NVBR_BAR_REGS, DRV_NAME);
	if (IS_ERR(br->regs))
		return dev_err_probe(&pdev->dev, PTR_ERR(br->regs), "BAR0\n");

	ident = nvbr_rd(br, NVSOC_NVBR_IDENT);
	version = nvbr_rd(br, NVSOC_NVBR_VERSION);
	if (ident != NVSOC_NVBR_IDENT_VALUE || (version >> 8) != (NVSOC_NVBR_VERSION_VALUE >> 8))
		return dev_err_probe(&pdev->dev, -ENODEV,
				     "not an nvsoc NVLink bridge (IDENT 0x%08x, VERSION 0x%x)\n",
				     ident, version);
	br->nports = nvbr_rd(br, NVSOC_NVBR_NUM_PORTS);
	if (!br->nports || br->nports > NVSOC_NVBR_MAX_PORTS)
		return dev_err_probe(&pdev->dev, -ENODEV, "%u NVLink ports: 1 to %u expected\n",
				     br->nports, NVSOC_NVBR_MAX_PORTS);
	br->window_bits = nvbr_rd(br, NVSOC_NVBR_DMA_WINDOW_BITS);
	if (br->window_bits < 32 || br->window_bits > 64)
		return dev_err_probe(&pdev->dev, -ENODEV, "DMA window of %u bits\n",
				     br->window_bits);
	br->dma_limit = br->window_bits < 64 ? DMA_BIT_MASK(br->window_bits) : 0;

	br->usp = pci_get_slot(pdev->bus, PCI_DEVFN(PCI_SLOT(pdev->devfn), 0));
	if (!br->usp || pci_pcie_type(br->usp) != PCI_EXP_TYPE_UPSTREAM) {
		pci_dev_put(br->usp);
		return dev_err_probe(&pdev->dev, -ENODEV,
				     "function 0 of this device is not a switch upstream port\n");
	}

	for (p = 0; p < br->nports; p++) {
		br->port[p].br = br;
		br->port[p].index = p;
		br->port[p].last_state = nvbr_port_rd(br, p, NVSOC_NVL_STATUS) &
					 NVSOC_NVL_STATUS_STATE_MASK;
		INIT_DELAYED_WORK(&br->port[p].retrain, nvbr_retrain_work);
	}

	/* The window, for devices below already and for those to come. */
	br->nb.notifier_call = nvbr_bus_notify;
	ret = bus_register_notifier(&pci_bus_type, &br->nb);
	if (ret)
		goto err_usp;
	if (br->usp->subordinate)
		pci_walk_bus(br->usp->subordinate, nvbr_limit_one, br);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto err_notifier;
	irq = pci_irq_vector(pdev, 0);
	ret = request_threaded_irq(irq, nvbr_irq, nvbr_irq_thread, IRQF_ONESHOT | IRQF_SHARED,
				   DRV_NAME, br);
	if (ret)
		goto err_vectors;

	ret = nvbr_ports_add(br);
	if (ret)
		goto err_irq;

	/* Errors and state changes interrupt; then the links may train. */
	nvbr_wr(br, NVSOC_NVBR_BR_ERR_STATUS, ~0u);
	nvbr_wr(br, NVSOC_NVBR_BR_ERR_EN, NVSOC_NVBR_BR_ERR_DMA_WINDOW |
		NVSOC_NVBR_BR_ERR_FAULT_OVERFLOW | NVSOC_NVBR_BR_ERR_SURPRISE_DOWN);
	for (p = 0; p < br->nports; p++) {
		nvbr_port_wr(br, p, NVSOC_NVL_ERR_STATUS, ~0u);
		nvbr_port_wr(br, p, NVSOC_NVL_ERR_EN, NVSOC_NVL_ERR_LINK_DOWN |
			     NVSOC_NVL_ERR_RECOVERY | NVSOC_NVL_ERR_TRAIN_FAIL |
			     NVSOC_NVL_ERR_STATE);
	}
	nvbr_wr(br, NVSOC_NVBR_CTRL, NVSOC_NVBR_CTRL_INTR_EN | NVSOC_NVBR_CTRL_PORTS_ENABLE);

	pci_info(pdev, "NVLink bridge: %u ports, DMA window %u bits, %u ns per crossing, below %s\n",
		 br->nports, br->window_bits, nvbr_rd(br, NVSOC_NVBR_LATENCY_NS),
		 pci_name(br->usp));
	return 0;

err_irq:
	free_irq(irq, br);
err_vectors:
	pci_free_irq_vectors(pdev);
err_notifier:
	bus_unregister_notifier(&pci_bus_type, &br->nb);
err_usp:
	pci_dev_put(br->usp);
	return ret;
}

/*
 * Unbinding takes the links OFF: pciehp then removes the GPUs below (their
 * slots empty), as pulling the bridge's cable would.
 */
static void nvbr_remove(struct pci_dev *pdev)
{
	struct nvbr *br = pci_get_drvdata(pdev);

	nvbr_stop_ports(br);
	nvbr_wr(br, NVSOC_NVBR_CTRL, 0);
	free_irq(pci_irq_vector(pdev, 0), br);
	pci_free_irq_vectors(pdev);
	nvbr_ports_del(br, br->nports);
	bus_unregister_notifier(&pci_bus_type, &br->nb);
	pci_dev_put(br->usp);
}

static const struct pci_device_id nvbr_ids[] = {
	{ PCI_DEVICE(NVSOC_NVBR_VENDOR_ID, NVSOC_NVBR_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, nvbr_ids);

static struct pci_driver nvbr_driver = {
	.name = DRV_NAME,
	.id_table = nvbr_ids,
	.probe = nvbr_probe,
	.remove = nvbr_remove,
	.dev_groups = nvbr_dev_groups,
};
module_pci_driver(nvbr_driver);

MODULE_DESCRIPTION("nvsoc NVLink-to-PCIe bridge management function");
MODULE_LICENSE("GPL");
