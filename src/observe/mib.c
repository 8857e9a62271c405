// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's own drop counters of one network namespace (/proc/net/snmp,
 * /proc/net/snmp6, /proc/net/netstat), read through files opened inside it.
 */
#include "observe/mib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topo/netns.h"
#include "topo/sysctl.h"
#include "util/xalloc.h"

static const struct {
	const char *sec, *name;
} names[MIB__MAX] = {
	[MIB_IP_IN_HDR_ERRORS] = {"Ip", "InHdrErrors"},
	[MIB_IP_IN_ADDR_ERRORS] = {"Ip", "InAddrErrors"},
	[MIB_IP_IN_UNKNOWN_PROTOS] = {"Ip", "InUnknownProtos"},
	[MIB_IP_IN_DISCARDS] = {"Ip", "InDiscards"},
	[MIB_IP_IN_NO_ROUTES] = {"IpExt", "InNoRoutes"},
	[MIB_IP_FRAG_FAILS] = {"Ip", "FragFails"},
	[MIB_IP_IN_CSUM_ERRORS] = {"IpExt", "InCsumErrors"},
	[MIB_IP_IN_TRUNCATED] = {"IpExt", "InTruncatedPkts"},
	[MIB_ICMP_IN_ERRORS] = {"Icmp", "InErrors"},
	[MIB_ICMP_OUT_DEST_UNREACHS] = {"Icmp", "OutDestUnreachs"},
	[MIB_ICMP_OUT_TIME_EXCDS] = {"Icmp", "OutTimeExcds"},
	[MIB_ICMP_OUT_PARM_PROBS] = {"Icmp", "OutParmProbs"},
	[MIB_UDP_NO_PORTS] = {"Udp", "NoPorts"},
	[MIB_UDP_IN_ERRORS] = {"Udp", "InErrors"},
	[MIB_UDP_RCVBUF_ERRORS] = {"Udp", "RcvbufErrors"},
	[MIB_UDP_IN_CSUM_ERRORS] = {"Udp", "InCsumErrors"},
	[MIB_TCP_IN_ERRS] = {"Tcp", "InErrs"},
	[MIB_TCP_IN_CSUM_ERRORS] = {"Tcp", "InCsumErrors"},
	[MIB_TCPEXT_RP_FILTER] = {"TcpExt", "IPReversePathFilter"},
	[MIB_TCPEXT_LISTEN_OVERFLOWS] = {"TcpExt", "ListenOverflows"},
	[MIB_TCPEXT_LISTEN_DROPS] = {"TcpExt", "ListenDrops"},
	[MIB_TCPEXT_MIN_TTL_DROP] = {"TcpExt", "TCPMinTTLDrop"},
	[MIB_TCPEXT_BACKLOG_DROP] = {"TcpExt", "TCPBacklogDrop"},
	[MIB_TCPEXT_RCVQ_DROP] = {"TcpExt", "TCPRcvQDrop"},
	[MIB_TCPEXT_ZERO_WINDOW_DROP] = {"TcpExt", "TCPZeroWindowDrop"},
	[MIB_IP6_IN_HDR_ERRORS] = {"Ip6", "InHdrErrors"},
	[MIB_IP6_IN_TOO_BIG_ERRORS] = {"Ip6", "InTooBigErrors"},
	[MIB_IP6_IN_NO_ROUTES] = {"Ip6", "InNoRoutes"},
	[MIB_IP6_IN_ADDR_ERRORS] = {"Ip6", "InAddrErrors"},
	[MIB_IP6_IN_UNKNOWN_PROTOS] = {"Ip6", "InUnknownProtos"},
	[MIB_IP6_IN_TRUNCATED] = {"Ip6", "InTruncatedPkts"},
	[MIB_IP6_IN_DISCARDS] = {"Ip6", "InDiscards"},
	[MIB_IP6_IN_CSUM_ERRORS] = {"Ip6", "InCsumErrors"},
	[MIB_ICMP6_IN_ERRORS] = {"Icmp6", "InErrors"},
	[MIB_ICMP6_OUT_DEST_UNREACHS] = {"Icmp6", "OutDestUnreachs"},
	[MIB_ICMP6_OUT_PKT_TOO_BIGS] = {"Icmp6", "OutPktTooBigs"},
	[MIB_ICMP6_OUT_TIME_EXCDS] = {"Icmp6", "OutTimeExcds"},
	[MIB_ICMP6_OUT_PARM_PROBLEMS] = {"Icmp6", "OutParmProblems"},
	[MIB_UDP6_NO_PORTS] = {"Udp6", "NoPorts"},
	[MIB_UDP6_IN_ERRORS] = {"Udp6", "InErrors"},
	[MIB_UDP6_RCVBUF_ERRORS] = {"Udp6", "RcvbufErrors"},
	[MIB_UDP6_IN_CSUM_ERRORS] = {"Udp6", "InCsumErrors"},
};

#define MIB_FILES 3

static const char *const files[MIB_FILES] = {"net/snmp", "net/snmp6", "net/netstat"};

struct mib_reader {
	int fd[MIB_FILES];
	char buf[32768];
};

const char *mib_name(enum mib_counter c)
{
	static char text[MIB__MAX][48];

	if ((unsigned int)c >= MIB__MAX)
		return "?";
	if (!text[c][0])
		snprintf(text[c], sizeof(text[c]), "%s %s", names[c].sec, names[c].name);
	return text[c];
}

/* The counter named name in section sec (len bytes of it), or -1. */
static int find(const char *sec, size_t len, const char *name, size_t nlen)
{
	int c;

	for (c = 0; c < MIB__MAX; c++)
		if (names[c].name[0] == name[0] && strnlen(names[c].sec, len + 1) == len &&
		    !memcmp(names[c].sec, sec, len) && strnlen(names[c].name, nlen + 1) == nlen &&
		    !memcmp(names[c].name, name, nlen))
			return c;
	return -1;
}

/* Whether some counter read is in section sec (len bytes): the others are skipped whole. */
static bool wanted(const char *sec, size_t len)
{
	int c;

	for (c = 0; c < MIB__MAX; c++)
		if (strnlen(names[c].sec, len + 1) == len && !memcmp(names[c].sec, sec, len))
			return true;
	return false;
}

static const char *line_end(const char *s)
{
	const char *e = strchr(s, '\n');

	return e ? e : s + strlen(s);
}

/* snmp6: "Ip6InNoRoutes   3": the section is the name's prefix up to its first digit and one. */
static void parse_snmp6_line(const char *s, const char *end, uint64_t v[MIB__MAX])
{
	const char *name = s, *sp = s;
	size_t sec;
	int c;

	while (sp < end && *sp != ' ' && *sp != '\t')
		sp++;
	for (sec = 0; name + sec < sp && !(name[sec] >= '0' && name[sec] <= '9'); sec++)
		;
	if (name + sec >= sp)
		return;
	sec++; /* "Ip6", "Icmp6", "Udp6" */
	c = find(name, sec, name + sec, (size_t)(sp - name - sec));
	if (c >= 0)
		v[c] = strtoull(sp, NULL, 10);
}

void mib_parse(const char *text, uint64_t v[MIB__MAX])
{
	const char *s = text;

	while (*s) {
		const char *end = line_end(s), *colon = memchr(s, ':', (size_t)(end - s));
		const char *next, *nend, *h, *val;
		size_t sec;

		if (!colon) { /* snmp6 */
			parse_snmp6_line(s, end, v);
			s = *end ? end + 1 : end;
			continue;
		}
		/* "Sec: Name Name ..." then "Sec: 1 2 ...". */
		sec = (size_t)(colon - s);
		next = *end ? end + 1 : end;
		nend = line_end(next);
		if (strncmp(next, s, sec + 1)) {
			s = next;
			continue;
		}
		if (!wanted(s, sec)) {
			s = *nend ? nend + 1 : nend;
			continue;
		}
		h = colon + 1;
		val = next + sec + 1;
		while (h < end && val < nend) {
			const char *hn, *ve;
			int c;

			while (h < end && *h == ' ')
				h++;
			while (val < nend && *val == ' ')
				val++;
			for (hn = h; hn < end && *hn != ' '; hn++)
				;
			for (ve = val; ve < nend && *ve != ' '; ve++)
				;
			if (hn == h || ve == val)
				break;
			c = find(s, sec, h, (size_t)(hn - h));
			if (c >= 0)
				v[c] = strtoull(val, NULL, 10);
			h = hn;
			val = ve;
		}
		s = *nend ? nend + 1 : nend;
	}
}

struct mib_reader *mib_open(int nsfd, struct diag *d)
{
	struct mib_reader *m = xcalloc(1, sizeof(*m));
	int proc, i, err = 0;

	for (i = 0; i < MIB_FILES; i++)
		m->fd[i] = -1;
	if (netns_enter(nsfd, d)) {
		free(m);
		return NULL;
	}
	/* /proc/net is /proc/self/net: the netns of the thread when it is opened. */
	proc = sysctl_procfs_open();
	for (i = 0; i < MIB_FILES && !err; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/%s", files[i]);
		m->fd[i] = proc >= 0 ? openat(proc, files[i], O_RDONLY | O_CLOEXEC)
				     : open(path, O_RDONLY | O_CLOEXEC);
		if (m->fd[i] < 0)
			err = errno;
	}
	if (proc >= 0)
		close(proc);
	if (netns_restore(d) || err) {
		if (err)
			diag_set(d, "cannot open /proc/%s in the node's namespace: %s",
				 files[i - 1], strerror(err));
		mib_close(m);
		return NULL;
	}
	return m;
}

void mib_close(struct mib_reader *m)
{
	int i;

	if (!m)
		return;
	for (i = 0; i < MIB_FILES; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	free(m);
}

int mib_read(struct mib_reader *m, uint64_t v[MIB__MAX], struct diag *d)
{
	int i;

	memset(v, 0, MIB__MAX * sizeof(*v));
	for (i = 0; i < MIB_FILES; i++) {
		/*
		 * One read from offset 0 prints the whole file anew (a seq_file shows
		 * it at once and hands over what fits); a second read would print it
		 * again. The buffer holds several times the largest (netstat, 4 KiB).
		 */
		ssize_t n = pread(m->fd[i], m->buf, sizeof(m->buf) - 1, 0);

		if (n < 0)
			return diag_errno(d, "reading /proc/%s", files[i]);
		m->buf[n] = '\0';
		mib_parse(m->buf, v);
	}
	return 0;
}
