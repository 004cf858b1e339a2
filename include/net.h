/* Socket I/O where every operation has a deadline. Blocking calls never wait longer
 * than the timeout given; errors come back as -1 with errno and a message. */
#ifndef TLSPROBE_NET_H
#define TLSPROBE_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* An exchange of several waits (a TLS handshake, a raw hello's first flight) gets this many
 * single waits (--timeout) in all: a slow server still finishes, a trickling one not forever. */
#define NET_EXCHANGE_WAITS 3

/* The endpoint deadline of the calling thread (net_now() time; 0: none): every wait of this
 * thread below (connect, send, receive, poll) ends by it whatever its own timeout, and so does
 * every wait that goes through net_bounded (libcurl's). The scheduler sets it around each probe
 * (--endpoint-timeout); a thread's waits for a --rate slot move it later by as long (the run's
 * pace, not the peer's slowness), and net_deadline tells where it ended up. */
void net_deadline_set(double when);
double net_deadline(void);
/* timeout_s cut to what is left before the calling thread's deadline (0 once it has passed). */
double net_bounded(double timeout_s);

/* Non-blocking connect with a deadline. Returns a connected fd (O_NONBLOCK set) or -1.
 * Under --rate it first waits for its connection slot (net_rate.h); timeout_s counts from then:
 * the wait is the run's pace, not the peer's slowness. */
int net_connect(const struct sockaddr *sa, socklen_t salen, double timeout_s,
                char *err, size_t errlen);
/* Writes all of buf before the deadline. 0 or -1. */
int net_send_all(int fd, const void *buf, size_t len, double timeout_s);
/* Reads what is available (at most cap), waiting up to timeout_s for the first byte.
 * Returns bytes read, 0 at end of stream, -1 on error (errno ETIMEDOUT on timeout). */
ssize_t net_recv_some(int fd, void *buf, size_t cap, double timeout_s);
/* Waits until fd is readable (events=POLLIN) or writable (POLLOUT). 1 ready, 0 timeout, -1 error. */
int net_wait(int fd, short events, double timeout_s);
void net_close(int fd);
/* Monotonic seconds. */
double net_now(void);

/* "1.2.3.4" or "::1" of a sockaddr. */
void net_addr_str(const struct sockaddr *sa, char *out, size_t outlen);

#endif
