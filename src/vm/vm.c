// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --kernel: boot the kernel under QEMU with an initramfs built here (busybox
 * and the modules that reach the host's files), share the host's / read-only
 * under a tmpfs overlay, run this same nflab inside, and bring back what it
 * printed, wrote and returned. The console is read here: it proves the boot
 * (a marker line from /init) and carries a panic's text.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nflab/outcome.h>

#include "util/clock.h"
#include "util/xalloc.h"
#include "vm/cpio.h"
#include "vm/vm.h"

/* Paths here live under /tmp/nflab-vm.XXXXXX or are the user's: far below PATH_MAX. */
#if defined(__GNUC__) && !defined(__clang__) /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define BOOT_MARK     "nflab-vm: booted"
#define ERROR_MARK    "nflab-vm: error: "
#define CONSOLE_LINES 12
#define MAX_OUTPUTS   16

/* The modules /init loads before it can see the host's files. */
static const char *const boot_modules[] = {"virtio_pci", "9pnet_virtio", "9p", "overlay"};

/* Options whose value is a file or directory nflab writes: mapped to the share. */
static const struct {
	const char *name;
	bool dir;
} output_opts[] = {
	{"pcap-dir", true}, {"artifacts", true}, {"events", false},
	{"ladder", false},  {"junit", false},	 {"json", false},
};

/* Options that need the host's terminal or write next to the lab. */
static const char *const host_only_opts[] = {"pause-on-fail", "pause-at", "break",
					     "update-expected"};

struct kernel {
	char vmlinuz[PATH_MAX];
	char moddir[PATH_MAX]; /* lib/modules/VERSION, "" when all is built in */
	char version[128];
};

struct output {
	const char *host_path; /* as given */
	char guest_path[64];   /* /.nflab-vm/out/N */
	bool dir;
};

struct console {
	char line[512];
	size_t len;
	char ring[CONSOLE_LINES][512];
	unsigned int n;
	bool booted, panic, echo;
	char error[512];
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("nflab: --kernel: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A program in PATH, or NULL. */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Runs argv with stdout and stderr into errfile; returns its exit status or -1. */
static int spawn_wait(char *const argv[], const char *errfile)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last line of a file, for an error message. */
static void last_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];

	*out = 0;
	while (f && fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, size, "%.*s", (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
}

/* The version string a bzImage carries (its header's kernel_version). */
static int bzimage_version(const char *path, char *version, size_t size)
{
	unsigned char hdr[0x210];
	char buf[128];
	FILE *f = fopen(path, "rb");
	int rc = -1;

	if (!f)
		return -1;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && !memcmp(hdr + 0x202, "HdrS", 4)) {
		unsigned int off = (unsigned int)(hdr[0x20e] | hdr[0x20f] << 8) + 0x200;

		if (fseek(f, (long)off, SEEK_SET) == 0 && fgets(buf, sizeof(buf), f)) {
			snprintf(version, size, "%.*s", (int)strcspn(buf, " "), buf);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

static bool is_deb(const char *path)
{
	char magic[8];
	FILE *f = fopen(path, "rb");
	bool deb = f && fread(magic, 1, 8, f) == 8 && !memcmp(magic, "!<arch>\n", 8);

	if (f)
		fclose(f);
	return deb;
}

/*
 * file into k: a Debian linux-image .deb is unpacked into tmp/pkg and its
 * modules indexed with busybox depmod (the .deb leaves that to its postinst);
 * a bzImage is used as it is, with modules_dir if given.
 */
static int prepare_kernel(const char *file, const char *modules_dir, const char *tmp,
			  struct kernel *k)
{
	char pkg[PATH_MAX], errfile[PATH_MAX], why[512], boot[PATH_MAX];

	snprintf(errfile, sizeof(errfile), "%s/tool.err", tmp);
	if (access(file, R_OK)) {
		say("%s: %s", file, strerror(errno));
		return NFLAB_ERROR;
	}
	if (is_deb(file)) {
		char *x[] = {"dpkg-deb", "-x", (char *)file, pkg, NULL};
		char *dep[] = {"busybox", "depmod", "-b", pkg, k->version, NULL};
		struct dirent **names;
		int n, i;

		if (!in_path("dpkg-deb")) {
			say("%s is a .deb, and dpkg-deb is not installed", file);
			return NFLAB_SKIP;
		}
		snprintf(pkg, sizeof(pkg), "%s/pkg", tmp);
		if (spawn_wait(x, errfile)) {
			last_line(errfile, why, sizeof(why));
			say("%s: dpkg-deb -x failed: %s", file, why);
			return NFLAB_ERROR;
		}
		snprintf(boot, sizeof(boot), "%s/boot", pkg);
		n = scandir(boot, &names, NULL, alphasort);
		for (i = 0; i < n; i++) {
			if (!strncmp(names[i]->d_name, "vmlinuz-", 8) && !*k->version) {
				snprintf(k->version, sizeof(k->version), "%s",
					 names[i]->d_name + 8);
				snprintf(k->vmlinuz, sizeof(k->vmlinuz), "%s/%s", boot,
					 names[i]->d_name);
			}
			free(names[i]);
		}
		if (n >= 0)
			free(names);
		if (!*k->version) {
			say("%s: a Debian package without boot/vmlinuz-*: not a kernel package "
			    "(linux-image-*.deb)",
			    file);
			return NFLAB_ERROR;
		}
		snprintf(k->moddir, sizeof(k->moddir), "%s/lib/modules/%s", pkg, k->version);
		if (access(k->moddir, F_OK)) {
			*k->moddir = 0; /* a kernel with everything built in */
		} else if (spawn_wait(dep, errfile)) {
			last_line(errfile, why, sizeof(why));
			say("%s: busybox depmod failed: %s", file, why);
			return NFLAB_ERROR;
		}
		return 0;
	}
	if (bzimage_version(file, k->version, sizeof(k->version))) {
		say("%s: not a kernel (a bzImage such as /boot/vmlinuz-*) nor a Debian kernel "
		    "package (linux-image-*.deb)",
		    file);
		return NFLAB_ERROR;
	}
	if (!realpath(file, k->vmlinuz)) {
		say("%s: %s", file, strerror(errno));
		return NFLAB_ERROR;
	}
	if (modules_dir) {
		char dep[PATH_MAX];

		if (!realpath(modules_dir, k->moddir)) {
			say("--modules %s: %s", modules_dir, strerror(errno));
			return NFLAB_ERROR;
		}
		snprintf(dep, sizeof(dep), "%s/modules.dep", k->moddir);
		if (access(dep, R_OK)) {
			say("--modules %s has no modules.dep: give a lib/modules/VERSION "
			    "directory (run depmod on it first)",
			    modules_dir);
			return NFLAB_ERROR;
		}
	}
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 65536)
			buf = xrealloc(buf, cap = cap * 2 + 65536);
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	buf[len] = 0;
	fclose(f);
	return buf;
}

/* Whether a modules.dep path ("kernel/fs/9p/9p.ko") is the module name ("9p"). */
static bool module_is(const char *path, size_t len, const char *name)
{
	const char *base = path, *p;
	size_t i;

	for (p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	for (i = 0; name[i]; i++) {
		char a = base + i < path + len ? base[i] : 0, b = name[i];

		if ((a == '-' ? '_' : a) != (b == '-' ? '_' : b))
			return false;
	}
	return !strncmp(base + i, ".ko", 3);
}

struct strlist_seen {
	char **paths;
	size_t n;
};

/* Adds each path of one modules.dep line ("mod.ko: dep.ko dep2.ko") to the archive. */
static int add_module_line(struct cpio *c, const struct kernel *k, const char *line,
			   struct strlist_seen *seen)
{
	const char *p = line;

	while (*p && *p != '\n') {
		size_t n = strcspn(p, ": \n"), i;
		char rel[PATH_MAX], src[PATH_MAX], dir[PATH_MAX], *slash;
		bool dup = false;

		if (!n) {
			p++;
			continue;
		}
		snprintf(rel, sizeof(rel), "%.*s", (int)n, p);
		p += n;
		for (i = 0; i < seen->n; i++)
			dup |= !strcmp(seen->paths[i], rel);
		if (dup)
			continue;
		seen->paths = xrealloc(seen->paths, (seen->n + 1) * sizeof(*seen->paths));
		seen->paths[seen->n++] = xstrdup(rel);
		snprintf(src, sizeof(src), "%s/%s", k->moddir, rel);
		/* the directories on the way, each once: repeats are harmless to the kernel */
		snprintf(dir, sizeof(dir), "lib/modules/%s/%s", k->version, rel);
		for (slash = strchr(dir + strlen("lib/modules/") + strlen(k->version) + 1, '/');
		     slash; slash = strchr(slash + 1, '/')) {
			*slash = 0;
			if (cpio_dir(c, dir))
				return -1;
			*slash = '/';
		}
		if (cpio_file(c, dir, 0644, src))
			return -1;
	}
	return 0;
}

/* The boot modules and what they need, or the name of the one the kernel lacks. */
static int add_modules(struct cpio *c, const struct kernel *k, char *missing, size_t size)
{
	char path[PATH_MAX];
	char *dep, *builtin;
	struct strlist_seen seen = {0};
	size_t m, i;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/modules.dep", k->moddir);
	dep = read_file(path);
	snprintf(path, sizeof(path), "%s/modules.builtin", k->moddir);
	builtin = read_file(path);
	if (!dep) {
		snprintf(missing, size, "modules.dep");
		free(builtin);
		return -1;
	}
	snprintf(path, sizeof(path), "lib/modules/%s/modules.dep", k->version);
	snprintf(missing, size, "?");
	rc = cpio_data(c, path, 0644, dep, strlen(dep));
	for (m = 0; !rc && m < sizeof(boot_modules) / sizeof(*boot_modules); m++) {
		const char *line = dep, *hit = NULL;

		for (; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
			if (module_is(line, strcspn(line, ":"), boot_modules[m])) {
				hit = line;
				break;
			}
		if (hit) {
			rc = add_module_line(c, k, hit, &seen);
			continue;
		}
		line = builtin ? builtin : "";
		for (; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
			if (module_is(line, strcspn(line, "\n"), boot_modules[m]))
				hit = line;
		if (!hit) {
			snprintf(missing, size, "%s", boot_modules[m]);
			rc = -1;
		}
	}
	for (i = 0; i < seen.n; i++)
		free(seen.paths[i]);
	free(seen.paths);
	free(dep);
	free(builtin);
	return rc;
}

/* s single-quoted for sh, appended to the script. */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/*
 * /init: mount the host's / (read-only) under a tmpfs overlay, point the
 * kernel's module loader at the package's modules, say the boot marker and
 * switch_root (a chroot would leave / no mount of its own, which nflab's
 * per-node mounts need) to /.nflab-vm/stage2 below.
 */
static char *init_script(const struct kernel *k, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	fputs("#!/bin/busybox sh\n"
	      "/bin/busybox --install -s /bin\n"
	      "export PATH=/bin\n"
	      "fail() { echo \"" ERROR_MARK "$*\"; echo o >/proc/sysrq-trigger; sleep 60; }\n"
	      "mount -t proc proc /proc && mount -t sysfs sys /sys && "
	      "mount -t devtmpfs dev /dev || fail 'cannot mount /proc, /sys, /dev'\n",
	      f);
	if (*k->moddir)
		fputs("for m in virtio_pci 9pnet_virtio 9p overlay; do\n"
		      "  grep -q \"/$m.ko\" /lib/modules/*/modules.dep || continue\n"
		      "  modprobe $m || fail \"cannot load module $m\"\n"
		      "done\n",
		      f);
	fputs("o=trans=virtio,version=9p2000.L,msize=512000\n"
	      "mount -t 9p -o $o,ro,cache=loose hostroot /host || "
	      "fail 'cannot mount the host root (9p)'\n"
	      "mount -t tmpfs rw /rw && mkdir /rw/u /rw/w && "
	      "mount -t overlay root -o lowerdir=/host,upperdir=/rw/u,workdir=/rw/w /newroot "
	      "|| fail 'cannot mount the overlay root'\n"
	      "r=/newroot v=/newroot/.nflab-vm\n"
	      "mkdir -p $v && mount -t tmpfs vm $v && mkdir $v/bin $v/share $v/out && "
	      "cp /bin/busybox /stage2 $v/ && "
	      "mount -t 9p -o $o out $v/share || fail 'cannot mount the output share (9p)'\n"
	      "cp -a $v/share/. $v/out/ || fail 'cannot copy the output share'\n"
	      "mount -t proc proc $r/proc && mount -t sysfs sys $r/sys && "
	      "mount -t devtmpfs dev $r/dev && mount -t tmpfs run $r/run "
	      "|| fail 'cannot mount inside the new root'\n"
	      "mount -t bpf bpf $r/sys/fs/bpf 2>/dev/null\n"
	      "mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null\n"
	      /* What udev's static nodes give a host: the first open loads tun. */
	      "[ -e $r/dev/net/tun ] || { mkdir -p $r/dev/net && "
	      "mknod -m 600 $r/dev/net/tun c 10 200; }\n",
	      f);
	if (*k->moddir) {
		fprintf(f, "mkdir -p $r/lib/modules/%s && mount --bind /host", k->version);
		sh_quote(f, k->moddir);
		fprintf(f, " $r/lib/modules/%s || fail 'cannot bind the modules'\n", k->version);
	}
	fputs("echo /.nflab-vm/bin/modprobe >/proc/sys/kernel/modprobe\n"
	      "stty -F /dev/ttyS1 raw -echo; stty -F /dev/ttyS2 raw -echo\n"
	      "echo " BOOT_MARK "\n"
	      "exec switch_root $r /.nflab-vm/busybox sh /.nflab-vm/stage2\n",
	      f);
	fclose(f);
	return text;
}

/*
 * /.nflab-vm/stage2, PID 1 in the host's files: run nflab with its stdout on
 * ttyS1 and stderr on ttyS2 (through cat when the host's side is no terminal,
 * so nflab inside decides colours and progress lines as it would outside),
 * copy its reports out, leave its exit code in the share and power off.
 * Reports are written in a tmpfs: 9p has no O_TMPFILE for their atomic commit.
 */
static char *stage2_script(char **args, size_t n_args, size_t *len)
{
	char cwd[PATH_MAX], *text = NULL, *scale = getenv("NFLAB_TIME_SCALE");
	const char *path = getenv("PATH");
	FILE *f = open_memstream(&text, len);
	size_t i;

	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/");
	fputs("v=/.nflab-vm\n"
	      "$v/busybox --install -s $v/bin\n"
	      "fail() { echo \"" ERROR_MARK "$*\"; echo o >/proc/sysrq-trigger; sleep 60; }\n"
	      "o=/dev/ttyS1 e=/dev/ttyS2\n",
	      f);
	if (!isatty(1))
		fputs("$v/bin/mkfifo $v/o && { $v/bin/cat $v/o >$o & } && o=$v/o\n", f);
	if (!isatty(2))
		fputs("$v/bin/mkfifo $v/e && { $v/bin/cat $v/e >$e & } && e=$v/e\n", f);
	fputs("cd ", f);
	sh_quote(f, cwd);
	fputs(" || fail 'no such directory inside'\n"
	      "$v/bin/env -i HOME=/root LANG=C.UTF-8 NFLAB_VM=1 PATH=",
	      f);
	sh_quote(f, path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	if (scale) {
		fputs(" NFLAB_TIME_SCALE=", f);
		sh_quote(f, scale);
	}
	/* the host's calibration, for nflab inside to scale its waits by (util/clock.h) */
	fprintf(f, " NFLAB_VM_CALIBRATION_NS=%llu", (unsigned long long)clock_calibration_ns());
	for (i = 0; i < n_args; i++) {
		fputc(' ', f);
		sh_quote(f, args[i]);
	}
	fputs(" </dev/null >$o 2>$e\n"
	      "rc=$?\n"
	      "wait\n"
	      "$v/bin/cp -a $v/out/. $v/share/ || fail 'cannot copy the reports out'\n"
	      "echo $rc >$v/share/rc\n"
	      "$v/bin/umount $v/share\n"
	      "echo o >/proc/sysrq-trigger\n"
	      "$v/bin/sleep 60\n",
	      f);
	fclose(f);
	return text;
}

static int build_initramfs(const struct kernel *k, const char *path, const char *init,
			   size_t init_len, const char *stage2, size_t stage2_len)
{
	static const char *const dirs[] = {"bin", "dev",     "proc", "sys", "host",
					   "out", "newroot", "rw",   "lib", "lib/modules"};
	struct cpio c = {.f = fopen(path, "wb")};
	char missing[128], dir[PATH_MAX];
	size_t i;
	int rc = 0;

	if (!c.f) {
		say("%s: %s", path, strerror(errno));
		return NFLAB_ERROR;
	}
	for (i = 0; !rc && i < sizeof(dirs) / sizeof(*dirs); i++)
		rc = cpio_dir(&c, dirs[i]);
	snprintf(dir, sizeof(dir), "lib/modules/%s", k->version);
	rc = rc || cpio_dir(&c, dir) || cpio_chardev(&c, "dev/console", 5, 1) ||
	     cpio_file(&c, "bin/busybox", 0755, "/bin/busybox") ||
	     cpio_data(&c, "init", 0755, init, init_len) ||
	     cpio_data(&c, "stage2", 0755, stage2, stage2_len);
	if (rc) {
		say("writing the initramfs %s: %s", path, strerror(errno));
		fclose(c.f);
		return NFLAB_ERROR;
	}
	if (*k->moddir && add_modules(&c, k, missing, sizeof(missing))) {
		say("kernel %s has no module %s (needed to reach the host's files: %s)", k->version,
		    missing, "virtio_pci, 9pnet_virtio, 9p, overlay");
		fclose(c.f);
		return NFLAB_ERROR;
	}
	if (cpio_end(&c) || fclose(c.f)) {
		say("writing the initramfs %s: %s", path, strerror(errno));
		return NFLAB_ERROR;
	}
	return 0;
}

static void console_line(struct console *con, const char *line)
{
	char *slot = con->ring[con->n++ % CONSOLE_LINES];

	memcpy(slot, line, strnlen(line, sizeof(con->ring[0]) - 1));
	slot[strnlen(line, sizeof(con->ring[0]) - 1)] = 0;
	if (con->echo)
		fprintf(stderr, "console: %s\n", line);
	if (strstr(line, BOOT_MARK))
		con->booted = true;
	if (strstr(line, "Kernel panic"))
		con->panic = true;
	if (!*con->error && strstr(line, ERROR_MARK))
		snprintf(con->error, sizeof(con->error), "%s",
			 strstr(line, ERROR_MARK) + strlen(ERROR_MARK));
}

static void console_feed(struct console *con, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = buf[i];

		if (ch == '\r')
			continue;
		if (ch == '\n' || con->len == sizeof(con->line) - 1) {
			con->line[con->len] = 0;
			console_line(con, con->line);
			con->len = 0;
			if (ch == '\n')
				continue;
		}
		con->line[con->len++] = ch;
	}
}

static void console_tail(const struct console *con)
{
	unsigned int i = con->n > CONSOLE_LINES ? con->n - CONSOLE_LINES : 0;

	fprintf(stderr, "nflab: --kernel: the console's last lines:\n");
	for (; i < con->n; i++)
		fprintf(stderr, "  | %s\n", con->ring[i % CONSOLE_LINES]);
}

static double env_seconds(const char *name, double fallback)
{
	const char *v = getenv(name);
	char *end;
	double s = v ? strtod(v, &end) : 0;

	return v && *v && !*end && s > 0 ? s : fallback;
}

/* QEMU's command line; strings are leaked into argv until exec or exit. */
static char **qemu_argv(const struct kernel *k, const char *tmp, bool kvm)
{
	const char *cpus = getenv("NFLAB_VM_CPUS"), *mem = getenv("NFLAB_VM_MEMORY");
	char **a = xcalloc(48, sizeof(*a));
	size_t n = 0;

#define ARG(...) (a[n++] = xasprintf(__VA_ARGS__))
	ARG("qemu-system-x86_64");
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-no-reboot");
	ARG("-accel");
	ARG("%s", kvm ? "kvm" : "tcg");
	ARG("-cpu");
	ARG("%s", kvm ? "host" : "max");
	ARG("-smp");
	ARG("%s", cpus ? cpus : "1");
	ARG("-m");
	ARG("%s", mem ? mem : "1024");
	ARG("-kernel");
	ARG("%s", k->vmlinuz);
	ARG("-initrd");
	ARG("%s/initrd.cpio", tmp);
	ARG("-append");
	ARG("console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3 8250.nr_uarts=3");
	ARG("-chardev");
	ARG("file,id=con,path=/dev/fd/3");
	ARG("-chardev");
	ARG("file,id=out,path=/dev/fd/4,append=on");
	ARG("-chardev");
	ARG("file,id=err,path=/dev/fd/5,append=on");
	ARG("-serial");
	ARG("chardev:con");
	ARG("-serial");
	ARG("chardev:out");
	ARG("-serial");
	ARG("chardev:err");
	ARG("-fsdev");
	ARG("local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap");
	ARG("-device");
	ARG("virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot");
	ARG("-fsdev");
	ARG("local,id=out,path=%s/out,security_model=none", tmp);
	ARG("-device");
	ARG("virtio-9p-pci,fsdev=out,mount_tag=out");
#undef ARG
	return a;
}

static void free_argv(char **a)
{
	size_t i;

	for (i = 0; a[i]; i++)
		free(a[i]);
	free(a);
}

/*
 * Boots the VM and waits for it. Returns the exit code nflab had inside, or
 * NFLAB_ERROR having said why; *boot_s is the time to the boot marker.
 */
static int boot(const struct kernel *k, const char *tmp, bool kvm, bool *kvm_failed, double *boot_s)
{
	double deadline = env_seconds("NFLAB_VM_BOOT_TIMEOUT", 60), t0 = now_s();
	struct console con = {.echo = getenv("NFLAB_VM_CONSOLE") != NULL};
	char **argv = qemu_argv(k, tmp, kvm), errpath[PATH_MAX], rcpath[PATH_MAX], why[512];
	int pipefd[2], status, rc = NFLAB_ERROR;
	bool timed_out = false;
	FILE *rcf;
	pid_t pid;

	snprintf(errpath, sizeof(errpath), "%s/qemu.err", tmp);
	snprintf(rcpath, sizeof(rcpath), "%s/out/rc", tmp);
	if (pipe2(pipefd, O_CLOEXEC)) {
		free_argv(argv);
		return NFLAB_ERROR;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int nul = open("/dev/null", O_RDONLY);

		/* its own group (a terminal's ^C is nflab's to handle), and gone with nflab */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		/* every source above 9 first, so no dup2 below clobbers another */
		int out = fcntl(1, F_DUPFD, 10), err = fcntl(2, F_DUPFD, 10);
		int con = fcntl(pipefd[1], F_DUPFD, 10);

		efd = fcntl(efd, F_DUPFD, 10);
		nul = fcntl(nul, F_DUPFD, 10);
		if (out < 0 || err < 0 || con < 0 || efd < 0 || nul < 0 || dup2(con, 3) < 0 ||
		    dup2(out, 4) < 0 || dup2(err, 5) < 0 || dup2(nul, 0) < 0 || dup2(efd, 1) < 0 ||
		    dup2(efd, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	free_argv(argv);
	if (pid < 0) {
		close(pipefd[0]);
		say("fork: %s", strerror(errno));
		return NFLAB_ERROR;
	}
	for (;;) {
		struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
		double left = t0 + deadline - now_s();
		char buf[4096];
		ssize_t n;

		if (!con.booted && left <= 0) {
			timed_out = true;
			break;
		}
		if (poll(&p, 1, con.booted ? -1 : (int)(left * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		bool was = con.booted;

		console_feed(&con, buf, (size_t)n);
		if (!was && con.booted)
			*boot_s = now_s() - t0;
		if (con.panic || *con.error)
			break;
	}
	if (timed_out || con.panic || *con.error)
		kill(-pid, SIGKILL);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	rcf = fopen(rcpath, "r");
	if (rcf && fscanf(rcf, "%d", &rc) == 1 && !con.panic && !*con.error) {
		fclose(rcf);
		return rc;
	}
	if (rcf)
		fclose(rcf);
	rc = NFLAB_ERROR;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		say("could not start qemu-system-x86_64");
	} else if (con.panic) {
		say("kernel %s panicked", k->version);
	} else if (*con.error) {
		say("kernel %s: %s", k->version, con.error);
	} else if (timed_out) {
		say("kernel %s did not boot within %g s (NFLAB_VM_BOOT_TIMEOUT)", k->version,
		    deadline);
	} else if (!con.booted) {
		last_line(errpath, why, sizeof(why));
		if (kvm) {
			*kvm_failed = true;
			return NFLAB_ERROR;
		}
		say("kernel %s: the VM stopped before it booted%s%s", k->version,
		    *why ? "; qemu: " : "", why);
	} else {
		say("kernel %s: the VM stopped before nflab inside ended", k->version);
	}
	console_tail(&con);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

/*
 * The option arg names (--name, --name=value, or a unique prefix of a name,
 * as getopt_long takes them); *inline_val set for the =value form.
 */
static const struct option *long_opt(const struct option *opts, const char *arg,
				     const char **inline_val)
{
	size_t n = strcspn(arg + 2, "=");
	const struct option *prefix_of = NULL;

	*inline_val = arg[2 + n] == '=' ? arg + 3 + n : NULL;
	for (; opts->name; opts++) {
		if (strncmp(opts->name, arg + 2, n))
			continue;
		if (strlen(opts->name) == n)
			return opts;
		prefix_of = opts; /* getopt already refused an ambiguous prefix */
	}
	return prefix_of;
}

static const char *short_has_arg(const char *shorts, char c)
{
	const char *p = strchr(shorts, c);

	return p && p[1] == ':' ? p : NULL;
}

/*
 * argv for inside: without --kernel and --modules, each output path replaced
 * with its place in the share (outs), refusing options that need the host.
 */
static char **guest_args(int argc, char **argv, const struct vm_request *req, const char *self,
			 struct output *outs, size_t *n_outs, size_t *n_args)
{
	char **a = xcalloc((size_t)argc + 2, sizeof(*a));
	size_t n = 0, i, j;
	int k;

	a[n++] = xstrdup(self);
	a[n++] = xstrdup(argv[1]);
	for (k = 2; k < argc; k++) {
		const char *arg = argv[k], *val = NULL;
		const struct option *o = NULL;
		char opt_text[64];

		if (k >= req->first_operand || arg[0] != '-' || !strcmp(arg, "-")) {
			a[n++] = xstrdup(arg);
			continue;
		}
		if (arg[1] == '-') {
			o = long_opt(req->opts, arg, &val);
			if (o && o->has_arg == required_argument && !val && k + 1 < argc)
				val = argv[++k];
		} else if (short_has_arg(req->shorts, arg[1])) {
			val = arg[2] ? arg + 2 : k + 1 < argc ? argv[++k] : NULL;
			a[n++] = xasprintf("-%c", arg[1]);
			a[n++] = xstrdup(val ? val : "");
			continue;
		}
		if (!o) {
			a[n++] = xstrdup(arg);
			continue;
		}
		if (!strcmp(o->name, "kernel") || !strcmp(o->name, "modules"))
			continue;
		for (j = 0; j < sizeof(host_only_opts) / sizeof(*host_only_opts); j++)
			if (!strcmp(o->name, host_only_opts[j])) {
				say("--%s cannot be used with --kernel (run the lab on the "
				    "host for it)",
				    o->name);
				for (i = 0; i < n; i++)
					free(a[i]);
				free(a);
				return NULL;
			}
		snprintf(opt_text, sizeof(opt_text), "--%s", o->name);
		a[n++] = xstrdup(opt_text);
		for (j = 0; val && j < sizeof(output_opts) / sizeof(*output_opts); j++)
			if (!strcmp(o->name, output_opts[j].name) && *n_outs < MAX_OUTPUTS) {
				struct output *out = &outs[(*n_outs)++];

				out->host_path = val;
				out->dir = output_opts[j].dir;
				snprintf(out->guest_path, sizeof(out->guest_path),
					 "/.nflab-vm/out/%zu", *n_outs);
				val = out->guest_path;
				break;
			}
		if (val)
			a[n++] = xstrdup(val);
	}
	*n_args = n;
	return a;
}

/* One kernel's outputs from the share to where they were asked for. */
static int move_outputs(const char *tmp, const struct output *outs, size_t n_outs,
			const char *suffix)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n_outs; i++) {
		char src[PATH_MAX], dst[PATH_MAX], errfile[PATH_MAX], why[512];
		const char *dot = strrchr(outs[i].host_path, '.');
		const char *slash = strrchr(outs[i].host_path, '/');

		snprintf(src, sizeof(src), "%s/out/%zu", tmp, i + 1);
		snprintf(errfile, sizeof(errfile), "%s/tool.err", tmp);
		if (access(src, F_OK))
			continue; /* nflab inside wrote nothing there */
		if (!*suffix)
			snprintf(dst, sizeof(dst), "%s", outs[i].host_path);
		else if (outs[i].dir)
			snprintf(dst, sizeof(dst), "%s/%s", outs[i].host_path, suffix);
		else if (dot && (!slash || dot > slash))
			snprintf(dst, sizeof(dst), "%.*s-%s%s", (int)(dot - outs[i].host_path),
				 outs[i].host_path, suffix, dot);
		else
			snprintf(dst, sizeof(dst), "%s-%s", outs[i].host_path, suffix);
		if (outs[i].dir) {
			char *mk[] = {"mkdir", "-p", dst, NULL};
			char from[PATH_MAX + 4];
			char *cp[] = {"cp", "-a", from, dst, NULL};

			snprintf(from, sizeof(from), "%s/.", src);
			if (spawn_wait(mk, errfile) || spawn_wait(cp, errfile)) {
				last_line(errfile, why, sizeof(why));
				say("%s: %s", dst, why);
				rc = -1;
			}
		} else {
			char *cp[] = {"cp", "-f", src, dst, NULL};

			if (spawn_wait(cp, errfile)) {
				last_line(errfile, why, sizeof(why));
				say("%s: %s", dst, why);
				rc = -1;
			}
		}
	}
	return rc;
}

static int worse(int a, int b)
{
	static const int rank[] = {[NFLAB_PASS] = 0, [NFLAB_FAIL] = 2, [NFLAB_ERROR] = 3};
	int ra = a == NFLAB_SKIP ? 1
		 : a < 3	 ? rank[a]
				 : 4,
	    rb = b == NFLAB_SKIP ? 1
		 : b < 3	 ? rank[b]
				 : 4;

	return ra >= rb ? a : b;
}

static bool kvm_usable(void)
{
	const char *accel = getenv("NFLAB_VM_ACCEL");
	int fd;

	if (accel)
		return !strcmp(accel, "kvm");
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Temporary directories of nflab processes that are gone: SIGKILL, SIGINT and
 * SIGTERM end nflab without cleaning, and an unpacked kernel package is
 * hundreds of MB. Each directory names its owner in a pid file.
 */
static void remove_stale_dirs(void)
{
	struct dirent **names;
	int n = scandir("/tmp", &names, NULL, alphasort), i;

	for (i = 0; i < n; i++) {
		char path[PATH_MAX], pidfile[PATH_MAX];
		FILE *f;
		long pid = 0;

		if (!strncmp(names[i]->d_name, "nflab-vm.", 9)) {
			snprintf(path, sizeof(path), "/tmp/%s", names[i]->d_name);
			snprintf(pidfile, sizeof(pidfile), "%s/pid", path);
			f = fopen(pidfile, "r");
			if (f && fscanf(f, "%ld", &pid) == 1 && pid > 0 && kill((pid_t)pid, 0) &&
			    errno == ESRCH)
				nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
			if (f)
				fclose(f);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* One kernel: prepare, boot, run, bring back. */
static int run_on(const char *file, const struct vm_request *req, char **args, size_t n_args,
		  const struct output *outs, size_t n_outs, bool several)
{
	char tmp[] = "/tmp/nflab-vm.XXXXXX", path[PATH_MAX], *init;
	struct kernel k = {0};
	bool kvm = kvm_usable(), kvm_failed = false;
	FILE *pidfile;
	double boot_s = 0;
	size_t init_len, stage2_len, i;
	int rc;

	if (!mkdtemp(tmp)) {
		say("mkdtemp: %s", strerror(errno));
		return NFLAB_ERROR;
	}
	snprintf(path, sizeof(path), "%s/pid", tmp);
	pidfile = fopen(path, "w");
	if (pidfile) {
		fprintf(pidfile, "%ld\n", (long)getpid());
		fclose(pidfile);
	}
	snprintf(path, sizeof(path), "%s/out", tmp);
	rc = mkdir(path, 0700) ? NFLAB_ERROR : 0;
	for (i = 0; !rc && i < n_outs; i++) {
		snprintf(path, sizeof(path), "%s/out/%zu", tmp, i + 1);
		if (outs[i].dir && mkdir(path, 0700))
			rc = NFLAB_ERROR;
	}
	if (!rc)
		rc = prepare_kernel(file, req->modules_dir, tmp, &k);
	if (!rc) {
		char *stage2 = stage2_script(args, n_args, &stage2_len);

		init = init_script(&k, &init_len);
		snprintf(path, sizeof(path), "%s/initrd.cpio", tmp);
		rc = build_initramfs(&k, path, init, init_len, stage2, stage2_len);
		free(init);
		free(stage2);
	}
	if (!rc) {
		rc = boot(&k, tmp, kvm, &kvm_failed, &boot_s);
		if (kvm_failed)
			rc = boot(&k, tmp, false, &kvm_failed, &boot_s);
		if (getenv("NFLAB_VM_CONSOLE"))
			fprintf(stderr, "nflab: --kernel: %s booted in %.1f s (%s)\n", k.version,
				boot_s, kvm && !kvm_failed ? "kvm" : "tcg");
		if (move_outputs(tmp, outs, n_outs, several ? k.version : ""))
			rc = worse(rc, NFLAB_ERROR);
	}
	if (nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS))
		say("could not remove %s: %s", tmp, strerror(errno));
	return rc;
}

int vm_main(int argc, char **argv, const struct vm_request *req)
{
	struct output outs[MAX_OUTPUTS];
	size_t n_outs = 0, n_args = 0, i;
	char self[PATH_MAX], **args;
	int outcome = NFLAB_PASS;

	if (!in_path("qemu-system-x86_64")) {
		say("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
		return NFLAB_SKIP;
	}
	if (access("/bin/busybox", X_OK)) {
		say("/bin/busybox is not installed (apt-get install busybox-static)");
		return NFLAB_SKIP;
	}
	if (!realpath("/proc/self/exe", self)) {
		say("/proc/self/exe: %s", strerror(errno));
		return NFLAB_ERROR;
	}
	remove_stale_dirs();
	args = guest_args(argc, argv, req, self, outs, &n_outs, &n_args);
	if (!args)
		return NFLAB_ERROR;
	for (i = 0; i < req->n_kernels; i++)
		outcome = worse(outcome, run_on(req->kernels[i], req, args, n_args, outs, n_outs,
						req->n_kernels > 1));
	for (i = 0; i < n_args; i++)
		free(args[i]);
	free(args);
	return outcome;
}
