// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: nflab import's readers of a box's dumps (ip -j addr,
 * route, rule; a ruleset; a capture) and the neighbours built from them. The
 * first byte picks the reader; the rest is the file, handed over through a
 * memfd since the readers take paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import/box.h"
#include "import/capture_scan.h"
#include "import/neighbours.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = DIAG_INIT;
	struct box b = BOX_INIT;
	struct neighbours nbs;
	struct capture c;
	char path[64];
	int fd;

	if (!size)
		return 0;
	fd = memfd_create("fuzz-import", 0);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	switch (data[0] % 6) {
	case 0:
		box_read_addr(&b, path, &d);
		break;
	case 1:
		box_read_route(&b, path, &d);
		break;
	case 2:
		box_read_rule(&b, path, &d);
		break;
	case 3:
		box_read_ruleset(&b, BOX_RULESET_NFT, false, path, &d);
		break;
	case 4:
		box_read_ruleset(&b, BOX_RULESET_IPTABLES, false, path, &d);
		break;
	default:
		capture_read(path, &c, NULL, NULL, &d);
		capture_release(&c);
		break;
	}
	neighbours_build(&b, "fw", &nbs);
	neighbours_release(&nbs);
	box_release(&b);
	close(fd);
	return 0;
}
