// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON text for the reports that write it. */
#include "report/json.h"

#include "util/utf8.h"

/* Quotes and backslashes escaped, control characters as \n or \u00XX; the rest as it is. */
static bool json_escape(FILE *f, uint32_t cp, void *arg)
{
	(void)arg;
	if (cp == '"' || cp == '\\')
		fprintf(f, "\\%c", (int)cp);
	else if (cp == '\n')
		fputs("\\n", f);
	else if (cp < 0x20)
		fprintf(f, "\\u%04x", (unsigned int)cp);
	else
		return false;
	return true;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	utf8_write(f, s, json_escape, NULL);
	fputc('"', f);
}
