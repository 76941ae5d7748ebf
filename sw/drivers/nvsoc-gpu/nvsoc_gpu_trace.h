/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvsoc GPU accel driver: tracepoints, under events/nvsoc_gpu/ in tracefs.
 *
 *   echo 1 > /sys/kernel/tracing/events/nvsoc_gpu/enable
 *
 * dma_map/dma_unmap: a BO's memory handed to or taken from the device;
 * submit/complete: a job's life on a channel; fault: one fault record or
 * driver-detected error (the Xid line's fields); link: the PCIe link's
 * speed and width at probe and at each error-recovery step; nvlink_state:
 * an NVLink port's state change as the driver saw it (link event or
 * training pass).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvsoc_gpu

#if !defined(NVSOC_GPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVSOC_GPU_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(nvsoc_gpu_dma,
		    TP_PROTO(struct device *dev, const char *kind, u64 size, unsigned int nents,
			     u64 addr, int dir),
		    TP_ARGS(dev, kind, size, nents, addr, dir),
		    TP_STRUCT__entry(__string(dev, dev_name(dev))
				     __string(kind, kind)
				     __field(u64, size)
				     __field(unsigned int, nents)
				     __field(u64, addr)
				     __field(int, dir)),
		    TP_fast_assign(__assign_str(dev);
				   __assign_str(kind);
				   __entry->size = size;
				   __entry->nents = nents;
				   __entry->addr = addr;
				   __entry->dir = dir;),
		    TP_printk("%s %s size=%llu segments=%u first=0x%llx dir=%d",
			      __get_str(dev), __get_str(kind), __entry->size, __entry->nents,
			      __entry->addr, __entry->dir)
);

DEFINE_EVENT(nvsoc_gpu_dma, nvsoc_gpu_dma_map,
	     TP_PROTO(struct device *dev, const char *kind, u64 size, unsigned int nents,
		      u64 addr, int dir),
	     TP_ARGS(dev, kind, size, nents, addr, dir)
);

DEFINE_EVENT(nvsoc_gpu_dma, nvsoc_gpu_dma_unmap,
	     TP_PROTO(struct device *dev, const char *kind, u64 size, unsigned int nents,
		      u64 addr, int dir),
	     TP_ARGS(dev, kind, size, nents, addr, dir)
);

TRACE_EVENT(nvsoc_gpu_submit,
	    TP_PROTO(struct device *dev, unsigned int channel, u32 seqno, u32 dwords,
		     u32 gp_put),
	    TP_ARGS(dev, channel, seqno, dwords, gp_put),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, channel)
			     __field(u32, seqno)
			     __field(u32, dwords)
			     __field(u32, gp_put)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->channel = channel;
			   __entry->seqno = seqno;
			   __entry->dwords = dwords;
			   __entry->gp_put = gp_put;),
	    TP_printk("%s channel=%u seqno=%u dwords=%u gp_put=%u",
		      __get_str(dev), __entry->channel, __entry->seqno,
		      __entry->dwords, __entry->gp_put)
);

TRACE_EVENT(nvsoc_gpu_complete,
	    TP_PROTO(struct device *dev, unsigned int channel, u32 seqno, int status,
		     u64 done_ns),
	    TP_ARGS(dev, channel, seqno, status, done_ns),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, channel)
			     __field(u32, seqno)
			     __field(int, status)
			     __field(u64, done_ns)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->channel = channel;
			   __entry->seqno = seqno;
			   __entry->status = status;
			   __entry->done_ns = done_ns;),
	    TP_printk("%s channel=%u seqno=%u status=%d done_ns=%llu",
		      __get_str(dev), __entry->channel, __entry->seqno,
		      __entry->status, __entry->done_ns)
);

TRACE_EVENT(nvsoc_gpu_fault,
	    TP_PROTO(struct device *dev, unsigned int xid, unsigned int channel,
		     unsigned int engine, unsigned int type, unsigned int access,
		     unsigned int aperture, u64 addr, u32 detail),
	    TP_ARGS(dev, xid, channel, engine, type, access, aperture, addr, detail),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, xid)
			     __field(unsigned int, channel)
			     __field(unsigned int, engine)
			     __field(unsigned int, type)
			     __field(unsigned int, access)
			     __field(unsigned int, aperture)
			     __field(u64, addr)
			     __field(u32, detail)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->xid = xid;
			   __entry->channel = channel;
			   __entry->engine = engine;
			   __entry->type = type;
			   __entry->access = access;
			   __entry->aperture = aperture;
			   __entry->addr = addr;
			   __entry->detail = detail;),
	    TP_printk("%s xid=%u channel=%u engine=%u type=0x%x access=%u aperture=%u addr=0x%llx detail=0x%x",
		      __get_str(dev), __entry->xid, __entry->channel, __entry->engine,
		      __entry->type, __entry->access, __entry->aperture, __entry->addr,
		      __entry->detail)
);

TRACE_EVENT(nvsoc_gpu_link,
	    TP_PROTO(struct device *dev, const char *event, const char *speed,
		     unsigned int width, const char *max_speed, unsigned int max_width),
	    TP_ARGS(dev, event, speed, width, max_speed, max_width),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __string(event, event)
			     __string(speed, speed)
			     __field(unsigned int, width)
			     __string(max_speed, max_speed)
			     __field(unsigned int, max_width)),
	    TP_fast_assign(__assign_str(dev);
			   __assign_str(event);
			   __assign_str(speed);
			   __entry->width = width;
			   __assign_str(max_speed);
			   __entry->max_width = max_width;),
	    TP_printk("%s %s: %s x%u (capable of %s x%u)",
		      __get_str(dev), __get_str(event), __get_str(speed),
		      __entry->width, __get_str(max_speed), __entry->max_width)
);

TRACE_EVENT(nvsoc_gpu_nvlink_state,
	    TP_PROTO(struct device *dev, unsigned int link, const char *from, const char *to,
		     unsigned int generation, unsigned int lanes),
	    TP_ARGS(dev, link, from, to, generation, lanes),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, link)
			     __string(from, from)
			     __string(to, to)
			     __field(unsigned int, generation)
			     __field(unsigned int, lanes)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->link = link;
			   __assign_str(from);
			   __assign_str(to);
			   __entry->generation = generation;
			   __entry->lanes = lanes;),
	    TP_printk("%s link=%u %s -> %s generation=%u lanes=%u",
		      __get_str(dev), __entry->link, __get_str(from), __get_str(to),
		      __entry->generation, __entry->lanes)
);

#endif /* NVSOC_GPU_TRACE_H */

/* An out-of-tree module: define_trace.h finds this file through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE nvsoc_gpu_trace
#include <trace/define_trace.h>
