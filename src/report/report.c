// SPDX-License-Identifier: GPL-2.0-or-later
/* The human report of a lab run: a line per step, the reasons for failures, and the result. */
#include "report/report.h"

#include <stdlib.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/kernel.h"
#include "util/utf8.h"

#define GREEN  "\033[32m"
#define RED    "\033[31m"
#define YELLOW "\033[33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

void report_init(struct report *r, FILE *f, bool quiet, FILE *machine)
{
	const char *nc = getenv("NO_COLOR");

	r->f = f;
	r->machine = machine;
	r->quiet = quiet;
	r->color = isatty(fileno(f)) && !(nc && *nc);
}

/* One field of a machine line: tabs and newlines escaped, so a line is a record. */
static void machine_field(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

static const char *c(const struct report *r, const char *code)
{
	return r->color ? code : "";
}

void report_lab(struct report *r, const struct lab *lab)
{
	if (r->quiet)
		return;
	fprintf(r->f, "%slab ", c(r, BOLD));
	utf8_write_term(r->f, lab->name, false);
	fprintf(r->f, "%s (", c(r, RESET));
	utf8_write_term(r->f, lab->path, false);
	fputs(")\n", r->f);
}

void report_setup(struct report *r, const char *what, double ms)
{
	if (!r->quiet)
		fprintf(r->f, "  setup: %s (%.1f ms)\n", what, ms);
}

void report_step(struct report *r, size_t index, int verdict, const char *text, double ms)
{
	bool pass = verdict == NFLAB_PASS, skip = verdict == NFLAB_SKIP;
	const char *word = pass ? "PASS" : skip ? "SKIP" : "FAIL";
	const char *col = pass ? GREEN : skip ? YELLOW : RED;

	if (r->machine) {
		fprintf(r->machine, "step\t%zu\t%s\t%.3f\t", index + 1, outcome_name(verdict), ms);
		machine_field(r->machine, text);
		fputc('\n', r->machine);
	}
	if (r->quiet && (pass || skip))
		return;
	/* A lab's text: control characters escaped, and no line of it at the first column. */
	fprintf(r->f, "  [%2zu] %s%s%s  ", index + 1, c(r, col), word, c(r, RESET));
	utf8_write_term_lines(r->f, text, "    ", false);
	fprintf(r->f, " (%.1f ms)\n", ms);
}

void report_detail(struct report *r, size_t index, const char *text)
{
	utf8_write_term_lines(r->f, text, "    ", true);
	if (r->machine) {
		fprintf(r->machine, "detail\t%zu\t", index + 1);
		machine_field(r->machine, text);
		fputc('\n', r->machine);
	}
}

void report_diag(struct report *r, const struct diag *d)
{
	fputs(c(r, d->outcome == NFLAB_SKIP ? YELLOW : RED), r->f);
	diag_print(d, r->f);
	fputs(c(r, RESET), r->f);
	if (r->machine) {
		char *text = NULL;
		size_t size = 0;
		FILE *m = open_memstream(&text, &size);

		/* A skip's reason alone: the record already says it is a skip. */
		if (d->outcome == NFLAB_SKIP)
			fputs(d->msg, m);
		else
			diag_print(d, m);
		fclose(m);
		fprintf(r->machine, "diag\t%s\t", outcome_name(d->outcome));
		machine_field(r->machine, text);
		fputc('\n', r->machine);
		free(text);
	}
}

void report_result(struct report *r, const struct lab *lab, int outcome, size_t failed,
		   size_t steps, size_t skipped, const char *skip_why, double ms)
{
	const char *word = outcome_name(outcome);
	const char *col = outcome == NFLAB_PASS ? GREEN : outcome == NFLAB_SKIP ? YELLOW : RED;

	const char *guest = kernel_guest_release();

	fprintf(r->f, "%sresult: %s%s %s", c(r, BOLD), c(r, col), word, c(r, RESET));
	if (outcome == NFLAB_FAIL)
		fprintf(r->f, "(%zu of %zu steps failed, ", failed, steps);
	else
		fprintf(r->f, "(%zu steps, ", steps);
	if (skipped) { /* checks the kernel could not answer: said, never counted as passed */
		fprintf(r->f, "%zu check%s skipped: ", skipped, skipped == 1 ? "" : "s");
		utf8_write_term(r->f, skip_why ? skip_why : "", false);
		fputs(", ", r->f);
	}
	fprintf(r->f, "%.1f ms) ", ms);
	utf8_write_term(r->f, lab->path, false);
	if (guest) /* inside a --kernel VM: which kernel this was */
		fprintf(r->f, " on kernel %s (waits x%.1f)", guest, clock_time_scale());
	fputc('\n', r->f);
	if (r->machine) { /* the outcome itself travels as the exit status */
		if (skipped) {
			fprintf(r->machine, "skipped\t%zu\t", skipped);
			machine_field(r->machine, skip_why ? skip_why : "");
			fputc('\n', r->machine);
		}
		fflush(r->machine);
	}
}
