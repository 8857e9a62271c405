// SPDX-License-Identifier: GPL-2.0-or-later
/* The ladder picture of a run: packet hops between node lifelines, in time order, as SVG. */
#include "report/ladder.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "report/draw.h"
#include "report/fate.h"
#include "report/svg.h"
#include "util/outfile.h"
#include "util/xalloc.h"

#define MARGIN	     20
#define TIME_W	     96	 /* the time column on the left */
#define HEAD_Y	     56	 /* top of the node boxes */
#define HEAD_H	     40	 /* node boxes */
#define TEXT_PX	     11	 /* every text but titles */
#define LH	     14	 /* px between text lines */
#define MIN_COL	     280 /* px between two lifelines */
#define MAX_COL	     440
#define MAX_GROUPS   400 /* packet groups drawn; a load probe's thousands make no picture */
#define ANSWER_GAP   100000000ull /* 100 ms: a reject's error follows the drop closer than this */
#define CT_TEXT	     64		  /* "ct RELATED reply [SRC_NAT] [DST_NAT]" */
#define DETAIL_LINES 10		  /* lines of a failure's explanation shown */

static const char css[] = ".title{font-size:16px;font-weight:bold}\n"
			  ".sub{font-size:11px;fill:#555}\n"
			  ".name{font-size:13px;font-weight:bold}\n"
			  ".role{font-size:10px;fill:#444}\n"
			  ".router{fill:#fde9c9;stroke:#b5651d;stroke-width:1.5}\n"
			  ".host{fill:#dfeaf7;stroke:#3b6ea8;stroke-width:1.5}\n"
			  ".life{stroke:#aaa;stroke-width:1;stroke-dasharray:4 4}\n"
			  ".sep{stroke:#e4e4e4;stroke-width:1}\n"
			  ".time{font-size:10px;fill:#777}\n"
			  ".pkt{font-size:11px;fill:#222}\n"
			  ".nat{font-size:11px;font-weight:bold;fill:#1a4d8f}\n"
			  ".ct{font-size:11px;fill:#6a1b9a}\n"
			  ".accept{font-size:11px;fill:#1b5e20}\n"
			  ".drop{font-size:11px;font-weight:bold;fill:#b71c1c}\n"
			  ".log{font-size:11px;fill:#444}\n"
			  ".probe{font-size:11px;fill:#555;font-style:italic}\n"
			  ".arrow{stroke:#333;stroke-width:1.3;fill:none}\n"
			  ".lost{stroke:#b71c1c;stroke-width:1.3;stroke-dasharray:6 3;fill:none}\n"
			  ".note{fill:#fffbe6;stroke:#c9b458;stroke-width:1}\n"
			  ".failtext{font-size:11px}\n"
			  ".pass{font-size:11px;fill:#1b5e20}\n"
			  ".hook{font-size:10px;font-style:italic;fill:#555}\n"
			  ".tick{stroke:#2e7d32;stroke-width:2.2;fill:none}\n"
			  ".xmark{stroke:#c62828;stroke-width:2.2;fill:none}\n";

/* The red of failures, written on the elements themselves so it survives without CSS. */
#define FAIL_FILL   "#fdecea"
#define FAIL_STROKE "#d32f2f"
#define FAIL_TEXT   "#b00020"

enum row_kind {
	ROW_ARROW, /* a packet hop between two nodes */
	ROW_NOTE,  /* what the kernel did at one node: conntrack, verdicts, rewrites */
	ROW_PROBE, /* a step that sent something, where it started */
	ROW_FAIL,  /* a failed step (or the error that stopped the lab), when it failed */
	ROW_MARK,  /* a failed check that matched too few, as a cross at its node */
};

/* Each line of a row starts with its style: one of the CSS classes below. */
enum style {
	ST_PKT,
	ST_NAT,
	ST_CT,
	ST_ACCEPT,
	ST_DROP,
	ST_LOG,
	ST_PROBE,
	ST_FAIL,
	ST_PASS,
	ST_HOOK,
};

static const char *const style_class[] = {
	[ST_PKT] = "pkt",   [ST_NAT] = "nat",	[ST_CT] = "ct",	      [ST_ACCEPT] = "accept",
	[ST_DROP] = "drop", [ST_LOG] = "log",	[ST_PROBE] = "probe", [ST_FAIL] = "failtext",
	[ST_PASS] = "pass", [ST_HOOK] = "hook",
};

/* A mark drawn where a check held (a tick) or failed (a cross). */
enum glyph {
	GLYPH_NONE = 0,
	GLYPH_TICK,
	GLYPH_CROSS,
};

struct row {
	enum row_kind kind;
	uint64_t ts;	    /* CLOCK_REALTIME ns, 0: none shown */
	bool approx;	    /* ts is where a kernel event belongs, not when it was read */
	size_t group;	    /* packet group, 0 for steps */
	size_t from, to;    /* columns: an arrow's ends; a note's column */
	bool lost;	    /* arrow: seen leaving, never arriving */
	bool unseen;	    /* arrow: seen arriving, never leaving */
	enum glyph at_from, at_to; /* arrow: a check's mark at its start, at its end; note,
				      mark: at its column (at_to) */
	int hook_shown;		   /* note: NF_INET_* + 1 of its latest "at hook:" line, 0: none */
	struct svg_lines l; /* text lines, each prefixed with its style as one char */
	double y, h;	    /* placed */
};

struct ladder {
	const struct timeline_ctx *c;
	const struct timeline_story *s;
	size_t *col; /* per node: its column */
	double col_gap;
	size_t wrap_note, wrap_wide; /* columns of text a note, a full-width row can hold */
	struct row *rows;
	size_t n_rows, cap_rows;
	size_t chatter, skipped; /* groups not drawn */
};

static struct row *row_new(struct ladder *ld, enum row_kind kind, uint64_t ts)
{
	struct row *r;

	XGROW(ld->rows, ld->n_rows, ld->cap_rows);
	r = &ld->rows[ld->n_rows++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->ts = ts;
	return r;
}

/* Adds text to a row, wrapped to cols, every line with the style. */
static void row_add(struct row *r, enum style st, const char *text, size_t cols)
{
	struct svg_lines w = {0};
	size_t i;

	svg_wrap(&w, text, cols);
	for (i = 0; i < w.n; i++) {
		char *line = xasprintf("%c%s", 'a' + st, w.v[i]);

		svg_lines_add(&r->l, line);
		free(line);
	}
	svg_lines_release(&w);
}

/* Whether r has a line of text (before wrapping: its first line). */
static bool has_line(const struct row *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->l.n; i++) {
		size_t n = strlen(r->l.v[i] + 1);

		/* Wrapping breaks at spaces: a first line is text up to one. */
		if (n && !strncmp(r->l.v[i] + 1, text, n) && (text[n] == '\0' || text[n] == ' '))
			return true;
	}
	return false;
}

/*
 * The ticks and crosses of the checks that matched ev, as lines of r; returns
 * the strongest glyph: a cross when any check failed on it, else a tick.
 */
static enum glyph add_marks(const struct ladder *ld, struct row *r, const struct event *ev,
			    size_t cols)
{
	const struct timeline_ctx *c = ld->c;
	enum glyph g = GLYPH_NONE;
	char text[600];
	size_t k;

	for (k = 0; k < c->n_marks; k++) {
		const struct timeline_mark *m = &c->marks[k];

		if (m->ev != ev)
			continue;
		timeline_mark_text(c, m, text, sizeof(text));
		if (!has_line(r, text)) /* a check that matched several events of one packet */
			row_add(r, m->pass ? ST_PASS : ST_FAIL, text, cols);
		if (!m->pass)
			g = GLYPH_CROSS;
		else if (g == GLYPH_NONE)
			g = GLYPH_TICK;
	}
	return g;
}

/* "  <= DNAT a -> b" as a line: without the timeline's indent. */
static const char *rewrite_text(const char *note)
{
	while (*note == ' ')
		note++;
	return note;
}

static bool is_error_or_reset(const struct pkt *p)
{
	const struct pkt_hdrs *h = &p->outer;

	if (h->present & PKT_ICMP4)
		return h->icmp_type == 3;
	if (h->present & PKT_ICMP6)
		return h->icmp_type == 1;
	return (h->present & PKT_TCP) && (h->tcp_flags & 0x04);
}

/* Index of the first entry of the group after the one entry i is in, or s->n. */
static size_t next_group(const struct timeline_story *s, size_t i)
{
	size_t g = s->e[i].group;

	while (i < s->n && s->e[i].group == g)
		i++;
	return i;
}

static size_t entry_node(const struct timeline_ctx *c, const struct timeline_entry *e)
{
	return e->ev->kind == EV_PACKET ? c->point_node[e->ev->point] : e->ev->point;
}

/*
 * How a node answered the packet it dropped (entry i): "ICMP error" or "TCP
 * reset" when the next packet it sent, right after, is one addressed to the
 * packet's source. That is a reject: nft traces report it as a drop.
 */
static const char *answered(const struct ladder *ld, size_t i)
{
	const struct timeline_story *s = ld->s;
	const struct pkt *dropped = s->e[i].pkt;
	size_t node = s->e[i].ev->point, j;

	if (!dropped)
		return NULL;
	for (j = next_group(s, i); j < s->n; j = next_group(s, j)) {
		const struct timeline_entry *e = &s->e[j];

		if (e->chatter)
			continue;
		if (e->at_ns > s->e[i].at_ns + ANSWER_GAP)
			return NULL;
		if (!e->pkt || entry_node(ld->c, e) != node)
			continue;
		if (!is_error_or_reset(e->pkt) ||
		    !ipaddr_equal(&e->pkt->outer.dst, &dropped->outer.src))
			return NULL;
		return e->pkt->outer.present & PKT_TCP ? "TCP reset" : "ICMP error";
	}
	return NULL;
}

/* "at prerouting:" in the note before the first event of each hook, where the hook is known. */
static void hook_line(struct row *r, const struct timeline_entry *e)
{
	char line[40];

	if (e->hook < 0 || r->hook_shown == e->hook + 1)
		return;
	snprintf(line, sizeof(line), "at %s:", timeline_hook_name(e->hook));
	row_add(r, ST_HOOK, line, (size_t)-1);
	r->hook_shown = e->hook + 1;
}

/* What one trace event adds to its node's note: conntrack state once, then verdicts. */
static void note_trace(struct ladder *ld, struct row *r, size_t i, char *last_ct)
{
	const struct trace_rec *t = &ld->s->e[i].ev->trace;
	char buf[400];

	if (t->present & TRACE_HAS_CT) {
		char ct[CT_TEXT];

		snprintf(ct, sizeof(ct), "ct %s%s%s%s", trace_ct_state_name(t->ct_state),
			 t->ct_dir ? " reply" : "", t->ct_status & IPS_SRC_NAT ? " [SRC_NAT]" : "",
			 t->ct_status & IPS_DST_NAT ? " [DST_NAT]" : "");
		if (strcmp(ct, last_ct)) {
			row_add(r, ST_CT, ct, ld->wrap_note);
			memcpy(last_ct, ct, CT_TEXT);
		}
	}
	if (ld->s->e[i].rewrite)
		row_add(r, ST_NAT, rewrite_text(ld->s->e[i].rewrite), ld->wrap_note);
	/* A rule that only went on matters when it is named. */
	if (!(t->present & TRACE_HAS_VERDICT) || (t->verdict == NFT_CONTINUE && !t->comment[0]))
		return;
	if (t->type == NFT_TRACETYPE_POLICY) {
		snprintf(buf, sizeof(buf), "%s %s: policy %s", t->table, t->chain,
			 trace_verdict_name(t->verdict));
	} else {
		const char *how = t->verdict == NF_DROP ? answered(ld, i) : NULL;
		char rule[160];

		/* A rule is named by its comment, or else by its handle. */
		if (t->comment[0])
			snprintf(rule, sizeof(rule), "\"%s\"", t->comment);
		else
			snprintf(rule, sizeof(rule), "rule handle %llu",
				 (unsigned long long)t->handle);
		snprintf(buf, sizeof(buf), "%s %s %s: %s%s%s%s%s", t->table, t->chain, rule,
			 how ? "reject (drop + " : trace_verdict_name(t->verdict), how ? how : "",
			 how ? ")" : "", t->target[0] ? " " : "", t->target);
	}
	row_add(r, t->verdict == NF_DROP ? ST_DROP : ST_ACCEPT, buf, ld->wrap_note);
}

/* A kernel event of a node, added to the note open at that node. */
static void note_event_lines(struct ladder *ld, struct row *r, size_t i, char *last_ct)
{
	const struct event *ev = ld->s->e[i].ev;
	char sum[600], line[700];

	switch (ev->kind) {
	case EV_TRACE:
		note_trace(ld, r, i, last_ct);
		return;
	case EV_CT:
		snprintf(line, sizeof(line), "conntrack %s", ct_summary(&ev->ct, sum, sizeof(sum)));
		row_add(r, ST_CT, line, ld->wrap_note);
		return;
	case EV_LOG: {
		char pkt[600];
		size_t n = strlen(log_summary(&ev->log, sum, sizeof(sum)));
		size_t m = strlen(pkt_summary(&ev->log.pkt, pkt, sizeof(pkt)));

		/* The packet is on the arrows already: the record's own fields are the news. */
		if (n > m + 2 && !strcmp(sum + n - m, pkt) && !strncmp(sum + n - m - 2, ": ", 2))
			sum[n - m - 2] = '\0';
		snprintf(line, sizeof(line), "nflog %s", sum);
		row_add(r, ST_LOG, line, ld->wrap_note);
		if (ld->s->e[i].rewrite)
			row_add(r, ST_NAT, rewrite_text(ld->s->e[i].rewrite), ld->wrap_note);
		return;
	}
	default:
		return;
	}
}

/* A kernel event's lines in the note r open at its node, and the checks that matched it. */
static void note_event(struct ladder *ld, struct row *r, size_t i, char *last_ct)
{
	size_t before = r->l.n;
	int shown = r->hook_shown;
	enum glyph g;

	hook_line(r, &ld->s->e[i]);
	note_event_lines(ld, r, i, last_ct);
	/* An event that said nothing (an unnamed rule that went on) needs no hook line. */
	if (r->hook_shown != shown && r->l.n == before + 1) {
		free(r->l.v[--r->l.n]);
		r->hook_shown = shown;
	}
	g = add_marks(ld, r, ld->s->e[i].ev, ld->wrap_note);
	if (g > r->at_to)
		r->at_to = g;
}

/*
 * A TCP segment as the report writes it, without sequence numbers and window:
 * "192.0.2.1.40000 > 198.51.100.1.80: Flags [S.], length 5". False for other packets.
 */
static bool tcp_short(const struct pkt *p, char *buf, size_t len)
{
	static const char flags[] = "FSRP.UEW";
	const struct pkt_hdrs *h = &p->outer;
	char s[IPADDR_STRLEN], d[IPADDR_STRLEN], f[9];
	int i, k = 0, n;

	if (!(h->present & PKT_TCP) || (h->present & PKT_FRAG) || p->has_inner)
		return false;
	for (i = 0; i < 8; i++)
		if (h->tcp_flags & (1 << i))
			f[k++] = flags[i];
	f[k] = '\0';
	n = snprintf(buf, len, "%s.%u > %s.%u: Flags [%s]", ipaddr_fmt(&h->src, s), h->sport,
		     ipaddr_fmt(&h->dst, d), h->dport, f);
	if (h->payload_len && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", length %u", h->payload_len);
	return true;
}

/* The packet of a hop, short: its quoted header on a line of its own, TCP without numbers. */
static void hop_label(struct row *r, const struct event *ev, size_t cols)
{
	char sum[1024], *q;

	if (!tcp_short(&ev->pkt, sum, sizeof(sum)))
		event_summary(ev, sum, sizeof(sum) - 1);
	q = strstr(sum, " [quoting ");
	if (q)
		*q = '\n';
	row_add(r, ST_PKT, sum, cols);
	if (event_app_summary(ev, sum, sizeof(sum)))
		row_add(r, ST_PKT, sum, cols);
}

/* Text columns an arrow between two columns has room for. */
static size_t hop_cols(const struct ladder *ld, size_t from, size_t to)
{
	size_t span = from > to ? from - to : to - from;

	return span ? (size_t)((double)span * ld->col_gap / (SVG_CHAR_EM * TEXT_PX)) - 4
		    : ld->wrap_note;
}

/* A capture: the hop it is one end of, as an arrow from the sender to the receiver. */
static void add_hop(struct ladder *ld, size_t i, size_t end, bool *used)
{
	const struct timeline_ctx *c = ld->c;
	const struct timeline_story *s = ld->s;
	const struct event *ev = s->e[i].ev;
	struct lab_end here = {c->point_node[ev->point], c->point_iface[ev->point]};
	const struct lab_end *other = lab_link_peer(c->lab, &here);
	/* Without a link (lo) a packet goes out and comes back in at the same interface. */
	struct lab_end peer = other ? *other : here;
	const char *rw[2] = {s->e[i].rewrite, NULL};
	const struct event *arrival = NULL;
	struct row *r = row_new(ld, ROW_ARROW, ev->ts_ns);
	size_t j;

	r->group = s->e[i].group;
	if (ev->dir == DIR_OUT) {
		r->from = ld->col[here.node];
		r->to = ld->col[peer.node];
		r->lost = true;
		/* Its arrival: the same packet coming in at the other end of the link. */
		for (j = i + 1; j < end; j++) {
			const struct event *in = s->e[j].ev;

			if (used[j] || in->kind != EV_PACKET || in->dir != DIR_IN ||
			    c->point_node[in->point] != peer.node ||
			    c->point_iface[in->point] != peer.iface)
				continue;
			used[j] = true;
			r->lost = false;
			rw[1] = s->e[j].rewrite;
			arrival = in;
			break;
		}
	} else {
		r->from = ld->col[peer.node];
		r->to = ld->col[here.node];
		r->unseen = true;
	}
	hop_label(r, ev, hop_cols(ld, r->from, r->to));
	for (j = 0; j < 2; j++)
		if (rw[j])
			row_add(r, ST_NAT, rewrite_text(rw[j]), hop_cols(ld, r->from, r->to));
	/* A check at the sending end marks the arrow's start, one at the receiving end its end. */
	if (ev->dir == DIR_OUT)
		r->at_from = add_marks(ld, r, ev, hop_cols(ld, r->from, r->to));
	else
		r->at_to = add_marks(ld, r, ev, hop_cols(ld, r->from, r->to));
	if (arrival)
		r->at_to = add_marks(ld, r, arrival, hop_cols(ld, r->from, r->to));
}

/* The rows of one packet group, entries [first, end): hops as arrows, kernel events as notes. */
/* The packet's fate, where nflab can tell it, as a note at the node that sealed it. */
static void add_fate(struct ladder *ld, size_t first, size_t end)
{
	struct fate f;
	struct row *r;
	size_t node;
	char text[512];

	if (fate_group(ld->c, ld->s, first, &f, &node))
		return;
	r = row_new(ld, ROW_NOTE, ld->s->e[end - 1].at_ns);
	r->approx = true;
	r->group = ld->s->e[first].group;
	r->from = r->to = ld->col[node];
	row_add(r,
		f.kind == FATE_DROPPED || f.kind == FATE_REJECTED || f.kind == FATE_LOST
			? ST_DROP
			: ST_ACCEPT,
		fate_text(&f, text, sizeof(text)), ld->wrap_note);
}

static void add_group(struct ladder *ld, size_t first, size_t end, bool *used)
{
	const struct timeline_story *s = ld->s;
	struct row *note = NULL;
	size_t note_node = 0, i;
	char last_ct[CT_TEXT] = "";

	for (i = first; i < end; i++) {
		const struct event *ev = s->e[i].ev;

		if (used[i] || ev->kind == EV_COUNTER)
			continue;
		if (ev->kind == EV_PACKET) {
			note = NULL;
			add_hop(ld, i, end, used);
			continue;
		}
		if (!note || note_node != ev->point) {
			note = row_new(ld, ROW_NOTE, s->e[i].at_ns);
			note->approx = true;
			note->group = s->e[i].group;
			note->from = note->to = ld->col[ev->point];
			note_node = ev->point;
			last_ct[0] = '\0';
		}
		note_event(ld, note, i, last_ct);
		/* Rows are pointers into a growing array: find the note again after adding. */
		note = &ld->rows[ld->n_rows - 1];
	}
	/* A note that said nothing (only unnamed rules that went on) is left out. */
	if (ld->n_rows && ld->rows[ld->n_rows - 1].kind == ROW_NOTE &&
	    !ld->rows[ld->n_rows - 1].l.n)
		ld->n_rows--;
	add_fate(ld, first, end);
}

/* Spaces every non-empty line of l starts with. */
static size_t common_indent(const struct svg_lines *l)
{
	size_t i, min = (size_t)-1;

	for (i = 0; i < l->n; i++) {
		size_t n = strspn(l->v[i], " ");

		if (l->v[i][n] && n < min)
			min = n;
	}
	return min == (size_t)-1 ? 0 : min;
}

/* The column of the node a check looks at, or SIZE_MAX for every node's ("fate: any"). */
static size_t check_col(const struct ladder *ld, const struct step_expect *e)
{
	size_t node = e->source == SRC_CAPTURE ? e->at.node : e->node;

	return node < ld->c->lab->n_nodes ? ld->col[node] : SIZE_MAX;
}

/* A cross at the node of step's check for each time it failed matching too few. */
static void add_lone_marks(struct ladder *ld, size_t step)
{
	const struct timeline_ctx *c = ld->c;
	char text[600];
	size_t k;

	for (k = 0; k < c->n_marks; k++) {
		const struct timeline_mark *m = &c->marks[k];
		struct row *r;

		if (m->step != step || m->ev || c->lab->steps[step].kind != STEP_EXPECT ||
		    check_col(ld, &c->lab->steps[step].expect) == SIZE_MAX)
			continue;
		r = row_new(ld, ROW_MARK, 0);
		r->from = r->to = check_col(ld, &c->lab->steps[step].expect);
		r->at_to = GLYPH_CROSS;
		row_add(r, ST_FAIL, timeline_mark_text(c, m, text, sizeof(text)), ld->wrap_wide);
	}
}

static bool is_probe(enum step_kind k)
{
	return k != STEP_EXPECT;
}

/* The rows of steps from *next on that happened before ts (all of them when ts is 0). */
static void add_steps(struct ladder *ld, const struct ladder_step *steps, size_t *next, uint64_t ts)
{
	const struct lab *lab = ld->c->lab;

	for (; steps && *next < lab->n_steps; (*next)++) {
		const struct ladder_step *st = &steps[*next];
		const struct lab_step *ls = &lab->steps[*next];
		char *text;

		if (!st->start_ns)
			continue;
		if (ts && (is_probe(ls->kind) ? st->start_ns : st->end_ns) > ts)
			break;
		if (st->verdict == NFLAB_FAIL) {
			struct row *r = row_new(ld, ROW_FAIL, st->end_ns);
			struct svg_lines detail = {0};
			size_t i;

			text = xasprintf("[%zu] FAIL  %s", *next + 1, st->text);
			row_add(r, ST_FAIL, text, ld->wrap_wide);
			free(text);
			if (st->detail)
				svg_wrap(&detail, st->detail, (size_t)-1);
			/* The explanation as the report gives it, without its common indent. */
			for (i = 0; i < detail.n && i < DETAIL_LINES; i++)
				row_add(r, ST_FAIL, detail.v[i] + common_indent(&detail),
					ld->wrap_wide);
			svg_lines_release(&detail);
			add_lone_marks(ld, *next);
		} else if (is_probe(ls->kind)) {
			struct row *r = row_new(ld, ROW_PROBE, st->start_ns);

			text = xasprintf("[%zu] %s", *next + 1, st->text);
			row_add(r, ST_PROBE, text, ld->wrap_wide);
			free(text);
		}
	}
}

static void build_rows(struct ladder *ld, const struct ladder_step *steps, const char *error)
{
	const struct timeline_story *s = ld->s;
	bool *used = xcalloc(s->n + 1, sizeof(*used));
	size_t i, end, next_step = 0, drawn = 0;

	for (i = 0; i < s->n; i = end) {
		end = next_group(s, i);
		if (s->e[i].chatter) {
			ld->chatter++;
			continue;
		}
		if (drawn == MAX_GROUPS) {
			ld->skipped++;
			continue;
		}
		add_steps(ld, steps, &next_step, s->e[i].at_ns);
		add_group(ld, i, end, used);
		drawn++;
	}
	add_steps(ld, steps, &next_step, 0);
	if (error) {
		struct row *r = row_new(ld, ROW_FAIL, 0);

		row_add(r, ST_FAIL, error, ld->wrap_wide);
	}
	free(used);
}

static double col_x(const struct ladder *ld, size_t col)
{
	return TIME_W + ld->col_gap / 2 + (double)col * ld->col_gap;
}

static double row_height(const struct row *r)
{
	double text = (double)r->l.n * LH;

	switch (r->kind) {
	case ROW_ARROW:
		return text + 16;
	case ROW_NOTE:
		return text + 16;
	case ROW_PROBE:
	case ROW_MARK:
		return text + 10;
	case ROW_FAIL:
	default:
		return text + 20;
	}
}

static void draw_lines(FILE *f, const struct row *r, double x, double y, const char *anchor)
{
	size_t i;

	for (i = 0; i < r->l.n; i++) {
		const char *line = r->l.v[i];
		enum style st = (enum style)(line[0] - 'a');

		if (st == ST_FAIL)
			fprintf(f,
				"<text x=\"%.1f\" y=\"%.1f\" class=\"failtext\" fill=\"%s\" "
				"xml:space=\"preserve\"%s>",
				x, y + (double)i * LH, FAIL_TEXT,
				i == 0 ? " font-weight=\"bold\"" : "");
		else
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\"%s%s%s>", x,
				y + (double)i * LH, style_class[st],
				anchor ? " text-anchor=\"" : "", anchor ? anchor : "",
				anchor ? "\"" : "");
		svg_escape(f, line + 1);
		fputs("</text>\n", f);
	}
}

static void draw_time(FILE *f, const struct ladder *ld, const struct row *r, double y)
{
	char t[40];

	if (!r->ts)
		return;
	snprintf(t, sizeof(t), "%s%+.3f ms", r->approx ? "~" : "",
		 ((double)r->ts - (double)ld->c->start_real) / 1e6);
	svg_text(f, TIME_W - 8, y, "time", "end", t);
}

/* A tick or a cross centred at x, y: where a check held, or failed. */
static void draw_glyph(FILE *f, enum glyph g, double x, double y)
{
	if (g == GLYPH_TICK)
		fprintf(f,
			"<path class=\"tick\" d=\"M%.1f,%.1f l3.5,4 l6.5,-9\"><title>a check held "
			"here</title></path>\n",
			x - 5, y);
	else if (g == GLYPH_CROSS)
		fprintf(f,
			"<path class=\"xmark\" d=\"M%.1f,%.1f l8,8 m0,-8 l-8,8\"><title>a check "
			"failed here</title></path>\n",
			x - 4, y - 4);
}

static void draw_arrow(FILE *f, const struct ladder *ld, const struct row *r)
{
	double x1 = col_x(ld, r->from), x2 = col_x(ld, r->to), ya = r->y + r->h - 8;
	const char *cls = r->lost ? "lost" : "arrow";

	if (r->from == r->to) {
		/* Looped back into the same node (lo): out and back in on its right. */
		fprintf(f,
			"<path class=\"%s\" d=\"M%.1f,%.1f h30 v8 h-26\" "
			"marker-end=\"url(#head)\"/>\n",
			cls, x1, ya - 8);
		draw_lines(f, r, x1 + 36, r->y + 12, NULL);
	} else {
		/* Stop short of the lifeline so the head shows; a lost packet ends in a cross. */
		double end = x2 + (x2 > x1 ? -2 : 2);

		fprintf(f,
			"<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"marker-end=\"url(#%s)\"/>\n",
			cls, x1, ya, end, ya, r->lost ? "cross" : "head");
		if (r->unseen)
			fprintf(f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"white\" "
				"stroke=\"#333\"/>\n",
				x1, ya);
		draw_lines(f, r, (x1 + x2) / 2, r->y + 12, "middle");
		/* Marks just off the lifelines, above the arrow. */
		draw_glyph(f, r->at_from, x1 + (x2 > x1 ? 10 : -10), ya - 6);
		draw_glyph(f, r->at_to, x2 + (x2 > x1 ? -12 : 12), ya - 6);
	}
	draw_time(f, ld, r, ya + 3);
}

static void draw_note(FILE *f, const struct ladder *ld, const struct row *r)
{
	double w = (double)svg_lines_cols(&r->l) * SVG_CHAR_EM * TEXT_PX + 14;
	double x = col_x(ld, r->from) - w / 2;

	fprintf(f,
		"<rect class=\"note\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"rx=\"3\"/>\n",
		x, r->y + 4, w, r->h - 8);
	draw_lines(f, r, x + 7, r->y + 17, NULL);
	draw_glyph(f, r->at_to, x - 9, r->y + 14);
	draw_time(f, ld, r, r->y + 17);
}

static void draw_row(FILE *f, const struct ladder *ld, const struct row *r, double width)
{
	switch (r->kind) {
	case ROW_ARROW:
		draw_arrow(f, ld, r);
		break;
	case ROW_NOTE:
		draw_note(f, ld, r);
		break;
	case ROW_PROBE:
		draw_lines(f, r, TIME_W, r->y + 14, NULL);
		break;
	case ROW_MARK:
		draw_glyph(f, r->at_to, col_x(ld, r->from), r->y + 10);
		draw_lines(f, r, col_x(ld, r->from) + 12, r->y + 14, NULL);
		break;
	case ROW_FAIL:
		fprintf(f,
			"<g class=\"failure\"><rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" rx=\"3\" fill=\"" FAIL_FILL "\" stroke=\"" FAIL_STROKE
			"\" stroke-width=\"1.5\"/>\n",
			TIME_W - 6, r->y + 4, width - TIME_W + 6 - MARGIN, r->h - 8);
		draw_lines(f, r, TIME_W + 2, r->y + 19, NULL);
		fputs("</g>\n", f);
		draw_time(f, ld, r, r->y + 19);
		break;
	}
}

static void draw(FILE *f, struct ladder *ld, size_t n_cols, const size_t *order)
{
	const struct lab *lab = ld->c->lab;
	double width = TIME_W + (double)n_cols * ld->col_gap + MARGIN, y = HEAD_Y + HEAD_H + 12;
	size_t i, last_group = 0;
	char sub[600];

	for (i = 0; i < ld->n_rows; i++) {
		ld->rows[i].y = y;
		ld->rows[i].h = row_height(&ld->rows[i]);
		y += ld->rows[i].h;
	}
	y += 68; /* the legend's two lines and the footnote */
	snprintf(sub, sizeof(sub),
		 "%s: a column per node, an arrow per packet hop, ms from the first step",
		 lab->path);
	if (width < svg_text_width(sub, 11) + 2 * MARGIN)
		width = svg_text_width(sub, 11) + 2 * MARGIN;
	svg_begin(f, width, y, css);
	fprintf(f, "<title>");
	svg_escape(f, lab->name);
	fprintf(f, " ladder</title>\n<defs>"
		   "<marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
		   "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
		   "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>"
		   "<marker id=\"cross\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" "
		   "markerWidth=\"10\" markerHeight=\"10\">"
		   "<path d=\"M1,1 L9,9 M9,1 L1,9\" stroke=\"#b71c1c\" stroke-width=\"2\"/>"
		   "</marker></defs>\n");
	svg_text(f, MARGIN, MARGIN + 8, "title", NULL, lab->name);
	svg_text(f, MARGIN, MARGIN + 26, "sub", NULL, sub);
	for (i = 0; i < n_cols; i++) {
		const struct lab_node *node = &lab->nodes[order[i]];
		double x = col_x(ld, i), w = svg_text_width(node->name, 13) + 24;

		w = w > 90 ? w : 90;
		fprintf(f, "<line class=\"life\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			x, HEAD_Y + HEAD_H, x, y - 30);
		fprintf(f,
			"<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"rx=\"5\"/>\n",
			node->router ? "router" : "host", x - w / 2, HEAD_Y, w, HEAD_H);
		svg_text(f, x, HEAD_Y + 17, "name", "middle", node->name);
		svg_text(f, x, HEAD_Y + 31, "role", "middle", node->router ? "router" : "host");
	}
	for (i = 0; i < ld->n_rows; i++) {
		const struct row *r = &ld->rows[i];

		/* A faint line where a new packet's story starts. */
		if (r->group && r->group != last_group)
			fprintf(f,
				"<line class=\"sep\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>\n",
				MARGIN, r->y, width - MARGIN, r->y);
		if (r->group)
			last_group = r->group;
		draw_row(f, ld, r, width);
	}
	/* A legend: what the colours and marks mean. */
	svg_text(f, MARGIN, y - 40, "sub", NULL,
		 "legend: arrow = a packet hop (dashed red: seen leaving, never arriving); "
		 "blue bold = NAT, by direction; purple = conntrack; green = accepted; "
		 "red = dropped; fate: what became of the packet; ~ = placed at its hop");
	svg_text(f, MARGIN, y - 26, "sub", NULL,
		 "\u2713 = a check held on this packet (green), \u2717 = a check failed here "
		 "(red); \"at prerouting:\" ... = the hook of the kernel events below it");
	if (ld->chatter || ld->skipped) {
		char foot[200];
		int n = snprintf(foot, sizeof(foot),
				 "not drawn: %zu link-layer packet groups (ARP, "
				 "neighbour discovery, MLD)",
				 ld->chatter);

		if (ld->skipped)
			snprintf(foot + n, sizeof(foot) - (size_t)n,
				 ", %zu packet groups past the first %d", ld->skipped, MAX_GROUPS);
		svg_text(f, MARGIN, y - 12, "sub", NULL, foot);
	}
	svg_end(f);
}

int ladder_write(const struct timeline_ctx *c, const struct ladder_step *steps, const char *error,
		 const char *path, struct diag *d)
{
	const struct lab *lab = c->lab;
	struct timeline_story s;
	struct ladder ld = {.c = c, .s = &s};
	size_t *order = xcalloc(lab->n_nodes + 1, sizeof(*order));
	size_t i;
	struct outfile of;
	FILE *f;
	int rc = 0;

	f = outfile_open(&of, path, d);
	if (!f) {
		free(order);
		return -1;
	}
	/* The picture's node order: neighbours side by side, so most hops span one column. */
	draw_node_order(lab, order);
	ld.col = xcalloc(lab->n_nodes + 1, sizeof(*ld.col));
	for (i = 0; i < lab->n_nodes; i++)
		ld.col[order[i]] = i;
	ld.col_gap = lab->n_nodes > 1 ? 1320.0 / (double)(lab->n_nodes - 1) : MAX_COL;
	ld.col_gap = ld.col_gap < MIN_COL ? MIN_COL : ld.col_gap > MAX_COL ? MAX_COL : ld.col_gap;
	ld.wrap_note = (size_t)((ld.col_gap - 30) / (SVG_CHAR_EM * TEXT_PX));
	ld.wrap_wide = (size_t)(((double)lab->n_nodes * ld.col_gap - 2 * MARGIN) /
				(SVG_CHAR_EM * TEXT_PX));
	timeline_story_init(&s, c);
	build_rows(&ld, steps, error);
	draw(f, &ld, lab->n_nodes, order);
	for (i = 0; i < ld.n_rows; i++)
		svg_lines_release(&ld.rows[i].l);
	free(ld.rows);
	free(ld.col);
	free(order);
	timeline_story_release(&s);
	if (ferror(f)) {
		errno = EIO;
		rc = diag_errno(d, "cannot write %s", path);
		outfile_discard(&of);
		return rc;
	}
	return outfile_commit(&of, d);
}

void ladder_step_release(struct ladder_step *s)
{
	free(s->text);
	free(s->detail);
	memset(s, 0, sizeof(*s));
}
