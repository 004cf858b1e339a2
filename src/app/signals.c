/* The stop signals of a sweep. Handlers only store flags and call async-signal-safe functions
 * (scheduler_request_stop, atomic_write_abandon, _exit): never stdio, never a lock. */
#include "signals.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "scheduler.h"

static volatile sig_atomic_t received;

static void on_stop_signal(int signo)
{
    if (received) {
        /* The operator insists: no report, and no temporary file left behind. */
        atomic_write_abandon();
        _exit(128 + signo);
    }
    received = signo;
    scheduler_request_stop();
}

void signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* Either signal while the handler runs waits for it: the second one then ends the run. */
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool signals_interrupted(void)
{
    return received != 0;
}
