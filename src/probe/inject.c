// SPDX-License-Identifier: GPL-2.0-or-later
/* Crafted packets out of one socket per sender: frames at L2, IP packets at L3, in batches. */
#include "probe/inject.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe.h"
#include "topo/netns.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define BATCH 256 /* packets per sendmmsg */

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif

struct injector {
	int fd;
	bool l2;
	/* a burst's frames, patched in place batch after batch */
	uint8_t *slots;
	size_t slot_len;
};

struct injector *inj_open(int nsfd, int ifindex, int family, struct diag *d)
{
	struct injector *inj = xzalloc(sizeof(*inj));
	int one = 1;

	inj->l2 = ifindex > 0;
	if (netns_enter(nsfd, d)) {
		free(inj);
		return NULL;
	}
	/* Protocol 0: a sending socket receives nothing, so it never fills up. */
	inj->fd = inj->l2 ? socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)
			  : socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (inj->fd < 0)
		diag_errno(d, "cannot open a %s socket", inj->l2 ? "packet" : "raw IP");
	if (netns_restore(d) || inj->fd < 0)
		goto err;
	if (inj->l2) {
		struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};

		if (bind(inj->fd, (struct sockaddr *)&sll, sizeof(sll))) {
			diag_errno(d, "cannot bind a packet socket to interface %d", ifindex);
			goto err;
		}
		/*
		 * Not PACKET_QDISC_BYPASS: it would skip the taps, and captures on the
		 * sending interface must see what was sent. A veth has no queue anyway.
		 */
	} else if (family == AF_INET6 &&
		   setsockopt(inj->fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one))) {
		diag_errno(d, "IPV6_HDRINCL");
		goto err;
	}
	return inj;
err:
	inj_close(inj);
	return NULL;
}

int inj_take_fd(struct injector *inj)
{
	int fd = inj ? inj->fd : -1;

	if (inj)
		inj->fd = -1;
	return fd;
}

void inj_close(struct injector *inj)
{
	if (!inj)
		return;
	if (inj->fd >= 0)
		close(inj->fd);
	free(inj->slots);
	free(inj);
}

int inj_send(struct injector *inj, uint8_t *const *pkts, const size_t *lens, size_t n,
	     const struct ipaddr *dst, struct diag *d)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage ss;
	socklen_t sl = inj->l2 ? 0 : probe_sockaddr(&ss, dst, 0);
	size_t i, done = 0;

	while (done < n) {
		size_t k = n - done < BATCH ? n - done : BATCH;
		int sent;

		memset(msgs, 0, k * sizeof(*msgs));
		for (i = 0; i < k; i++) {
			iov[i].iov_base = pkts[done + i];
			iov[i].iov_len = lens[done + i];
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			if (sl) {
				msgs[i].msg_hdr.msg_name = &ss;
				msgs[i].msg_hdr.msg_namelen = sl;
			}
		}
		/*
		 * A short count means the next message failed: the loop sends the rest
		 * and gets its error. Whether what was taken left the interface is for
		 * the caller to check (a packet socket takes what a carrier-less device drops).
		 */
		sent = sendmmsg(inj->fd, msgs, (unsigned int)k, 0);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			return diag_errno(d, "cannot send");
		}
		if (sent == 0)
			return diag_set(d, "cannot send: the kernel took none of %zu packets", k);
		done += (size_t)sent;
	}
	return 0;
}

/* Writes the values of packet k's swept fields into frame. */
static void apply_sweeps(uint8_t *frame, const struct craft_layout *lay, const struct sweep *sw,
			 size_t n_sw, uint64_t k)
{
	size_t i;

	for (i = 0; i < n_sw; i++) {
		uint32_t v = sw[i].from + (uint32_t)(k % ((uint64_t)sw[i].to - sw[i].from + 1));

		switch (sw[i].field) {
		case SWEEP_SPORT:
			craft_patch16(frame, lay, lay->sport, (uint16_t)v, false, true);
			break;
		case SWEEP_DPORT:
			craft_patch16(frame, lay, lay->dport, (uint16_t)v, false, true);
			break;
		case SWEEP_IP_ID:
			craft_patch16(frame, lay, lay->ip_id, (uint16_t)v, true, false);
			break;
		case SWEEP_IP_SRC:
		case SWEEP_IP_DST: {
			size_t at = sw[i].field == SWEEP_IP_SRC ? lay->ip_src : lay->ip_dst;

			craft_patch16(frame, lay, at, (uint16_t)(v >> 16), true, true);
			craft_patch16(frame, lay, at + 2, (uint16_t)v, true, true);
			break;
		}
		}
	}
}

int inj_burst(struct injector *inj, const uint8_t *tmpl, const struct craft_layout *lay,
	      const struct sweep *sw, size_t n_sw, uint64_t count, uint64_t rate,
	      const struct ipaddr *dst, int (*between)(void *), void *arg, struct diag *d)
{
	uint8_t *pkts[BATCH];
	size_t lens[BATCH], batch = BATCH, i;
	uint64_t k = 0, start = now_mono_ns();

	/* Paced sends go out in small batches, about a millisecond's worth each. */
	if (rate && rate / 1000 < batch)
		batch = rate / 1000 ? (size_t)(rate / 1000) : 1;
	if (inj->slot_len < lay->len || !inj->slots) {
		free(inj->slots);
		inj->slots = xmalloc(BATCH * lay->len);
		inj->slot_len = lay->len;
	}
	for (i = 0; i < BATCH; i++) {
		pkts[i] = inj->slots + i * inj->slot_len;
		memcpy(pkts[i], tmpl, lay->len);
		lens[i] = lay->len;
	}
	while (k < count) {
		size_t n = count - k < batch ? (size_t)(count - k) : batch;

		for (i = 0; i < n && n_sw; i++)
			apply_sweeps(pkts[i], lay, sw, n_sw, k + i);
		if (inj_send(inj, pkts, lens, n, dst, d))
			return -1;
		k += n;
		if (between && between(arg))
			return -1;
		if (rate) {
			uint64_t due = start + k * 1000000000ull / rate;
			struct timespec ts = {(time_t)(due / 1000000000ull),
					      (long)(due % 1000000000ull)};

			/* Pacing, not synchronisation: the rate is what the lab asked for. */
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
	}
	return 0;
}
