// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The close step: close: NAME closes the connection of an earlier tcp step
 * (named NAME), whose FIN starts the close handshake.
 */
#include <string.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

/* close: NAME of an earlier tcp step, whose connection is closed (a FIN). */
static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	const char *s;
	size_t i;

	if (ystr(&p->y, v, "the name of an earlier tcp step", &s, p->d))
		return -1;
	for (i = 0; i + 1 < p->lab->n_steps; i++) {
		const struct lab_step *t = &p->lab->steps[i];

		if (t->name && !strcmp(t->name, s)) {
			if (t->kind != STEP_TCP)
				return fail_at(p, v, "step \"%s\" is not a tcp step", s);
			st->close = i;
			return 0;
		}
	}
	return fail_at(p, v, "no earlier step is named \"%s\" (close names a tcp step)", s);
}

/* Closes the connection of an earlier tcp step: its FIN starts the close handshake. */
static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct lab_step *conn = &r->lab->steps[st->close];
	int fd = r->step_fd[st->close];

	(void)text;
	(void)len;
	(void)detail;
	if (fd < 0)
		return diag_set(&r->d, "step \"%s\" has no open connection to close", conn->name);
	if (run_window_open(r))
		return -1;
	r->step_fd[st->close] = -1;
	run_close_socket(r, fd);
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	snprintf(buf, len, "close the connection of step \"%s\"", lab->steps[st->close].name);
}

/* The FIN leaves from the node of the tcp step that connected. */
static long sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)iface;
	return (long)lab->steps[st->close].probe.node;
}

const struct step_ops step_close = {
	.key = "close",
	.kind = STEP_CLOSE,
	.parse = parse,
	.run = run,
	.describe = describe,
	.sender = sender,
};
