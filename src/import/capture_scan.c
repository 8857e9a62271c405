// SPDX-License-Identifier: GPL-2.0-or-later
/* A customer's capture (pcap or pcapng) walked frame by frame: its interfaces and each frame's addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/capture_scan.h"
#include "import/json_file.h"
#include "util/outfile.h"
#include "util/xalloc.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_PB  2u /* obsolete packet block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_BOM 0x1A2B3C4Du

#define LINKTYPE_NULL	   0
#define LINKTYPE_ETHERNET  1
#define LINKTYPE_RAW	   101
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_IPV4	   228
#define LINKTYPE_IPV6	   229
#define LINKTYPE_SLL2	   276

struct reader {
	const char *path;
	bool swap; /* the file's byte order is not ours */
};

static uint32_t u32(const struct reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t u16(const struct reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

static void ip_of(const uint8_t *p, size_t len, struct cap_frame *fr)
{
	if (len >= 20 && (p[0] >> 4) == 4) {
		fr->src.family = fr->dst.family = AF_INET;
		memcpy(&fr->src.v4, p + 12, 4);
		memcpy(&fr->dst.v4, p + 16, 4);
		fr->has_ip = true;
	} else if (len >= 40 && (p[0] >> 4) == 6) {
		fr->src.family = fr->dst.family = AF_INET6;
		memcpy(&fr->src.v6, p + 8, 16);
		memcpy(&fr->dst.v6, p + 24, 16);
		fr->has_ip = true;
	}
}

/* The addresses of one frame of link type lt. */
static void frame_parse(uint16_t lt, const uint8_t *p, size_t len, struct cap_frame *fr)
{
	uint16_t type;

	switch (lt) {
	case LINKTYPE_ETHERNET:
		if (len < 14)
			return;
		fr->has_eth = true;
		memcpy(fr->eth_dst, p, 6);
		memcpy(fr->eth_src, p + 6, 6);
		type = (uint16_t)(p[12] << 8 | p[13]);
		p += 14;
		len -= 14;
		while ((type == 0x8100 || type == 0x88a8) && len >= 4) { /* VLAN tags */
			type = (uint16_t)(p[2] << 8 | p[3]);
			p += 4;
			len -= 4;
		}
		if (type == 0x0800 || type == 0x86dd)
			ip_of(p, len, fr);
		return;
	case LINKTYPE_LINUX_SLL:
		if (len >= 16)
			ip_of(p + 16, len - 16, fr);
		return;
	case LINKTYPE_SLL2:
		if (len >= 20)
			ip_of(p + 20, len - 20, fr);
		return;
	case LINKTYPE_NULL:
		if (len >= 4)
			ip_of(p + 4, len - 4, fr);
		return;
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		ip_of(p, len, fr);
		return;
	}
}

static void add_iface(struct capture *c, uint16_t lt, const char *name, size_t name_len)
{
	struct cap_iface *ci;

	XGROW(c->ifaces, c->n_ifaces, c->cap_ifaces);
	ci = &c->ifaces[c->n_ifaces++];
	memset(ci, 0, sizeof(*ci));
	ci->linktype = lt;
	if (name && name_len)
		ci->name = xstrndup(name, strnlen(name, name_len));
}

static void frame(struct capture *c, size_t iface, const uint8_t *p, size_t len, cap_frame_fn *fn,
		  void *arg)
{
	struct cap_frame fr = {.iface = iface};

	c->ifaces[iface].n_frames++;
	if (!fn)
		return;
	frame_parse(c->ifaces[iface].linktype, p, len, &fr);
	fn(&fr, arg);
}

static int read_pcap(struct capture *c, struct reader *r, cap_frame_fn *fn, void *arg,
		     struct diag *d)
{
	size_t off = 24;

	if (c->len < 24)
		return diag_set(d, "%s: cut short in its file header", r->path);
	add_iface(c, (uint16_t)u32(r, c->data + 20), NULL, 0);
	while (off < c->len) {
		uint32_t caplen;

		if (c->len - off < 16)
			return diag_set(d, "%s: cut short in the header of frame %zu", r->path,
					c->ifaces[0].n_frames + 1);
		caplen = u32(r, c->data + off + 8);
		if (caplen > c->len - off - 16)
			return diag_set(d, "%s: frame %zu (%u bytes) runs past the end of the file",
					r->path, c->ifaces[0].n_frames + 1, caplen);
		frame(c, 0, c->data + off + 16, caplen, fn, arg);
		off += 16 + (size_t)caplen;
	}
	return 0;
}

/* The if_name option of an interface description block's options, or NULL. */
static const char *idb_name(const struct reader *r, const uint8_t *opt, size_t len, size_t *n)
{
	while (len >= 4) {
		uint16_t code = u16(r, opt), olen = u16(r, opt + 2);
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;

		if (code == 0 || padded > len - 4)
			return NULL;
		if (code == 2) {
			*n = olen;
			return (const char *)opt + 4;
		}
		opt += 4 + padded;
		len -= 4 + padded;
	}
	return NULL;
}

static int read_pcapng(struct capture *c, struct reader *r, cap_frame_fn *fn, void *arg,
		       struct diag *d)
{
	size_t off = 0, base = 0; /* interfaces are numbered per section */

	while (off < c->len) {
		const uint8_t *b = c->data + off;
		uint32_t type, len;

		if (c->len - off < 12)
			return diag_set(d, "%s: cut short in a block header at byte %zu", r->path, off);
		type = u32(r, b);
		if (type == PCAPNG_SHB) {
			uint32_t bom;

			memcpy(&bom, b + 8, 4);
			if (bom != PCAPNG_BOM && __builtin_bswap32(bom) != PCAPNG_BOM)
				return diag_set(d, "%s: a section at byte %zu has no byte-order magic",
						r->path, off);
			r->swap = bom != PCAPNG_BOM;
			base = c->n_ifaces;
		}
		len = u32(r, b + 4);
		if (len < 12 || len % 4 || len > c->len - off)
			return diag_set(d, "%s: the block at byte %zu has a length of %u: %s", r->path,
					off, len, len > c->len - off ? "past the end of the file"
								     : "not a block length");
		if (type == PCAPNG_IDB) {
			size_t n = 0;
			const char *name = len >= 20 ? idb_name(r, b + 16, len - 20, &n) : NULL;

			if (len < 20)
				return diag_set(d, "%s: the interface block at byte %zu is too short",
						r->path, off);
			add_iface(c, u16(r, b + 8), name, n);
		} else if (type == PCAPNG_EPB || type == PCAPNG_PB) {
			uint32_t id = type == PCAPNG_EPB ? u32(r, b + 8) : u16(r, b + 8);
			uint32_t caplen = len >= 32 ? u32(r, b + 20) : 0;

			if (len < 32 || caplen > len - 32)
				return diag_set(d, "%s: the packet block at byte %zu is cut short",
						r->path, off);
			if (base + id >= c->n_ifaces)
				return diag_set(d, "%s: the packet block at byte %zu names interface "
						   "%u, which no interface block described",
						r->path, off, id);
			frame(c, base + id, b + 28, caplen, fn, arg);
		} else if (type == PCAPNG_SPB) {
			if (len < 16)
				return diag_set(d, "%s: the simple packet block at byte %zu is too "
						   "short",
						r->path, off);
			if (base >= c->n_ifaces)
				return diag_set(d, "%s: a simple packet block at byte %zu comes before "
						   "any interface block",
						r->path, off);
			frame(c, base, b + 12, len - 16, fn, arg);
		}
		off += len;
	}
	return 0;
}

int capture_read(const char *path, struct capture *c, cap_frame_fn *fn, void *arg, struct diag *d)
{
	struct reader r = {.path = path};
	uint32_t magic;

	memset(c, 0, sizeof(*c));
	c->data = (uint8_t *)file_slurp(path, &c->len, d);
	if (!c->data)
		return -1;
	if (c->len < 4)
		return diag_set(d, "%s: not a pcap or pcapng capture (%zu bytes)", path, c->len);
	memcpy(&magic, c->data, 4);
	if (magic == PCAPNG_SHB) {
		c->pcapng = true;
		return read_pcapng(c, &r, fn, arg, d);
	}
	if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
		return read_pcap(c, &r, fn, arg, d);
	r.swap = true;
	if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
		return read_pcap(c, &r, fn, arg, d);
	return diag_set(d, "%s: not a pcap or pcapng capture (it starts with %02x %02x %02x %02x)",
			path, c->data[0], c->data[1], c->data[2], c->data[3]);
}

void capture_release(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->n_ifaces; i++)
		free(c->ifaces[i].name);
	free(c->ifaces);
	free(c->data);
	memset(c, 0, sizeof(*c));
}

int capture_split(const struct capture *c, size_t iface, const char *out_path, struct diag *d)
{
	struct reader r = {0};
	uint8_t *out = xmalloc(c->len);
	size_t off = 0, n = 0, base = 0, k = 0;
	int rc;

	/* blocks were checked by capture_read(); sections after the first are left out */
	while (off < c->len) {
		const uint8_t *b = c->data + off;
		uint32_t type = u32(&r, b), len;

		if (type == PCAPNG_SHB) {
			uint32_t bom;

			memcpy(&bom, b + 8, 4);
			r.swap = bom != PCAPNG_BOM;
			type = u32(&r, b);
			base = k;
		}
		len = u32(&r, b + 4);
		if ((type == PCAPNG_SHB && off == 0) || (type == PCAPNG_IDB && k++ == iface)) {
			memcpy(out + n, b, len);
			n += len;
		} else if (type == PCAPNG_EPB && base + u32(&r, b + 8) == iface) {
			uint32_t zero = 0;

			memcpy(out + n, b, len);
			memcpy(out + n + 8, &zero, 4); /* its interface is the file's only one */
			n += len;
		}
		off += len;
	}
	rc = outfile_write(out_path, out, n, d);
	free(out);
	return rc;
}
