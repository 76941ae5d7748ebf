// SPDX-License-Identifier: MIT
/*
 * nvsoc-smi: topo and nvlink, from sysfs alone. See topo.h and README.md
 * ("topo's rules").
 */
#include "topo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- Reading sysfs ------------------------------------------------------------ */

/* The file's text without trailing blanks in buf: 0, or -1 if it is missing. */
static int read_text(const char *path, char *buf, size_t len)
{
	size_t got;
	FILE *f;

	buf[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return -1;
	got = fread(buf, 1, len - 1, f);
	buf[got] = 0;
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = 0;
	fclose(f);
	return 0;
}

/* A decimal number, all of buf: 0, or -1 (empty, or not a number). */
static int parse_ll(const char *buf, long long *v)
{
	char *end;

	if (!buf[0])
		return -1;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return *end || errno ? -1 : 0;
}

static int parse_ull(const char *buf, unsigned long long *v)
{
	char *end;

	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return *end || errno ? -1 : 0;
}

/* --- The PCIe relation ---------------------------------------------------------- */

/* pci0000:00: the directory the kernel makes for a host bridge (its root bus). */
static int is_host_bridge(const char *s)
{
	unsigned int dom, bus;
	int end = -1;

	return !strncmp(s, "pci", 3) && s[3] != ' ' &&
	       sscanf(s + 3, "%x:%x%n", &dom, &bus, &end) == 2 && end == (int)strlen(s + 3);
}

#define PCI_MAX_DEPTH 32

/*
 * A PCI device's place in the device tree, from the realpath of
 * <root>/bus/pci/devices/<bdf>: .../pci0000:00/0000:00:01.0/0000:01:00.0.
 * host is the path up to the host bridge's directory (whatever platform
 * device it hangs from); dev[] the PCI devices from the one on the root
 * bus (a root port) down to the device itself.
 */
struct pci_path {
	char host[PATH_MAX];
	int depth;
	char dev[PCI_MAX_DEPTH][32];
};

static int pci_path_read(const char *root, const char *bdf, struct pci_path *p)
{
	char link[PATH_MAX], real[PATH_MAX], *comp[128], *tok, *save = NULL;
	int n = 0, first, i;
	size_t used = 0;

	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", root, bdf);
	if (!realpath(link, real))
		return -1;
	for (tok = strtok_r(real, "/", &save); tok && n < 128; tok = strtok_r(NULL, "/", &save))
		comp[n++] = tok;
	/* Back from the device over PCI addresses to the host bridge. */
	for (first = n; first > 0 && is_pci_address(comp[first - 1]); first--)
		;
	if (first == 0 || first == n || n - first > PCI_MAX_DEPTH ||
	    !is_host_bridge(comp[first - 1]) || strcmp(comp[n - 1], bdf))
		return -1;
	p->host[0] = 0;
	for (i = 0; i < first && used < sizeof(p->host); i++)
		used += snprintf(p->host + used, sizeof(p->host) - used, "/%s", comp[i]);
	p->depth = n - first;
	for (i = 0; i < p->depth; i++)
		snprintf(p->dev[i], sizeof(p->dev[i]), "%s", comp[first + i]);
	return 0;
}

/*
 * The GPU's path to the CPU: NV<links> for a GPU on the native NVLink
 * fabric (nvsoc_gpu/cpu_link "C2C <links>", as nvidia-smi shows the C2C
 * link of Grace-class systems); PHB for a PCIe function, whose traffic to
 * the harts crosses its host bridge (the CPU's root complex); N/A when
 * neither is known.
 */
static const char *cpu_relation(const char *root, const struct gpu_desc *d, char *buf,
				size_t len)
{
	struct pci_path p;
	char link[32];
	unsigned int n;

	gpu_sysfs(d, "nvsoc_gpu/cpu_link", link, sizeof(link));
	if (sscanf(link, "C2C %u", &n) == 1 && n) {
		snprintf(buf, len, "NV%u", n);
		return buf;
	}
	if (d->bus == GPU_BUS_PCI && !pci_path_read(root, d->name, &p))
		return "PHB";
	return "N/A";
}

static long long node_of(const char *root, const char *bdf)
{
	char path[PATH_MAX], buf[32];
	long long v;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/numa_node", root, bdf);
	if (read_text(path, buf, sizeof(buf)) || parse_ll(buf, &v))
		return -1;
	return v;
}

const char *pcie_rel_name(enum pcie_rel rel)
{
	static const char *const names[] = {
		[REL_SELF] = " X ", [REL_PIX] = "PIX", [REL_PXB] = "PXB", [REL_PHB] = "PHB",
		[REL_NODE] = "NODE", [REL_SYS] = "SYS", [REL_UNKNOWN] = "N/A",
	};

	return names[rel];
}

/*
 * The rules (README.md, "topo's rules"): different host bridges are NODE,
 * or SYS when both devices name different NUMA nodes; under one host
 * bridge, paths that share no bridge meet only at the host bridge (PHB);
 * paths that share a bridge are PIX when each device is at most one bridge
 * below the last shared one (two downstream ports of one switch, or one
 * bridge's bus), else PXB.
 */
enum pcie_rel gpu_relation(const char *root, const struct gpu_desc *a,
			   const struct gpu_desc *b)
{
	if (!strcmp(a->name, b->name))
		return REL_SELF;
	if (a->bus == GPU_BUS_PCI && b->bus == GPU_BUS_PCI)
		return pcie_relation(root, a->name, b->name);
	/*
	 * A GPU on the NVLink fabric node reaches another GPU (on the node,
	 * or on PCIe) through the SoC interconnect, as two GPUs of a
	 * Grace-class system without NVLink between them: SYS.
	 */
	if (a->bus != GPU_BUS_OTHER && b->bus != GPU_BUS_OTHER)
		return REL_SYS;
	return REL_UNKNOWN;
}

enum pcie_rel pcie_relation(const char *root, const char *a, const char *b)
{
	static struct pci_path pa, pb;
	int shared, below_a, below_b;
	long long na, nb;

	if (!strcmp(a, b))
		return REL_SELF;
	if (pci_path_read(root, a, &pa) || pci_path_read(root, b, &pb))
		return REL_UNKNOWN;
	if (strcmp(pa.host, pb.host)) {
		na = node_of(root, a);
		nb = node_of(root, b);
		return na >= 0 && nb >= 0 && na != nb ? REL_SYS : REL_NODE;
	}
	/* The bridges both paths go through (never the devices themselves). */
	for (shared = 0; shared < pa.depth - 1 && shared < pb.depth - 1 &&
	     !strcmp(pa.dev[shared], pb.dev[shared]); shared++)
		;
	if (!shared)
		return REL_PHB;
	below_a = pa.depth - 1 - shared;
	below_b = pb.depth - 1 - shared;
	return below_a <= 1 && below_b <= 1 ? REL_PIX : REL_PXB;
}

/* The CPUs of NUMA node node (sysfs node<N>/cpulist) in buf, "" if unknown. */
static void node_cpulist(long long node, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/devices/system/node/node%lld/cpulist", sysfs_root(),
		 node);
	if (read_text(path, buf, len))
		buf[0] = 0;
}

/* --- NVLink ports ------------------------------------------------------------------ */

static int port_attr(const struct gpu_desc *d, int link, const char *name, char *buf,
		     size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/nvlink/link%d/%s", d->sysfs, link, name);
	return read_text(path, buf, len);
}

static long long port_number(const struct gpu_desc *d, int link, const char *name,
			     long long missing)
{
	char buf[32];
	long long v;

	if (port_attr(d, link, name, buf, sizeof(buf)) || parse_ll(buf, &v))
		return missing;
	return v;
}

static void port_string(const struct gpu_desc *d, int link, const char *name, char *buf,
			size_t len)
{
	if (port_attr(d, link, name, buf, len) || !buf[0])
		snprintf(buf, len, "N/A");
}

int nvlink_read_ports(const struct gpu_desc *d, struct nvlink_port *ports, int max)
{
	char path[PATH_MAX], buf[32];
	struct stat st;
	long long n;
	int i;

	snprintf(path, sizeof(path), "%s/nvlink", d->sysfs);
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return -1;
	snprintf(path, sizeof(path), "%s/nvlink/links", d->sysfs);
	if (read_text(path, buf, sizeof(buf)) || parse_ll(buf, &n) || n < 0) {
		/* No count: the link<L> directories there are, from 0 on. */
		for (n = 0; n < max; n++) {
			snprintf(path, sizeof(path), "%s/nvlink/link%lld", d->sysfs, n);
			if (stat(path, &st) || !S_ISDIR(st.st_mode))
				break;
		}
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		struct nvlink_port *p = &ports[i];

		port_string(d, i, "state", p->state, sizeof(p->state));
		p->generation = (int)port_number(d, i, "generation", -1);
		p->lanes = (int)port_number(d, i, "lanes", -1);
		p->bandwidth_mbps = port_number(d, i, "bandwidth_mbps", -1);
		port_string(d, i, "remote_type", p->remote_type, sizeof(p->remote_type));
		port_string(d, i, "remote_device", p->remote_device, sizeof(p->remote_device));
		p->remote_link = port_number(d, i, "remote_link", -2);
	}
	return (int)n;
}

int nvlink_counter(const struct gpu_desc *d, int link, const char *name, uint64_t *value)
{
	unsigned long long v;
	char buf[32];

	if (port_attr(d, link, name, buf, sizeof(buf)) || parse_ull(buf, &v))
		return -1;
	*value = v;
	return 0;
}

int nvlink_reset_counters(const struct gpu_desc *d, int link)
{
	char path[PATH_MAX];
	ssize_t put;
	int fd, err;

	snprintf(path, sizeof(path), "%s/nvlink/link%d/reset_counters", d->sysfs, link);
	/* No O_CREAT: a missing attribute is an error, not a new file. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	put = write(fd, "1", 1);
	err = put == 1 ? 0 : put < 0 ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int active(const struct nvlink_port *p)
{
	return !strcmp(p->state, "HS");
}

/* Active links of ports to remote_type (and to the device remote, if not NULL). */
static int count_active(const struct nvlink_port *ports, int n, const char *type,
			const char *remote)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		if (active(&ports[i]) && !strcmp(ports[i].remote_type, type) &&
		    (!remote || !strcmp(ports[i].remote_device, remote)))
			count++;
	return count;
}

int nvlink_bonded(const struct gpu_desc *a, const struct nvlink_port *pa, int na,
		  const struct gpu_desc *b, const struct nvlink_port *pb, int nb)
{
	int ab, ba, sa, sb;

	if (na <= 0 || nb <= 0)
		return 0;
	/*
	 * Both ends must see a link active: the matrix stays symmetric when
	 * one end's view lags the other's.
	 */
	ab = count_active(pa, na, "GPU", b->name);
	ba = count_active(pb, nb, "GPU", a->name);
	/*
	 * One fabric of NVSwitches (as on HGX boards): a GPU reaches any
	 * other through them with as many links as the poorer of the two
	 * has to the switches.
	 */
	sa = count_active(pa, na, "NVSWITCH", NULL);
	sb = count_active(pb, nb, "NVSWITCH", NULL);
	return (ab < ba ? ab : ba) + (sa && sb ? (sa < sb ? sa : sb) : 0);
}

/* --- topo -------------------------------------------------------------------------- */

static struct nvlink_port all_ports[MAX_GPUS][NVLINK_MAX_LINKS];

static void topo_usage(FILE *f)
{
	fputs("usage: nvsoc-smi topo [-m]\n", f);
}

/* Every GPU, with a message when there is none: the count, or 0. */
static int find_gpus(struct gpu_desc *gpus)
{
	int n = gpu_find(gpus, MAX_GPUS);

	if (!n)
		fprintf(stderr, "nvsoc-smi: no GPU bound to nvsoc-gpu (is the module loaded?)\n");
	return n;
}

int cmd_topo(int argc, char **argv)
{
	struct gpu_desc gpus[MAX_GPUS];
	int nports[MAX_GPUS];
	int ngpus, i, j;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			topo_usage(stdout);
			return 0;
		}
		/* -m (the matrix) is the only view there is. */
		if (strcmp(argv[i], "-m") && strcmp(argv[i], "--matrix")) {
			topo_usage(stderr);
			return 2;
		}
	}
	ngpus = find_gpus(gpus);
	if (!ngpus)
		return 1;
	for (i = 0; i < ngpus; i++)
		nports[i] = nvlink_read_ports(&gpus[i], all_ports[i], NVLINK_MAX_LINKS);

	for (j = 0; j < ngpus; j++)
		printf("\tGPU%d", j);
	printf("\tCPU\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n");
	for (i = 0; i < ngpus; i++) {
		char cpus[256], numa[32], mem_numa[32], cpu[16];
		long long node, mem_node;

		printf("GPU%d", i);
		for (j = 0; j < ngpus; j++) {
			int nv = i == j ? 0 : nvlink_bonded(&gpus[i], all_ports[i], nports[i],
							    &gpus[j], all_ports[j], nports[j]);
			enum pcie_rel rel;

			if (nv) {
				printf("\tNV%d", nv);
				continue;
			}
			rel = gpu_relation(sysfs_root(), &gpus[i], &gpus[j]);
			printf("\t%s", pcie_rel_name(rel));
		}
		printf("\t%s", cpu_relation(sysfs_root(), &gpus[i], cpu, sizeof(cpu)));
		gpu_sysfs(&gpus[i], "local_cpulist", cpus, sizeof(cpus));
		gpu_sysfs(&gpus[i], "numa_node", numa, sizeof(numa));
		/* numa_node is -1 where the platform names no node. */
		if (parse_ll(numa, &node) || node < 0) {
			snprintf(numa, sizeof(numa), "N/A");
			node = -1;
		}
		/* A platform device has no local_cpulist: its node's CPUs. */
		if (!cpus[0] && node >= 0)
			node_cpulist(node, cpus, sizeof(cpus));
		/* The node that holds part of the GPU's memory (-1: none). */
		gpu_sysfs(&gpus[i], "nvsoc_gpu/mem_numa_node", mem_numa, sizeof(mem_numa));
		if (parse_ll(mem_numa, &mem_node) || mem_node < 0)
			snprintf(mem_numa, sizeof(mem_numa), "N/A");
		printf("\t%s\t%s\t%s\n", cpus[0] ? cpus : "N/A", numa, mem_numa);
	}
	fputs("\nLegend:\n\n"
	      "  X    = Self\n"
	      "  CPU  = the GPU's path to the CPU (PHB: through its PCIe host bridge; NV#: # C2C links of the NVLink fabric node)\n"
	      "  SYS  = PCIe, then the interconnect between NUMA nodes (different host bridges and nodes); or the SoC interconnect (a GPU on the NVLink fabric node, no NVLink between them)\n"
	      "  NODE = PCIe, then the interconnect between the host bridges of one NUMA node\n"
	      "  PHB  = PCIe through a host bridge (the CPU's root complex)\n"
	      "  PXB  = PCIe through several bridges, not through a host bridge\n"
	      "  PIX  = PCIe through at most one bridge (one switch)\n"
	      "  NV#  = # active NVLink links, direct, or through NVSwitches (the fewer of the two GPUs' switch links)\n"
	      "  GPU NUMA ID = the NUMA node of the GPU's memory (part of its VRAM as kernel memory; N/A: none)\n",
	      stdout);
	return 0;
}

/* --- nvlink ------------------------------------------------------------------------- */

enum nvlink_mode { MODE_STATUS, MODE_ERRORS, MODE_LANE_CRC, MODE_REMOTE, MODE_RESET, MODE_TRAFFIC };

static void nvlink_usage(FILE *f)
{
	fputs("usage: nvsoc-smi nvlink [-s | -e | -ec | -R | -c | -r] [-d N] [-l L]\n"
	      "  -s, --status          per link: the data rate (GB/s per direction) or <inactive>\n"
	      "  -e, --errorcounters   replay, recovery, CRC (flit and data), per-lane ECC (gen 3+)\n"
	      "  -ec, --crcerrorcounters\n                        per-lane CRC errors\n"
	      "  -R, --remotelinkinfo  the remote device's PCI address, link and type\n"
	      "  -c, --throughput      data and packets sent and received\n"
	      "  -r, --reset-counters  zero the link's counters\n"
	      "  -d N (or -i N)        GPU N only; -l L: link L only\n", f);
}

static void print_counter(const struct gpu_desc *d, int link, const char *name,
			  const char *label)
{
	uint64_t v;

	if (nvlink_counter(d, link, name, &v))
		printf("\t Link %d: %s: N/A\n", link, label);
	else
		printf("\t Link %d: %s: %llu\n", link, label, (unsigned long long)v);
}

static void print_traffic(const struct gpu_desc *d, int link, const char *dir,
			  const char *bytes, const char *packets)
{
	char b[32] = "N/A", p[32] = "N/A";
	uint64_t v;

	if (!nvlink_counter(d, link, bytes, &v))
		snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	if (!nvlink_counter(d, link, packets, &v))
		snprintf(p, sizeof(p), "%llu", (unsigned long long)v);
	printf("\t Link %d: Data %s: %s bytes, %s packets\n", link, dir, b, p);
}

static void print_remote(int link, const struct nvlink_port *p)
{
	char rl[24] = "N/A";

	if (!strcmp(p->remote_type, "none")) {
		printf("\t Link %d: Remote Device none\n", link);
		return;
	}
	if (p->remote_link >= 0)
		snprintf(rl, sizeof(rl), "%lld", p->remote_link);
	printf("\t Link %d: Remote Device %s: Link %s (%s)\n", link, p->remote_device, rl,
	       p->remote_type);
}

static void print_status(int link, const struct nvlink_port *p)
{
	if (!active(p))
		printf("\t Link %d: <inactive>\n", link);
	else if (p->bandwidth_mbps < 0)
		printf("\t Link %d: N/A\n", link);
	else	/* MB/s as GB/s with three decimals, exactly: 26562 is 26.562. */
		printf("\t Link %d: %lld.%03lld GB/s\n", link, p->bandwidth_mbps / 1000,
		       p->bandwidth_mbps % 1000);
}

/* One link in the mode: 0, or 1 when a counter reset failed. */
static int nvlink_one(enum nvlink_mode mode, const struct gpu_desc *d, int link,
		      const struct nvlink_port *p)
{
	char name[24], label[40], path[PATH_MAX];
	unsigned int lane;
	struct stat st;
	int ret;

	switch (mode) {
	case MODE_STATUS:
		print_status(link, p);
		break;
	case MODE_REMOTE:
		print_remote(link, p);
		break;
	case MODE_ERRORS:
		print_counter(d, link, "dl_replay", "Replay Errors");
		print_counter(d, link, "dl_recovery", "Recovery Errors");
		print_counter(d, link, "dl_crc_flit", "CRC Errors");
		print_counter(d, link, "dl_crc_data", "CRC Data Errors");
		/*
		 * Per-lane ECC came with generation 3; the files say so too
		 * while a gen-3 link is untrained (generation 0).
		 */
		snprintf(path, sizeof(path), "%s/nvlink/link%d/ecc_lane0", d->sysfs,
			 link);
		if (p->generation < 3 && stat(path, &st))
			break;
		for (lane = 0; lane < 4; lane++) {
			snprintf(name, sizeof(name), "ecc_lane%u", lane);
			snprintf(label, sizeof(label), "Lane %u ECC Errors", lane);
			print_counter(d, link, name, label);
		}
		break;
	case MODE_LANE_CRC:
		for (lane = 0; lane < 8; lane++) {
			snprintf(name, sizeof(name), "crc_lane%u", lane);
			snprintf(label, sizeof(label), "Lane %u CRC Errors", lane);
			print_counter(d, link, name, label);
		}
		break;
	case MODE_TRAFFIC:
		print_traffic(d, link, "Tx", "tl_tx_bytes", "tl_tx_packets");
		print_traffic(d, link, "Rx", "tl_rx_bytes", "tl_rx_packets");
		break;
	case MODE_RESET:
		ret = nvlink_reset_counters(d, link);
		if (ret) {
			fprintf(stderr, "nvsoc-smi: %s link %d: reset_counters: %s\n", d->name, link,
				strerror(-ret));
			return 1;
		}
		printf("\t Link %d: counters reset\n", link);
		break;
	}
	return 0;
}

static int parse_index(const char *s, int *v)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (!*s || *end || n < 0 || n > INT_MAX)
		return -1;
	*v = (int)n;
	return 0;
}

int cmd_nvlink(int argc, char **argv)
{
	static const struct {
		const char *s, *l;
		enum nvlink_mode mode;
	} modes[] = {
		{ "-s", "--status", MODE_STATUS },
		{ "-e", "--errorcounters", MODE_ERRORS },
		{ "-ec", "--crcerrorcounters", MODE_LANE_CRC },
		{ "-R", "--remotelinkinfo", MODE_REMOTE },
		{ "-r", "--reset-counters", MODE_RESET },
		{ "-c", "--throughput", MODE_TRAFFIC },
	};
	enum nvlink_mode mode = MODE_STATUS;
	struct nvlink_port ports[NVLINK_MAX_LINKS];
	struct gpu_desc gpus[MAX_GPUS];
	int ngpus, dev = -1, link = -1, moded = 0, status = 0, shown, i, k, n;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int known = 0;

		for (k = 0; k < (int)ARRAY_SIZE(modes); k++) {
			if (strcmp(a, modes[k].s) && strcmp(a, modes[k].l))
				continue;
			/* One view at a time, as nvidia-smi nvlink. */
			if (moded++) {
				nvlink_usage(stderr);
				return 2;
			}
			mode = modes[k].mode;
			known = 1;
		}
		if (known)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			nvlink_usage(stdout);
			return 0;
		}
		if ((!strcmp(a, "-d") || !strcmp(a, "-i")) && i + 1 < argc &&
		    !parse_index(argv[i + 1], &dev)) {
			i++;
		} else if ((!strcmp(a, "-l") || !strcmp(a, "--link")) && i + 1 < argc &&
			   !parse_index(argv[i + 1], &link)) {
			i++;
		} else {
			nvlink_usage(stderr);
			return 2;
		}
	}
	ngpus = find_gpus(gpus);
	if (!ngpus)
		return 1;
	if (dev >= ngpus) {
		fprintf(stderr, "nvsoc-smi: no GPU %d (%d found)\n", dev, ngpus);
		return 2;
	}
	for (i = 0; i < ngpus; i++) {
		if (dev >= 0 && dev != i)
			continue;
		n = nvlink_read_ports(&gpus[i], ports, NVLINK_MAX_LINKS);
		/* A GPU without NVLink is a fact to report, not an error. */
		if (n <= 0) {
			printf("GPU %d: %s: no NVLink links\n", i, gpus[i].name);
			continue;
		}
		if (link >= n) {
			fprintf(stderr, "nvsoc-smi: GPU %d has no link %d (%d links)\n", i, link,
				n);
			status = 2;
			continue;
		}
		printf("GPU %d: %s\n", i, gpus[i].name);
		for (k = 0, shown = 0; k < n; k++) {
			if (link >= 0 && link != k)
				continue;
			/* nvidia-smi -e separates the links' groups of lines. */
			if (mode == MODE_ERRORS && shown++)
				putchar('\n');
			if (nvlink_one(mode, &gpus[i], k, &ports[k]) && !status)
				status = 1;
		}
	}
	return status;
}
