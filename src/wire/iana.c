/* Lookups in the generated registry tables (iana_data.c), and OpenSSL's suite names,
 * asked of the linked library once: the project ships no name mapping of its own. */
#include "iana.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
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

const iana_suite_t *iana_suite_by_code(uint16_t code)
{
    BSEARCH_BY_CODE(iana_suites, iana_suites_count, code);
}

const iana_suite_t *iana_suite_by_name(const char *name)
{
    FIND_BY_NAME(iana_suites, iana_suites_count, name);
}

const iana_group_t *iana_group_by_code(uint16_t code)
{
    BSEARCH_BY_CODE(iana_groups, iana_groups_count, code);
}

const iana_group_t *iana_group_by_name(const char *name)
{
    FIND_BY_NAME(iana_groups, iana_groups_count, name);
}

const iana_sigscheme_t *iana_sigscheme_by_code(uint16_t code)
{
    BSEARCH_BY_CODE(iana_sigschemes, iana_sigschemes_count, code);
}

const iana_sigscheme_t *iana_sigscheme_by_name(const char *name)
{
    FIND_BY_NAME(iana_sigschemes, iana_sigschemes_count, name);
}

const iana_sslv2_kind_t *iana_sslv2_kind_by_code(uint32_t code)
{
    BSEARCH_BY_CODE(iana_sslv2_kinds, iana_sslv2_kinds_count, code);
}

const iana_sslv2_kind_t *iana_sslv2_kind_by_name(const char *name)
{
    FIND_BY_NAME(iana_sslv2_kinds, iana_sslv2_kinds_count, name);
}

unsigned iana_version_bit(uint16_t wire_version)
{
    switch (wire_version) {
    case 0x0300: return IANA_V_SSL3;
    case 0x0301: return IANA_V_TLS10;
    case 0x0302: return IANA_V_TLS11;
    case 0x0303: return IANA_V_TLS12;
    case 0x0304: return IANA_V_TLS13;
    default: return 0;
    }
}

size_t iana_suites_for_version(uint16_t wire_version, uint16_t *out, size_t cap)
{
    unsigned bit = iana_version_bit(wire_version);
    size_t n = 0;
    if (!bit)
        return 0;
    for (size_t i = 0; i < iana_suites_count; i++) {
        const iana_suite_t *s = &iana_suites[iana_suite_preference[i]];
        if (!(s->versions & bit))
            continue;
        if (n < cap)
            out[n] = s->code;
        n++;
    }
    return n;
}

/* OpenSSL's names, parallel to iana_suites; filled once. */
static const char **openssl_names;
static pthread_once_t openssl_names_once = PTHREAD_ONCE_INIT;

/* Whether OpenSSL's default list (what a server of its defaults accepts) has the suite,
 * parallel to iana_suites; filled with the names. */
static bool *openssl_default;
static bool *openssl_high;      /* in NGINX_DEFAULT_CIPHERS */

/* Marks the suites of ssl's list: its defaults, or the list set on it. */
static void load_defaults(SSL *ssl, bool *dflt)
{
    STACK_OF(SSL_CIPHER) *list = SSL_get_ciphers(ssl);
    for (int i = 0; list && i < sk_SSL_CIPHER_num(list); i++) {
        const iana_suite_t *s = iana_suite_by_code((uint16_t)(SSL_CIPHER_get_id(sk_SSL_CIPHER_value(list, i)) & 0xFFFF));
        if (s)
            dflt[s - iana_suites] = true;
    }
}

/* nginx's default ssl_ciphers, the other list servers most often serve as it is. */
#define NGINX_DEFAULT_CIPHERS "HIGH:!aNULL:!MD5"

static void load_openssl_names(void)
{
    const char **names = calloc(iana_suites_count, sizeof *names);
    bool *dflt = calloc(iana_suites_count, sizeof *dflt), *high = calloc(iana_suites_count, sizeof *high);
    if (!names || !dflt || !high) {
        free(names);
        free(dflt);
        free(high);
        return;
    }
    /* SSL_CIPHER_find looks in the method's full table (disabled suites too), which needs an
     * SSL object; the SSL_CIPHERs it returns are static, so their names outlive ctx and ssl. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (ssl) {
        for (size_t i = 0; i < iana_suites_count; i++) {
            unsigned char bytes[2] = { (unsigned char)(iana_suites[i].code >> 8),
                                       (unsigned char)iana_suites[i].code };
            const SSL_CIPHER *c = SSL_CIPHER_find(ssl, bytes);
            names[i] = c ? SSL_CIPHER_get_name(c) : NULL;
        }
        load_defaults(ssl, dflt);
        if (SSL_set_cipher_list(ssl, NGINX_DEFAULT_CIPHERS) == 1)
            load_defaults(ssl, high);
        ERR_clear_error();
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    openssl_names = names;
    openssl_default = dflt;
    openssl_high = high;
}

/* Whether the suite is marked in one of the lists load_openssl_names fills. */
static bool in_list(bool *const *list, uint16_t code)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    if (!s)
        return false;
    pthread_once(&openssl_names_once, load_openssl_names);
    return *list && (*list)[s - iana_suites];
}

bool iana_suite_common(uint16_t code)
{
    return in_list(&openssl_default, code);
}

bool iana_suite_high(uint16_t code)
{
    return in_list(&openssl_high, code);
}

const char *iana_openssl_name(uint16_t code)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    if (!s)
        return NULL;
    pthread_once(&openssl_names_once, load_openssl_names);
    return openssl_names ? openssl_names[s - iana_suites] : NULL;
}
