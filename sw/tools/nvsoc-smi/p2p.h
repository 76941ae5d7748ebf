/* SPDX-License-Identifier: MIT */
/*
 * nvsoc-smi: peer-to-peer copies between GPUs, like CUDA's
 * p2pBandwidthLatencyTest, over PEER_INFO and BO_PEER.
 *
 * Every GPU is opened once (peer BOs name the peer's open file) with one
 * channel. For an ordered pair (i, j), a VRAM BO of GPU j is imported into
 * GPU i with BO_PEER, and GPU i's copy engine writes it (i's VRAM -> j's)
 * or reads it (j's VRAM -> i's), naming it with the PEER aperture and peer
 * id 0. Times come from the device clock (simulated time).
 */
#ifndef NVSOC_SMI_P2P_H
#define NVSOC_SMI_P2P_H

#include <stdint.h>

#include "gpu.h"

/*
 * Every ordered pair: its path, then per size a write and a read checked
 * by CRC-32 and guard bytes. nsizes 0: the default sizes (quick: fewer).
 * Exit status: 1 on any failure (a pair without a path is not one).
 */
int p2p_test(const struct gpu_desc *d, int n, const uint64_t *sizes, int nsizes, int quick);
/*
 * One pair, i -> j, whose import is held while rounds run: each line on
 * stdin runs a round (PEER_INFO's path now, then the quick sizes' writes
 * and reads, or sizes) until end of file; so the path of a held peer can
 * be watched as links fail and come back. Exit status: 1 on any failure.
 */
int p2p_hold(const struct gpu_desc *d, int n, int i, int j, const uint64_t *sizes, int nsizes);
/* The write and read bandwidth matrices (GB/s, median of iters). */
int p2p_bw(const struct gpu_desc *d, int n, uint64_t size, int iters);
/* The 4-byte write latency matrix (us, submit to completion, mean of iters). */
int p2p_lat(const struct gpu_desc *d, int n, int iters);

#endif /* NVSOC_SMI_P2P_H */
