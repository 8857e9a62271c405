// SPDX-License-Identifier: GPL-2.0-or-later
/* Which kernel the labs run on, for reports and requires: kernel versions. */
#include "util/kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

const char *kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	return u.release;
}

const char *kernel_guest_release(void)
{
	return getenv("NFLAB_VM") ? kernel_release() : NULL;
}

/* Up to three numbers "X.Y.Z" from text; returns how many were read, 0 if none. */
static int version_parts(const char *text, long v[3], const char **end)
{
	int n = 0;
	char *e;

	v[0] = v[1] = v[2] = 0;
	while (n < 3 && *text >= '0' && *text <= '9') {
		v[n++] = strtol(text, &e, 10);
		text = e;
		if (*text != '.')
			break;
		text++;
	}
	*end = text;
	return n;
}

bool kernel_version_cmp(const char *text, int *cmp)
{
	return kernel_release_cmp(kernel_release(), text, cmp);
}

bool kernel_release_cmp(const char *release, const char *text, int *cmp)
{
	long want[3], have[3];
	const char *end;
	int i;

	if (version_parts(text, want, &end) < 2 || *end)
		return false;
	version_parts(release, have, &end);
	*cmp = 0;
	for (i = 0; i < 3 && !*cmp; i++)
		*cmp = have[i] < want[i] ? -1 : have[i] > want[i];
	return true;
}

const char *trace_ct_missing(const char *release, bool seen, bool simulated, char *buf, size_t len)
{
	int cmp = 0;

	if (seen) /* the kernel's own events carry it: nothing else counts */
		return NULL;
	if (simulated)
		snprintf(buf, len,
			 "kernel %s is taken for one that cannot give conntrack in trace events "
			 "(added in %s; NFLAB_TEST_NO_TRACE_CT is set)",
			 release, TRACE_CT_SINCE);
	else if (kernel_release_cmp(release, TRACE_CT_SINCE, &cmp) && cmp < 0)
		snprintf(buf, len, "kernel %s cannot give conntrack in trace events (added in %s)",
			 release, TRACE_CT_SINCE);
	else
		return NULL;
	return buf;
}

bool kernel_test_no_trace_ct(void)
{
	const char *v = getenv("NFLAB_TEST_NO_TRACE_CT");

	return v && *v && strcmp(v, "0");
}
