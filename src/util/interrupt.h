/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SIGINT and SIGTERM: say what was running, and exit 130 or 143 leaving nothing behind. */
#ifndef NFLAB_INTERRUPT_H
#define NFLAB_INTERRUPT_H

/*
 * Installs handlers that print "nflab: interrupted by SIGINT while <doing>" to
 * standard error and _exit(128 + signal). Nothing else needs cleaning: the
 * namespaces are held only by this process's descriptors, and its children die
 * with it (PR_SET_PDEATHSIG).
 */
void interrupt_install(void);

/* Sets what the handler reports as running (printf format). */
void interrupt_doing(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
