/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A deliberate data race: two threads increment one counter without
 * synchronisation. Passes uninstrumented; under --config=tsan it must fail
 * with "ThreadSanitizer: data race" (tools/test checks that it does).
 */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 100000

static volatile long counter;

static void *
worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		counter++;
	return NULL;
}

int
main(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, worker, NULL) != 0 ||
	    pthread_create(&b, NULL, worker, NULL) != 0)
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("counter %ld of %d (lost updates are the point)\n", counter, 2 * ROUNDS);
	return 0;
}
