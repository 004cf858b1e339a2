/* The endpoint deadline of a thread (net.h): waits are cut to it, nothing connects after it, it
 * is the calling thread's only, and a wait for a --rate slot moves it later by as long. Only
 * outcomes that do not depend on timing: a deadline already past, or one far away. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "net_rate.h"
#include "unit_check.h"

static void *other_thread(void *arg)
{
    *(double *)arg = net_deadline();
    return NULL;
}

int main(void)
{
    check(net_deadline() == 0 && net_bounded(7.5) == 7.5, "no deadline: timeouts stand", "");

    net_deadline_set(net_now() + 1000);
    double b = net_bounded(5);
    check(b == 5, "a deadline far away: a timeout shorter than it stands", "%g", b);
    b = net_bounded(5000);
    check(b > 990 && b <= 1000, "a deadline far away: a longer timeout is cut to it", "%g", b);
    double seen = -1;
    pthread_t t;
    pthread_create(&t, NULL, other_thread, &seen);
    pthread_join(t, NULL);
    check(seen == 0, "another thread has no deadline", "%g", seen);

    net_deadline_set(net_now() - 1);
    check(net_bounded(5) == 0, "a deadline past: nothing left to wait", "");
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    char buf[8];
    double t0 = net_now();
    errno = 0;
    ssize_t n = net_recv_some(sv[0], buf, sizeof buf, 3600);
    check(n == -1 && errno == ETIMEDOUT, "a deadline past: a read of an hour's timeout times out", "n %zd errno %d",
          n, errno);
    check(net_wait(sv[0], POLLIN, 3600) == 0, "a deadline past: a wait of an hour's timeout ends", "");
    check(net_now() - t0 < 1800, "a deadline past: neither waited its own timeout", "");
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    char err[128] = "";
    int fd = net_connect((const struct sockaddr *)&sa, sizeof sa, 3600, err, sizeof err);
    check(fd < 0 && strstr(err, "endpoint deadline passed"), "a deadline past: no connection is made",
          "fd %d, %s", fd, err);
    close(sv[0]);
    close(sv[1]);

    /* --rate 1: the second slot is a second away; the wait for it moves the deadline. */
    double d = net_now() + 1000;
    net_deadline_set(d);
    net_rate_set(1);
    net_rate_take(0);
    net_rate_take(0);
    check(net_deadline() > d + 0.5, "a wait for a --rate slot moves the deadline later", "by %g s",
          net_deadline() - d);
    net_rate_set(0);
    net_deadline_set(0);
    check(net_deadline() == 0, "cleared", "");
    return failures ? 1 : 0;
}
