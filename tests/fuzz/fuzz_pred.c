// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: expectation expressions. The first byte picks a field of any
 * source, the rest is the condition text; what parses is formatted and matched.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "expect/field.h"
#include "observe/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct field_def *const tables[] = {pkt_fields, ct_fields, log_fields, trace_fields,
						 counter_fields};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event ev; /* zero: every kind of record, all fields absent or 0 */
	const struct field_def *f;
	char text[256], err[512], out[256];
	size_t n, t, i, pick;
	struct pred p;

	if (size < 1)
		return 0;
	pick = data[0];
	for (t = 0;; t = (t + 1) % 5) {
		for (n = 0; tables[t][n].name; n++)
			;
		if (pick < n)
			break;
		pick -= n;
	}
	f = &tables[t][pick];
	n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
	memcpy(text, data + 1, n);
	text[n] = '\0';
	for (i = 0; i < n; i++)
		if (!text[i])
			text[i] = ' ';
	if (pred_parse(f, text, &p, err, sizeof(err)) == 0) {
		pred_fmt(&p, out, sizeof(out));
		pred_match(&p, &ev.pkt);
		pred_release(&p);
	}
	return 0;
}
