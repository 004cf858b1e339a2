/* Chain verification at the clients' security level (x509_verify_chain, auth level 2), against
 * PKIs built in-process: weak keys and signatures are named wherever they sit on the path,
 * and the trust anchor's own self-signature is not judged (a client never relies on it). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "x509_facts.h"

static int failures;

static void check(int cond, const char *name, const char *fmt, ...)
{
    char detail[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

typedef struct cert {
    X509 *x;
    EVP_PKEY *key;
} cert_t;

static EVP_PKEY *make_key(const char *kind)
{
    if (strcmp(kind, "rsa1024") == 0)
        return EVP_RSA_gen(1024);
    if (strcmp(kind, "ec192") == 0)
        return EVP_EC_gen("prime192v1");
    return EVP_EC_gen("P-256");
}

static void add_ext(X509 *cert, X509 *issuer, const char *name, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_nconf(NULL, &ctx, name, value);
    if (!ext || !X509_add_ext(cert, ext, -1)) {
        fprintf(stderr, "cannot add %s=%s\n", name, value);
        exit(2);
    }
    X509_EXTENSION_free(ext);
}

/* A certificate for cn with a key of kind, signed by issuer (NULL: itself) with md. */
static cert_t make_cert(const char *cn, const char *kind, const cert_t *issuer, const EVP_MD *md, bool ca)
{
    static long serial = 1;
    cert_t c = { X509_new(), make_key(kind) };
    X509_NAME *name = X509_NAME_new();
    if (!c.x || !c.key || !name) {
        fprintf(stderr, "cannot make %s (%s)\n", cn, kind);
        exit(2);
    }
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_version(c.x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(c.x), serial++);
    X509_set_subject_name(c.x, name);
    X509_set_issuer_name(c.x, issuer ? X509_get_subject_name(issuer->x) : name);
    X509_gmtime_adj(X509_getm_notBefore(c.x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c.x), 86400);
    X509_set_pubkey(c.x, c.key);
    add_ext(c.x, c.x, "subjectKeyIdentifier", "hash");
    add_ext(c.x, issuer ? issuer->x : c.x, "authorityKeyIdentifier", "keyid");
    if (ca) {
        add_ext(c.x, c.x, "basicConstraints", "critical,CA:TRUE");
        add_ext(c.x, c.x, "keyUsage", "critical,keyCertSign,cRLSign");
    } else {
        add_ext(c.x, c.x, "basicConstraints", "CA:FALSE");
        add_ext(c.x, c.x, "extendedKeyUsage", "serverAuth");
        add_ext(c.x, c.x, "subjectAltName", "DNS:leaf.test");
    }
    if (!X509_sign(c.x, issuer ? issuer->key : c.key, md)) {
        fprintf(stderr, "cannot sign %s\n", cn);
        exit(2);
    }
    X509_NAME_free(name);
    return c;
}

static void cert_free(cert_t *c)
{
    X509_free(c->x);
    EVP_PKEY_free(c->key);
}

/* Verifies leaf [+ intermediate] against root alone as the anchor file. */
static void verify(const cert_t *root, const cert_t *intermediate, const cert_t *leaf, x509_verify_result_t *r)
{
    char path[] = "/tmp/tlsprobe-test-x509-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || !PEM_write_X509(f, root->x) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    STACK_OF(X509) *served = sk_X509_new_null();
    sk_X509_push(served, leaf->x);
    if (intermediate)
        sk_X509_push(served, intermediate->x);
    x509_verify_chain(served, path, r);
    sk_X509_free(served);
    x509_store_cache_clear();
    unlink(path);
}

static void weak_list(const x509_verify_result_t *r, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->nweak && used < outlen; i++)
        used += (size_t)snprintf(out + used, outlen - used, "%s[%s]", i ? "," : "", r->weak[i]);
}

/* expect_weak: "" for none, else the weak elements as weak_list prints them. */
static void expect(const char *name, const x509_verify_result_t *r, bool verified, int code, int depth,
                   const char *error, const char *weak)
{
    char got[2048];
    weak_list(r, got, sizeof got);
    check(r->verified == verified && r->error_code == code && (verified || r->error_depth == depth),
          name, "verified %d error_code %d depth %d (%s), expected %d %d %d", r->verified, r->error_code,
          r->error_depth, r->error, verified, code, depth);
    check(strcmp(r->error, error) == 0, name, "error \"%s\", expected \"%s\"", r->error, error);
    check(strcmp(got, weak) == 0, name, "weak %s, expected %s", got, weak);
    check(r->auth_level == 2, name, "auth_level %d", r->auth_level);
}

int main(void)
{
    x509_verify_result_t r;

    /* A root self-signed with SHA-1: anchors are trusted as configured, not by their signature. */
    cert_t sha1_root = make_cert("sha1 root", "p256", NULL, EVP_sha1(), true);
    cert_t leaf = make_cert("leaf.test", "p256", &sha1_root, EVP_sha256(), false);
    verify(&sha1_root, NULL, &leaf, &r);
    expect("SHA-1 self-signature on the anchor: verified", &r, true, X509_V_OK, -1, "", "");
    check(r.path && sk_X509_num(r.path) == 2, "SHA-1 anchor: path leaf, root", "path %d", r.path ? sk_X509_num(r.path) : -1);
    x509_verify_result_free(&r);
    cert_free(&leaf);

    /* The anchor's key is judged: an RSA-1024 root fails every chain it anchors. */
    cert_t weak_root = make_cert("weak root", "rsa1024", NULL, EVP_sha256(), true);
    leaf = make_cert("leaf.test", "p256", &weak_root, EVP_sha256(), false);
    verify(&weak_root, NULL, &leaf, &r);
    expect("RSA-1024 anchor: not verified (67 at depth 1)", &r, false, X509_V_ERR_CA_KEY_TOO_SMALL, 1,
           "CA key RSA 1024 bits is below 2048 (CN=weak root) (CA certificate key too weak)",
           "[CA key RSA 1024 bits is below 2048 (CN=weak root)]");
    x509_verify_result_free(&r);
    cert_free(&leaf);

    /* Good root; SHA-1 on the intermediate and on the leaf: both named, the first is the error. */
    cert_t root = make_cert("root", "p256", NULL, EVP_sha256(), true);
    cert_t inter = make_cert("intermediate", "p256", &root, EVP_sha1(), true);
    leaf = make_cert("leaf.test", "p256", &inter, EVP_sha1(), false);
    verify(&root, &inter, &leaf, &r);
    expect("SHA-1 on leaf and intermediate: both named", &r, false, X509_V_ERR_CA_MD_TOO_WEAK, 0,
           "ecdsa-with-SHA1 signature on CN=leaf.test (CA signature digest algorithm too weak); "
           "ecdsa-with-SHA1 signature on CN=intermediate",
           "[ecdsa-with-SHA1 signature on CN=leaf.test],[ecdsa-with-SHA1 signature on CN=intermediate]");
    x509_verify_result_free(&r);
    cert_free(&leaf);
    cert_free(&inter);

    /* An EC key under 224 bits on the leaf. */
    leaf = make_cert("leaf.test", "ec192", &root, EVP_sha256(), false);
    verify(&root, NULL, &leaf, &r);
    expect("EC P-192 leaf: not verified (66 at depth 0)", &r, false, X509_V_ERR_EE_KEY_TOO_SMALL, 0,
           "leaf key EC 192 bits is below 224 (EE certificate key too weak)", "[leaf key EC 192 bits is below 224]");
    x509_verify_result_free(&r);
    cert_free(&leaf);

    /* A weak leaf that is also untrusted: the weak key first (OpenSSL checks it before building
     * the path), and the missing issuer is still known (chain_analysis fetches by it). */
    cert_t stranger = make_cert("stranger", "p256", NULL, EVP_sha256(), true);
    leaf = make_cert("leaf.test", "rsa1024", &stranger, EVP_sha256(), false);
    verify(&root, NULL, &leaf, &r);
    expect("RSA-1024 leaf of an unknown CA: weak key first", &r, false, X509_V_ERR_EE_KEY_TOO_SMALL, 0,
           "leaf key RSA 1024 bits is below 2048 (EE certificate key too weak)", "[leaf key RSA 1024 bits is below 2048]");
    check(r.missing_issuer && r.nerrors >= 2, "RSA-1024 leaf of an unknown CA: missing issuer recorded",
          "missing_issuer %d nerrors %zu", r.missing_issuer, r.nerrors);
    x509_verify_result_free(&r);
    cert_free(&leaf);

    /* A sound chain stays verified at level 2, with nothing weak. */
    leaf = make_cert("leaf.test", "p256", &root, EVP_sha256(), false);
    verify(&root, NULL, &leaf, &r);
    expect("P-256 / SHA-256 chain: verified", &r, true, X509_V_OK, -1, "", "");
    check(!r.missing_issuer && r.nerrors == 0, "sound chain: no errors", "nerrors %zu", r.nerrors);
    x509_verify_result_free(&r);
    cert_free(&leaf);

    cert_free(&stranger);
    cert_free(&root);
    cert_free(&weak_root);
    cert_free(&sha1_root);
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
