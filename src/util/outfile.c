// SPDX-License-Identifier: GPL-2.0-or-later
/* Output files written whole or not at all: never interleaved, never through a symlink. */
#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

/* The directory part of path ("." when it has none), and where its last part starts. */
static char *dir_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

static int open_dir(const char *path, const char **base, struct diag *d)
{
	char *dir = dir_of(path, base);
	struct stat st;
	int fd;

	if (!**base) {
		free(dir);
		return diag_set(d, "cannot write %s: it names a directory, not a file", path);
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		diag_errno(d, "cannot write %s: directory %s", path, dir);
	else if (fstatat(fd, *base, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
		diag_set(d, "cannot write %s: it is a directory", path);
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

/* An unnamed file in dirfd; Returns an fd or -1 with errno. */
static int open_unnamed(int dirfd)
{
	return openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
}

FILE *outfile_open(struct outfile *of, const char *path, struct diag *d)
{
	const char *base;
	int fd;

	*of = (struct outfile)OUTFILE_INIT;
	of->dirfd = open_dir(path, &base, d);
	if (of->dirfd < 0)
		return NULL;
	fd = open_unnamed(of->dirfd);
	if (fd < 0 || !(of->f = fdopen(fd, "w"))) {
		diag_errno(d, "cannot write %s", path);
		if (fd >= 0)
			close(fd);
		close(of->dirfd);
		of->dirfd = -1;
		return NULL;
	}
	of->path = xstrdup(path);
	return of->f;
}

static void outfile_release(struct outfile *of)
{
	if (of->dirfd >= 0)
		close(of->dirfd);
	free(of->path);
	*of = (struct outfile)OUTFILE_INIT;
}

int outfile_commit(struct outfile *of, struct diag *d)
{
	static unsigned int seq;
	char proc[64], tmp[96];
	const char *base = strrchr(of->path, '/') ? strrchr(of->path, '/') + 1 : of->path;
	int rc = 0;

	if (fflush(of->f) || ferror(of->f)) {
		rc = diag_errno(d, "cannot write %s", of->path);
		goto out;
	}
	/* A name of its own first (linkat cannot replace), then one rename over the target. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(of->f));
	snprintf(tmp, sizeof(tmp), ".nflab-%ld-%u.tmp", (long)getpid(), seq++);
	if (linkat(AT_FDCWD, proc, of->dirfd, tmp, AT_SYMLINK_FOLLOW) &&
	    linkat(fileno(of->f), "", of->dirfd, tmp, AT_EMPTY_PATH)) {
		rc = diag_errno(d, "cannot write %s", of->path);
		goto out;
	}
	if (renameat(of->dirfd, tmp, of->dirfd, base)) {
		rc = diag_errno(d, "cannot write %s", of->path);
		unlinkat(of->dirfd, tmp, 0);
	}
out:
	fclose(of->f);
	outfile_release(of);
	return rc;
}

void outfile_discard(struct outfile *of)
{
	if (of->f)
		fclose(of->f);
	outfile_release(of);
}

int outfile_check(const char *path, struct diag *d)
{
	struct outfile of;

	if (!outfile_open(&of, path, d))
		return -1;
	outfile_discard(&of);
	return 0;
}

int outfile_check_dir(const char *dir, struct diag *d)
{
	int dfd, fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return diag_errno(d, "cannot create directory %s", dir);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return diag_errno(d, "cannot use directory %s", dir);
	fd = open_unnamed(dfd);
	close(dfd);
	if (fd < 0)
		return diag_errno(d, "cannot write files in %s", dir);
	close(fd);
	return 0;
}

char *outfile_join(const char *dir, const char *name, struct diag *d)
{
	const char *c;

	for (c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/')
			break;
	if (!*name || *c || !strcmp(name, ".") || !strcmp(name, ".."))
		return diag_set(d, "cannot write a file named \"%s\" in %s: not one plain file name",
				name, dir),
		       NULL;
	return xasprintf("%s/%s", dir, name);
}

int outfile_write(const char *path, const void *data, size_t len, struct diag *d)
{
	struct outfile of;

	if (!outfile_open(&of, path, d))
		return -1;
	if (len && fwrite(data, 1, len, of.f) != len) {
		outfile_discard(&of);
		return diag_errno(d, "cannot write %s", path);
	}
	return outfile_commit(&of, d);
}
