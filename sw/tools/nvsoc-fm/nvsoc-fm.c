// SPDX-License-Identifier: MIT
/*
 * nvsoc-fm: the NVSwitch fabric manager, nv-fabricmanager in spirit.
 *
 *   nvsoc-fm [--once] [--timeout SECONDS] [--interval MS]
 *
 * Finds every NVSwitch management function (PCI 1e5c:0002) in sysfs,
 * enables it, maps its BAR0 through resource0, waits for its linked ports
 * to reach HS, reads who is at the other end of each port, and programs
 * every switch's routing table: for each ingress port with a link and each
 * GPU's NVLink ID, the ganged group of the switch's ports to that GPU, or
 * else of its ports to the next switch on a shortest path; never the
 * ingress port itself. Every entry is read back. Then every GPU with a port
 * to a switch is told the fabric is ready (<gpu>/nvlink/fabric_state).
 * With --once it stops there; otherwise it polls the ports and reprograms
 * when a link goes down or comes back. README.md says more.
 *
 * The registers are models/nvlink/nvswitch_hw.h and nvlink_port_hw.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nvlink_port_hw.h"
#include "nvswitch_hw.h"

#define MAX_SWITCHES 16
#define MAX_IDS NVSOC_NVSW_MAX_IDS
/* Mismatches reported one by one per switch before only counting them. */
#define MAX_REPORTED 8

struct port {
	uint32_t status;	/* STATUS */
	uint32_t remote_link;	/* REMOTE_LINK (VALID, type, link) */
	uint32_t remote_dev;	/* REMOTE_DEVICE: the remote's NVLink ID */
	int linked;		/* a link is attached (ALI, a state, or a remote) */
};

struct nvswitch {
	char bdf[NAME_MAX + 1];
	volatile uint32_t *bar;
	uint32_t id, nports;
	struct port port[NVSOC_NVSW_MAX_PORTS];
};

static struct nvswitch sw[MAX_SWITCHES];
static int nsw;

/* --- sysfs and registers ------------------------------------------------------ */

static const char *sysfs_root(void)
{
	const char *root = getenv("NVSOC_FM_SYSFS");

	return root && root[0] ? root : "/sys";
}

/* The file's first line, without its newline: 0, or -1 with errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Writes s to an existing file: 0, or -errno. */
static int write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t put;
	int fd, err;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	put = write(fd, s, len);
	err = put == (ssize_t)len ? 0 : put < 0 ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static uint32_t rd(const struct nvswitch *s, uint32_t off)
{
	return s->bar[off / 4];
}

static void wr(struct nvswitch *s, uint32_t off, uint32_t v)
{
	s->bar[off / 4] = v;
}

static uint64_t route_rd(const struct nvswitch *s, unsigned int p, unsigned int d)
{
	return rd(s, NVSOC_NVSW_ROUTE_LO(p, d)) |
	       (uint64_t)rd(s, NVSOC_NVSW_ROUTE_HI(p, d)) << 32;
}

static void route_wr(struct nvswitch *s, unsigned int p, unsigned int d, uint64_t mask)
{
	wr(s, NVSOC_NVSW_ROUTE_LO(p, d), (uint32_t)mask);
	wr(s, NVSOC_NVSW_ROUTE_HI(p, d), (uint32_t)(mask >> 32));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- Ports -------------------------------------------------------------------- */

static const char *port_state(const struct port *p)
{
	return nvsoc_nvl_state_name(p->status & NVSOC_NVL_STATUS_STATE_MASK);
}

static int port_hs(const struct port *p)
{
	return !!(p->status & NVSOC_NVL_STATUS_ACTIVE);
}

/* The remote's type (NVSOC_NVL_DEVICE_*) of an HS port, else 0. */
static unsigned int port_remote_type(const struct port *p)
{
	if (!port_hs(p) || !(p->remote_link & NVSOC_NVL_REMOTE_VALID))
		return 0;
	return (p->remote_link >> NVSOC_NVL_REMOTE_LINK_TYPE_SHIFT) & 0xf;
}

static void read_port(const struct nvswitch *s, unsigned int p, struct port *out)
{
	uint32_t ctrl = rd(s, NVSOC_NVSW_PORT(p, NVSOC_NVL_CTRL));

	out->status = rd(s, NVSOC_NVSW_PORT(p, NVSOC_NVL_STATUS));
	out->remote_link = rd(s, NVSOC_NVSW_PORT(p, NVSOC_NVL_REMOTE_LINK));
	out->remote_dev = rd(s, NVSOC_NVSW_PORT(p, NVSOC_NVL_REMOTE_DEVICE));
	/*
	 * A port without a link reads OFF, no ALI and no remote; one whose
	 * link is OFF and trains by software only looks the same (nvsoc-fm
	 * does not train links: ALI does, from NVLink 4).
	 */
	out->linked = (ctrl & NVSOC_NVL_CTRL_ALI) ||
		      (out->status & NVSOC_NVL_STATUS_STATE_MASK) != NVSOC_NVL_STATE_OFF ||
		      (out->remote_link & NVSOC_NVL_REMOTE_VALID);
}

static void read_ports(struct nvswitch *s)
{
	unsigned int p;

	for (p = 0; p < s->nports; p++)
		read_port(s, p, &s->port[p]);
}

/* Linked ports not in HS, over every switch. */
static int ports_not_hs(void)
{
	unsigned int p;
	int i, n = 0;

	for (i = 0; i < nsw; i++) {
		read_ports(&sw[i]);
		for (p = 0; p < sw[i].nports; p++)
			n += sw[i].port[p].linked && !port_hs(&sw[i].port[p]);
	}
	return n;
}

/* Waits up to timeout seconds for every linked port to be HS: 0, or -1. */
static int wait_hs(double timeout)
{
	double end = now() + timeout;
	unsigned int p;
	int i;

	while (ports_not_hs()) {
		if (now() < end) {
			usleep(100 * 1000);
			continue;
		}
		for (i = 0; i < nsw; i++)
			for (p = 0; p < sw[i].nports; p++)
				if (sw[i].port[p].linked && !port_hs(&sw[i].port[p]))
					printf("nvsoc-fm: switch %s port %u: still %s after %g s (not HS): left out of the routes\n",
					       sw[i].bdf, p, port_state(&sw[i].port[p]), timeout);
		return -1;
	}
	return 0;
}

/* --- Finding the switches ------------------------------------------------------ */

static int open_switch(const char *bdf)
{
	struct nvswitch *s = &sw[nsw];
	char path[PATH_MAX], buf[32];
	void *map;
	int fd, err;

	if (nsw == MAX_SWITCHES) {
		printf("nvsoc-fm: %s: more than %d switches; ignored\n", bdf, MAX_SWITCHES);
		return -1;
	}
	snprintf(s->bdf, sizeof(s->bdf), "%s", bdf);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/enable", sysfs_root(), bdf);
	if (read_line(path, buf, sizeof(buf))) {
		printf("nvsoc-fm: switch %s: cannot read %s: %s\n", bdf, path, strerror(errno));
		return -1;
	}
	if (strcmp(buf, "0") == 0 || buf[0] == 0) {
		err = write_str(path, "1");
		if (err) {
			printf("nvsoc-fm: switch %s: enabling it (%s) failed: %s\n", bdf, path,
			       strerror(-err));
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource0", sysfs_root(), bdf);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		printf("nvsoc-fm: switch %s: cannot open %s: %s\n", bdf, path, strerror(errno));
		return -1;
	}
	map = mmap(NULL, NVSOC_NVSW_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (map == MAP_FAILED) {
		printf("nvsoc-fm: switch %s: cannot map %s (%u bytes): %s\n", bdf, path,
		       NVSOC_NVSW_BAR0_SIZE, strerror(err));
		return -1;
	}
	s->bar = map;
	if (rd(s, NVSOC_NVSW_IDENT) != NVSOC_NVSW_IDENT_VALUE) {
		printf("nvsoc-fm: switch %s: IDENT reads 0x%08x, not \"NVSW\" (0x%08x)\n", bdf,
		       rd(s, NVSOC_NVSW_IDENT), NVSOC_NVSW_IDENT_VALUE);
		munmap(map, NVSOC_NVSW_BAR0_SIZE);
		return -1;
	}
	s->id = rd(s, NVSOC_NVSW_NVLINK_ID);
	s->nports = rd(s, NVSOC_NVSW_NUM_PORTS);
	if (s->nports > NVSOC_NVSW_MAX_PORTS) {
		printf("nvsoc-fm: switch %s: NUM_PORTS reads %u (at most %d); using %d\n", bdf,
		       s->nports, NVSOC_NVSW_MAX_PORTS, NVSOC_NVSW_MAX_PORTS);
		s->nports = NVSOC_NVSW_MAX_PORTS;
	}
	nsw++;
	return 0;
}

static int hex_file_is(const char *dir, const char *name, unsigned long want)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !read_line(path, buf, sizeof(buf)) && strtoul(buf, NULL, 16) == want;
}

/* Opens every NVSwitch function, in PCI address order: how many failed. */
static int find_switches(void)
{
	char dir[PATH_MAX / 2], path[PATH_MAX];
	struct dirent **names;
	int n, i, failed = 0;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs_root());
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("nvsoc-fm: cannot list %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' &&
		    hex_file_is(path, "vendor", NVSOC_NVSW_VENDOR_ID) &&
		    hex_file_is(path, "device", NVSOC_NVSW_DEVICE_ID) &&
		    open_switch(names[i]->d_name))
			failed++;
		free(names[i]);
	}
	free(names);
	return failed;
}

/* --- Routes -------------------------------------------------------------------- */

/* s's HS ports whose remote is the device of that type and NVLink ID. */
static uint64_t ports_to(const struct nvswitch *s, unsigned int type, uint32_t id)
{
	uint64_t mask = 0;
	unsigned int p;

	for (p = 0; p < s->nports; p++)
		if (port_remote_type(&s->port[p]) == type && s->port[p].remote_dev == id)
			mask |= 1ull << p;
	return mask;
}

/* The NVLink IDs of the GPUs some switch has an HS port to. */
static uint64_t known_gpus(void)
{
	uint64_t ids = 0;
	unsigned int p;
	int i;

	for (i = 0; i < nsw; i++)
		for (p = 0; p < sw[i].nports; p++)
			if (port_remote_type(&sw[i].port[p]) == NVSOC_NVL_DEVICE_GPU &&
			    sw[i].port[p].remote_dev > 0 && sw[i].port[p].remote_dev < MAX_IDS)
				ids |= 1ull << sw[i].port[p].remote_dev;
	return ids;
}

/*
 * dist[i]: the switch hops from switch i to one with a port to GPU d, or -1
 * when it has no path (breadth first, along HS switch-to-switch ports).
 */
static void distances(uint32_t d, int *dist)
{
	int i, j, level, more = 1;

	for (i = 0; i < nsw; i++)
		dist[i] = ports_to(&sw[i], NVSOC_NVL_DEVICE_GPU, d) ? 0 : -1;
	for (level = 0; more; level++) {
		more = 0;
		for (j = 0; j < nsw; j++) {
			if (dist[j] >= 0)
				continue;
			for (i = 0; i < nsw; i++) {
				if (dist[i] == level &&
				    ports_to(&sw[j], NVSOC_NVL_DEVICE_NVSWITCH, sw[i].id)) {
					dist[j] = level + 1;
					more = 1;
					break;
				}
			}
		}
	}
}

/*
 * Switch i's egress ports for GPU d: its ports to d, or else all its ports
 * to the first switch one hop nearer to d; 0 without a path.
 */
static uint64_t egress(int i, uint32_t d, const int *dist)
{
	uint64_t mask = ports_to(&sw[i], NVSOC_NVL_DEVICE_GPU, d);
	int j;

	if (mask || dist[i] <= 0)
		return mask;
	for (j = 0; j < nsw; j++) {
		if (dist[j] != dist[i] - 1)
			continue;
		mask = ports_to(&sw[i], NVSOC_NVL_DEVICE_NVSWITCH, sw[j].id);
		if (mask)
			return mask;
	}
	return 0;
}

/*
 * Programs switch i's table and reads every entry back: 0, or the number
 * of entries that read back wrong.
 */
static int program_switch(int i, uint64_t gpus, int dist[MAX_IDS][MAX_SWITCHES])
{
	struct nvswitch *s = &sw[i];
	int ingress = 0, routes = 0, changed = 0, bad = 0;
	uint64_t want, got;
	unsigned int p, d;

	for (d = 1; d < MAX_IDS; d++)
		if ((gpus >> d & 1) && !egress(i, d, dist[d]))
			printf("nvsoc-fm: switch %s: no path to GPU NVLink ID %u\n", s->bdf, d);
	for (d = 1; d < MAX_IDS; d++)
		routes += gpus >> d & 1;
	for (p = 0; p < s->nports; p++) {
		const struct port *in = &s->port[p];

		ingress += in->linked;
		for (d = 1; d < MAX_IDS; d++) {
			want = 0;
			/*
			 * Only GPUs have routes. Nothing goes back where it
			 * came from: not out of the ingress port, nor out of
			 * any port to the device at its other end (a GPU's own
			 * ports do not route back to it through the switch).
			 */
			if (in->linked && (gpus >> d & 1)) {
				want = egress(i, d, dist[d]) & ~(1ull << p);
				if (port_remote_type(in))
					want &= ~ports_to(s, port_remote_type(in), in->remote_dev);
			}
			got = route_rd(s, p, d);
			if (got != want) {
				route_wr(s, p, d, want);
				changed++;
				got = route_rd(s, p, d);
			}
			if (got == want)
				continue;
			if (bad++ < MAX_REPORTED)
				printf("nvsoc-fm: switch %s: ROUTE(port %u, ID %u) reads 0x%016llx after writing 0x%016llx\n",
				       s->bdf, p, d, (unsigned long long)got, (unsigned long long)want);
		}
	}
	printf("nvsoc-fm: switch %s: programmed %d ports x %d routes (%d entries changed); read back %u entries: %s\n",
	       s->bdf, ingress, routes, changed, s->nports * (MAX_IDS - 1),
	       bad ? "MISMATCH" : "all correct");
	if (bad > MAX_REPORTED)
		printf("nvsoc-fm: switch %s: %d entries read back wrong\n", s->bdf, bad);
	return bad;
}

/* Programs every switch: 0, or -1 if an entry read back wrong. */
static int program_fabric(void)
{
	static int dist[MAX_IDS][MAX_SWITCHES];
	int i, gpu_links = 0, switch_links = 0, ngpus = 0, bad = 0;
	uint64_t gpus = known_gpus();
	unsigned int p, d;

	for (i = 0; i < nsw; i++)
		for (p = 0; p < sw[i].nports; p++) {
			gpu_links += port_remote_type(&sw[i].port[p]) == NVSOC_NVL_DEVICE_GPU;
			switch_links += port_remote_type(&sw[i].port[p]) == NVSOC_NVL_DEVICE_NVSWITCH;
		}
	for (d = 1; d < MAX_IDS; d++) {
		ngpus += gpus >> d & 1;
		if (gpus >> d & 1)
			distances(d, dist[d]);
	}
	printf("nvsoc-fm: %d switches, %d GPU links, %d GPUs", nsw, gpu_links, ngpus);
	if (switch_links)
		printf(", %d switch-to-switch ports", switch_links);
	printf("\n");
	for (i = 0; i < nsw; i++)
		bad += program_switch(i, gpus, dist) != 0;
	return bad ? -1 : 0;
}

/* --- Telling the GPUs ---------------------------------------------------------- */

/* Whether the GPU at dir has a port whose remote is an NVSwitch. */
static int gpu_on_fabric(const char *dir)
{
	char path[PATH_MAX + 64], buf[32];
	int l;

	for (l = 0; l < 64; l++) {
		snprintf(path, sizeof(path), "%s/nvlink/link%d/remote_type", dir, l);
		if (read_line(path, buf, sizeof(buf)))
			break;
		if (!strcmp(buf, "NVSWITCH"))
			return 1;
	}
	return 0;
}

/*
 * Writes state (ready or pending) to nvlink/fabric_state of every GPU with
 * a port to a switch, where it reads otherwise: how many GPUs have it.
 */
static int mark_gpus(const char *state)
{
	static int warned;
	char dir[PATH_MAX / 2], path[PATH_MAX], buf[32];
	struct dirent **names;
	int n, i, err, marked = 0;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs_root());
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("nvsoc-fm: cannot list %s: %s\n", dir, strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] == '.' || !gpu_on_fabric(path))
			goto next;
		snprintf(path, sizeof(path), "%s/%s/nvlink/fabric_state", dir, names[i]->d_name);
		if (read_line(path, buf, sizeof(buf))) {
			if (!warned++)
				printf("nvsoc-fm: warning: %s has no nvlink/fabric_state (a driver without it): GPUs are not told\n",
				       names[i]->d_name);
			goto next;
		}
		marked++;
		if (!strcmp(buf, state))
			goto next;
		err = write_str(path, state);
		if (err) {
			printf("nvsoc-fm: GPU %s: writing %s to %s failed: %s\n", names[i]->d_name,
			       state, path, strerror(-err));
			marked--;
		}
next:
		free(names[i]);
	}
	free(names);
	return marked;
}

/* Programs the fabric and tells the GPUs: 0, or -1. */
static int bring_up(void)
{
	int marked;

	if (program_fabric()) {
		printf("nvsoc-fm: fabric NOT ready: routes read back wrong\n");
		return -1;
	}
	marked = mark_gpus("ready");
	printf("nvsoc-fm: fabric ready (%d GPUs marked ready)\n", marked);
	return 0;
}

/* --- The daemon ------------------------------------------------------------------ */

/*
 * Polls every port's state; logs each change. Returns 1 if what the routes
 * depend on (the HS ports and their remotes) changed.
 */
static int poll_changes(void)
{
	struct port now_port;
	unsigned int p;
	int i, reroute = 0;

	for (i = 0; i < nsw; i++) {
		for (p = 0; p < sw[i].nports; p++) {
			struct port *old = &sw[i].port[p];

			read_port(&sw[i], p, &now_port);
			if (now_port.status == old->status &&
			    now_port.remote_link == old->remote_link &&
			    now_port.remote_dev == old->remote_dev)
				continue;
			if ((now_port.status & NVSOC_NVL_STATUS_STATE_MASK) !=
			    (old->status & NVSOC_NVL_STATUS_STATE_MASK))
				printf("nvsoc-fm: switch %s port %u: %s -> %s\n", sw[i].bdf, p,
				       port_state(old), port_state(&now_port));
			if (port_hs(&now_port) != port_hs(old) ||
			    port_remote_type(&now_port) != port_remote_type(old) ||
			    (port_hs(&now_port) && now_port.remote_dev != old->remote_dev))
				reroute = 1;
			*old = now_port;
		}
	}
	return reroute;
}

static void usage(FILE *f)
{
	fputs("usage: nvsoc-fm [--once] [--timeout SECONDS] [--interval MS]\n"
	      "  --once          program the NVSwitches, tell the GPUs, exit (0 ok, 1 failed)\n"
	      "  --timeout S     wait at most S seconds for linked ports to reach HS (10)\n"
	      "  --interval MS   daemon: poll the ports every MS milliseconds (500)\n", f);
}

int main(int argc, char **argv)
{
	double timeout = 10;
	long interval = 500;
	int once = 0, status = 0, i;
	char *end;

	/* Lines reach a pipe or a log file as they are printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout = strtod(argv[++i], &end);
			if (*end || timeout < 0) {
				usage(stderr);
				return 2;
			}
		} else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			interval = strtol(argv[++i], &end, 10);
			if (*end || interval < 10) {
				usage(stderr);
				return 2;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	if (find_switches())
		status = 1;
	if (!nsw) {
		printf("nvsoc-fm: no usable NVSwitch (PCI %04x:%04x) found\n", NVSOC_NVSW_VENDOR_ID,
		       NVSOC_NVSW_DEVICE_ID);
		return 1;
	}
	for (i = 0; i < nsw; i++) {
		unsigned int p;
		int linked = 0;

		read_ports(&sw[i]);
		for (p = 0; p < sw[i].nports; p++)
			linked += sw[i].port[p].linked;
		printf("nvsoc-fm: switch %s: NVLink ID %u, %u ports, %d with a link\n", sw[i].bdf,
		       sw[i].id, sw[i].nports, linked);
	}
	if (wait_hs(timeout)) {
		printf("nvsoc-fm: timed out after %g s waiting for the links to reach HS\n", timeout);
		status = 1;
	}
	if (bring_up())
		status = 1;
	if (once)
		return status;

	printf("nvsoc-fm: watching %d switches every %ld ms\n", nsw, interval);
	for (;;) {
		usleep(interval * 1000);
		/* A failed bring-up is tried again at the next poll. */
		if (!poll_changes() && !status)
			continue;
		mark_gpus("pending");
		printf("nvsoc-fm: the fabric changed: reprogramming\n");
		status = bring_up() ? 1 : 0;
	}
}
