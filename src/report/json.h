/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON text for the reports that write it (events, suite results). */
#ifndef NFLAB_JSON_H
#define NFLAB_JSON_H

#include <stdio.h>

/* s as a JSON string, quotes included; NULL as "". */
void json_string(FILE *f, const char *s);

#endif
