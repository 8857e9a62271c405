/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clocks in nanoseconds: CLOCK_REALTIME for timestamps, CLOCK_MONOTONIC for deadlines. */
#ifndef NFLAB_CLOCK_H
#define NFLAB_CLOCK_H

#include <stdint.h>

uint64_t now_real_ns(void);
uint64_t now_mono_ns(void);

/*
 * Nanoseconds a fixed loop of arithmetic takes here: the calibration a
 * --kernel VM compares with the host's (NFLAB_VM_CALIBRATION_NS).
 */
uint64_t clock_calibration_ns(void);

/*
 * ns stretched for a slower machine: times NFLAB_TIME_SCALE when set (a
 * number from 1 to 100), else inside a --kernel VM by how much slower the
 * calibration loop ran there than on the host (1 to 100), else unchanged.
 * Quiet windows, check deadlines and the timeline's grouping windows go
 * through it; probe timeouts do not: they race the kernel's own timers (a
 * SYN retransmitted after 1 s), which run at the VM's pace anyway.
 */
uint64_t clock_scaled_ns(uint64_t ns);
double clock_time_scale(void);

#endif
