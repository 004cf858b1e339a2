/* The --rate gate: virtual scheduling (a token bucket of depth 1) on the monotonic clock. One
 * mutex guards the next free slot; the sleep happens outside it. */
#include "net_rate.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "net.h"

static double interval_s;            /* 1/N; 0: no cap */
static double next_slot;             /* net_now() time of the next free slot */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

void net_rate_set(int per_second)
{
    interval_s = per_second > 0 ? 1.0 / per_second : 0;
    next_slot = 0;
}

bool net_rate_limited(void)
{
    return interval_s > 0;
}

/* Sleeps until monotonic time t (net_now()'s clock), whatever signals come. */
static void sleep_until(double t)
{
    struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (double)(time_t)t) * 1e9) };
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

bool net_rate_take(double deadline)
{
    if (interval_s <= 0)
        return true;
    pthread_mutex_lock(&mu);
    double now = net_now();
    double slot = next_slot > now ? next_slot : now;
    if (deadline > 0 && slot > deadline) {
        pthread_mutex_unlock(&mu);
        return false;
    }
    next_slot = slot + interval_s;
    pthread_mutex_unlock(&mu);
    if (slot > now) {
        sleep_until(slot);
        /* The run's pace, not the peer's slowness: the endpoint's deadline moves as long. */
        if (net_deadline() > 0)
            net_deadline_set(net_deadline() + (slot - now));
    }
    return true;
}
