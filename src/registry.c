/* Lookups in the generated registry tables (registry_data.c), and OpenSSL's suite names,
 * asked of the linked library once: the project ships no name mapping of its own. */
#include "registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

/* The tables are sorted by code, so by-code lookups are binary searches. */
#define BSEARCH_BY_CODE(table, count, want)                 \
    do {                                                    \
        size_t lo = 0, hi = (count);                        \
        while (lo < hi) {                                   \
            size_t mid = lo + (hi - lo) / 2;                \
            if ((table)[mid].code == (want))                \
                return &(table)[mid];                       \
            if ((table)[mid].code < (want))                 \
                lo = mid + 1;                               \
            else                                            \
                hi = mid;                                   \
        }                                                   \
        return NULL;                                        \
    } while (0)

#define FIND_BY_NAME(table, count, want)                    \
    do {                                                    \
        if (!(want))                                        \
            return NULL;                                    \
        for (size_t i = 0; i < (count); i++)                \
            if (strcmp((table)[i].name, (want)) == 0)       \
                return &(table)[i];                         \
        return NULL;                                        \
    } while (0)

const registry_suite_t *registry_suite_by_code(uint16_t code)
{
    BSEARCH_BY_CODE(registry_suites, registry_suites_count, code);
}

const registry_suite_t *registry_suite_by_name(const char *name)
{
    FIND_BY_NAME(registry_suites, registry_suites_count, name);
}

const registry_group_t *registry_group_by_code(uint16_t code)
{
    BSEARCH_BY_CODE(registry_groups, registry_groups_count, code);
}

const registry_group_t *registry_group_by_name(const char *name)
{
    FIND_BY_NAME(registry_groups, registry_groups_count, name);
}

const registry_sigscheme_t *registry_sigscheme_by_code(uint16_t code)
{
    BSEARCH_BY_CODE(registry_sigschemes, registry_sigschemes_count, code);
}

const registry_sigscheme_t *registry_sigscheme_by_name(const char *name)
{
    FIND_BY_NAME(registry_sigschemes, registry_sigschemes_count, name);
}

const registry_sslv2_kind_t *registry_sslv2_kind_by_code(uint32_t code)
{
    BSEARCH_BY_CODE(registry_sslv2_kinds, registry_sslv2_kinds_count, code);
}

const registry_sslv2_kind_t *registry_sslv2_kind_by_name(const char *name)
{
    FIND_BY_NAME(registry_sslv2_kinds, registry_sslv2_kinds_count, name);
}

unsigned registry_version_bit(uint16_t wire_version)
{
    switch (wire_version) {
    case 0x0300: return REG_V_SSL3;
    case 0x0301: return REG_V_TLS10;
    case 0x0302: return REG_V_TLS11;
    case 0x0303: return REG_V_TLS12;
    case 0x0304: return REG_V_TLS13;
    default: return 0;
    }
}

size_t registry_suites_for_version(uint16_t wire_version, uint16_t *out, size_t cap)
{
    unsigned bit = registry_version_bit(wire_version);
    size_t n = 0;
    if (!bit)
        return 0;
    for (size_t i = 0; i < registry_suites_count; i++) {
        const registry_suite_t *s = &registry_suites[registry_suite_preference[i]];
        if (!(s->versions & bit))
            continue;
        if (n < cap)
            out[n] = s->code;
        n++;
    }
    return n;
}

/* OpenSSL's names, parallel to registry_suites; filled once. */
static const char **openssl_names;
static pthread_once_t openssl_names_once = PTHREAD_ONCE_INIT;

static void load_openssl_names(void)
{
    const char **names = calloc(registry_suites_count, sizeof *names);
    if (!names)
        return;
    /* SSL_CIPHER_find looks in the method's full table (disabled suites too), which needs an
     * SSL object; the SSL_CIPHERs it returns are static, so their names outlive ctx and ssl. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (ssl) {
        for (size_t i = 0; i < registry_suites_count; i++) {
            unsigned char bytes[2] = { (unsigned char)(registry_suites[i].code >> 8),
                                       (unsigned char)registry_suites[i].code };
            const SSL_CIPHER *c = SSL_CIPHER_find(ssl, bytes);
            names[i] = c ? SSL_CIPHER_get_name(c) : NULL;
        }
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    openssl_names = names;
}

const char *registry_openssl_name(uint16_t code)
{
    const registry_suite_t *s = registry_suite_by_code(code);
    if (!s)
        return NULL;
    pthread_once(&openssl_names_once, load_openssl_names);
    return openssl_names ? openssl_names[s - registry_suites] : NULL;
}
