// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of step kinds: one entry per file of src/step/. */
#include <stdlib.h>
#include <string.h>

#include "step/step.h"

const struct step_ops *const step_registry[] = {
	&step_udp,	 &step_tcp,	  &step_ping, &step_listen,
	&step_expect,	 &step_close,	  &step_send, &step_run,
	&step_service,	 &step_stop,	  &step_nft,  &step_reset_counters,
	&step_conntrack, &step_sysctl,	  &step_link, &step_wait,
	&step_iptables,	 &step_ip6tables, &step_addr, &step_route,
	&step_replay,
};
const size_t step_registry_n = sizeof(step_registry) / sizeof(step_registry[0]);

const struct step_ops *step_find(const char *key)
{
	size_t i;

	for (i = 0; i < step_registry_n; i++)
		if (!strcmp(step_registry[i]->key, key))
			return step_registry[i];
	return NULL;
}

void step_priv_free(struct lab_step *st)
{
	free(st->ext.priv);
}
