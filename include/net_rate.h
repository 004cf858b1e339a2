/* --rate: a cap on new TCP connections per second over the whole run, shared by every thread
 * and every way tlsprobe connects (probes' net_connect, libcurl's fetches). Spacing, burst 1:
 * each connection's slot is at least 1/N s after the previous one's, so C connections take at
 * least (C-1)/N seconds. Slots are handed out in the order they are asked for; a caller holds
 * one slot at a time, so a wait is at most (threads asking)/N. */
#ifndef TLSPROBE_NET_RATE_H
#define TLSPROBE_NET_RATE_H

#include <stdbool.h>

/* Sets the cap in connections per second; 0: no limit (the default). Call before any thread
 * connects. */
void net_rate_set(int per_second);
/* Whether a cap is set. */
bool net_rate_limited(void);
/* Takes the next connection slot and sleeps until it comes: true, and the caller may connect.
 * With deadline > 0 (net_now() time), a slot that would come after it is not taken: false at
 * once (the caller's deadline passes before it could connect). Without a cap: true at once.
 * A wait moves the calling thread's endpoint deadline (net_deadline_set) later by as long. */
bool net_rate_take(double deadline);

#endif
