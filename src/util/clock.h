/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clocks in nanoseconds: CLOCK_REALTIME for timestamps, CLOCK_MONOTONIC for deadlines. */
#ifndef NFLAB_CLOCK_H
#define NFLAB_CLOCK_H

#include <stdint.h>

uint64_t now_real_ns(void);
uint64_t now_mono_ns(void);

#endif
