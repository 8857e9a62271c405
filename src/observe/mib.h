/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own drop counters of one network namespace (/proc/net/snmp,
 * /proc/net/snmp6, /proc/net/netstat), read through files opened inside it.
 */
#ifndef NFLAB_MIB_H
#define NFLAB_MIB_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

/* The counters nflab reads: those that count a packet the stack dropped. */
enum mib_counter {
	MIB_IP_IN_HDR_ERRORS,
	MIB_IP_IN_ADDR_ERRORS,
	MIB_IP_IN_UNKNOWN_PROTOS,
	MIB_IP_IN_DISCARDS,
	MIB_IP_IN_NO_ROUTES,
	MIB_IP_FRAG_FAILS,
	MIB_IP_IN_CSUM_ERRORS,
	MIB_IP_IN_TRUNCATED,
	MIB_ICMP_IN_ERRORS,
	MIB_ICMP_OUT_DEST_UNREACHS,
	MIB_ICMP_OUT_TIME_EXCDS,
	MIB_ICMP_OUT_PARM_PROBS,
	MIB_UDP_NO_PORTS,
	MIB_UDP_IN_ERRORS,
	MIB_UDP_RCVBUF_ERRORS,
	MIB_UDP_IN_CSUM_ERRORS,
	MIB_TCP_IN_ERRS,
	MIB_TCP_IN_CSUM_ERRORS,
	MIB_TCPEXT_RP_FILTER,
	MIB_TCPEXT_LISTEN_OVERFLOWS,
	MIB_TCPEXT_LISTEN_DROPS,
	MIB_TCPEXT_MIN_TTL_DROP,
	MIB_TCPEXT_BACKLOG_DROP,
	MIB_TCPEXT_RCVQ_DROP,
	MIB_TCPEXT_ZERO_WINDOW_DROP,
	MIB_IP6_IN_HDR_ERRORS,
	MIB_IP6_IN_TOO_BIG_ERRORS,
	MIB_IP6_IN_NO_ROUTES,
	MIB_IP6_IN_ADDR_ERRORS,
	MIB_IP6_IN_UNKNOWN_PROTOS,
	MIB_IP6_IN_TRUNCATED,
	MIB_IP6_IN_DISCARDS,
	MIB_IP6_IN_CSUM_ERRORS,
	MIB_ICMP6_IN_ERRORS,
	MIB_ICMP6_OUT_DEST_UNREACHS,
	MIB_ICMP6_OUT_PKT_TOO_BIGS,
	MIB_ICMP6_OUT_TIME_EXCDS,
	MIB_ICMP6_OUT_PARM_PROBLEMS,
	MIB_UDP6_NO_PORTS,
	MIB_UDP6_IN_ERRORS,
	MIB_UDP6_RCVBUF_ERRORS,
	MIB_UDP6_IN_CSUM_ERRORS,
	MIB__MAX
};

/* "Udp NoPorts", "TcpExt IPReversePathFilter": the section and name the kernel gives. */
const char *mib_name(enum mib_counter c);

/* One reading of a namespace's counters. */
struct mib_snap {
	size_t pos;	      /* what it covers: the run's trace events before this index */
	uint64_t v[MIB__MAX]; /* 0 for a counter this kernel lacks */
};

/* The readings of one namespace, in time order. */
struct mib_series {
	struct mib_snap *v;
	size_t n, cap;
};

struct mib_reader;

/*
 * Opens the three files inside the netns held by nsfd, through a procfs of
 * its own (topo/sysctl.h), and keeps them: each read is then three preads,
 * with no trip into the netns. Returns a reader (free it with
 * mib_close()), or NULL with d.
 */
struct mib_reader *mib_open(int nsfd, struct diag *d);
void mib_close(struct mib_reader *m);

/* Reads every counter into v. Returns 0, or -1 with d. */
int mib_read(struct mib_reader *m, uint64_t v[MIB__MAX], struct diag *d);

/*
 * Parses the text of one of the files (the "Sec: Name ..." line pairs of snmp
 * and netstat, or snmp6's "Ip6InNoRoutes  3" lines) into v: counters it does
 * not hold are left alone. For unit tests and mib_read().
 */
void mib_parse(const char *text, uint64_t v[MIB__MAX]);

#endif
