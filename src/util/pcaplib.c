// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpcap, loaded on first use. Linked, it and the libraries it needs (libdbus,
 * libsystemd, libgcrypt and five more) are mapped and relocated at every start,
 * about 1 MB of memory and a few milliseconds, though only filters, classic pcap
 * files and replayed captures use it. These definitions stand in for libpcap's
 * own functions and call them once the library is loaded; where it cannot be,
 * each fails as libpcap's would (NULL, PCAP_ERROR) and pcap_geterr() says why.
 */
#include <dlfcn.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>

#define PCAPLIB_SONAME "libpcap.so.0.8" /* Debian's and Fedora's name for libpcap 1.x */

static struct {
	void (*close)(pcap_t *);
	int (*compile)(pcap_t *, struct bpf_program *, const char *, int, bpf_u_int32);
	int (*datalink)(pcap_t *);
	const char *(*dlt_description)(int);
	const char *(*dlt_name)(int);
	void (*dump)(u_char *, const struct pcap_pkthdr *, const u_char *);
	void (*dump_close)(pcap_dumper_t *);
	int (*dump_flush)(pcap_dumper_t *);
	pcap_dumper_t *(*dump_fopen)(pcap_t *, FILE *);
	pcap_t *(*fopen_offline_prec)(FILE *, u_int, char *);
	void (*freecode)(struct bpf_program *);
	char *(*geterr)(pcap_t *);
	int (*next_ex)(pcap_t *, struct pcap_pkthdr **, const u_char **);
	int (*offline_filter)(const struct bpf_program *, const struct pcap_pkthdr *,
			      const u_char *);
	pcap_t *(*open_dead)(int, int);
	pcap_t *(*open_dead_prec)(int, int, u_int);
} lib;
static int loaded; /* 1 loaded, -1 cannot be */
static char why[256] = "libpcap not loaded";

#define SYM(field, name)                                                      \
	do {                                                                  \
		*(void **)&lib.field = dlsym(h, name);                        \
		if (!lib.field) {                                             \
			snprintf(why, sizeof(why), "libpcap: no %s", name);   \
			return (loaded = -1) > 0;                             \
		}                                                             \
	} while (0)

static int load(void)
{
	void *h;

	if (loaded)
		return loaded > 0;
	h = dlopen(PCAPLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libpcap.so", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "cannot load libpcap: %s", dlerror());
		loaded = -1;
		return 0;
	}
	SYM(close, "pcap_close");
	SYM(compile, "pcap_compile");
	SYM(datalink, "pcap_datalink");
	SYM(dlt_description, "pcap_datalink_val_to_description");
	SYM(dlt_name, "pcap_datalink_val_to_name");
	SYM(dump, "pcap_dump");
	SYM(dump_close, "pcap_dump_close");
	SYM(dump_flush, "pcap_dump_flush");
	SYM(dump_fopen, "pcap_dump_fopen");
	SYM(fopen_offline_prec, "pcap_fopen_offline_with_tstamp_precision");
	SYM(freecode, "pcap_freecode");
	SYM(geterr, "pcap_geterr");
	SYM(next_ex, "pcap_next_ex");
	SYM(offline_filter, "pcap_offline_filter");
	SYM(open_dead, "pcap_open_dead");
	SYM(open_dead_prec, "pcap_open_dead_with_tstamp_precision");
	loaded = 1;
	return 1;
}

/* Every pcap_t and dumper comes from the library: calls on them find it loaded. */
void pcap_close(pcap_t *p)
{
	lib.close(p);
}

int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize,
		 bpf_u_int32 netmask)
{
	return lib.compile(p, fp, str, optimize, netmask);
}

int pcap_datalink(pcap_t *p)
{
	return lib.datalink(p);
}

const char *pcap_datalink_val_to_description(int dlt)
{
	return load() ? lib.dlt_description(dlt) : NULL;
}

const char *pcap_datalink_val_to_name(int dlt)
{
	return load() ? lib.dlt_name(dlt) : NULL;
}

void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *sp)
{
	lib.dump(user, h, sp);
}

void pcap_dump_close(pcap_dumper_t *p)
{
	lib.dump_close(p);
}

int pcap_dump_flush(pcap_dumper_t *p)
{
	return lib.dump_flush(p);
}

pcap_dumper_t *pcap_dump_fopen(pcap_t *p, FILE *fp)
{
	return lib.dump_fopen(p, fp);
}

pcap_t *pcap_fopen_offline_with_tstamp_precision(FILE *fp, u_int precision, char *errbuf)
{
	if (!load()) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", why);
		return NULL;
	}
	return lib.fopen_offline_prec(fp, precision, errbuf);
}

void pcap_freecode(struct bpf_program *fp)
{
	lib.freecode(fp);
}

char *pcap_geterr(pcap_t *p)
{
	return lib.geterr(p);
}

int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **h, const u_char **data)
{
	return lib.next_ex(p, h, data);
}

int pcap_offline_filter(const struct bpf_program *fp, const struct pcap_pkthdr *h,
			const u_char *pkt)
{
	return lib.offline_filter(fp, h, pkt);
}

pcap_t *pcap_open_dead(int linktype, int snaplen)
{
	return load() ? lib.open_dead(linktype, snaplen) : NULL;
}

pcap_t *pcap_open_dead_with_tstamp_precision(int linktype, int snaplen, u_int precision)
{
	return load() ? lib.open_dead_prec(linktype, snaplen, precision) : NULL;
}
