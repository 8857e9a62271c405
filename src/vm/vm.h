/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nflab run/test --kernel: the same command inside a throwaway QEMU VM booting
 * another kernel, its output, reports and exit code brought back.
 */
#ifndef NFLAB_VM_H
#define NFLAB_VM_H

#include <getopt.h>

struct vm_request {
	const char *const *kernels; /* vmlinuz files or Debian linux-image .debs */
	size_t n_kernels;
	const char *modules_dir;   /* lib/modules/VERSION for a vmlinuz, or NULL */
	const struct option *opts; /* the command's getopt table, to walk argv */
	const char *shorts;	   /* and its short options */
	int first_operand;	   /* optind after getopt_long: argv is permuted */
};

/*
 * Runs argv (nflab run|test ..., --kernel and --modules removed, output paths
 * mapped through a shared directory) inside a VM for each kernel in turn, and
 * returns the worst exit code: what the command returned inside, or 2 (77 for
 * a missing QEMU, busybox or dpkg-deb) having said why on standard error.
 */
int vm_main(int argc, char **argv, const struct vm_request *req);

#endif
