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

    endpoint_status_t status;
    char error[256];           /* why status is not OK */

    pthread_mutex_t lock;      /* guards facts and verdicts */
    json_object *facts;        /* { "<probe name>": { "status": ..., ... }, ... } */
    json_object *verdicts;     /* array, filled by scoring */
    const char *result;        /* "PASS", "FAIL", "ERROR", set by scoring (NULL: not scored) */
    json_object *grade;        /* grade_endpoint(), set by scoring; NULL: none */
    json_object *profile;      /* profile_check() for --profile, set by scoring; NULL: none */
    atomic_int connections;    /* TCP connections opened to this endpoint */
    struct hello_memo_entry *memo; /* answers later probes may reuse (hello_memo.h), under lock */
    size_t nmemo;
    struct hello_shape *shape; /* hello shapes it answers, learned by versions (hello_shape.h), under lock */
    double started, finished;  /* net_now() */
} endpoint_t;

/* Facts a finished probe recorded (NULL if it has not run). Safe once the probe is done. */
json_object *endpoint_probe_facts(endpoint_t *ep, const char *probe_name);

#endif
