/* The one list of probe modules. Order matters only as a tie-break: the scheduler runs
 * an endpoint's probes in this order as far as needs and limits allow. */
#include <stdio.h>
#include <string.h>

#include "probe.h"

/* The probes, one line each. First: starttls; when STARTTLS fails, the TLS probes find the
 * endpoint unreachable and the rest is skipped, but the cleartext facts must still be taken. */
#define PROBES \
    X(starttls)   \
    X(versions)   \
    X(ciphers)    \
    X(groups)     \
    X(signatures) \
    X(certificate) \
    X(http)       \
    X(mtls)       \
    X(ech)        \
    /* a new probe: one X(name) line above this one */

#define X(name) extern const probe_module_t probe_##name;
PROBES
#undef X

const probe_module_t *const probe_registry[] = {
#define X(name) &probe_##name,
    PROBES
#undef X
};
const size_t probe_registry_count = sizeof probe_registry / sizeof *probe_registry;

int probe_index(const char *name)
{
    for (size_t i = 0; i < probe_registry_count; i++)
        if (strcmp(probe_registry[i]->name, name) == 0)
            return (int)i;
    return -1;
}

bool probe_selected(const options_t *opts, size_t i)
{
    return !opts || opts->probe_mask == 0 || (opts->probe_mask >> i) & 1ul;
}

static void select_with_needs(unsigned long *mask, size_t i);

static void select_all(unsigned long *mask, const char *const *names)
{
    for (const char *const *name = names; name && *name; name++) {
        int j = probe_index(*name);
        if (j >= 0)
            select_with_needs(mask, (size_t)j);
    }
}

/* Adds probe i and, recursively, what it needs and uses. */
static void select_with_needs(unsigned long *mask, size_t i)
{
    if ((*mask >> i) & 1ul)
        return;
    *mask |= 1ul << i;
    select_all(mask, probe_registry[i]->needs);
    select_all(mask, probe_registry[i]->uses);
}

unsigned long probe_parse_list(const char *list, char *err, size_t errlen)
{
    unsigned long mask = 0;
    char name[64];
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof name) {
            snprintf(err, errlen, "'%s' is not a list of probe names", list);
            return 0;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        int i = probe_index(name);
        if (i < 0) {
            size_t used = (size_t)snprintf(err, errlen, "unknown probe '%s' (known:", name);
            for (size_t j = 0; j < probe_registry_count && used < errlen; j++)
                used += (size_t)snprintf(err + used, errlen - used, " %s", probe_registry[j]->name);
            if (used < errlen)
                snprintf(err + used, errlen - used, ")");
            return 0;
        }
        select_with_needs(&mask, (size_t)i);
        p += len;
        if (*p == ',')
            p++;
    }
    return mask;
}
