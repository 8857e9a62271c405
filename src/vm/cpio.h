/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A cpio archive in the "newc" format the kernel unpacks as an initramfs. */
#ifndef NFLAB_CPIO_H
#define NFLAB_CPIO_H

#include <stdio.h>
#include <sys/types.h>

struct cpio {
	FILE *f;
	unsigned int ino;
};

/* Each returns 0, or -1 with errno set (a write failed, a source could not be read). */
int cpio_dir(struct cpio *c, const char *name);
int cpio_data(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len);
int cpio_file(struct cpio *c, const char *name, mode_t mode, const char *src_path);
int cpio_chardev(struct cpio *c, const char *name, unsigned int major, unsigned int minor);
/* The trailer that ends the archive. */
int cpio_end(struct cpio *c);

#endif
