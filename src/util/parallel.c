// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/parallel.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct work {
	size_t n, stride;
	void (*job)(void *arg, size_t i);
	void *arg;
};

struct share {
	struct work *w;
	size_t first;
};

/*
 * Each thread has its own calls, fixed in advance: pulled from a common counter,
 * a thread that starts late leaves its call to one already done with its first,
 * and two waits of a grace period then come one after the other.
 */
static void *worker(void *p)
{
	struct share *s = p;
	size_t i;

	for (i = s->first; i < s->w->n; i += s->w->stride)
		s->w->job(s->w->arg, i);
	return NULL;
}

struct parallel {
	struct work w;
	struct share share[PARALLEL_MAX];
	pthread_t tid[PARALLEL_MAX];
	int started[PARALLEL_MAX];
	size_t want;
};

/*
 * Sets p up for n calls, and starts a thread for each share from first on
 * (signals stay with the main thread, which polls for them).
 */
static void spawn(struct parallel *p, size_t n, void (*job)(void *arg, size_t i), void *arg,
		  size_t first)
{
	sigset_t all, old;
	size_t k;

	p->want = n < PARALLEL_MAX ? n : PARALLEL_MAX;
	p->w = (struct work){.n = n, .stride = p->want ? p->want : 1, .job = job, .arg = arg};
	for (k = 0; k < p->want; k++) {
		p->share[k] = (struct share){&p->w, k};
		p->started[k] = 0;
	}
	if (first >= p->want)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (k = first; k < p->want; k++)
		p->started[k] = !pthread_create(&p->tid[k], NULL, worker, &p->share[k]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Runs the shares no thread took, here, then joins the threads. */
static void finish(struct parallel *p)
{
	size_t k;

	for (k = 0; k < p->want; k++)
		if (!p->started[k])
			worker(&p->share[k]);
	for (k = 0; k < p->want; k++)
		if (p->started[k])
			pthread_join(p->tid[k], NULL);
}

void parallel_for(size_t n, void (*job)(void *arg, size_t i), void *arg)
{
	struct parallel p;

	/* The caller works too, on the first share: one thread fewer to start. */
	spawn(&p, n, job, arg, 1);
	finish(&p);
}

struct parallel *parallel_start(size_t n, void (*job)(void *arg, size_t i), void *arg)
{
	struct parallel *p = xzalloc(sizeof(*p));

	spawn(p, n, job, arg, 0);
	return p;
}

void parallel_wait(struct parallel *p)
{
	if (!p)
		return;
	finish(p);
	free(p);
}
