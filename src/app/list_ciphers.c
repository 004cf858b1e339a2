/* Prints the suite registry: one line per assigned code, then the SSLv2 cipher kinds. */
#include "list_ciphers.h"

#include "cipher_class.h"
#include "iana.h"

static void versions_text(uint8_t v, char *out, size_t outlen)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        { IANA_V_SSL3, "SSLv3" }, { IANA_V_TLS10, "1.0" }, { IANA_V_TLS11, "1.1" },
        { IANA_V_TLS12, "1.2" }, { IANA_V_TLS13, "1.3" },
    };
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if ((v & names[i].bit) && used < outlen)
            used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? "," : "", names[i].name);
}

void list_ciphers(FILE *out)
{
    fprintf(out, "%-6s  %-48s %-32s %-9s %-6s %-20s %4s %-6s %-17s %-3s %s\n", "CODE", "IANA NAME",
            "OPENSSL NAME", "KX", "AU", "CIPHER", "BITS", "MAC", "VERSIONS", "FS", "CLASS (why)");
    for (size_t i = 0; i < iana_suites_count; i++) {
        const iana_suite_t *s = &iana_suites[i];
        const char *ossl = iana_openssl_name(s->code);
        char vers[40], why[160];
        versions_text(s->versions, vers, sizeof vers);
        suite_class_t c = suite_classify(s, why, sizeof why);
        fprintf(out, "0x%04X  %-48s %-32s %-9s %-6s %-20s %4u %-6s %-17s %-3s %s%s%s%s\n", s->code, s->name,
                ossl ? ossl : "-", s->kx, s->au, s->cipher, s->key_bits, s->mac, vers,
                s->forward_secrecy ? "yes" : "no", suite_class_name(c), *why ? " (" : "", why, *why ? ")" : "");
    }
    fprintf(out, "\nSSLv2 cipher kinds\n%-8s  %-40s %4s %s\n", "CODE", "NAME", "BITS", "CLASS (why)");
    for (size_t i = 0; i < iana_sslv2_kinds_count; i++) {
        const iana_sslv2_kind_t *k = &iana_sslv2_kinds[i];
        char why[80];
        suite_class_t c = sslv2_kind_classify(k, why, sizeof why);
        fprintf(out, "0x%06X  %-40s %4u %s (%s)\n", (unsigned)k->code, k->name, k->bits, suite_class_name(c), why);
    }
}
