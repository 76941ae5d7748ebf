// SPDX-License-Identifier: GPL-2.0-only
/* nvsoc GPU accel driver: the tracepoints' one definition. */
#define CREATE_TRACE_POINTS
#include "nvsoc_gpu_trace.h"
