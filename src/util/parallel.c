// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/parallel.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

struct work {
	size_t n;
	atomic_size_t next;
	void (*job)(void *arg, size_t i);
	void *arg;
};

static void *worker(void *p)
{
	struct work *w = p;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < w->n)
		w->job(w->arg, i);
	return NULL;
}

void parallel_for(size_t n, void (*job)(void *arg, size_t i), void *arg)
{
	struct work w = {.n = n, .job = job, .arg = arg};
	pthread_t tid[PARALLEL_MAX];
	sigset_t all, old;
	size_t want = n < PARALLEL_MAX ? n : PARALLEL_MAX, started = 0, i;

	atomic_init(&w.next, 0);
	if (n > 1) {
		/* Signals stay with the main thread, which polls for them. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		/* The caller works too: one thread fewer to start. */
		while (started < want - 1 && !pthread_create(&tid[started], NULL, worker, &w))
			started++;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	worker(&w);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}
