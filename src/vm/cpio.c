// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpio "newc": a 110-byte ASCII header of hex fields, the name, the data, each
 * padded to 4 bytes. Written here rather than with cpio(1), which is not on
 * every machine and would need a staging tree on disk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vm/cpio.h"

static int pad4(struct cpio *c)
{
	long pos = ftell(c->f);

	while (pos >= 0 && pos % 4) {
		if (fputc(0, c->f) == EOF)
			return -1;
		pos++;
	}
	return pos < 0 ? -1 : 0;
}

static int header(struct cpio *c, const char *name, mode_t mode, size_t size, unsigned int rmajor,
		  unsigned int rminor)
{
	size_t namesize = strlen(name) + 1;

	if (fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ++c->ino,
		    (unsigned int)mode, 0u, 0u, 1u, 0u, size, 0u, 0u, rmajor, rminor, namesize,
		    0u) < 0 ||
	    fwrite(name, 1, namesize, c->f) != namesize)
		return -1;
	return pad4(c);
}

int cpio_dir(struct cpio *c, const char *name)
{
	return header(c, name, S_IFDIR | 0755, 0, 0, 0);
}

int cpio_data(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len)
{
	if (header(c, name, S_IFREG | mode, len, 0, 0) || fwrite(data, 1, len, c->f) != len)
		return -1;
	return pad4(c);
}

int cpio_file(struct cpio *c, const char *name, mode_t mode, const char *src_path)
{
	FILE *src = fopen(src_path, "rb");
	char *buf = NULL;
	long len;
	int rc = -1;

	if (!src)
		return -1;
	if (fseek(src, 0, SEEK_END) == 0 && (len = ftell(src)) >= 0 &&
	    fseek(src, 0, SEEK_SET) == 0) {
		buf = malloc(len ? (size_t)len : 1);
		if (buf && fread(buf, 1, (size_t)len, src) == (size_t)len)
			rc = cpio_data(c, name, mode, buf, (size_t)len);
		else if (!buf)
			errno = ENOMEM;
	}
	free(buf);
	fclose(src);
	return rc;
}

int cpio_chardev(struct cpio *c, const char *name, unsigned int major, unsigned int minor)
{
	return header(c, name, S_IFCHR | 0600, 0, major, minor);
}

int cpio_end(struct cpio *c)
{
	return header(c, "TRAILER!!!", 0, 0, 0, 0);
}
