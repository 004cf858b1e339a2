/* The --per-host gate (src/net/host_gate.c): keys name an address and port; without a limit
 * every slot is free; with N, at most N are held per key whatever the threads do, keys are
 * independent, a full key refuses a try at once and a take at its deadline without taking
 * anything, and a released slot goes to a waiter (none is lost, none is made up). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "host_gate.h"
#include "net.h"
#include "unit_check.h"

#define THREADS 8
#define ROUNDS 200
#define LIMIT 2

static atomic_int holding, most_held, refused;

static void *worker(void *arg)
{
    const char *key = arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (!host_gate_take(key, net_now() + 30)) {
            atomic_fetch_add(&refused, 1);
            continue;
        }
        int now = atomic_fetch_add(&holding, 1) + 1;
        int seen = atomic_load(&most_held);
        while (now > seen && !atomic_compare_exchange_weak(&most_held, &seen, now))
            ;
        if (i % 16 == 0)
            usleep(100);   /* a connection's I/O: others queue meanwhile */
        atomic_fetch_sub(&holding, 1);
        host_gate_release(key);
    }
    return NULL;
}

static void keys(void)
{
    char k[HOST_GATE_KEY_MAX];
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80) };
    inet_pton(AF_INET, "192.0.2.1", &in.sin_addr);
    check(host_gate_key((struct sockaddr *)&in, sizeof in, k) && strcmp(k, "192.0.2.1:80") == 0,
          "IPv4 key", "got %s", k);
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
    inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
    check(host_gate_key((struct sockaddr *)&in6, sizeof in6, k) && strcmp(k, "[2001:db8::1]:443") == 0,
          "IPv6 key, bracketed", "got %s", k);
    inet_pton(AF_INET6, "::ffff:192.0.2.1", &in6.sin6_addr);
    in6.sin6_port = htons(80);
    check(host_gate_key((struct sockaddr *)&in6, sizeof in6, k) && strcmp(k, "192.0.2.1:80") == 0,
          "IPv4-mapped IPv6: the IPv4 key (one host, one count)", "got %s", k);
    struct sockaddr un = { .sa_family = AF_UNIX };
    check(!host_gate_key(&un, sizeof un, k), "another family has no key", "");
}

int main(void)
{
    keys();
    host_gate_set(0);
    bool all = true;
    for (int i = 0; i < 100; i++)
        all &= host_gate_take("192.0.2.1:80", net_now() - 1) && host_gate_try("192.0.2.1:80");
    check(!host_gate_limited() && all, "no limit: every slot free at once", "");

    host_gate_set(LIMIT);
    check(host_gate_take("a:1", net_now() + 1) && host_gate_take("a:1", net_now() + 1), "limit 2: two slots", "");
    check(!host_gate_try("a:1"), "limit 2: a third try is refused at once", "");
    check(!host_gate_take("a:1", net_now() + 0.05), "limit 2: a third take fails at its deadline", "");
    check(host_gate_try("b:1"), "another key has its own slots", "");
    host_gate_release("b:1");
    host_gate_release("a:1");
    check(host_gate_try("a:1"), "a released slot is free again", "");
    check(!host_gate_try("a:1"), "and only one: the refused take took nothing", "");
    host_gate_release("a:1");
    host_gate_release("a:1");

    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, worker, "c:1");
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    check(atomic_load(&most_held) <= LIMIT && atomic_load(&most_held) >= 1,
          "8 threads on one key: never more than 2 held at once", "most held %d", atomic_load(&most_held));
    check(atomic_load(&refused) == 0, "every waiter got its slot before a generous deadline", "%d refused",
          atomic_load(&refused));
    bool two = host_gate_try("c:1") && host_gate_try("c:1");
    check(two && !host_gate_try("c:1"), "afterwards exactly 2 free slots: none lost, none made up", "");
    host_gate_release("c:1");
    host_gate_release("c:1");
    return failures ? 1 : 0;
}
