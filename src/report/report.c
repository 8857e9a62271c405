// SPDX-License-Identifier: GPL-2.0-or-later
/* The human report of a lab run: a line per step, the reasons for failures, and the result. */
#include "report/report.h"

#include <stdlib.h>
#include <unistd.h>

#define GREEN  "\033[32m"
#define RED    "\033[31m"
#define YELLOW "\033[33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

void report_init(struct report *r, FILE *f, bool quiet)
{
	const char *nc = getenv("NO_COLOR");

	r->f = f;
	r->quiet = quiet;
	r->color = isatty(fileno(f)) && !(nc && *nc);
}

static const char *c(const struct report *r, const char *code)
{
	return r->color ? code : "";
}

void report_lab(struct report *r, const struct lab *lab)
{
	if (r->quiet)
		return;
	fprintf(r->f, "%slab %s%s (%s)\n", c(r, BOLD), lab->name, c(r, RESET), lab->path);
}

void report_setup(struct report *r, const char *what, double ms)
{
	if (!r->quiet)
		fprintf(r->f, "  setup: %s (%.1f ms)\n", what, ms);
}

void report_step(struct report *r, size_t index, int verdict, const char *text, double ms)
{
	bool pass = verdict == NFLAB_PASS;

	if (r->quiet && pass)
		return;
	fprintf(r->f, "  [%2zu] %s%s%s  %s (%.1f ms)\n", index + 1, c(r, pass ? GREEN : RED),
		pass ? "PASS" : "FAIL", c(r, RESET), text, ms);
}

void report_diag(struct report *r, const struct diag *d)
{
	fputs(c(r, d->outcome == NFLAB_SKIP ? YELLOW : RED), r->f);
	diag_print(d, r->f);
	fputs(c(r, RESET), r->f);
}

void report_result(struct report *r, const struct lab *lab, int outcome, size_t failed,
		   size_t steps, double ms)
{
	const char *word = outcome == NFLAB_PASS   ? "PASS"
			   : outcome == NFLAB_FAIL ? "FAIL"
			   : outcome == NFLAB_SKIP ? "SKIP"
						   : "ERROR";
	const char *col = outcome == NFLAB_PASS ? GREEN : outcome == NFLAB_SKIP ? YELLOW : RED;

	fprintf(r->f, "%sresult: %s%s %s", c(r, BOLD), c(r, col), word, c(r, RESET));
	if (outcome == NFLAB_FAIL)
		fprintf(r->f, "(%zu of %zu steps failed, %.1f ms) %s\n", failed, steps, ms,
			lab->path);
	else
		fprintf(r->f, "(%zu steps, %.1f ms) %s\n", steps, ms, lab->path);
}
