// SPDX-License-Identifier: GPL-2.0-or-later
/* What a packet says at the application layer: DNS questions and answers, HTTP lines. */
#include "observe/app.h"

#include <stdio.h>
#include <string.h>

#include "util/ipaddr.h"

#define DNS_PORT      53
#define DNS_HDR	      12
#define DNS_MAX_JUMPS 16 /* compression pointers followed in one name: loops end here */
#define DNS_ANSWERS   3	 /* answers shown; more are "..." */
#define HTTP_TARGET   60 /* characters of a request target shown */
#define HTTP_REASON   40

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A byte of a name or a line as text: printable, no spaces or backslashes. */
static char safe(uint8_t c)
{
	return c > ' ' && c < 0x7f && c != '\\' ? (char)c : '?';
}

/*
 * Reads the name at *off of the message m (len bytes) into out (olen > 0), as
 * "www.example.com" ("." for the root), following compression pointers, and
 * moves *off past it. Returns false when it runs off the message or loops.
 */
static bool dns_name(const uint8_t *m, size_t len, size_t *off, char *out, size_t olen)
{
	size_t pos = *off, n = 0, jumps = 0;
	bool jumped = false;

	out[0] = '\0';
	for (;;) {
		uint8_t l;
		size_t i;

		if (pos >= len)
			return false;
		l = m[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > DNS_MAX_JUMPS)
				return false;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			pos = (size_t)(l & 0x3f) << 8 | m[pos + 1];
			continue;
		}
		if (l & 0xc0) /* extended label types: not names we can show */
			return false;
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			if (n == 0 && olen > 1)
				snprintf(out, olen, ".");
			return true;
		}
		if (pos + 1 + l > len)
			return false;
		for (i = 0; i <= l; i++) {
			char c = i == 0 ? (n ? '.' : '\0') : safe(m[pos + i]);

			if (!c)
				continue;
			if (n + 1 < olen) {
				out[n++] = c;
				out[n] = '\0';
			}
		}
		pos += 1u + l;
	}
}

static const char *dns_type(uint16_t t, char *buf, size_t len)
{
	static const struct {
		uint16_t t;
		const char *name;
	} types[] = {{1, "A"},	   {2, "NS"},	  {5, "CNAME"}, {6, "SOA"},  {12, "PTR"},
		     {15, "MX"},   {16, "TXT"},	  {28, "AAAA"}, {33, "SRV"}, {41, "OPT"},
		     {64, "SVCB"}, {65, "HTTPS"}, {255, "ANY"}};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].name;
	snprintf(buf, len, "TYPE%u", t);
	return buf;
}

static const char *dns_rcode(unsigned int r, char *buf, size_t len)
{
	static const char *const names[] = {"NOERROR",	"FORMERR", "SERVFAIL",
					    "NXDOMAIN", "NOTIMP",  "REFUSED"};

	if (r < sizeof(names) / sizeof(names[0]))
		return names[r];
	snprintf(buf, len, "RCODE%u", r);
	return buf;
}

/* Appends to buf (used n of blen) as snprintf does, never past the end. */
#define APPEND(...)                                                                        \
	do {                                                                               \
		if (n < blen) {                                                            \
			int w_ = snprintf(buf + n, blen - n, __VA_ARGS__);                 \
			n = w_ < 0 ? blen : n + (size_t)w_ > blen ? blen : n + (size_t)w_; \
		}                                                                          \
	} while (0)

/* One answer's data, as text: an address or a name (CNAME, PTR, NS); false for others. */
static bool dns_rdata(const uint8_t *m, size_t len, size_t off, uint16_t type, uint16_t rdlen,
		      char *out, size_t olen)
{
	struct ipaddr a = {0};
	size_t at = off;

	if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
		a.family = type == 1 ? AF_INET : AF_INET6;
		memcpy(a.b, m + off, rdlen);
		if (olen >= IPADDR_STRLEN) {
			ipaddr_fmt(&a, out);
			return true;
		}
		return false;
	}
	if (type == 5 || type == 12 || type == 2)
		return dns_name(m, len, &at, out, olen) && at <= off + rdlen;
	return false;
}

/* A DNS message m (len bytes): its first question, and for a response its rcode or answers. */
static bool dns_summary(const uint8_t *m, size_t len, char *buf, size_t blen)
{
	char name[256], rd[256], tb[16];
	size_t off = DNS_HDR, n = 0, shown = 0;
	uint16_t qtype, qd, an, i;
	bool response;
	unsigned int rcode;

	if (len < DNS_HDR)
		return false;
	response = m[2] & 0x80;
	rcode = m[3] & 0x0f;
	qd = get16(m + 4);
	an = get16(m + 6);
	if (qd < 1 || (m[2] & 0x78) != 0 /* opcode QUERY only */ ||
	    !dns_name(m, len, &off, name, sizeof(name)) || off + 4 > len)
		return false;
	qtype = get16(m + off);
	off += 4;
	APPEND("DNS %s %s %s", response ? "response" : "query", dns_type(qtype, tb, sizeof(tb)),
	       name);
	if (!response)
		return true;
	if (rcode) {
		APPEND(": %s", dns_rcode(rcode, tb, sizeof(tb)));
		return true;
	}
	/* Further questions (there is hardly ever more than one) come before the answers. */
	for (i = 1; i < qd; i++)
		if (!dns_name(m, len, &off, rd, sizeof(rd)) || (off += 4) > len)
			return true;
	for (i = 0; i < an; i++) {
		uint16_t type, rdlen;

		if (!dns_name(m, len, &off, rd, sizeof(rd)) || off + 10 > len)
			break;
		type = get16(m + off);
		rdlen = get16(m + off + 8);
		off += 10;
		if (off + rdlen > len)
			break;
		if (dns_rdata(m, len, off, type, rdlen, rd, sizeof(rd))) {
			if (shown == DNS_ANSWERS) {
				APPEND(", ...");
				break;
			}
			APPEND("%s%s", shown ? ", " : " -> ", rd);
			shown++;
		}
		off += rdlen;
	}
	if (!an)
		APPEND(": no answer");
	return true;
}

static const char *const http_methods[] = {"GET",     "HEAD",	 "POST",  "PUT",  "DELETE",
					   "OPTIONS", "CONNECT", "TRACE", "PATCH"};

/* Copies up to max bytes of s (len) as safe text until a space or line end; returns bytes read. */
static size_t http_word(const uint8_t *s, size_t len, size_t max, char *out, size_t olen)
{
	size_t i, k = 0;

	for (i = 0; i < len && s[i] != ' ' && s[i] != '\r' && s[i] != '\n'; i++)
		if (i < max && k + 1 < olen)
			out[k++] = safe(s[i]);
	out[k] = '\0';
	if (i > max && k + 4 < olen)
		memcpy(out + k, "...", 4);
	return i;
}

/* A request line "GET /path HTTP/1.1" or a status line "HTTP/1.1 200 OK" at the start of s. */
static bool http_summary(const uint8_t *s, size_t len, char *buf, size_t blen)
{
	char word[HTTP_TARGET + 8], reason[HTTP_REASON + 8];
	size_t i, at, n = 0;

	if (len >= 12 && !memcmp(s, "HTTP/1.", 7) && s[8] == ' ' && s[9] >= '1' && s[9] <= '5' &&
	    s[10] >= '0' && s[10] <= '9' && s[11] >= '0' && s[11] <= '9') {
		size_t k = 0;

		/* The reason phrase may have spaces: up to the line's end. */
		for (i = 13; len >= 13 && s[12] == ' ' && i < len && s[i] != '\r' && s[i] != '\n';
		     i++)
			if (k < HTTP_REASON)
				reason[k++] = s[i] == ' ' ? ' ' : safe(s[i]);
		reason[k] = '\0';
		APPEND("HTTP %.3s%s%s", (const char *)s + 9, k ? " " : "", reason);
		return true;
	}
	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		size_t ml = strlen(http_methods[i]);

		if (len <= ml + 1 || memcmp(s, http_methods[i], ml) || s[ml] != ' ')
			continue;
		at = ml + 1;
		at += http_word(s + at, len - at, HTTP_TARGET, word, sizeof(word));
		/* Only a whole request line counts: "GET x HTTP/1.1" or HTTP/1.0's own. */
		if (!word[0] || at + 8 > len || memcmp(s + at, " HTTP/1.", 8))
			return false;
		APPEND("HTTP %s %s", http_methods[i], word);
		return true;
	}
	return false;
}

bool app_summary(const struct pkt *p, const uint8_t *payload, size_t len, char *buf, size_t blen)
{
	const struct pkt_hdrs *h = &p->outer;

	if (!blen || !payload || !len || !(h->present & (PKT_IP4 | PKT_IP6)) ||
	    (h->present & PKT_FRAG) || p->has_inner)
		return false;
	if ((h->present & PKT_UDP) && (h->sport == DNS_PORT || h->dport == DNS_PORT))
		return dns_summary(payload, len, buf, blen);
	if (!(h->present & PKT_TCP))
		return false;
	/* DNS over TCP: one message per segment, behind its two-byte length. */
	if ((h->sport == DNS_PORT || h->dport == DNS_PORT) && len > 2 &&
	    (size_t)get16(payload) <= len - 2)
		return dns_summary(payload + 2, get16(payload), buf, blen);
	return http_summary(payload, len, buf, blen);
}

bool app_frame_summary(const struct pkt *p, const uint8_t *frame, size_t caplen, char *buf,
		       size_t blen)
{
	size_t plen = p->outer.payload_len;

	if (!frame || plen == 0 || plen > caplen)
		return false;
	return app_summary(p, frame + caplen - plen, plen, buf, blen);
}
