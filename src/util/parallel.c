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

void parallel_for(size_t n, void (*job)(void *arg, size_t i), void *arg)
{
	size_t want = n < PARALLEL_MAX ? n : PARALLEL_MAX, k;
	struct work w = {.n = n, .stride = want ? want : 1, .job = job, .arg = arg};
	struct share share[PARALLEL_MAX];
	pthread_t tid[PARALLEL_MAX];
	int started[PARALLEL_MAX] = {0};
	sigset_t all, old;

	for (k = 0; k < want; k++)
		share[k] = (struct share){&w, k};
	if (want > 1) {
		/* Signals stay with the main thread, which polls for them. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		/* The caller works too: one thread fewer to start. */
		for (k = 1; k < want; k++)
			started[k] = !pthread_create(&tid[k], NULL, worker, &share[k]);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (n)
		worker(&share[0]);
	for (k = 1; k < want; k++)
		if (!started[k])
			worker(&share[k]); /* no thread for these: here, after the caller's own */
	for (k = 1; k < want; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
}

struct parallel {
	struct work w;
	struct share share[PARALLEL_MAX];
	pthread_t tid[PARALLEL_MAX];
	int started[PARALLEL_MAX];
	size_t want;
};

struct parallel *parallel_start(size_t n, void (*job)(void *arg, size_t i), void *arg)
{
	struct parallel *p = xzalloc(sizeof(*p));
	sigset_t all, old;
	size_t k;

	p->want = n < PARALLEL_MAX ? n : PARALLEL_MAX;
	p->w = (struct work){.n = n, .stride = p->want ? p->want : 1, .job = job, .arg = arg};
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (k = 0; k < p->want; k++) {
		p->share[k] = (struct share){&p->w, k};
		p->started[k] = !pthread_create(&p->tid[k], NULL, worker, &p->share[k]);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

void parallel_wait(struct parallel *p)
{
	size_t k;

	if (!p)
		return;
	for (k = 0; k < p->want; k++)
		if (!p->started[k])
			worker(&p->share[k]);
	for (k = 0; k < p->want; k++)
		if (p->started[k])
			pthread_join(p->tid[k], NULL);
	free(p);
}
