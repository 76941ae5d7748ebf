/* The GPU bandwidth benchmark: gpu_dma.c's driver, one 1 GiB copy each way
 * (scripts/bench-gpu-dma.sh runs it and times it). */
#define GPU_DMA_BENCH 1
#include "gpu_dma.c"
