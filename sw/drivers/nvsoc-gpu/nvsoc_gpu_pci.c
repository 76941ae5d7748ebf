// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvsoc GPU accel driver: the PCI front end.
 *
 * Finds what the core needs on a PCIe endpoint (registers in BAR0, VRAM
 * behind BAR1, interrupt vectors, the DMA device), handles AER error
 * recovery and reports the link. The probe is the bring-up sequence, one
 * step at a time (dev_dbg each; enable with
 * dyndbg="module nvsoc_gpu +p"), every failure unwinding the steps before
 * it in reverse:
 *
 *   1  pci_enable_device_mem       memory decoding on
 *   2  pci_request_regions         BAR0 and BAR1 claimed
 *   3  pci_iomap BAR0              registers reachable
 *   4  IDENT and capabilities      the right device, and what it has
 *   5  DMA masks                   from DMA_BITS (BAR0 must be mapped)
 *   6  BAR1                        resized to cover VRAM if it can be,
 *                                  then mapped write-combined
 *   7  pci_set_master              the device may now DMA
 *   8  interrupt vectors           MSI-X 1 + channels, else MSI, else INTx
 *   9  core init                   DMA memory, engine reset, fault buffer,
 *                                  request_threaded_irq, interrupts on
 *   10 NVLink                      <device>/nvlink/, link events, training
 *   11 drm_dev_register            /dev/accel/accelN
 */
#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "nvsoc_gpu_drv.h"
#include "nvsoc_gpu_trace.h"

static char *irq_mode = "auto";
module_param(irq_mode, charp, 0444);
MODULE_PARM_DESC(irq_mode, "Interrupts: auto (MSI-X, else MSI, else INTx), msix, msi or intx");

static struct pci_dev *nvsoc_gpu_pdev(struct nvsoc_gpu_device *gdev)
{
	return to_pci_dev(gdev->bus.dev);
}

/* --- Bus operations for the core ----------------------------------------------- */

static enum nvsoc_gpu_bus_state nvsoc_gpu_pci_state(struct nvsoc_gpu_device *gdev)
{
	struct pci_dev *pdev = nvsoc_gpu_pdev(gdev);

	if (pdev->error_state == pci_channel_io_perm_failure)
		return NVSOC_GPU_BUS_GONE;
	if (pci_channel_offline(pdev))
		return NVSOC_GPU_BUS_OFFLINE;
	if (!pci_device_is_present(pdev))
		return NVSOC_GPU_BUS_GONE;
	return NVSOC_GPU_BUS_OK;
}

/* PCIe link speeds (pci_speed_string() is the PCI core's own). */
static const char *nvsoc_gpu_speed_name(enum pci_bus_speed speed)
{
	switch (speed) {
	case PCIE_SPEED_2_5GT:
		return "2.5 GT/s";
	case PCIE_SPEED_5_0GT:
		return "5.0 GT/s";
	case PCIE_SPEED_8_0GT:
		return "8.0 GT/s";
	case PCIE_SPEED_16_0GT:
		return "16.0 GT/s";
	case PCIE_SPEED_32_0GT:
		return "32.0 GT/s";
	case PCIE_SPEED_64_0GT:
		return "64.0 GT/s";
	default:
		return "unknown speed";
	}
}

/* PCI_EXP_LNKSTA_CLS values (PCIe base spec, Link Status). */
static const enum pci_bus_speed nvsoc_gpu_link_speeds[] = {
	[0] = PCI_SPEED_UNKNOWN,
	[1] = PCIE_SPEED_2_5GT, [2] = PCIE_SPEED_5_0GT, [3] = PCIE_SPEED_8_0GT,
	[4] = PCIE_SPEED_16_0GT, [5] = PCIE_SPEED_32_0GT, [6] = PCIE_SPEED_64_0GT,
};

/* Logs and traces the link's speed and width against what it could do. */
static void nvsoc_gpu_pci_report_link(struct nvsoc_gpu_device *gdev, const char *why)
{
	struct pci_dev *pdev = nvsoc_gpu_pdev(gdev);
	struct device *dev = &pdev->dev;
	const char *max_speed = nvsoc_gpu_speed_name(pcie_get_speed_cap(pdev));
	unsigned int max_width = pcie_get_width_cap(pdev);
	enum pci_bus_speed speed = PCI_SPEED_UNKNOWN;
	unsigned int cls, width;
	u16 lnksta;

	if (pcie_capability_read_word(pdev, PCI_EXP_LNKSTA, &lnksta) ||
	    PCI_POSSIBLE_ERROR(lnksta)) {
		dev_info(dev, "PCIe link (%s): down or not readable\n", why);
		trace_nvsoc_gpu_link(dev, why, "down", 0, max_speed, max_width);
		return;
	}
	cls = FIELD_GET(PCI_EXP_LNKSTA_CLS, lnksta);
	if (cls < ARRAY_SIZE(nvsoc_gpu_link_speeds))
		speed = nvsoc_gpu_link_speeds[cls];
	width = FIELD_GET(PCI_EXP_LNKSTA_NLW, lnksta);
	dev_info(dev, "PCIe link (%s): %s x%u (capable of %s x%u)%s\n", why,
		 nvsoc_gpu_speed_name(speed), width, max_speed, max_width,
		 lnksta & PCI_EXP_LNKSTA_LT ? ", training" : "");
	trace_nvsoc_gpu_link(dev, why, nvsoc_gpu_speed_name(speed), width, max_speed,
			     max_width);
}

/*
 * Peer-to-peer to another GPU's BAR1: both must be below one host bridge,
 * whose root complex routes a request from one root port to another's
 * window (nvsoc's does, through the SoC bus: docs/pcie.md). Within one
 * switch the switch turns it. Host bridges of different root complexes
 * (PCI domains) are not assumed to reach each other, as Linux's P2PDMA
 * does not.
 */
static int nvsoc_gpu_pci_peer_p2p(struct nvsoc_gpu_device *gdev, struct nvsoc_gpu_device *peer,
				  const char **why)
{
	struct pci_dev *a = nvsoc_gpu_pdev(gdev), *b = nvsoc_gpu_pdev(peer);

	if (pci_find_host_bridge(a->bus) != pci_find_host_bridge(b->bus)) {
		*why = "no NVLink is up to it, and it is below another PCIe host bridge";
		return -EXDEV;
	}
	return 0;
}

static const struct nvsoc_gpu_bus_ops nvsoc_gpu_pci_ops = {
	.state = nvsoc_gpu_pci_state,
	.report_link = nvsoc_gpu_pci_report_link,
	.peer_p2p = nvsoc_gpu_pci_peer_p2p,
};

/* --- Probe steps --------------------------------------------------------------- */

/*
 * Step 6a: a BAR1 smaller than VRAM is grown with Resizable BAR, as amdgpu
 * and xe do. Failure is normal (no room in the bridge window, no Resizable
 * BAR capability) and only leaves less VRAM mappable. The region is given
 * up around the resize and claimed again; losing it is the only error.
 */
static int nvsoc_gpu_pci_resize_vram_bar(struct nvsoc_gpu_device *gdev)
{
	struct pci_dev *pdev = nvsoc_gpu_pdev(gdev);
	struct device *dev = &pdev->dev;
	resource_size_t cur = pci_resource_len(pdev, NVSOC_GPU_BAR_VRAM);
	u32 sizes = pci_rebar_get_possible_sizes(pdev, NVSOC_GPU_BAR_VRAM);
	int size, ret;
	u16 cmd;

	if (!sizes || cur >= gdev->vram_size)
		return 0;
	size = min_t(int, pci_rebar_bytes_to_size(gdev->vram_size), __fls(sizes));
	if ((1ULL << (size + 20)) <= cur)
		return 0;

	dev_dbg(dev, "probe step 6a: resize BAR1 from %llu MiB to %llu MiB\n",
		(u64)cur >> 20, 1ULL << size);
	pci_release_region(pdev, NVSOC_GPU_BAR_VRAM);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	pci_write_config_word(pdev, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	/* BAR0 is mapped already: it must not move. */
	ret = pci_resize_resource(pdev, NVSOC_GPU_BAR_VRAM, size, BIT(NVSOC_GPU_BAR_REGS));
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	if (ret)
		dev_info(dev, "BAR1 stays %llu MiB: resizing to %llu MiB failed (%d)\n",
			 (u64)cur >> 20, 1ULL << size, ret);
	else
		dev_info(dev, "BAR1 resized to %llu MiB\n",
			 (u64)pci_resource_len(pdev, NVSOC_GPU_BAR_VRAM) >> 20);
	ret = pci_request_region(pdev, NVSOC_GPU_BAR_VRAM, NVSOC_GPU_DRIVER_NAME);
	if (ret)
		dev_err(dev, "BAR1 could not be claimed again after the resize: %d\n", ret);
	return ret;
}

/* Step 8: the best interrupts the platform gives, one try per kind. */
static int nvsoc_gpu_pci_alloc_irqs(struct nvsoc_gpu_device *gdev)
{
	static const struct {
		const char *name;
		unsigned int flag;
	} kinds[] = {
		{ "msix", PCI_IRQ_MSIX },
		{ "msi", PCI_IRQ_MSI },
		{ "intx", PCI_IRQ_INTX },
	};
	static const char *const names[] = { "MSI-X", "MSI", "INTx" };
	struct pci_dev *pdev = nvsoc_gpu_pdev(gdev);
	struct nvsoc_gpu_bus *bus = &gdev->bus;
	unsigned int want = 1 + gdev->num_channels;
	int i, n = -ENODEV;
	unsigned int v;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(irq_mode, "auto") && strcmp(irq_mode, kinds[i].name))
			continue;
		n = pci_alloc_irq_vectors(pdev, 1, kinds[i].flag == PCI_IRQ_INTX ? 1 : want,
					  kinds[i].flag);
		if (n > 0)
			break;
		dev_dbg(&pdev->dev, "%s: no vectors (%d)\n", names[i], n);
	}
	if (n <= 0) {
		dev_err(&pdev->dev, "no interrupts (irq_mode=%s): %d\n", irq_mode, n);
		return n < 0 ? n : -ENODEV;
	}
	bus->nr_irqs = n;
	bus->irq_kind = names[i];
	bus->irq_shared = kinds[i].flag == PCI_IRQ_INTX;
	for (v = 0; v < n; v++)
		bus->irqs[v] = pci_irq_vector(pdev, v);
	if (n < want)
		dev_info(&pdev->dev, "%s with %d of %u vectors: channels share vectors\n",
			 names[i], n, want);
	return 0;
}

static int nvsoc_gpu_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct nvsoc_gpu_device *gdev;
	struct nvsoc_gpu_bus *bus;
	resource_size_t bar1;
	int ret;

	/* The drm_device: refcounted, it outlives removal while files are open. */
	gdev = nvsoc_gpu_alloc(dev);
	if (IS_ERR(gdev))
		return PTR_ERR(gdev);
	bus = &gdev->bus;
	bus->dev = dev;
	bus->ops = &nvsoc_gpu_pci_ops;
	pci_set_drvdata(pdev, gdev);

	dev_dbg(dev, "probe step 1: enable memory decoding\n");
	ret = pci_enable_device_mem(pdev);
	if (ret) {
		dev_err(dev, "pci_enable_device_mem failed: %d\n", ret);
		return ret;
	}

	dev_dbg(dev, "probe step 2: claim the BARs\n");
	ret = pci_request_regions(pdev, NVSOC_GPU_DRIVER_NAME);
	if (ret) {
		dev_err(dev, "pci_request_regions failed: %d\n", ret);
		goto err_disable;
	}

	dev_dbg(dev, "probe step 3: map BAR0 (%pR)\n", pci_resource_n(pdev, NVSOC_GPU_BAR_REGS));
	if (!(pci_resource_flags(pdev, NVSOC_GPU_BAR_REGS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, NVSOC_GPU_BAR_REGS) < NVSOC_GPU_BAR0_SIZE) {
		dev_err(dev, "BAR0 is not a %u MiB memory BAR: %pR\n", NVSOC_GPU_BAR0_SIZE >> 20,
			pci_resource_n(pdev, NVSOC_GPU_BAR_REGS));
		ret = -ENODEV;
		goto err_release;
	}
	bus->regs = pci_iomap(pdev, NVSOC_GPU_BAR_REGS, NVSOC_GPU_BAR0_SIZE);
	if (!bus->regs) {
		dev_err(dev, "BAR0 could not be mapped\n");
		ret = -ENOMEM;
		goto err_release;
	}
	bus->regs_phys = pci_resource_start(pdev, NVSOC_GPU_BAR_REGS);

	dev_dbg(dev, "probe step 4: identity and capabilities\n");
	ret = nvsoc_gpu_read_identity(gdev);
	if (ret)
		goto err_unmap_regs;

	dev_dbg(dev, "probe step 5: DMA masks for %u address bits\n", gdev->dma_bits_device);
	ret = nvsoc_gpu_set_dma_masks(gdev);
	if (ret)
		goto err_unmap_regs;

	dev_dbg(dev, "probe step 6: BAR1, the VRAM window (%pR)\n",
		pci_resource_n(pdev, NVSOC_GPU_BAR_VRAM));
	ret = nvsoc_gpu_pci_resize_vram_bar(gdev);
	if (ret) {
		/* BAR1 is no longer ours: give back BAR0 alone. */
		pci_iounmap(pdev, bus->regs);
		pci_release_region(pdev, NVSOC_GPU_BAR_REGS);
		goto err_disable;
	}
	bar1 = pci_resource_len(pdev, NVSOC_GPU_BAR_VRAM);
	if (bar1 && (pci_resource_flags(pdev, NVSOC_GPU_BAR_VRAM) & IORESOURCE_MEM)) {
		bus->vram_window = min_t(u64, bar1, gdev->vram_size);
		bus->vram_phys = pci_resource_start(pdev, NVSOC_GPU_BAR_VRAM);
		bus->vram = ioremap_wc(bus->vram_phys, bus->vram_window);
		if (!bus->vram) {
			dev_err(dev, "BAR1 could not be mapped\n");
			ret = -ENOMEM;
			goto err_unmap_regs;
		}
	} else {
		dev_warn(dev, "no BAR1: VRAM cannot be mapped by the CPU\n");
	}

	dev_dbg(dev, "probe step 7: bus mastering\n");
	pci_set_master(pdev);

	dev_dbg(dev, "probe step 8: interrupt vectors (irq_mode=%s)\n", irq_mode);
	ret = nvsoc_gpu_pci_alloc_irqs(gdev);
	if (ret)
		goto err_clear_master;

	dev_dbg(dev, "probe step 9: core init\n");
	ret = nvsoc_gpu_core_init(gdev);
	if (ret)
		goto err_free_irqs;

	dev_dbg(dev, "probe step 10: %u NVLink ports\n", gdev->num_nvlinks);
	ret = nvsoc_gpu_nvlink_init(gdev);
	if (ret) {
		dev_err(dev, "NVLink sysfs could not be created: %d\n", ret);
		goto err_core_fini;
	}

	dev_dbg(dev, "probe step 11: register /dev/accel\n");
	ret = nvsoc_gpu_register(gdev);
	if (ret)
		goto err_nvlink_fini;

	/* What slot_reset restores after a reset. */
	pci_save_state(pdev);
	nvsoc_gpu_pci_report_link(gdev, "probe");
	dev_info(dev, "nvsoc GPU %u.%u: %u channels, %u copy engines, %llu MiB VRAM (%llu MiB through BAR1), DMA mask %u bits (device %u), %s x%u, accel%d\n",
		 gdev->version >> 16, gdev->version & 0xffff, gdev->num_channels, gdev->num_ces,
		 gdev->vram_size >> 20, (u64)bus->vram_window >> 20, gdev->dma_bits,
		 gdev->dma_bits_device, bus->irq_kind, bus->nr_irqs, gdev->drm.accel->index);
	return 0;

err_nvlink_fini:
	nvsoc_gpu_nvlink_fini(gdev, true);
err_core_fini:
	nvsoc_gpu_core_fini(gdev);
err_free_irqs:
	pci_free_irq_vectors(pdev);
err_clear_master:
	pci_clear_master(pdev);
	if (bus->vram)
		iounmap(bus->vram);
err_unmap_regs:
	pci_iounmap(pdev, bus->regs);
err_release:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

static void nvsoc_gpu_pci_remove(struct pci_dev *pdev)
{
	struct nvsoc_gpu_device *gdev = pci_get_drvdata(pdev);
	struct nvsoc_gpu_bus *bus = &gdev->bus;

	/* Waiters and submitters leave, then nothing new gets in. */
	nvsoc_gpu_stop(gdev, NVSOC_GPU_REMOVED, "removed");
	nvsoc_gpu_unregister(gdev);
	nvsoc_gpu_nvlink_fini(gdev, nvsoc_gpu_pci_state(gdev) == NVSOC_GPU_BUS_OK);
	nvsoc_gpu_core_fini(gdev);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	if (bus->vram)
		iounmap(bus->vram);
	pci_iounmap(pdev, bus->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	dev_info(&pdev->dev, "removed%s\n",
		 pci_device_is_present(pdev) ? "" : " (the device was already gone)");
}

/* Reboot, kexec: no DMA may outlive the kernel that set it up. */
static void nvsoc_gpu_pci_shutdown(struct pci_dev *pdev)
{
	struct nvsoc_gpu_device *gdev = pci_get_drvdata(pdev);

	nvsoc_gpu_stop(gdev, NVSOC_GPU_RECOVERING, "shutdown");
	if (nvsoc_gpu_pci_state(gdev) == NVSOC_GPU_BUS_OK) {
		nvsoc_gpu_irq_disable(gdev);
		nvsoc_gpu_wr(gdev, NVSOC_GPU_ENGINE_RESET, 1);
	}
	pci_clear_master(pdev);
}

/* --- AER: error recovery ---------------------------------------------------------- */

static pci_ers_result_t nvsoc_gpu_pci_error_detected(struct pci_dev *pdev,
						     pci_channel_state_t state)
{
	struct nvsoc_gpu_device *gdev = pci_get_drvdata(pdev);
	struct device *dev = &pdev->dev;

	switch (state) {
	case pci_channel_io_normal:
		dev_warn(dev, "PCIe error (non-fatal): stopping channels for a reset\n");
		nvsoc_gpu_stop(gdev, NVSOC_GPU_RECOVERING, "AER non-fatal error");
		/* The device still answers: what it recorded is logged, not lost. */
		nvsoc_gpu_report_faults(gdev);
		nvsoc_gpu_pci_report_link(gdev, "error detected");
		return PCI_ERS_RESULT_NEED_RESET;
	case pci_channel_io_frozen:
		dev_err(dev, "PCIe error (fatal): link frozen; channels stopped, waiting for the reset\n");
		nvsoc_gpu_stop(gdev, NVSOC_GPU_RECOVERING, "AER fatal error");
		nvsoc_gpu_pci_report_link(gdev, "error detected, frozen");
		return PCI_ERS_RESULT_NEED_RESET;
	case pci_channel_io_perm_failure:
		dev_err(dev, "PCIe error: permanent failure; the device is lost\n");
		nvsoc_gpu_stop(gdev, NVSOC_GPU_LOST, "AER permanent failure");
		return PCI_ERS_RESULT_DISCONNECT;
	}
	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t nvsoc_gpu_pci_slot_reset(struct pci_dev *pdev)
{
	struct nvsoc_gpu_device *gdev = pci_get_drvdata(pdev);
	struct device *dev = &pdev->dev;
	int ret;

	dev_info(dev, "PCIe slot reset: restoring config space, re-initialising the engines\n");
	pci_restore_state(pdev);
	pci_save_state(pdev);
	nvsoc_gpu_pci_report_link(gdev, "slot reset");
	ret = nvsoc_gpu_restart(gdev);
	if (ret) {
		dev_err(dev, "PCIe error recovery failed: %d\n", ret);
		return PCI_ERS_RESULT_DISCONNECT;
	}
	return PCI_ERS_RESULT_RECOVERED;
}

static void nvsoc_gpu_pci_resume(struct pci_dev *pdev)
{
	struct nvsoc_gpu_device *gdev = pci_get_drvdata(pdev);

	nvsoc_gpu_pci_report_link(gdev, "resume");
	nvsoc_gpu_resume(gdev);
	dev_info(&pdev->dev, "PCIe error recovery complete: channels accept work again\n");
}

static const struct pci_error_handlers nvsoc_gpu_pci_err_handlers = {
	.error_detected = nvsoc_gpu_pci_error_detected,
	.slot_reset = nvsoc_gpu_pci_slot_reset,
	.resume = nvsoc_gpu_pci_resume,
};

static const struct pci_device_id nvsoc_gpu_pci_ids[] = {
	{ PCI_DEVICE(NVSOC_GPU_PCI_VENDOR_ID, NVSOC_GPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, nvsoc_gpu_pci_ids);

static struct pci_driver nvsoc_gpu_pci_driver = {
	.name = NVSOC_GPU_DRIVER_NAME,
	.id_table = nvsoc_gpu_pci_ids,
	.probe = nvsoc_gpu_pci_probe,
	.remove = nvsoc_gpu_pci_remove,
	.shutdown = nvsoc_gpu_pci_shutdown,
	.err_handler = &nvsoc_gpu_pci_err_handlers,
	.dev_groups = nvsoc_gpu_groups,
};

int nvsoc_gpu_pci_register(void)
{
	return pci_register_driver(&nvsoc_gpu_pci_driver);
}

void nvsoc_gpu_pci_unregister(void)
{
	pci_unregister_driver(&nvsoc_gpu_pci_driver);
}
