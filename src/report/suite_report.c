// SPDX-License-Identifier: GPL-2.0-or-later
/* A suite's results in the formats CI systems read: TAP 13, JUnit XML and JSON. */
#include "report/suite_report.h"

#include <stdlib.h>
#include <string.h>

#include "report/json.h"
#include "util/xalloc.h"

static const char *word(int outcome)
{
	return outcome == NFLAB_PASS   ? "pass"
	       : outcome == NFLAB_FAIL ? "fail"
	       : outcome == NFLAB_SKIP ? "skip"
				       : "error";
}

/* "labs/nat/x.yaml" or, repeated, "labs/nat/x.yaml#3". */
static char *run_name(const struct lab_result *lr, unsigned int repeat)
{
	return repeat > 1 ? xasprintf("%s#%u", lr->path, lr->run) : xstrdup(lr->path);
}

/* What went wrong, for people: failed steps with their reasons, or the error. */
static char *mismatch_text(const struct lab_result *lr)
{
	char *text = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&text, &size);

	for (i = 0; i < lr->n_steps; i++) {
		const struct step_result *st = &lr->steps[i];

		if (st->verdict != NFLAB_FAIL)
			continue;
		fprintf(f, "step %u: %s\n", st->index, st->text);
		if (st->detail)
			fputs(st->detail, f);
	}
	if (lr->diag)
		fputs(lr->diag, f);
	fclose(f);
	return text;
}

/* ---- TAP ---- */

static void yaml_block(FILE *f, const char *key, const char *text)
{
	const char *p = text;

	fprintf(f, "  %s: |\n", key);
	while (*p) {
		const char *eol = strchr(p, '\n');
		int len = eol ? (int)(eol - p) : (int)strlen(p);

		fprintf(f, "    %.*s\n", len, p);
		p += len + (eol ? 1 : 0);
	}
}

void suite_write_tap(const struct suite_result *res, unsigned int repeat, FILE *f)
{
	size_t i;

	fprintf(f, "TAP version 13\n1..%zu\n", res->n);
	for (i = 0; i < res->n; i++) {
		const struct lab_result *lr = &res->runs[i];
		char *name = run_name(lr, repeat);
		bool ok = lr->outcome == NFLAB_PASS || lr->outcome == NFLAB_SKIP;

		fprintf(f, "%s %zu - %s", ok ? "ok" : "not ok", i + 1, name);
		if (lr->outcome == NFLAB_SKIP) {
			char *reason = xstrdup(lr->diag ? lr->diag : "skipped");

			reason[strcspn(reason, "\n")] = '\0';
			fprintf(f, " # SKIP %s", reason);
			free(reason);
		}
		fputc('\n', f);
		if (!ok) {
			char *why = mismatch_text(lr);

			fprintf(f, "  ---\n  outcome: %s\n  duration_ms: %.1f\n", word(lr->outcome),
				lr->ms);
			yaml_block(f, "message", why);
			fputs("  ...\n", f);
			free(why);
		}
		free(name);
	}
	fflush(f);
}

/* ---- JUnit ---- */

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* XML 1.0 has no place for other control characters (colour codes). */
			if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
				fputs("?", f);
			else
				fputc(c, f);
		}
	}
}

void suite_write_junit(const struct suite_result *res, unsigned int repeat, FILE *f)
{
	size_t i;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"nflab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"%.3f\">\n"
		"  <testsuite name=\"nflab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"%.3f\">\n",
		res->n, res->failed, res->errors, res->skipped, res->ms / 1000, res->n, res->failed,
		res->errors, res->skipped, res->ms / 1000);
	for (i = 0; i < res->n; i++) {
		const struct lab_result *lr = &res->runs[i];
		char *name = run_name(lr, repeat), *dir = xstrdup(lr->path), *slash;

		/* classname: the lab's directory, dotted, as CI servers group by it. */
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		for (slash = dir; *slash; slash++)
			if (*slash == '/')
				*slash = '.';
		fputs("    <testcase classname=\"", f);
		xml_text(f, strrchr(lr->path, '/') ? dir : "labs");
		fputs("\" name=\"", f);
		xml_text(f, name);
		fprintf(f, "\" time=\"%.3f\">\n", lr->ms / 1000);
		if (lr->outcome == NFLAB_FAIL || lr->outcome == NFLAB_ERROR) {
			char *why = mismatch_text(lr);
			char *first = xstrdup(why);

			first[strcspn(first, "\n")] = '\0';
			fprintf(f, "      <%s message=\"",
				lr->outcome == NFLAB_FAIL ? "failure" : "error");
			xml_text(f, first);
			fputs("\">", f);
			xml_text(f, why);
			fprintf(f, "</%s>\n", lr->outcome == NFLAB_FAIL ? "failure" : "error");
			free(first);
			free(why);
		} else if (lr->outcome == NFLAB_SKIP) {
			fputs("      <skipped message=\"", f);
			xml_text(f, lr->diag ? lr->diag : "skipped");
			fputs("\"/>\n", f);
		}
		fputs("      <system-out>", f);
		xml_text(f, lr->output ? lr->output : "");
		fputs("</system-out>\n    </testcase>\n", f);
		free(name);
		free(dir);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
}

void suite_write_json(const struct suite_result *res, unsigned int repeat, FILE *f)
{
	size_t i, k;

	fprintf(f,
		"{\"summary\":{\"runs\":%zu,\"passed\":%zu,\"failed\":%zu,\"skipped\":%zu,"
		"\"errors\":%zu,\"duration_ms\":%.1f},\n\"labs\":[\n",
		res->n, res->passed, res->failed, res->skipped, res->errors, res->ms);
	for (i = 0; i < res->n; i++) {
		const struct lab_result *lr = &res->runs[i];

		fputs(i ? ",\n{\"lab\":" : "{\"lab\":", f);
		json_string(f, lr->path);
		fprintf(f, ",\"run\":%u,\"verdict\":\"%s\",\"duration_ms\":%.1f,\"timed_out\":%s",
			repeat > 1 ? lr->run : 1, word(lr->outcome), lr->ms,
			lr->timed_out ? "true" : "false");
		fputs(",\"error\":", f);
		if (lr->diag && lr->outcome != NFLAB_PASS)
			json_string(f, lr->diag);
		else
			fputs("null", f);
		fputs(",\"steps\":[", f);
		for (k = 0; k < lr->n_steps; k++) {
			const struct step_result *st = &lr->steps[k];

			fprintf(f,
				"%s{\"index\":%u,\"verdict\":\"%s\",\"duration_ms\":%.3f,\"text\":",
				k ? "," : "", st->index, word(st->verdict), st->ms);
			json_string(f, st->text);
			fputs(",\"mismatch\":", f);
			if (st->detail)
				json_string(f, st->detail);
			else
				fputs("null", f);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("\n]}\n", f);
}

static int write_file(const char *path, const struct suite_result *res, unsigned int repeat,
		      void (*fn)(const struct suite_result *, unsigned int, FILE *), struct diag *d)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return diag_errno(d, "cannot write %s", path);
	fn(res, repeat, f);
	if (fclose(f))
		return diag_errno(d, "cannot write %s", path);
	return 0;
}

int suite_reports(const struct suite_result *res, const struct suite_opts *o, struct diag *d)
{
	if (o->tap)
		suite_write_tap(res, o->repeat, o->tap);
	if (o->junit_path && write_file(o->junit_path, res, o->repeat, suite_write_junit, d))
		return -1;
	if (o->json_path && write_file(o->json_path, res, o->repeat, suite_write_json, d))
		return -1;
	return 0;
}
