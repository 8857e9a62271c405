// SPDX-License-Identifier: GPL-2.0-or-later
/* A suite's results in the formats CI systems read: TAP 13, JUnit XML and JSON. */
#include "report/suite_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/json.h"
#include "util/kernel.h"
#include "util/utf8.h"
#include "util/outfile.h"
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

		char *line = xstrndup(p, (size_t)len);

		fputs("    ", f);
		utf8_write_term(f, line, false);
		fputc('\n', f);
		free(line);
		p += len + (eol ? 1 : 0);
	}
}

void suite_tap_plan(size_t n, FILE *f)
{
	fprintf(f, "TAP version 13\n1..%zu\n", n);
	if (kernel_guest_release())
		fprintf(f, "# kernel %s\n", kernel_guest_release());
	fflush(f);
}

void suite_tap_result(const struct lab_result *lr, size_t number, unsigned int repeat, FILE *f)
{
	char *name = run_name(lr, repeat);
	bool ok = lr->outcome == NFLAB_PASS || lr->outcome == NFLAB_SKIP;

	fprintf(f, "%s %zu - ", ok ? "ok" : "not ok", number);
	utf8_write_term(f, name, false); /* a file name may hold a newline */
	if (lr->outcome == NFLAB_SKIP) {
		char *reason = xstrdup(lr->diag ? lr->diag : "skipped");

		reason[strcspn(reason, "\n")] = '\0';
		fputs(" # SKIP ", f);
		utf8_write_term(f, reason, false);
		free(reason);
	}
	fputc('\n', f);
	if (ok && lr->skipped_checks && lr->outcome != NFLAB_SKIP) {
		/* Passed, but not every check was made: the YAML block says which were not. */
		fprintf(f, "  ---\n  skipped_checks: %u\n", lr->skipped_checks);
		yaml_block(f, "skip_reason", lr->skip_why ? lr->skip_why : "");
		fputs("  ...\n", f);
	}
	if (!ok) {
		char *why = mismatch_text(lr);

		fprintf(f, "  ---\n  outcome: %s\n  duration_ms: %.1f\n", word(lr->outcome),
			lr->ms);
		if (lr->skipped_checks)
			fprintf(f, "  skipped_checks: %u\n", lr->skipped_checks);
		if (lr->interrupted)
			fputs("  interrupted: true\n", f);
		yaml_block(f, "message", why);
		fputs("  ...\n", f);
		free(why);
	}
	free(name);
	fflush(f);
}

void suite_write_tap(const struct suite_result *res, unsigned int repeat, FILE *f)
{
	size_t i;

	suite_tap_plan(res->n, f);
	for (i = 0; i < res->n; i++)
		suite_tap_result(&res->runs[i], i + 1, repeat, f);
}

/* ---- JUnit ---- */

/* Markup escaped, characters XML 1.0 forbids replaced by U+FFFD (the mark of a replacement). */
static bool xml_escape_text(FILE *f, uint32_t cp, void *arg)
{
	(void)arg;
	switch (cp) {
	case '<':
		fputs("&lt;", f);
		return true;
	case '>':
		fputs("&gt;", f);
		return true;
	case '&':
		fputs("&amp;", f);
		return true;
	case '"':
		fputs("&quot;", f);
		return true;
	case '\r':
		/* A raw one would be read back as \n. */
		fputs("&#13;", f);
		return true;
	}
	if (!utf8_xml_char(cp)) {
		fputs(UTF8_REPLACEMENT_STR, f);
		return true;
	}
	return false;
}

/* In attribute values a parser turns raw tabs and newlines into spaces: references keep them. */
static bool xml_escape_attr(FILE *f, uint32_t cp, void *arg)
{
	if (cp == '\n' || cp == '\t') {
		fprintf(f, "&#%u;", (unsigned int)cp);
		return true;
	}
	return xml_escape_text(f, cp, arg);
}

/* s as element content: valid UTF-8, nothing XML 1.0 forbids. */
static void xml_text(FILE *f, const char *s)
{
	utf8_write(f, s, xml_escape_text, NULL);
}

/* s as an attribute value, between double quotes. */
static void xml_attr(FILE *f, const char *s)
{
	utf8_write(f, s, xml_escape_attr, NULL);
}

/* Seconds for a time attribute (SUREFIRE_TIME: digits, a point, three decimals). */
static double junit_seconds(double ms)
{
	return isfinite(ms) && ms > 0 ? ms / 1000 : 0;
}

/* The message of a failure or an error: the first line of what went wrong. */
static char *junit_message(const struct lab_result *lr, const char *why)
{
	char *msg;

	if (lr->interrupted) {
		const char *diag = lr->diag ? lr->diag : "";
		int len = (int)strcspn(diag, "\n");
		const char *said = strstr(diag, "interrupted");

		/* The reason says so already, or is given after the word. */
		if (said && said < diag + len)
			return xstrndup(diag, len);
		return len ? xasprintf("interrupted: %.*s", len, diag) : xstrdup("interrupted");
	}
	msg = xstrdup(why ? why : "");
	msg[strcspn(msg, "\n")] = '\0';
	return msg;
}

static bool any_skipped_checks(const struct suite_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->runs[i].skipped_checks)
			return true;
	return false;
}

void suite_write_junit(const struct suite_result *res, unsigned int repeat, FILE *f)
{
	time_t started = res->started ? res->started : time(NULL);
	char stamp[32] = "1970-01-01T00:00:00", host[256] = "localhost";
	struct tm tm;
	size_t i;
	bool props = res->interrupted || kernel_guest_release() || any_skipped_checks(res);

	if (gmtime_r(&started, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (gethostname(host, sizeof(host)))
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';

	/* The xunit schema gives testsuites no skipped count: testsuite has it. */
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"nflab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"time=\"%.3f\">\n"
		"  <testsuite name=\"nflab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\" hostname=\"",
		res->n, res->failed, res->errors, junit_seconds(res->ms), res->n, res->failed,
		res->errors, res->skipped, junit_seconds(res->ms), stamp);
	xml_attr(f, host);
	fputs("\">\n", f);
	if (props)
		fputs("    <properties>\n", f);
	if (kernel_guest_release()) { /* in a --kernel VM: which kernel the labs ran on */
		fputs("      <property name=\"kernel\" value=\"", f);
		xml_attr(f, kernel_guest_release());
		fputs("\"/>\n", f);
	}
	if (res->interrupted) {
		fputs("      <property name=\"interrupted\" value=\"", f);
		xml_attr(f, res->interrupted);
		fputs("\"/>\n", f);
	}
	/* A testcase has no properties in the schema: the suite names each lab's skips. */
	for (i = 0; i < res->n; i++) {
		const struct lab_result *lr = &res->runs[i];
		char *name, *value, *run;

		if (!lr->skipped_checks)
			continue;
		run = run_name(lr, repeat);
		name = xasprintf("skipped-checks:%s", run);
		free(run);
		value = xasprintf("%u: %s", lr->skipped_checks, lr->skip_why ? lr->skip_why : "");
		fputs("      <property name=\"", f);
		xml_attr(f, name);
		fputs("\" value=\"", f);
		xml_attr(f, value);
		fputs("\"/>\n", f);
		free(name);
		free(value);
	}
	if (props)
		fputs("    </properties>\n", f);
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
		if (kernel_guest_release()) { /* a --kernel VM: grouped by kernel first */
			char *k = xasprintf("linux-%s.", kernel_guest_release()), *p;

			for (p = k; p[1]; p++)
				if (*p == '.')
					*p = '_';
			xml_attr(f, k);
			free(k);
		}
		xml_attr(f, strrchr(lr->path, '/') ? dir : "labs");
		fputs("\" name=\"", f);
		xml_attr(f, name);
		fprintf(f, "\" time=\"%.3f\">\n", junit_seconds(lr->ms));
		if (lr->outcome == NFLAB_FAIL || lr->outcome == NFLAB_ERROR) {
			const char *tag = lr->outcome == NFLAB_FAIL ? "failure" : "error";
			char *why = mismatch_text(lr);
			char *msg = junit_message(lr, why);

			fprintf(f, "      <%s message=\"", tag);
			xml_attr(f, msg);
			fputs("\">", f);
			xml_text(f, why);
			fprintf(f, "</%s>\n", tag);
			free(msg);
			free(why);
		} else if (lr->outcome == NFLAB_SKIP) {
			fputs("      <skipped message=\"", f);
			xml_attr(f, lr->diag ? lr->diag : "skipped");
			fputs("\"/>\n", f);
		}
		fputs("      <system-out>", f);
		xml_text(f, lr->output);
		fputs("</system-out>\n    </testcase>\n", f);
		free(name);
		free(dir);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
}

/* A duration as a JSON number (never nan or inf, which JSON does not have). */
static double json_ms(double ms)
{
	return isfinite(ms) ? ms : 0;
}

void suite_write_json(const struct suite_result *res, unsigned int repeat, FILE *f)
{
	size_t i, k;

	fprintf(f,
		"{\"summary\":{\"runs\":%zu,\"passed\":%zu,\"failed\":%zu,\"skipped\":%zu,"
		"\"errors\":%zu,\"duration_ms\":%.1f,\"interrupted\":",
		res->n, res->passed, res->failed, res->skipped, res->errors, json_ms(res->ms));
	if (res->interrupted)
		json_string(f, res->interrupted);
	else
		fputs("null", f);
	if (kernel_guest_release()) { /* in a --kernel VM: which kernel the labs ran on */
		fputs(",\"kernel\":", f);
		json_string(f, kernel_guest_release());
	}
	fputs("},\n\"labs\":[\n", f);
	for (i = 0; i < res->n; i++) {
		const struct lab_result *lr = &res->runs[i];

		fputs(i ? ",\n{\"lab\":" : "{\"lab\":", f);
		json_string(f, lr->path);
		fprintf(f,
			",\"run\":%u,\"verdict\":\"%s\",\"duration_ms\":%.1f,\"timed_out\":%s,"
			"\"interrupted\":%s",
			repeat > 1 ? lr->run : 1, word(lr->outcome), json_ms(lr->ms),
			lr->timed_out ? "true" : "false", lr->interrupted ? "true" : "false");
		fputs(",\"error\":", f);
		if (lr->diag && lr->outcome != NFLAB_PASS)
			json_string(f, lr->diag);
		else
			fputs("null", f);
		fprintf(f, ",\"skipped_checks\":%u,\"skip_reason\":", lr->skipped_checks);
		if (lr->skip_why)
			json_string(f, lr->skip_why);
		else
			fputs("null", f);
		fputs(",\"steps\":[", f);
		for (k = 0; k < lr->n_steps; k++) {
			const struct step_result *st = &lr->steps[k];

			fprintf(f,
				"%s{\"index\":%u,\"verdict\":\"%s\",\"duration_ms\":%.3f,\"text\":",
				k ? "," : "", st->index, word(st->verdict), json_ms(st->ms));
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

int suite_reports_write(const struct suite_result *res, unsigned int repeat, struct outfile *junit,
			struct outfile *json, struct diag *d)
{
	int rc = 0;

	if (junit->f) {
		suite_write_junit(res, repeat, junit->f);
		rc |= outfile_commit(junit, d);
	}
	if (json->f) {
		suite_write_json(res, repeat, json->f);
		rc |= outfile_commit(json, d);
	}
	return rc ? -1 : 0;
}
