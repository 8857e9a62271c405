/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Outcomes of labs, steps and expectations: the exit statuses of the nflab command. */
#ifndef NFLAB_OUTCOME_H
#define NFLAB_OUTCOME_H

/* Kept apart everywhere (automake/ctest conventions). */
enum nflab_outcome {
	NFLAB_PASS = 0,	 /* every expectation held */
	NFLAB_FAIL = 1,	 /* an expectation mismatched */
	NFLAB_ERROR = 2, /* the lab could not run: bad file, kernel refusal, harness bug */
	NFLAB_SKIP = 77, /* a needed kernel feature or program is missing */
};

#endif
