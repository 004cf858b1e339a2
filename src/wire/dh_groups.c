/* Known DH primes, asked of OpenSSL once per process by group name. */
#include "dh_groups.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

static const struct {
    const char *openssl_name;
    const char *report_name;
} known_groups[] = {
    { "ffdhe2048", "ffdhe2048" }, { "ffdhe3072", "ffdhe3072" }, { "ffdhe4096", "ffdhe4096" },
    { "ffdhe6144", "ffdhe6144" }, { "ffdhe8192", "ffdhe8192" },
    { "modp_1536", "RFC 3526 MODP 1536" }, { "modp_2048", "RFC 3526 MODP 2048" },
    { "modp_3072", "RFC 3526 MODP 3072" }, { "modp_4096", "RFC 3526 MODP 4096" },
    { "modp_6144", "RFC 3526 MODP 6144" }, { "modp_8192", "RFC 3526 MODP 8192" },
    { "dh_1024_160", "RFC 5114 1024-bit" }, { "dh_2048_224", "RFC 5114 2048-bit/224" },
    { "dh_2048_256", "RFC 5114 2048-bit/256" },
};
#define NGROUPS (sizeof known_groups / sizeof *known_groups)

/* RFC 2409 Oakley groups: no OpenSSL group name, but OpenSSL still ships the primes; old
 * servers (Apache 2.2, many appliances) use group 2. */
static BIGNUM *oakley_768, *oakley_1024;
static BIGNUM *primes[NGROUPS];
static pthread_once_t primes_once = PTHREAD_ONCE_INIT;

static BIGNUM *prime_of(const char *group)
{
    BIGNUM *p = NULL;
    EVP_PKEY *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (ctx && EVP_PKEY_paramgen_init(ctx) > 0 &&
        EVP_PKEY_CTX_set_group_name(ctx, group) > 0 && EVP_PKEY_paramgen(ctx, &params) > 0)
        EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &p);
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(ctx);
    return p;
}

static void load_primes(void)
{
    for (size_t i = 0; i < NGROUPS; i++)
        primes[i] = prime_of(known_groups[i].openssl_name);
    oakley_768 = BN_get_rfc2409_prime_768(NULL);
    oakley_1024 = BN_get_rfc2409_prime_1024(NULL);
}

const char *dh_group_name(const uint8_t *p, size_t plen)
{
    if (!p || plen == 0 || plen > 2048)
        return NULL;
    pthread_once(&primes_once, load_primes);
    BIGNUM *bn = BN_bin2bn(p, (int)plen, NULL);
    const char *name = NULL;
    for (size_t i = 0; bn && i < NGROUPS && !name; i++)
        if (primes[i] && BN_cmp(bn, primes[i]) == 0)
            name = known_groups[i].report_name;
    if (bn && !name && oakley_1024 && BN_cmp(bn, oakley_1024) == 0)
        name = "RFC 2409 Oakley group 2 (1024)";
    if (bn && !name && oakley_768 && BN_cmp(bn, oakley_768) == 0)
        name = "RFC 2409 Oakley group 1 (768)";
    BN_free(bn);
    return name;
}
