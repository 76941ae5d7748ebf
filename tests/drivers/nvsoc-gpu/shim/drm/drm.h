/* SPDX-License-Identifier: GPL-2.0-only */
/* The uapi's drm.h, for the ioctl number macros only. */
#include <linux/ioctl.h>
#include <linux/types.h>
#define DRM_IOCTL_BASE 'd'
#define DRM_IOR(nr, type) _IOR(DRM_IOCTL_BASE, nr, type)
#define DRM_IOW(nr, type) _IOW(DRM_IOCTL_BASE, nr, type)
#define DRM_IOWR(nr, type) _IOWR(DRM_IOCTL_BASE, nr, type)
#define DRM_COMMAND_BASE 0x40
#define DRM_IOCTL_GEM_CLOSE DRM_IOW(0x09, struct drm_gem_close)
struct drm_gem_close {
	__u32 handle;
	__u32 pad;
};
