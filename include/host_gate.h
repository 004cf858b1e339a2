/* --per-host for every connection that is not a probe's own connection to its endpoint: the
 * cleartext HTTP port, OCSP responders, CRL distribution points and caIssuers servers (every
 * libcurl connection). One run-wide count of open connections per address:port, shared by
 * every thread; a connection waits for a free slot until its operation's deadline.
 *
 * The scheduler limits the probes of TLS endpoints per address:port itself (scheduler.h); the
 * two counts are kept apart so that no wait can close a cycle: a slot of this gate is held only
 * for one connection's I/O, and its holder never waits for anything while holding it (a second
 * connection of the same transfer only takes a free slot, never waits). A worker that holds a
 * probe slot and waits here therefore always waits for connections that end by their own
 * deadlines. */
#ifndef TLSPROBE_HOST_GATE_H
#define TLSPROBE_HOST_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Long enough for "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535". */
#define HOST_GATE_KEY_MAX 64

/* Sets the limit: connections open at once to one address:port; 0: no limit (the default).
 * Call before any thread connects. */
void host_gate_set(int per_host);
/* Whether a limit is set. */
bool host_gate_limited(void);

/* The key of an IPv4 or IPv6 address and port ("192.0.2.1:80", "[2001:db8::1]:443"), an
 * IPv4-mapped IPv6 address written as IPv4; false for another family. */
bool host_gate_key(const struct sockaddr *sa, socklen_t salen, char out[HOST_GATE_KEY_MAX]);

/* Takes a slot for key, waiting while every one is held: true, and the caller may connect.
 * false when deadline (net_now() time) passes first. Without a limit: true at once. */
bool host_gate_take(const char *key, double deadline);
/* The same without waiting: false at once when every slot is held. */
bool host_gate_try(const char *key);
/* Gives back a slot taken for key (after the connection is closed). */
void host_gate_release(const char *key);

#endif
