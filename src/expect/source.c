// SPDX-License-Identifier: GPL-2.0-or-later
/* What each expectation source is: its lab-file key, events, fields and words for reports. */
#include "expect/source.h"

#include <string.h>

const struct source_def sources[SRC_COUNT] = {
	[SRC_CAPTURE] = {"at",
			 EV_PACKET,
			 false,
			 {pkt_fields, NULL},
			 {"packet", "packets"},
			 "packets",
			 "ip.src, icmp.type, inner.ip.dst ..."},
	[SRC_CT_EVENT] = {"conntrack",
			  EV_CT,
			  false,
			  {ct_fields, NULL},
			  {"conntrack event", "conntrack events"},
			  "conntrack events",
			  "ct.orig.src, ct.status, ct.state ..."},
	[SRC_CT_TABLE] = {"conntrack-table",
			  EV_CT,
			  true,
			  {ct_fields, NULL},
			  {"conntrack entry", "conntrack entries"},
			  "conntrack table",
			  "ct.orig.src, ct.status, ct.state ..."},
	[SRC_NFLOG] = {"nflog",
		       EV_LOG,
		       false,
		       {log_fields, pkt_fields},
		       {"NFLOG record", "NFLOG records"},
		       "NFLOG records",
		       "log.prefix, log.ct.state, ip.src ..."},
	[SRC_TRACE] = {"trace",
		       EV_TRACE,
		       false,
		       {trace_fields, pkt_fields},
		       {"trace event", "trace events"},
		       "nft trace events",
		       "trace.chain, trace.verdict, trace.ct.state, ip.src ..."},
	[SRC_COUNTERS] = {"counters",
			  EV_COUNTER,
			  true,
			  {counter_fields, NULL},
			  {"counter", "counters"},
			  "counters",
			  "counter.comment, counter.name, counter.packets, set.elem, quota.used ..."},
	[SRC_FATE] = {"fate",
		      EV_FATE,
		      true,
		      {fate_fields, pkt_fields},
		      {"packet fate", "packet fates"},
		      "packet fates",
		      "fate, fate.rule, fate.chain, fate.node, ip.dst ..."},
	[SRC_CT_EXPECT] = {"conntrack-expect",
			   EV_CT_EXP,
			   true,
			   {exp_fields, NULL},
			   {"conntrack expectation", "conntrack expectations"},
			   "conntrack expectations",
			   "exp.dst, exp.dport, exp.helper, exp.master.dport ..."},
};

const struct field_def *source_field(enum expect_source src, const char *name)
{
	const struct field_def *f = NULL;
	size_t i;

	for (i = 0; i < 2 && !f && sources[src].fields[i]; i++)
		f = field_find(sources[src].fields[i], name);
	return f;
}

/* Whether f's name starts with one of prefixes (NULL-terminated). */
static bool named(const struct field_def *f, const char *const *prefixes)
{
	for (; f && *prefixes; prefixes++)
		if (!strncmp(f->name, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

/* The first field of e named with one of prefixes, in its match or distinct. */
static const char *reads(const struct step_expect *e, const char *const *prefixes)
{
	size_t i;

	for (i = 0; i < e->n_preds; i++)
		if (named(e->preds[i].field, prefixes))
			return e->preds[i].field->name;
	return named(e->distinct, prefixes) ? e->distinct->name : NULL;
}

const char *expect_trace_ct_field(const struct step_expect *e)
{
	static const char *const prefixes[] = {"trace.ct.", "fate.ct.", NULL};

	return e->source == SRC_TRACE || e->source == SRC_FATE ? reads(e, prefixes) : NULL;
}

const char *expect_log_ct_field(const struct step_expect *e)
{
	static const char *const prefixes[] = {"log.ct.", NULL};

	return e->source == SRC_NFLOG ? reads(e, prefixes) : NULL;
}

size_t expect_without_ct(const struct step_expect *e, struct pred *out)
{
	static const char *const prefixes[] = {"trace.ct.", "fate.ct.", "log.ct.", NULL};
	size_t i, n = 0;

	for (i = 0; i < e->n_preds; i++)
		if (!named(e->preds[i].field, prefixes))
			out[n++] = e->preds[i];
	return n;
}
