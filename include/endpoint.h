/* An endpoint is one target at one resolved address: the unit probes work on.
 * Its facts are a JSON tree (json-c), one member per probe, so report writers
 * and later readers (diff, resume) share a single model. */
#ifndef TLSPROBE_ENDPOINT_H
#define TLSPROBE_ENDPOINT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <json-c/json.h>

#include "options.h"
#include "target.h"

typedef enum {
    ENDPOINT_OK,           /* reached; probes ran (some may have recorded errors) */
    ENDPOINT_UNRESOLVED,   /* DNS failed */
    ENDPOINT_UNREACHABLE,  /* no TCP connection could be made */
    ENDPOINT_ERROR         /* reached, but nothing usable came back */
} endpoint_status_t;

struct endpoint;
/* Frees state a module keeps per endpoint while its probes run (endpoint_add_finaliser), or
 * completes a probe's facts from facts of probes it does not wait for (probe.h, uses). */
typedef void (*endpoint_finaliser_fn)(struct endpoint *ep);
/* Five modules keep such state (hello_memo, hello_shape, certificate, default_hs, http) and
 * certificate completes its facts so; a finaliser past this many is a programming error. */
#define ENDPOINT_MAX_FINALISERS 8
/* Room for the names of the probes a run leaves out (endpoint_t.left_out). */
#define ENDPOINT_MAX_PROBES 16

typedef struct endpoint {
    const target_t *target;
    const options_t *opts;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char addr_str[64];
    char **all_addrs;          /* every address the name resolved to */
    size_t nall_addrs;
    const char *sni;           /* effective SNI (NULL: none) */
    const char *ca_file;       /* effective trust anchors (NULL: system store) */
    json_object *dns_https;    /* the name's DNS HTTPS record, asked at resolve time (resolve.h); NULL: not asked */

    endpoint_status_t status;
    char error[256];           /* why status is not OK */

    pthread_mutex_t lock;      /* guards facts and verdicts */
    json_object *facts;        /* { "<probe name>": { "status": ..., ... }, ... } */
    json_object *verdicts;     /* array, filled by scoring */
    json_object *warnings;     /* array, set by scoring (warnings.h); NULL: not scored */
    const char *result;        /* "PASS", "FAIL", "ERROR", set by scoring (NULL: not scored) */
    json_object *grade;        /* grade_endpoint(), set by scoring; NULL: none */
    json_object *profile;      /* profile_check() for --profile, set by scoring; NULL: none */
    atomic_int connections;    /* TCP connections opened to this endpoint */
    struct hello_memo_entry *memo; /* answers later probes may reuse (hello_memo.h), under lock */
    size_t nmemo;
    struct hello_shape *shape; /* hello shapes it answers, learned by versions (hello_shape.h), under lock */
    struct default_hs_slot *default_hs; /* its default handshake, made once (default_hs.h), under lock */
    struct http_cleartext_slot *http_cleartext; /* the http probe's cleartext request to it, made once, under lock */
    endpoint_finaliser_fn finalisers[ENDPOINT_MAX_FINALISERS]; /* under lock */
    size_t nfinalisers;
    /* Probes --probes left out, by name, NULL-ended: one list for the run, set by the scheduler
     * while it runs (NULL outside): scoring tells "not selected" from "did not run" by these,
     * not by the probe registry. */
    const char *const *left_out;
    double started, finished;  /* net_now() */
    /* net_now() time by which its probes end (--endpoint-timeout from started; 0: not started):
     * set by the scheduler, moved later by waits for --rate slots; under lock. */
    double deadline;
} endpoint_t;

/* Facts a finished probe recorded (NULL if it has not run). Safe once the probe is done. */
json_object *endpoint_probe_facts(endpoint_t *ep, const char *probe_name);

/* A module that keeps state on the endpoint (answers, shapes) registers how to free it, once;
 * registering the same function again does nothing. Takes ep->lock. */
void endpoint_add_finaliser(endpoint_t *ep, endpoint_finaliser_fn fn);
/* Runs and forgets the registered finalisers: when the endpoint's last probe is done (nothing
 * is left to read the state; before scoring), and again harmlessly when it is freed. */
void endpoint_finalise(endpoint_t *ep);

#endif
