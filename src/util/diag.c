// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: one error record per failing call, with an optional lab-file location. */
#include "util/diag.h"

#include <errno.h>
#include <string.h>

#include "util/utf8.h"

int diag_vset(struct diag *d, const struct srcloc *loc, const char *fmt, va_list ap)
{
	if (!d || d->set)
		return -1;
	d->set = 1;
	d->outcome = NFLAB_ERROR;
	diag_locate(d, loc);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	return -1;
}

void diag_locate(struct diag *d, const struct srcloc *loc)
{
	if (!d || !loc || !loc->file || d->loc.file)
		return;
	d->loc = *loc;
	snprintf(d->file, sizeof(d->file), "%s", loc->file);
	d->loc.file = d->file;
}

int diag_set(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(d, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_at(struct diag *d, const struct srcloc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(d, loc, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_errno(struct diag *d, const char *fmt, ...)
{
	int err = errno;
	size_t n;
	va_list ap;

	if (!d || d->set)
		return -1;
	va_start(ap, fmt);
	diag_vset(d, NULL, fmt, ap);
	va_end(ap);
	d->err = err;
	n = strlen(d->msg);
	snprintf(d->msg + n, sizeof(d->msg) - n, ": %s", strerror(err));
	errno = err;
	return -1;
}

int diag_skip(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d || d->set)
		return -1;
	va_start(ap, fmt);
	diag_vset(d, NULL, fmt, ap);
	va_end(ap);
	d->outcome = NFLAB_SKIP;
	return -1;
}

void diag_prefix(struct diag *d, const char *fmt, ...)
{
	char head[512];
	size_t n, old;
	va_list ap;

	if (!d || !d->set)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head) - 2, fmt, ap);
	va_end(ap);
	strcat(head, ": ");
	n = strlen(head);
	old = strnlen(d->msg, sizeof(d->msg) - 1 - n);
	memmove(d->msg + n, d->msg, old);
	memcpy(d->msg, head, n);
	d->msg[n + old] = '\0';
}

void diag_clear(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_print(const struct diag *d, FILE *f)
{
	const char *kind = d->outcome == NFLAB_SKIP ? "skip" : "error";

	/*
	 * The file name and the message may carry a lab's text: no control character
	 * acts, and no line after the first starts at column 0 (a fake "result:").
	 */
	if (d->loc.file) {
		utf8_write_term(f, d->loc.file, false);
		if (d->loc.line > 0)
			fprintf(f, ":%d:%d", d->loc.line, d->loc.col);
		fputs(": ", f);
	}
	fprintf(f, "%s: ", kind);
	utf8_write_term_lines(f, d->msg, "  ", false);
	fputc('\n', f);
}

const char *outcome_name(int outcome)
{
	return outcome == NFLAB_PASS   ? "PASS"
	       : outcome == NFLAB_FAIL ? "FAIL"
	       : outcome == NFLAB_SKIP ? "SKIP"
				       : "ERROR";
}
