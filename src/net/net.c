/* Deadline-bound socket I/O: every wait goes through poll() with the remaining time. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net_rate.h"

double net_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Per thread: a worker probes one endpoint at a time, and every wait of a probe happens on the
 * worker that runs it (no probe starts threads). */
static _Thread_local double thread_deadline;

void net_deadline_set(double when)
{
    thread_deadline = when;
}

double net_deadline(void)
{
    return thread_deadline;
}

double net_bounded(double timeout_s)
{
    if (thread_deadline <= 0)
        return timeout_s;
    double left = thread_deadline - net_now();
    if (left < 0)
        left = 0;
    return timeout_s < left ? timeout_s : left;
}

int net_wait(int fd, short events, double timeout_s)
{
    timeout_s = net_bounded(timeout_s);
    double deadline = net_now() + timeout_s;
    for (;;) {
        double left = deadline - net_now();
        if (left < 0)
            left = 0;
        if (left > 86400.0)
            left = 86400.0; /* poll takes int milliseconds; a day is plenty per wait */
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, (int)(left * 1000.0 + 0.5));
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

int net_connect(const struct sockaddr *sa, socklen_t salen, double timeout_s,
                char *err, size_t errlen)
{
    net_rate_take(0);
    timeout_s = net_bounded(timeout_s);
    if (thread_deadline > 0 && timeout_s <= 0) {
        /* Past the endpoint's deadline nothing it could answer would be used. */
        snprintf(err, errlen, "connect: endpoint deadline passed");
        errno = ETIMEDOUT;
        return -1;
    }
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    /* Handshake probes are small request/response exchanges: Nagle only adds latency. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, sa, salen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        snprintf(err, errlen, "connect: %s", strerror(errno));
        close(fd);
        return -1;
    }
    int r = net_wait(fd, POLLOUT, timeout_s);
    if (r == 0) {
        snprintf(err, errlen, "connect: timed out after %.1f s", timeout_s);
        close(fd);
        errno = ETIMEDOUT;
        return -1;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
        snprintf(err, errlen, "connect: %s", strerror(soerr ? soerr : errno));
        close(fd);
        errno = soerr ? soerr : errno;
        return -1;
    }
    return fd;
}

int net_send_all(int fd, const void *buf, size_t len, double timeout_s)
{
    const unsigned char *p = buf;
    double deadline = net_now() + net_bounded(timeout_s);
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            double left = deadline - net_now();
            int r = left > 0 ? net_wait(fd, POLLOUT, left) : 0;
            if (r == 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            if (r < 0)
                return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

ssize_t net_recv_some(int fd, void *buf, size_t cap, double timeout_s)
{
    double deadline = net_now() + net_bounded(timeout_s);
    for (;;) {
        ssize_t n = recv(fd, buf, cap, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        double left = deadline - net_now();
        int r = left > 0 ? net_wait(fd, POLLIN, left) : 0;
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (r < 0)
            return -1;
    }
}

void net_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

void net_addr_str(const struct sockaddr *sa, char *out, size_t outlen)
{
    const void *a = sa->sa_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    if (!inet_ntop(sa->sa_family, a, out, (socklen_t)outlen))
        snprintf(out, outlen, "?");
}
