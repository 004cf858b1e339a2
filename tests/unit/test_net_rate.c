/* The --rate gate (src/net/net_rate.c): without a cap every slot is free; with N per second,
 * k slots after the first come at least k/N s later, from every thread together; a deadline
 * before the next slot is refused at once without taking the slot. No upper bound on time: a
 * loaded machine only makes the lower bound easier (the refusal needs two calls within 1 s). */
#include <pthread.h>
#include <stdbool.h>

#include "net.h"
#include "net_rate.h"
#include "unit_check.h"

#define THREADS 4
#define PER_THREAD 5

static void *taker(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_THREAD; i++)
        net_rate_take(0);
    return NULL;
}

int main(void)
{
    net_rate_set(0);
    bool all = true;
    for (int i = 0; i < 1000; i++)
        all &= net_rate_take(net_now() - 1); /* even a deadline already past: no slot to wait for */
    check(!net_rate_limited() && all, "no cap: every slot free at once", "");

    net_rate_set(50);
    check(net_rate_limited(), "--rate 50: limited", "");
    double t0 = net_now();
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, taker, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    double took = net_now() - t0;
    double need = (THREADS * PER_THREAD - 1) / 50.0;
    check(took >= need, "--rate 50: 20 slots from 4 threads take at least 19/50 s", "took %.3f s < %.3f s", took,
          need);

    /* At 1 per second the next slot is 1 s after this one: a deadline now cannot have it, and
     * must not take it, or the slot after would be 2 s away and miss a 1.5 s deadline. */
    net_rate_set(1);
    net_rate_take(0);
    check(!net_rate_take(net_now()), "a slot after the deadline is refused", "");
    check(net_rate_take(net_now() + 1.5), "the refused slot was not taken", "");
    return failures ? 1 : 0;
}
