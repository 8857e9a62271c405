/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interface names of one node by index, for observers that report ifindexes. */
#ifndef NFLAB_IFNAMES_H
#define NFLAB_IFNAMES_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

struct ifname {
	uint32_t index;
	char name[IF_NAMESIZE];
};

struct ifnames {
	struct ifname *v;
	size_t n;
};

/* Copies the name of index into out ("" for 0, "if<N>" when unknown). */
static inline void ifnames_get(const struct ifnames *m, uint32_t index, char out[IF_NAMESIZE])
{
	size_t i;

	out[0] = '\0';
	if (!index)
		return;
	for (i = 0; m && i < m->n; i++)
		if (m->v[i].index == index) {
			snprintf(out, IF_NAMESIZE, "%s", m->v[i].name);
			return;
		}
	snprintf(out, IF_NAMESIZE, "if%u", index);
}

#endif
