/* Suite strength labels. The worst property decides the label; every property that
 * lowered it is named, so evidence can say why a suite is not recommended. */
#include "cipher_class.h"

#include <stdio.h>
#include <string.h>

static void add_reason(char *why, size_t whylen, const char *reason)
{
    if (!why || whylen == 0)
        return;
    size_t used = strlen(why);
    snprintf(why + used, whylen - used, "%s%s", used ? "; " : "", reason);
}

static int is(const char *field, const char *value)
{
    return field && strcmp(field, value) == 0;
}

/* Ciphers with a 64-bit block: Sweet32 makes them unfit whatever the key size. */
static int block_64(const iana_suite_t *s)
{
    return is(s->enc, "3DES") || is(s->enc, "DES") || is(s->enc, "IDEA") || is(s->enc, "RC2") ||
           is(s->enc, "GOST28147") || is(s->enc, "MAGMA");
}

static int approved_aead(const iana_suite_t *s)
{
    if (!s->aead || strstr(s->cipher, "CCM_8"))
        return 0;
    return is(s->enc, "AES") || is(s->enc, "CHACHA20") || is(s->enc, "AEGIS");
}

suite_class_t suite_classify(const iana_suite_t *s, char *why, size_t whylen)
{
    suite_class_t c = SUITE_RECOMMENDED;
    if (why && whylen)
        why[0] = '\0';
#define LOWER(to, reason)          \
    do {                           \
        if (c < (to))              \
            c = (to);              \
        add_reason(why, whylen, reason); \
    } while (0)

    if (is(s->enc, "NULL"))
        LOWER(SUITE_INSECURE, "no encryption");
    if (is(s->au, "ANON") || is(s->kx, "NULL"))
        LOWER(SUITE_INSECURE, "no authentication");
    if (s->export_grade)
        LOWER(SUITE_INSECURE, "export grade");
    if (is(s->enc, "RC4"))
        LOWER(SUITE_INSECURE, "RC4");
    if (block_64(s))
        LOWER(SUITE_INSECURE, "64-bit block cipher");
    if (is(s->mac, "MD5"))
        LOWER(SUITE_INSECURE, "MD5 MAC");
    if (!is(s->enc, "NULL") && s->key_bits && s->key_bits < 112)
        LOWER(SUITE_INSECURE, "key shorter than 112 bits");

    if (s->cbc)
        LOWER(SUITE_WEAK, "CBC mode");
    if (!s->forward_secrecy && !is(s->au, "ANON"))
        LOWER(SUITE_WEAK, "no forward secrecy");
    if (is(s->mac, "SHA1"))
        LOWER(SUITE_WEAK, "SHA-1 MAC");

    if (c == SUITE_RECOMMENDED && !approved_aead(s)) {
        if (strstr(s->cipher, "CCM_8"))
            LOWER(SUITE_ACCEPTABLE, "64-bit authentication tag (CCM-8)");
        else if (s->aead)
            LOWER(SUITE_ACCEPTABLE, "AEAD outside the recommended set");
        else
            LOWER(SUITE_WEAK, "not an AEAD");
    }
    if (c == SUITE_RECOMMENDED && (is(s->kx, "DHE_PSK") || is(s->kx, "ECDHE_PSK")))
        LOWER(SUITE_ACCEPTABLE, "pre-shared key authentication");
#undef LOWER
    return c;
}

suite_class_t sslv2_kind_classify(const iana_sslv2_kind_t *k, char *why, size_t whylen)
{
    if (why && whylen) {
        why[0] = '\0';
        add_reason(why, whylen, "SSLv2");
        if (k->export_grade)
            add_reason(why, whylen, "export grade");
    }
    return SUITE_INSECURE;
}

const char *suite_class_name(suite_class_t c)
{
    switch (c) {
    case SUITE_RECOMMENDED: return "recommended";
    case SUITE_ACCEPTABLE: return "acceptable";
    case SUITE_WEAK: return "weak";
    case SUITE_INSECURE: return "insecure";
    }
    return "unknown";
}
