/* The one list of probe modules. Order matters only as a tie-break: the scheduler runs
 * an endpoint's probes in this order as far as needs and limits allow. */
#include <string.h>

#include "probe.h"

extern const probe_module_t probe_starttls;
extern const probe_module_t probe_versions;
extern const probe_module_t probe_ciphers;
extern const probe_module_t probe_groups;
extern const probe_module_t probe_signatures;
extern const probe_module_t probe_certificate;
extern const probe_module_t probe_http;
extern const probe_module_t probe_mtls;

const probe_module_t *const probe_registry[] = {
    /* First: when STARTTLS fails, the TLS probes find the endpoint unreachable and the rest
     * is skipped, but the cleartext facts must still be taken. */
    &probe_starttls,
    &probe_versions,
    &probe_ciphers,
    &probe_groups,
    &probe_signatures,
    &probe_certificate,
    &probe_http,
    &probe_mtls,
};
const size_t probe_registry_count = sizeof probe_registry / sizeof *probe_registry;

const probe_module_t *probe_by_name(const char *name)
{
    for (size_t i = 0; i < probe_registry_count; i++)
        if (strcmp(probe_registry[i]->name, name) == 0)
            return probe_registry[i];
    return NULL;
}
