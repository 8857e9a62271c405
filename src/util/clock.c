// SPDX-License-Identifier: GPL-2.0-or-later
/* Clocks in nanoseconds. */
#include "util/clock.h"

#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
