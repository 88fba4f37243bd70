/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SDK_PROBE_H
#define SDK_PROBE_H

/* Times the net_sdk_probe driver's probe ran (EAL main thread only). */
extern int sdk_probe_calls;

#endif /* SDK_PROBE_H */
