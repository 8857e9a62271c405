// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the lab-file parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lab/lab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = DIAG_INIT;
	struct lab *lab =
		lab_load_buffer("fuzz.yaml", (const char *)data, size, "/nonexistent", &d);

	lab_free(lab);
	return 0;
}
