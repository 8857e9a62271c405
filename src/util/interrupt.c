// SPDX-License-Identifier: GPL-2.0-or-later
/* SIGINT and SIGTERM: say what was running, and exit 130 or 143 leaving nothing behind. */
#include "util/interrupt.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DOING_MAX 512

/* Two buffers: the handler reads the one not being written. */
static char doing[2][DOING_MAX] = {"starting", "starting"};
static volatile sig_atomic_t current;

void interrupt_doing(const char *fmt, ...)
{
	int next = !current;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(doing[next], DOING_MAX, fmt, ap);
	va_end(ap);
	current = next;
}

static void put(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));

	(void)n;
}

static void on_signal(int sig)
{
	put(sig == SIGINT ? "\nnflab: interrupted by SIGINT while "
			  : "\nnflab: stopped by SIGTERM while ");
	put(doing[current]);
	put("\n");
	_exit(128 + sig);
}

void interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
