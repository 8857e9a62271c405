// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/inject: packets per second into a veth, UDP frames with a source-port
 * sweep, four ways in the same run: nflab's injector (what `send` with `count`
 * and `sweep` does), a bare sendmmsg loop of identical frames (the floor: no
 * patching at all), scapy's sendp() with one call per packet, and scapy with
 * one reused L2 socket. Prints a table; not a test.
 * usage: nflab-bench-inject [PACKETS]   (root; python3-scapy for the scapy rows)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "craft/craft.h"
#include "probe/inject.h"
#include "topo/link.h"
#include "topo/netns.h"
#include "topo/nl.h"
#include "util/proc.h"

#define BARE_BATCH 256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct row {
	const char *what;
	unsigned long packets;
	double seconds;
};

static void print_row(const struct row *r, double bare_pps)
{
	double pps = r->seconds > 0 ? (double)r->packets / r->seconds : 0;

	printf("%-44s %10lu %9.3f %12.0f %8.3f\n", r->what, r->packets, r->seconds, pps,
	       bare_pps > 0 ? pps / bare_pps : 0);
}

/* The bare floor: one frame, sent again and again with sendmmsg, nothing patched. */
static double bare_loop(int nsfd, int ifindex, const uint8_t *frame, size_t len,
			unsigned long count, struct diag *d)
{
	struct injector *inj = inj_open(nsfd, ifindex, 0, d);
	uint8_t *pkts[BARE_BATCH];
	size_t lens[BARE_BATCH], i;
	unsigned long sent = 0;
	double t0;

	if (!inj)
		return -1;
	for (i = 0; i < BARE_BATCH; i++) {
		pkts[i] = (uint8_t *)frame;
		lens[i] = len;
	}
	t0 = now_s();
	while (sent < count) {
		size_t n = count - sent < BARE_BATCH ? count - sent : BARE_BATCH;

		if (inj_send(inj, pkts, lens, n, NULL, d))
			break;
		sent += n;
	}
	t0 = now_s() - t0;
	inj_close(inj);
	return t0;
}

static const char scapy_script[] =
	"import sys, time\n"
	"from scapy.all import Ether, IP, UDP, sendp, conf\n"
	"iface, n, reuse = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1'\n"
	"base = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:99')/"
	"IP(src='192.0.2.10', dst='198.51.100.20')/UDP(dport=9)/b'bench'\n"
	"pkts = [base.copy() for _ in range(0)]\n"
	"t0 = time.monotonic()\n"
	"if reuse:\n"
	"    s = conf.L2socket(iface=iface)\n"
	"    for i in range(n):\n"
	"        p = base.copy(); p[UDP].sport = 10000 + i % 50000; s.send(p)\n"
	"    s.close()\n"
	"else:\n"
	"    for i in range(n):\n"
	"        p = base.copy(); p[UDP].sport = 10000 + i % 50000\n"
	"        sendp(p, iface=iface, verbose=False)\n"
	"print(time.monotonic() - t0)\n";

/* Runs the scapy script in the sender's netns; returns its seconds, or -1 when it cannot. */
static double scapy(int nsfd, unsigned long n, int reuse)
{
	char count[32], *argv[] = {"/usr/bin/python3", "-c", (char *)scapy_script, "eth0", count,
				   reuse ? "1" : "0",  NULL};
	struct proc_result res = {0};
	struct diag d = DIAG_INIT;
	double s = -1;

	snprintf(count, sizeof(count), "%lu", n);
	if (access(argv[0], X_OK) || proc_run_in_netns(nsfd, argv, "", 0, &res, &d))
		return -1;
	/* The time is the last line: scapy may warn before it. */
	if (res.status == 0 && strrchr(res.output, '\n')) {
		char *end = strrchr(res.output, '\n'), *line;

		*end = '\0';
		line = strrchr(res.output, '\n');
		s = strtod(line ? line + 1 : res.output, NULL);
	} else {
		fprintf(stderr, "scapy: %s", res.output);
	}
	free(res.output);
	return s;
}

int main(int argc, char **argv)
{
	unsigned long packets = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	struct diag d = DIAG_INIT;
	struct veth_end a = {.name = "eth0"}, b = {.name = "eth0"};
	static const uint8_t src_mac[6] = {2, 0, 0, 0, 0, 1}, other[6] = {2, 0, 0, 0, 0, 0x99};
	struct sweep sw = {SWEEP_SPORT, 10000, 59999};
	struct craft c;
	struct craft_layout lay;
	struct injector *inj;
	struct nl_sock *sa = NULL, *sb = NULL;
	uint8_t frame[128];
	struct row rows[4];
	double bare_pps, t;
	int ifindex, len, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid()) {
		fprintf(stderr, "bench/inject needs root (namespaces)\n");
		return 77;
	}
	if (netns_home_open(&d) || (a.nsfd = netns_new(&d)) < 0 || (b.nsfd = netns_new(&d)) < 0 ||
	    !(sa = nl_open(a.nsfd, NETLINK_ROUTE, &d)) ||
	    !(sb = nl_open(b.nsfd, NETLINK_ROUTE, &d)) || link_veth_add(sa, &a, &b, &d) ||
	    link_up(sa, "eth0", &d) || link_up(sb, "eth0", &d) ||
	    (ifindex = link_index(sa, "eth0", &d)) < 0) {
		diag_print(&d, stderr);
		return 2;
	}
	/* Frames to a MAC that is not the peer's: the receiver drops them at once. */
	craft_init(&c);
	c.eth.present = true;
	memcpy(c.eth.src, src_mac, 6);
	memcpy(c.eth.dst, other, 6);
	c.ip.version = 4;
	ipaddr_parse("192.0.2.10", &c.ip.src, NULL);
	ipaddr_parse("198.51.100.20", &c.ip.dst, NULL);
	c.l4.kind = CRAFT_L4_UDP;
	c.l4.dport = 9;
	c.payload = (const uint8_t *)"bench";
	c.payload_len = 5;
	len = craft_build(&c, frame, sizeof(frame), &lay);

	printf("bench/inject: %d-byte UDP frames into a veth (2 namespaces), source port swept "
	       "per packet\n\n",
	       len);
	printf("%-44s %10s %9s %12s %8s\n", "method", "packets", "seconds", "packets/s", "vs bare");
	t = bare_loop(a.nsfd, ifindex, frame, (size_t)len, packets, &d);
	rows[0] = (struct row){"bare sendmmsg loop (C, identical frames)", packets, t};
	bare_pps = (double)packets / t;
	inj = inj_open(a.nsfd, ifindex, 0, &d);
	t = now_s();
	if (!inj || inj_burst(inj, frame, &lay, &sw, 1, packets, 0, NULL, NULL, NULL, &d)) {
		diag_print(&d, stderr);
		return 2;
	}
	rows[1] = (struct row){"nflab injector (send: count + sweep)", packets, now_s() - t};
	inj_close(inj);
	rows[2] = (struct row){"scapy sendp(), one call per packet", 2000, scapy(a.nsfd, 2000, 0)};
	rows[3] = (struct row){"scapy, one reused L2 socket", 20000, scapy(a.nsfd, 20000, 1)};
	for (i = 0; i < 4; i++) {
		if (rows[i].seconds < 0)
			printf("%-44s %10s (python3-scapy is not installed)\n", rows[i].what, "-");
		else
			print_row(&rows[i], bare_pps);
	}
	printf("\ntarget: nflab >= 1,000,000 packets/s and >= 0.5 of the bare loop: %s\n",
	       (double)packets / rows[1].seconds >= 1e6 &&
			       (double)packets / rows[1].seconds >= 0.5 * bare_pps
		       ? "met"
		       : "NOT met");
	nl_close(sa);
	nl_close(sb);
	close(a.nsfd);
	close(b.nsfd);
	netns_home_close();
	return 0;
}
