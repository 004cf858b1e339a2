/* The endpoint's own operations: reading a probe's facts, and freeing the state modules keep
 * on it while its probes run, without the scheduler or main knowing those modules. */
#include "endpoint.h"

#include <stdlib.h>
#include <string.h>

json_object *endpoint_probe_facts(endpoint_t *ep, const char *probe_name)
{
    json_object *v = NULL;
    pthread_mutex_lock(&ep->lock);
    if (ep->facts)
        json_object_object_get_ex(ep->facts, probe_name, &v);
    pthread_mutex_unlock(&ep->lock);
    return v;
}

void endpoint_add_finaliser(endpoint_t *ep, endpoint_finaliser_fn fn)
{
    pthread_mutex_lock(&ep->lock);
    bool known = false;
    for (size_t i = 0; i < ep->nfinalisers && !known; i++)
        known = ep->finalisers[i] == fn;
    /* A finaliser dropped would leave its state unfreed for the whole sweep: a programming
     * error (raise ENDPOINT_MAX_FINALISERS), never a silent leak. */
    if (!known && ep->nfinalisers == ENDPOINT_MAX_FINALISERS)
        abort();
    if (!known)
        ep->finalisers[ep->nfinalisers++] = fn;
    pthread_mutex_unlock(&ep->lock);
}

void endpoint_finalise(endpoint_t *ep)
{
    endpoint_finaliser_fn fns[ENDPOINT_MAX_FINALISERS];
    pthread_mutex_lock(&ep->lock);
    size_t n = ep->nfinalisers;
    memcpy(fns, ep->finalisers, n * sizeof *fns);
    ep->nfinalisers = 0;
    pthread_mutex_unlock(&ep->lock);
    /* Outside the lock: each finaliser takes it itself. */
    for (size_t i = 0; i < n; i++)
        fns[i](ep);
}
