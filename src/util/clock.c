// SPDX-License-Identifier: GPL-2.0-or-later
/* Clocks in nanoseconds. */
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
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

static volatile uint32_t calibration_sink; /* keeps the loop from being optimised away */

uint64_t clock_calibration_ns(void)
{
	uint64_t best = UINT64_MAX;
	int round;

	/* the fastest of five: a loaded machine (or TCG translating the loop the first
	 * time) only ever makes a round slower */
	for (round = 0; round < 5; round++) {
		uint32_t x = 2463534242u, table[256] = {0};
		uint64_t t0 = now_mono_ns(), t;
		int i;

		for (i = 0; i < 2000000; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			table[x & 255] += x;
		}
		calibration_sink = table[x & 255];
		t = now_mono_ns() - t0;
		if (t < best)
			best = t;
	}
	return best ? best : 1;
}

static double clamp_scale(double s)
{
	return s < 1 ? 1 : s > 100 ? 100 : s;
}

double clock_time_scale(void)
{
	static double scale;
	const char *fixed = getenv("NFLAB_TIME_SCALE"), *host = getenv("NFLAB_VM_CALIBRATION_NS");
	char *end;
	double v;

	if (scale)
		return scale;
	scale = 1;
	if (fixed && (v = strtod(fixed, &end)) > 0 && !*end)
		scale = clamp_scale(v);
	else if (host && (v = strtod(host, &end)) > 0 && !*end) {
		char text[32];

		scale = clamp_scale((double)clock_calibration_ns() / v);
		/* measured once per VM: the labs nflab test runs inherit it */
		snprintf(text, sizeof(text), "%.1f", scale);
		setenv("NFLAB_TIME_SCALE", text, 1);
	}
	return scale;
}

uint64_t clock_scaled_ns(uint64_t ns)
{
	return (uint64_t)((double)ns * clock_time_scale());
}
