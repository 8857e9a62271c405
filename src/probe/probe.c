// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket probes from a node: UDP datagrams, TCP connects, ICMP echoes, and listeners. */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "craft/craft.h"
#include "topo/netns.h"
#include "util/xalloc.h"

/* A socket born in the node's netns: it stays there after we return home. */
static int socket_in(int nsfd, int domain, int type, int proto, struct diag *d)
{
	int fd;

	if (netns_enter(nsfd, d))
		return -1;
	fd = socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (fd < 0)
		diag_errno(d, "socket");
	if (netns_restore(d)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

socklen_t probe_sockaddr(struct sockaddr_storage *ss, const struct ipaddr *a, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		if (a->family == AF_INET6)
			sin6->sin6_addr = a->v6;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
}

/*
 * Binds to the probe's source address and port when it names them. reuse: TCP
 * only, where a connected socket only ever receives its own connection's
 * segments; a UDP socket sharing a port would take datagrams meant for a
 * program's socket on it.
 */
static int bind_source(int fd, const struct step_probe *p, bool reuse, struct diag *d)
{
	struct sockaddr_storage ss;
	struct ipaddr any = {.family = p->dst.family};
	socklen_t len;
	int one = 1;

	if (!p->has_src && !p->sport)
		return 0;
	len = probe_sockaddr(&ss, p->has_src ? &p->src : &any, p->sport);
	/* A lab may reuse a source port another probe of it still holds (TIME_WAIT too). */
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		if (errno == EADDRINUSE && p->sport)
			return diag_errno(d,
					  "cannot bind the probe's source port %u (a probe never "
					  "shares a port with another program's socket)",
					  p->sport);
		return diag_errno(d, "cannot bind the probe's source");
	}
	return 0;
}

/* A socket option a probe set, and its value before (to put back on a shared socket). */
struct ip_opt {
	int level, name, old;
	const char *what;
};

/*
 * Sets p's ttl, tos and df on fd, at the level of p's destination (IPv4
 * options on a dual-stack socket reach its IPv4-mapped traffic). Fills
 * opts[3] with what it set and their old values, *n with how many.
 */
static int ip_opts_set(int fd, const struct step_probe *p, struct ip_opt *opts, size_t *n,
		       struct diag *d)
{
	bool v6 = p->dst.family == AF_INET6;
	int want[3];
	size_t i;

	*n = 0;
	if (p->ttl) {
		opts[*n] = v6 ? (struct ip_opt){IPPROTO_IPV6, IPV6_UNICAST_HOPS, 0, "hop limit"}
			      : (struct ip_opt){IPPROTO_IP, IP_TTL, 0, "TTL"};
		want[(*n)++] = p->ttl;
	}
	if (p->tos >= 0) {
		opts[*n] = v6 ? (struct ip_opt){IPPROTO_IPV6, IPV6_TCLASS, 0, "traffic class"}
			      : (struct ip_opt){IPPROTO_IP, IP_TOS, 0, "TOS"};
		want[(*n)++] = p->tos;
	}
	if (p->df >= 0) {
		opts[*n] = v6 ? (struct ip_opt){IPPROTO_IPV6, IPV6_DONTFRAG, 0, "IPV6_DONTFRAG"}
			      : (struct ip_opt){IPPROTO_IP, IP_MTU_DISCOVER, 0, "don't fragment"};
		want[(*n)++] = v6 ? p->df : p->df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
	}
	for (i = 0; i < *n; i++) {
		socklen_t len = sizeof(opts[i].old);

		if (getsockopt(fd, opts[i].level, opts[i].name, &opts[i].old, &len))
			return diag_errno(d, "cannot read the probe socket's %s", opts[i].what);
		if (setsockopt(fd, opts[i].level, opts[i].name, &want[i], sizeof(want[i])))
			return diag_errno(d, "cannot set the probe's %s to %d", opts[i].what,
					  want[i]);
	}
	return 0;
}

/* Puts back the options ip_opts_set() changed on a socket the lab shares. */
static void ip_opts_restore(int fd, const struct ip_opt *opts, size_t n)
{
	while (n--)
		setsockopt(fd, opts[n].level, opts[n].name, &opts[n].old, sizeof(opts[n].old));
}

void probe_opts_fmt(const struct step_probe *p, char *buf, size_t len)
{
	size_t n = 0;
	int w;

#define OPT_FMT(...)                                         \
	do {                                                 \
		w = snprintf(buf + n, len - n, __VA_ARGS__); \
		if (w < 0 || (size_t)w >= len - n)           \
			return;                              \
		n += (size_t)w;                              \
	} while (0)
	if (!len)
		return;
	buf[0] = '\0';
	if (p->size != 56)
		OPT_FMT(" size %u", p->size);
	if (p->ttl)
		OPT_FMT(" %s %d", p->dst.family == AF_INET6 ? "hop-limit" : "ttl", p->ttl);
	if (p->tos >= 0)
		OPT_FMT(" %s 0x%02x", p->dst.family == AF_INET6 ? "tclass" : "tos", p->tos);
	if (p->df >= 0)
		OPT_FMT(" %s", p->df ? "df" : "no-df");
	if (p->interval_ns)
		OPT_FMT(" interval %llums", (unsigned long long)(p->interval_ns / 1000000));
#undef OPT_FMT
}

int probe_udp_fits(int fd, const struct step_probe *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	int v6only = 0, any, mapped;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET) {
		if (p->dst.family != AF_INET || ntohs(sin->sin_port) != p->sport)
			return 0;
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			return p->has_src ? 2 : 1;
		return !p->has_src || sin->sin_addr.s_addr == p->src.v4.s_addr;
	}
	if (ss.ss_family != AF_INET6 || ntohs(sin6->sin6_port) != p->sport)
		return 0;
	len = sizeof(v6only);
	getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
	any = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	mapped = IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr);
	if (p->dst.family == AF_INET) {
		/* A dual-stack socket sends IPv4 to a mapped address. */
		if (v6only || !(any || mapped))
			return 0;
		if (any)
			return p->has_src ? 2 : 1;
		return !p->has_src || !memcmp(&sin6->sin6_addr.s6_addr[12], &p->src.v4, 4);
	}
	if (mapped)
		return 0;
	if (any)
		return p->has_src ? 2 : 1;
	return !p->has_src || !memcmp(&sin6->sin6_addr, &p->src.v6, 16);
}

int probe_udp_sendto(int fd, const struct step_probe *p, bool set_src, struct diag *d)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct sockaddr_storage ss, own;
	socklen_t own_len = sizeof(own);
	struct iovec iov = {.iov_base = p->payload ? p->payload : "", .iov_len = p->payload_len};
	struct msghdr msg = {.msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1};
	struct ip_opt opts[3];
	size_t n_opts;
	bool v6sock;
	int rc = 0;

	if (getsockname(fd, (struct sockaddr *)&own, &own_len))
		return diag_errno(d, "getsockname");
	v6sock = own.ss_family == AF_INET6;
	msg.msg_namelen = probe_sockaddr(&ss, &p->dst, p->dport);
	if (v6sock && p->dst.family == AF_INET) {
		struct ipaddr mapped = {.family = AF_INET6};

		/* ::ffff:a.b.c.d, for a dual-stack socket */
		mapped.v6.s6_addr[10] = mapped.v6.s6_addr[11] = 0xff;
		memcpy(&mapped.v6.s6_addr[12], &p->dst.v4, 4);
		msg.msg_namelen = probe_sockaddr(&ss, &mapped, p->dport);
	}
	if (set_src) {
		/* The source address of this datagram, from a socket bound to any. */
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		if (v6sock) {
			struct in6_pktinfo pi = {0};

			if (p->src.family == AF_INET) {
				pi.ipi6_addr.s6_addr[10] = pi.ipi6_addr.s6_addr[11] = 0xff;
				memcpy(&pi.ipi6_addr.s6_addr[12], &p->src.v4, 4);
			} else {
				pi.ipi6_addr = p->src.v6;
			}
			msg.msg_controllen = CMSG_SPACE(sizeof(pi));
			ctl.h.cmsg_level = IPPROTO_IPV6;
			ctl.h.cmsg_type = IPV6_PKTINFO;
			ctl.h.cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(&ctl.h), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = {.ipi_spec_dst = p->src.v4};

			msg.msg_controllen = CMSG_SPACE(sizeof(pi));
			ctl.h.cmsg_level = IPPROTO_IP;
			ctl.h.cmsg_type = IP_PKTINFO;
			ctl.h.cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(&ctl.h), &pi, sizeof(pi));
		}
	}
	/* Per datagram: a socket the lab shares keeps its own options for the next one. */
	if (ip_opts_set(fd, p, opts, &n_opts, d))
		rc = -1;
	else if (sendmsg(fd, &msg, 0) < 0)
		rc = diag_errno(d, errno == EMSGSIZE && p->df == 1
					   ? "cannot send the UDP datagram with don't fragment"
					   : "cannot send the UDP datagram");
	ip_opts_restore(fd, opts, n_opts);
	return rc;
}

int probe_udp_send(int nsfd, const struct step_probe *p, struct diag *d)
{
	int fd, one = 1;

	fd = socket_in(nsfd, p->dst.family, SOCK_DGRAM, 0, d);
	if (fd < 0)
		return -1;
	/* IPv6 only: the port stays free for an IPv4 probe (and listener) of the lab. */
	if (p->dst.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind_source(fd, p, false, d) || probe_udp_sendto(fd, p, false, d)) {
		close(fd);
		return -1;
	}
	return fd;
}

int probe_tcp_start(int nsfd, const struct step_probe *p, struct diag *d)
{
	struct sockaddr_storage ss;
	struct ip_opt opts[3];
	size_t n_opts;
	socklen_t len;
	int fd;

	fd = socket_in(nsfd, p->dst.family, SOCK_STREAM, 0, d);
	if (fd < 0)
		return -1;
	if (bind_source(fd, p, true, d) || ip_opts_set(fd, p, opts, &n_opts, d))
		goto err;
	len = probe_sockaddr(&ss, &p->dst, p->dport);
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		/* Refusals decided at once (a local route error) surface via SO_ERROR too. */
		if (errno != ECONNREFUSED && errno != ENETUNREACH && errno != EHOSTUNREACH) {
			diag_errno(d, "cannot start the TCP connect");
			goto err;
		}
	}
	return fd;
err:
	close(fd);
	return -1;
}

enum tcp_outcome probe_tcp_outcome(int fd, bool timed_out)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	switch (err) {
	case 0:
		return timed_out ? TCP_TIMEOUT : TCP_CONNECTED;
	case ECONNREFUSED:
		return TCP_REFUSED;
	case ECONNRESET: /* connected, then reset before nflab looked */
		return TCP_RESET;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EACCES:
	case EPERM:
		return TCP_UNREACHABLE;
	default:
		return TCP_TIMEOUT;
	}
}

const char *probe_tcp_outcome_name(enum tcp_outcome o)
{
	static const char *const names[] = {"any",     "connected",   "refused",
					    "timeout", "unreachable", "reset"};

	return (unsigned int)o < 6 ? names[o] : "?";
}

int probe_ping_open(int nsfd, const struct step_probe *p, struct diag *d)
{
	int v6 = p->dst.family == AF_INET6;
	int fd = socket_in(nsfd, p->dst.family, SOCK_RAW, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, d);
	struct ip_opt opts[3];
	size_t n_opts;

	if (fd < 0)
		return -1;
	if (bind_source(fd, p, false, d) || ip_opts_set(fd, p, opts, &n_opts, d)) {
		close(fd);
		return -1;
	}
	return fd;
}

int probe_ping_send(int fd, const struct step_probe *p, uint16_t seq, struct diag *d)
{
	size_t i, size = 8 + (size_t)p->size;
	uint8_t *msg = xmalloc(size);
	struct sockaddr_storage ss;
	socklen_t len = probe_sockaddr(&ss, &p->dst, 0);
	int rc = 0;

	memset(msg, 0, size);
	msg[0] = p->dst.family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	msg[4] = (uint8_t)(p->echo_id >> 8);
	msg[5] = (uint8_t)p->echo_id;
	msg[6] = (uint8_t)(seq >> 8);
	msg[7] = (uint8_t)seq;
	for (i = 8; i < size; i++)
		msg[i] = (uint8_t)i;
	/* The kernel fills the ICMPv6 checksum (it needs the pseudo-header); ICMPv4 is ours. */
	if (p->dst.family == AF_INET) {
		uint16_t c = htons(craft_csum(msg, size, 0));

		memcpy(msg + 2, &c, 2);
	}
	if (sendto(fd, msg, size, 0, (struct sockaddr *)&ss, len) < 0) {
		/* Don't fragment, and the path MTU the sender knows is smaller: as ping says. */
		if (errno == EMSGSIZE && p->df == 1)
			rc = 1;
		else
			rc = diag_errno(d, "cannot send the echo request");
	}
	free(msg);
	return rc;
}

int probe_ping_replies(int fd, const struct step_probe *p)
{
	uint8_t buf[2048];
	int n = 0;

	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		const uint8_t *icmp = buf;
		size_t left = r > 0 ? (size_t)r : 0;

		if (r < 0)
			return n;
		if (p->dst.family == AF_INET) {
			size_t ihl = left ? (size_t)(buf[0] & 0x0f) * 4 : 0;

			/* IPv4 raw sockets deliver the IP header too. */
			if (ihl < 20 || left < ihl + 8)
				continue;
			icmp += ihl;
			left -= ihl;
			if (icmp[0] != ICMP_ECHOREPLY)
				continue;
			if (memcmp(&((struct sockaddr_in *)&from)->sin_addr, &p->dst.v4, 4))
				continue;
		} else {
			if (left < 8 || icmp[0] != ICMP6_ECHO_REPLY)
				continue;
			if (memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr, &p->dst.v6, 16))
				continue;
		}
		if ((uint16_t)(icmp[4] << 8 | icmp[5]) == p->echo_id)
			n++;
	}
}

int probe_listen(int nsfd, const struct step_listen *l, struct diag *d)
{
	int family = l->family == AF_INET ? AF_INET : AF_INET6;
	int type = l->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	struct ipaddr any = {.family = family};
	struct sockaddr_storage ss;
	socklen_t len = probe_sockaddr(&ss, &any, l->port);
	int fd, one = 1, v6only = l->family == AF_INET6;

	fd = socket_in(nsfd, family, type, 0, d);
	if (fd < 0)
		return -1;
	/* TCP: past TIME_WAIT. Not UDP: it would share the port with a program's socket. */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only))) {
		diag_errno(d, "IPV6_V6ONLY");
		goto err;
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		diag_errno(d, "cannot bind port %u", l->port);
		goto err;
	}
	if (type == SOCK_STREAM && listen(fd, 128)) {
		diag_errno(d, "cannot listen on port %u", l->port);
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}
