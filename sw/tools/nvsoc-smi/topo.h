/* SPDX-License-Identifier: MIT */
/*
 * nvsoc-smi: the GPU topology and NVLink, from sysfs alone.
 *
 * Everything here reads (and for a counter reset, writes) files under
 * sysfs_root(): the GPUs' device directories (PCI or platform), the PCI
 * devices' paths in the device tree for the PCIe relation of two GPUs,
 * nvsoc-gpu's nvsoc_gpu/cpu_link and mem_numa_node, and its nvlink/
 * directory for the links (sw/drivers/nvsoc-gpu/sysfs-driver-nvsoc-gpu).
 * No /dev node is opened, so the host test runs these commands over a
 * fabricated tree.
 */
#ifndef NVSOC_SMI_TOPO_H
#define NVSOC_SMI_TOPO_H

#include <stdint.h>

#include "gpu.h"

/* The PCIe relation of two GPUs, nearest first (nvidia-smi topo's names). */
enum pcie_rel {
	REL_SELF,	/* the same device */
	REL_PIX,	/* at most one bridge (one switch) between them */
	REL_PXB,	/* several bridges, below one root port */
	REL_PHB,	/* through the host bridge (different root ports) */
	REL_NODE,	/* different host bridges, one NUMA node */
	REL_SYS,	/* different host bridges in different NUMA nodes */
	REL_UNKNOWN,	/* a device path that is not a PCI path */
};

const char *pcie_rel_name(enum pcie_rel rel);
/* The relation of PCI devices a and b (addresses like 0000:01:00.0). */
enum pcie_rel pcie_relation(const char *root, const char *a, const char *b);
/*
 * The relation of GPUs a and b on any bus: pcie_relation for two PCI
 * GPUs; SYS when either is on the NVLink fabric node (the SoC
 * interconnect joins them); N/A for other buses.
 */
enum pcie_rel gpu_relation(const char *root, const struct gpu_desc *a,
			   const struct gpu_desc *b);

/* An NVLink port as nvlink/link<L>/ shows it. */
#define NVLINK_MAX_LINKS 64

struct nvlink_port {
	char state[24];		/* "HS", ...; "N/A" when the file is missing */
	int generation;		/* -1 when missing */
	int lanes;		/* -1 when missing */
	long long bandwidth_mbps;	/* -1 when missing */
	char remote_type[16];	/* GPU, NVSWITCH, none or N/A */
	char remote_device[32];	/* a PCI address, unknown or N/A */
	long long remote_link;	/* -1: none; -2: missing */
};

/*
 * The GPU's ports, at most max: their number, or -1 when the GPU has no
 * nvlink directory (a driver or device without NVLink).
 */
int nvlink_read_ports(const struct gpu_desc *d, struct nvlink_port *ports, int max);
/* Counter name of port link (decimal u64): 0, or -1 when it is missing. */
int nvlink_counter(const struct gpu_desc *d, int link, const char *name, uint64_t *value);
/* Writes "1" to the port's reset_counters: 0 or -errno. */
int nvlink_reset_counters(const struct gpu_desc *d, int link);

/*
 * The NV# of topo -m for GPUs a and b (0: no NVLink between them), from
 * their ports (na/nb of them, na < 0: no NVLink): the links active (HS)
 * between them directly as both ends count them, plus, when both have
 * active links to NVSwitches, the smaller of the two switch-link counts.
 */
int nvlink_bonded(const struct gpu_desc *a, const struct nvlink_port *pa, int na,
		  const struct gpu_desc *b, const struct nvlink_port *pb, int nb);

/* The subcommands; argv[0] is the command's name. Exit statuses. */
int cmd_topo(int argc, char **argv);
int cmd_nvlink(int argc, char **argv);

#endif /* NVSOC_SMI_TOPO_H */
