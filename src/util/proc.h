/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Child processes run inside a node's netns, that die with nflab. */
#ifndef NFLAB_PROC_H
#define NFLAB_PROC_H

#include <stddef.h>

#include "util/diag.h"

struct proc_result {
	int status;   /* exit code, or 128+signal */
	char *output; /* stdout and stderr together, NUL-terminated; caller frees */
};

/*
 * Runs argv[0] (searched in PATH) inside the netns held by nsfd with input on its
 * stdin, and waits for it. The child gets PR_SET_PDEATHSIG(SIGKILL), so a killed
 * nflab takes it along. Returns 0 when the program ran (whatever its exit code),
 * -1 when it could not be started (ENOENT from exec is reported as
 * "<prog>: not found" with d->err = ENOENT).
 */
int proc_run_in_netns(int nsfd, char *const argv[], const char *input, size_t input_len,
		      struct proc_result *res, struct diag *d);

#endif
