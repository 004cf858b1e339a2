/* The generated registries: lookups, derived suite properties, per-version lists, OpenSSL names,
 * and a cross-check of every derivation against testssl.sh's cipher-mapping.txt when a copy
 * is available outside the tree (TLSPROBE_SHARED, or ../shared next to the repository). */
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iana.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static void check_str(const char *name, const char *got, const char *want)
{
    char detail[256];
    snprintf(detail, sizeof detail, "got '%s', want '%s'", got ? got : "(null)", want ? want : "(null)");
    check((!got && !want) || (got && want && strcmp(got, want) == 0), name, detail);
}

static void check_suite(uint16_t code, const char *name, const char *kx, const char *au,
                        const char *cipher, const char *mac, int bits, unsigned versions,
                        int aead, int fs, int export_grade)
{
    char label[160], detail[512];
    const iana_suite_t *s = iana_suite_by_code(code);
    snprintf(label, sizeof label, "suite 0x%04X %s", code, name);
    if (!s) {
        check(0, label, "not in the registry");
        return;
    }
    snprintf(detail, sizeof detail, "got %s kx=%s au=%s cipher=%s mac=%s bits=%u versions=0x%02X aead=%d fs=%d export=%d",
             s->name, s->kx, s->au, s->cipher, s->mac, s->key_bits, s->versions, s->aead,
             s->forward_secrecy, s->export_grade);
    check(strcmp(s->name, name) == 0 && strcmp(s->kx, kx) == 0 && strcmp(s->au, au) == 0 &&
              strcmp(s->cipher, cipher) == 0 && strcmp(s->mac, mac) == 0 && s->key_bits == bits &&
              s->versions == versions && s->aead == aead && s->forward_secrecy == fs &&
              s->export_grade == export_grade,
          label, detail);
}

static int list_has(const uint16_t *list, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == code)
            return 1;
    return 0;
}

static void test_lookups(void)
{
    const iana_suite_t *s = iana_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    check(s && s->code == 0xC02F, "suite by name", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is not 0xC02F");
    check(iana_suite_by_name("ECDHE-RSA-AES128-GCM-SHA256") == NULL, "suite by OpenSSL name is not found",
          "found");
    check(iana_suite_by_name(NULL) == NULL, "suite by NULL name", "found");
    check(iana_suite_by_code(0x00FF) == NULL && iana_suite_by_code(0x5600) == NULL,
          "signalling values are not suites", "found");
    check(iana_suite_by_code(0x0A0A) == NULL && iana_suite_by_code(0xFAFA) == NULL,
          "GREASE values are not suites", "found");
    check(iana_suite_by_code(0x0000) && iana_suite_by_code(0x0000)->versions == 0,
          "TLS_NULL_WITH_NULL_NULL is known but never offerable", "wrong");
    check(iana_suites_count > 300, "more than 300 suites", "too few");
    int sorted = 1;
    for (size_t i = 1; i < iana_suites_count; i++)
        sorted &= iana_suites[i - 1].code < iana_suites[i].code;
    for (size_t i = 1; i < iana_groups_count; i++)
        sorted &= iana_groups[i - 1].code < iana_groups[i].code;
    for (size_t i = 1; i < iana_sigschemes_count; i++)
        sorted &= iana_sigschemes[i - 1].code < iana_sigschemes[i].code;
    for (size_t i = 1; i < iana_sslv2_kinds_count; i++)
        sorted &= iana_sslv2_kinds[i - 1].code < iana_sslv2_kinds[i].code;
    check(sorted, "tables sorted by code without duplicates", "not sorted");

    const iana_group_t *g = iana_group_by_code(29);
    check(g && strcmp(g->name, "x25519") == 0 && strcmp(g->kind, "ecdhe") == 0 && g->bits == 255 &&
              g->recommended == 'Y',
          "group 29 x25519", "wrong");
    g = iana_group_by_name("ffdhe3072");
    check(g && g->code == 257 && strcmp(g->kind, "ffdhe") == 0 && g->bits == 3072, "group ffdhe3072", "wrong");
    g = iana_group_by_name("X25519MLKEM768");
    check(g && g->code == 4588 && strcmp(g->kind, "hybrid-pq") == 0, "group X25519MLKEM768 hybrid", "wrong");
    g = iana_group_by_code(513);
    check(g && strcmp(g->name, "MLKEM768") == 0 && strcmp(g->kind, "pq") == 0 && g->bits == 768,
          "group 513 MLKEM768 pq", "wrong");
    g = iana_group_by_code(25497);
    check(g && strcmp(g->name, "X25519Kyber768Draft00") == 0, "obsolete draft group keeps a clean name", "wrong");
    g = iana_group_by_code(2);
    check(g && g->recommended == 'D', "sect163r1 discouraged", "wrong");
    check(iana_group_by_code(0x0A0A) == NULL, "GREASE group is not a group", "found");

    const iana_sigscheme_t *ss = iana_sigscheme_by_code(0x0804);
    check(ss && strcmp(ss->name, "rsa_pss_rsae_sha256") == 0 && ss->recommended == 'Y',
          "sigscheme 0x0804", "wrong");
    ss = iana_sigscheme_by_name("ed25519");
    check(ss && ss->code == 0x0807, "sigscheme ed25519", "wrong");
    check(iana_sigscheme_by_code(0x0202) == NULL, "reserved sigscheme is not named", "found");

    const iana_sslv2_kind_t *k = iana_sslv2_kind_by_code(0x0700C0);
    check(k && strcmp(k->name, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5") == 0 && k->bits == 168 &&
              !k->export_grade && k->in_sslv2_spec,
          "sslv2 kind 0x0700C0", "wrong");
    k = iana_sslv2_kind_by_name("SSL_CK_RC4_128_EXPORT40_WITH_MD5");
    check(k && k->code == 0x020080 && k->bits == 40 && k->export_grade, "sslv2 kind export RC4", "wrong");
    check(iana_sslv2_kinds_count == 13, "13 sslv2 kinds", "wrong count");
}

static void test_derivations(void)
{
    const unsigned legacy = IANA_V_SSL3 | IANA_V_TLS10 | IANA_V_TLS11 | IANA_V_TLS12;
    check_suite(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE", "RSA", "AES_256_GCM", "AEAD", 256,
                IANA_V_TLS12, 1, 1, 0);
    check_suite(0x1301, "TLS_AES_128_GCM_SHA256", "ANY", "ANY", "AES_128_GCM", "AEAD", 128, IANA_V_TLS13, 1, 1, 0);
    check_suite(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "ANY", "ANY", "CHACHA20_POLY1305", "AEAD", 256,
                IANA_V_TLS13, 1, 1, 0);
    check_suite(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "RSA", "3DES_EDE_CBC", "SHA1", 168, legacy, 0, 0, 0);
    check_suite(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "RSA", "RSA", "RC4_40", "MD5", 40,
                IANA_V_SSL3 | IANA_V_TLS10 | IANA_V_TLS11, 0, 0, 1);
    check_suite(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "DHE", "RSA", "DES40_CBC", "SHA1", 40,
                IANA_V_SSL3 | IANA_V_TLS10 | IANA_V_TLS11, 0, 1, 1);
    check_suite(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "DHE", "ANON", "AES_128_CBC", "SHA1", 128, legacy, 0, 1, 0);
    check_suite(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH", "DSS", "AES_128_CBC", "SHA1", 128, legacy, 0, 0, 0);
    check_suite(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH", "ECDSA", "AES_128_CBC", "SHA1", 128, legacy, 0, 0, 0);
    check_suite(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "RSA", "AES_128_CBC", "SHA256", 128, IANA_V_TLS12, 0, 0, 0);
    check_suite(0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA_PSK", "RSA", "AES_256_CBC", "SHA384", 256,
                IANA_V_TLS10 | IANA_V_TLS11 | IANA_V_TLS12, 0, 0, 0);
    check_suite(0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE_PSK", "PSK", "AES_128_CCM_8", "AEAD", 128,
                IANA_V_TLS12, 1, 1, 0);
    check_suite(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "RSA", "RSA", "AES_128_CCM", "AEAD", 128, IANA_V_TLS12, 1, 0, 0);
    check_suite(0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", "ECDHE_PSK", "PSK", "AES_128_CCM_8", "AEAD", 128,
                IANA_V_TLS12, 1, 1, 0);
    check_suite(0xC0B4, "TLS_SHA256_SHA256", "ANY", "ANY", "NULL", "SHA256", 0, IANA_V_TLS13, 0, 1, 0);
    check_suite(0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", "GOST", "GOST", "KUZNYECHIK_CTR_OMAC",
                "GOST", 256, IANA_V_TLS12, 0, 0, 0);
    check_suite(0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", "ANY", "ANY", "KUZNYECHIK_MGM_L", "AEAD", 256,
                IANA_V_TLS13, 1, 1, 0);
    check_suite(0x0000, "TLS_NULL_WITH_NULL_NULL", "NULL", "NULL", "NULL", "NULL", 0, 0, 0, 0, 0);
    check_suite(0x0001, "TLS_RSA_WITH_NULL_MD5", "RSA", "RSA", "NULL", "MD5", 0, legacy, 0, 0, 0);
    check_suite(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP", "RSA", "AES_128_CBC", "SHA1", 128, legacy, 0, 1, 0);
    check_suite(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "KRB5", "KRB5", "DES_CBC_40", "SHA1", 40,
                IANA_V_SSL3 | IANA_V_TLS10 | IANA_V_TLS11, 0, 0, 1);
    const iana_suite_t *s = iana_suite_by_code(0xC02F);
    check(s && s->recommended == 'Y' && s->dtls_ok && !s->cbc, "0xC02F recommended, DTLS-OK, not CBC", "wrong");
    s = iana_suite_by_code(0x002F);
    check(s && s->recommended == 'N' && s->cbc && strcmp(s->enc, "AES") == 0, "0x002F not recommended, CBC, AES", "wrong");
    s = iana_suite_by_code(0x0005);
    check(s && strcmp(s->enc, "RC4") == 0 && !s->dtls_ok, "0x0005 RC4 not DTLS-OK", "wrong");
    s = iana_suite_by_code(0xC0B4);
    check(s && s->recommended == 'D', "0xC0B4 discouraged (RFC 9847 D)", "wrong");
}

static void test_versions(void)
{
    uint16_t list[512];
    char detail[128];
    size_t n13 = iana_suites_for_version(0x0304, list, 512);
    int all13 = n13 > 0;
    for (size_t i = 0; i < n13 && i < 512; i++)
        all13 &= iana_suite_by_code(list[i])->versions == IANA_V_TLS13;
    snprintf(detail, sizeof detail, "%zu suites", n13);
    check(n13 >= 5 && all13 && list_has(list, n13, 0x1301) && list_has(list, n13, 0x1302) &&
              list_has(list, n13, 0x1303) && !list_has(list, n13, 0xC02F),
          "TLS 1.3 list: only TLS 1.3 suites, all five standard ones", detail);
    check(list[0] == 0x1302, "TLS 1.3 list starts with AES_256_GCM", "wrong first suite");
    check(iana_suite_by_code(list[n13 - 1])->mac[0] == 'S', "TLS 1.3 list ends with an integrity-only suite",
          "wrong last suite");

    size_t n12 = iana_suites_for_version(0x0303, list, 512);
    snprintf(detail, sizeof detail, "%zu suites, first 0x%04X", n12, list[0]);
    check(n12 > 250 && n12 <= 512 && list_has(list, n12, 0xC02F) && list_has(list, n12, 0x000A) &&
              list_has(list, n12, 0x003C) && !list_has(list, n12, 0x1301) && !list_has(list, n12, 0x0003) &&
              !list_has(list, n12, 0x0000),
          "TLS 1.2 list", detail);
    const iana_suite_t *first = iana_suite_by_code(list[0]);
    check(first && strcmp(first->kx, "ECDHE") == 0 && first->aead && first->key_bits == 256,
          "TLS 1.2 list starts with an ECDHE AEAD 256-bit suite", detail);
    const iana_suite_t *last = iana_suite_by_code(list[n12 - 1]);
    check(last && (!strcmp(last->au, "ANON") || !strcmp(last->enc, "NULL") || !last->forward_secrecy),
          "TLS 1.2 list ends with a weak suite", last ? last->name : "none");

    size_t n10 = iana_suites_for_version(0x0301, list, 512);
    check(list_has(list, n10, 0x002F) && list_has(list, n10, 0x0003) && list_has(list, n10, 0x00B7) &&
              !list_has(list, n10, 0xC02F) && !list_has(list, n10, 0x003C),
          "TLS 1.0 list", "wrong membership");
    size_t n3 = iana_suites_for_version(0x0300, list, 512);
    check(n3 < n10 && list_has(list, n3, 0x000A) && !list_has(list, n3, 0x00B7), "SSLv3 list", "wrong membership");

    uint16_t small[4];
    size_t total = iana_suites_for_version(0x0303, small, 4);
    check(total == n12, "count does not depend on cap", "differs");
    check(iana_suites_for_version(0x0303, NULL, 0) == n12, "count only with NULL out", "differs");
    check(iana_suites_for_version(0x0002, list, 512) == 0 && iana_suites_for_version(0x0305, list, 512) == 0,
          "no suites for unknown versions", "some");
    check(iana_version_bit(0x0300) == IANA_V_SSL3 && iana_version_bit(0x0304) == IANA_V_TLS13 &&
              iana_version_bit(0x0002) == 0,
          "version bits", "wrong");
}

static void *name_thread(void *arg)
{
    (void)arg;
    return (void *)iana_openssl_name(0xC02F);
}

static void test_openssl_names(void)
{
    pthread_t t[8];
    void *r[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, name_thread, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], &r[i]);
    int same = 1;
    for (int i = 1; i < 8; i++)
        same &= r[i] == r[0];
    check(same && r[0], "OpenSSL name from 8 threads at once", "differ or NULL");
    check_str("OpenSSL name 0xC02F", iana_openssl_name(0xC02F), "ECDHE-RSA-AES128-GCM-SHA256");
    check_str("OpenSSL name 0x002F", iana_openssl_name(0x002F), "AES128-SHA");
    check_str("OpenSSL name 0x1302", iana_openssl_name(0x1302), "TLS_AES_256_GCM_SHA384");
    check_str("OpenSSL name of a signalling value", iana_openssl_name(0x00FF), NULL);
    check_str("OpenSSL name of a suite OpenSSL lacks", iana_openssl_name(0x001E), NULL); /* KRB5: removed from OpenSSL */
}

/* ---- cross-check against testssl.sh's mapping (not shipped: GPL) ---- */

static FILE *open_mapping(char *path, size_t pathlen)
{
    const char *env = getenv("TLSPROBE_SHARED");
    char candidates[2][PATH_MAX];
    size_t n = 0;
    if (env && *env) {
        snprintf(candidates[n++], sizeof candidates[0], "%.3900s/data/testssl/cipher-mapping.txt", env);
        snprintf(candidates[n++], sizeof candidates[0], "%.3900s/testssl/cipher-mapping.txt", env);
    } else {
        /* make check runs in the repository; the binary is REPO/BUILD/tests/test_registry. */
        snprintf(candidates[n++], sizeof candidates[0], "../shared/data/testssl/cipher-mapping.txt");
        char exe[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (len > 0) {
            exe[len] = '\0';
            snprintf(candidates[n++], sizeof candidates[0], "%.3900s/../../../shared/data/testssl/cipher-mapping.txt",
                     dirname(exe));
        }
    }
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(candidates[i], "r");
        if (f) {
            snprintf(path, pathlen, "%.4000s", candidates[i]);
            return f;
        }
    }
    return NULL;
}

/* What testssl.sh writes for our kx/au (its Kx=/Au= columns, OpenSSL's notation). */
static void testssl_kx_au(const iana_suite_t *s, char *kx, size_t kxlen, char *au, size_t aulen)
{
    const char *k = s->kx, *a = s->au;
    if (!strcmp(k, "ANY"))
        k = "any";
    else if (!strcmp(k, "NULL"))
        k = "None";
    else if (!strcmp(k, "DHE"))
        k = s->export_grade ? "DH(512)" : "DH";
    else if (!strcmp(k, "ECDHE"))
        k = "ECDH";
    else if (!strcmp(k, "RSA") && s->export_grade)
        k = "RSA(512)";
    else if (!strcmp(k, "DHE_PSK"))
        k = "DHEPSK";
    else if (!strcmp(k, "RSA_PSK"))
        k = "RSAPSK";
    else if (!strcmp(k, "ECDHE_PSK"))
        k = "ECDHEPSK";
    if (!strcmp(a, "ANY"))
        a = "any";
    else if (!strcmp(a, "ANON") || !strcmp(a, "NULL"))
        a = "None";
    if (!strcmp(s->kx, "DH") || !strcmp(s->kx, "ECDH")) {
        /* static (EC)DH: OpenSSL writes Kx=DH/RSA Au=DH */
        snprintf(kx, kxlen, "%s/%s", s->kx, s->au);
        snprintf(au, aulen, "%s", s->kx);
        return;
    }
    snprintf(kx, kxlen, "%s", k);
    snprintf(au, aulen, "%s", a);
}

static const char *testssl_mac(const iana_suite_t *s)
{
    return !strcmp(s->mac, "NULL") ? "Null" : s->mac;
}

/* testssl's protocol column is the lowest version the suite belongs to. */
static unsigned lowest_version_bit(const char *proto)
{
    if (!strcmp(proto, "SSLv3"))
        return IANA_V_SSL3;
    if (!strcmp(proto, "TLSv1"))
        return IANA_V_TLS10;
    if (!strcmp(proto, "TLSv1.2"))
        return IANA_V_TLS12;
    if (!strcmp(proto, "TLSv1.3"))
        return IANA_V_TLS13;
    return 0;
}

static void test_cross_check(void)
{
    char path[PATH_MAX + 64];
    FILE *f = open_mapping(path, sizeof path);
    if (!f) {
        printf("ok - cross-check against testssl cipher-mapping.txt # SKIP no copy found "
               "(set TLSPROBE_SHARED)\n");
        return;
    }
    char line[1024];
    size_t compared = 0, sslv2_compared = 0, mismatches = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned b[3];
        char ossl[128], iana[128], proto[32], kx[64], au[64], enc[64], mac[64], exp[32] = "";
        int n3 = sscanf(line, " 0x%2x,0x%2x,0x%2x - %127s %127s %31s Kx=%63s Au=%63s Enc=%63s Mac=%63s %31s",
                        &b[0], &b[1], &b[2], ossl, iana, proto, kx, au, enc, mac, exp);
        int export_flag;
        const char *paren;
        int bits;
        if (n3 >= 10) {
            const iana_sslv2_kind_t *k = iana_sslv2_kind_by_code(b[0] << 16 | b[1] << 8 | b[2]);
            if (!k)
                continue; /* 0xFF,0x80,..: testssl's spelling of two OpenSSL kinds (data/README.md) */
            paren = strchr(enc, '(');
            bits = paren ? atoi(paren + 1) : 0;
            export_flag = strcmp(exp, "export") == 0;
            sslv2_compared++;
            if (k->bits != bits || k->export_grade != export_flag) {
                char detail[256];
                snprintf(detail, sizeof detail, "ours bits=%u export=%d, testssl %s %s", k->bits, k->export_grade,
                         enc, exp);
                check(0, k->name, detail);
                mismatches++;
            }
            continue;
        }
        exp[0] = '\0';
        int n2 = sscanf(line, " 0x%2x,0x%2x - %127s %127s %31s Kx=%63s Au=%63s Enc=%63s Mac=%63s %31s", &b[0],
                        &b[1], ossl, iana, proto, kx, au, enc, mac, exp);
        if (n2 < 9)
            continue;
        const iana_suite_t *s = iana_suite_by_code((uint16_t)(b[0] << 8 | b[1]));
        if (!s)
            continue; /* codes IANA never assigned (EXPORT1024, old GOST, ...) */
        char want_kx[64], want_au[64], detail[1024];
        testssl_kx_au(s, want_kx, sizeof want_kx, want_au, sizeof want_au);
        paren = strchr(enc, '(');
        bits = paren ? atoi(paren + 1) : 0;
        export_flag = strcmp(exp, "export") == 0;
        unsigned low = s->versions & (unsigned)-(int)s->versions; /* lowest set bit */
        int proto_ok = s->versions == 0 || lowest_version_bit(proto) == low;
        if (!strcmp(proto, "TLSv1.2") || !strcmp(proto, "TLSv1.3"))
            proto_ok = proto_ok && s->versions == lowest_version_bit(proto);
        compared++;
        int ok = !strcmp(kx, want_kx) && !strcmp(au, want_au) && bits == s->key_bits &&
                 export_flag == s->export_grade && !strcmp(mac, testssl_mac(s)) && proto_ok &&
                 (!strcmp(iana, "-") || !strcmp(iana, s->name));
        if (!ok) {
            snprintf(detail, sizeof detail,
                     "ours kx=%s au=%s bits=%u export=%d mac=%s versions=0x%02X; testssl %s Kx=%s Au=%s Enc=%s Mac=%s %s %s",
                     want_kx, want_au, s->key_bits, s->export_grade, testssl_mac(s), s->versions, iana, kx, au, enc,
                     mac, proto, exp);
            check(0, s->name, detail);
            mismatches++;
        }
    }
    fclose(f);
    char detail[128];
    snprintf(detail, sizeof detail, "%zu suites and %zu SSLv2 kinds compared, %zu differ", compared, sslv2_compared,
             mismatches);
    check(mismatches == 0 && compared > 300 && sslv2_compared >= 11,
          "cross-check against testssl cipher-mapping.txt (kx, au, bits, export, mac, lowest version)", detail);
    printf("# cross-checked with %s: %s\n", path, detail);
}

int main(void)
{
    test_lookups();
    test_derivations();
    test_versions();
    test_openssl_names();
    test_cross_check();
    return failures ? 1 : 0;
}
