/* X.509 facts, chain verification and name checks. Every string taken from a certificate is
 * made printable ASCII before it reaches the report: certificates come from untrusted servers. */
#include "x509_facts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

/* ---- certificate facts ---- */

/* RFC 2253 one-line form; OpenSSL escapes control and non-ASCII bytes (\XX), so it is ASCII. */
static json_object *name_json(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return NULL;
    json_object *out = NULL;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long len = BIO_get_mem_data(b, &data);
        out = json_object_new_string_len(len > 0 ? data : "", len > 0 ? (int)len : 0);
    }
    BIO_free(b);
    return out;
}

static json_object *serial_json(X509 *cert)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    json_object *out = NULL;
    if (hex) {
        for (char *p = hex; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        out = json_object_new_string(hex);
    }
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

/* prefix + bytes, with anything outside printable ASCII written as \xHH. */
static json_object *printable_json(const char *prefix, const unsigned char *data, size_t len)
{
    size_t plen = strlen(prefix);
    char *buf = malloc(plen + len * 4 + 1);
    if (!buf)
        return NULL;
    memcpy(buf, prefix, plen);
    size_t o = plen;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = data[i];
        if (c > 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)sprintf(buf + o, "\\x%02x", c);
    }
    buf[o] = '\0';
    json_object *out = json_object_new_string(buf);
    free(buf);
    return out;
}

static json_object *ip_san_json(const ASN1_OCTET_STRING *ip)
{
    char text[INET6_ADDRSTRLEN + 4] = "IP:";
    const unsigned char *d = ASN1_STRING_get0_data(ip);
    int len = ASN1_STRING_length(ip);
    if ((len == 4 || len == 16) &&
        inet_ntop(len == 4 ? AF_INET : AF_INET6, d, text + 3, sizeof text - 3))
        return json_object_new_string(text);
    /* Not an address (a name constraint's address/mask pair would be 8 or 32 bytes). */
    return printable_json("IP:invalid:", d, len > 0 ? (size_t)len : 0);
}

/* DNS and IP entries only, in certificate order: the two kinds a TLS name check uses. */
static json_object *san_json(X509 *cert)
{
    json_object *arr = json_object_new_array();
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; arr && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        json_object *entry = NULL;
        if (g->type == GEN_DNS) {
            int len = ASN1_STRING_length(g->d.dNSName);
            entry = printable_json("DNS:", ASN1_STRING_get0_data(g->d.dNSName), len > 0 ? (size_t)len : 0);
        } else if (g->type == GEN_IPADD) {
            entry = ip_san_json(g->d.iPAddress);
        }
        if (entry)
            json_object_array_add(arr, entry);
    }
    GENERAL_NAMES_free(names);
    ERR_clear_error();   /* a missing or malformed extension is a fact, not an error */
    return arr;
}

static json_object *time_json(const ASN1_TIME *t)
{
    struct tm tm;
    char buf[32];
    if (!t || !ASN1_TIME_to_tm(t, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return NULL;
    return json_object_new_string(buf);
}

static const char *key_type_name(EVP_PKEY *pk)
{
    static const struct { const char *openssl, *report; } names[] = {
        { "RSA", "RSA" }, { "RSA-PSS", "RSA-PSS" }, { "EC", "EC" }, { "ED25519", "Ed25519" },
        { "ED448", "Ed448" }, { "DSA", "DSA" }, { "SM2", "SM2" },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (EVP_PKEY_is_a(pk, names[i].openssl))
            return names[i].report;
    return EVP_PKEY_get0_type_name(pk);
}

static void add_key_facts(json_object *o, X509 *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    json_object *type = NULL, *bits = NULL, *curve = NULL;
    if (pk) {
        const char *t = key_type_name(pk);
        type = t ? json_object_new_string(t) : NULL;
        int nbits = EVP_PKEY_get_bits(pk);
        bits = nbits > 0 ? json_object_new_int(nbits) : NULL;
        char group[80];
        size_t glen = 0;
        if (EVP_PKEY_is_a(pk, "EC") &&
            EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen))
            curve = json_object_new_string(group);
    } else {
        /* A key OpenSSL cannot decode: still say what algorithm it claims to be. */
        ASN1_OBJECT *alg = NULL;
        char oid[80];
        if (X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(cert)) && alg &&
            OBJ_obj2txt(oid, sizeof oid, alg, 0) > 0)
            type = json_object_new_string(oid);
    }
    ERR_clear_error();
    json_object_object_add(o, "key_type", type);
    json_object_object_add(o, "key_bits", bits);
    json_object_object_add(o, "curve", curve);
}

static json_object *signature_algorithm_json(X509 *cert)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    char name[128];
    X509_get0_signature(NULL, &alg, cert);
    if (!alg)
        return NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    /* Long name when OpenSSL knows the OID ("sha256WithRSAEncryption"), dotted form otherwise. */
    if (!obj || OBJ_obj2txt(name, sizeof name, obj, 0) <= 0)
        return NULL;
    return json_object_new_string(name);
}

static json_object *sha256_json(X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[EVP_MAX_MD_SIZE * 2 + 1];
    if (!X509_digest(cert, EVP_sha256(), md, &len))
        return NULL;
    for (unsigned int i = 0; i < len; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    hex[2 * len] = '\0';
    return json_object_new_string(hex);
}

json_object *x509_cert_facts(X509 *cert)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "subject", name_json(X509_get_subject_name(cert)));
    json_object_object_add(o, "issuer", name_json(X509_get_issuer_name(cert)));
    json_object_object_add(o, "serial", serial_json(cert));
    json_object_object_add(o, "san", san_json(cert));
    json_object_object_add(o, "not_before", time_json(X509_get0_notBefore(cert)));
    json_object_object_add(o, "not_after", time_json(X509_get0_notAfter(cert)));
    add_key_facts(o, cert);
    json_object_object_add(o, "signature_algorithm", signature_algorithm_json(cert));
    json_object_object_add(o, "sha256", sha256_json(cert));
    /* Self-signed means the certificate's own key verifies its signature, not only issuer == subject. */
    json_object_object_add(o, "self_signed", json_object_new_boolean(X509_self_signed(cert, 1) == 1));
    json_object_object_add(o, "is_ca", json_object_new_boolean((X509_get_extension_flags(cert) & EXFLAG_CA) != 0));
    ERR_clear_error();
    return o;
}

json_object *x509_chain_facts(STACK_OF(X509) *chain)
{
    json_object *arr = json_object_new_array();
    for (int i = 0; arr && i < sk_X509_num(chain); i++) {
        json_object *c = x509_cert_facts(sk_X509_value(chain, i));
        if (c)
            json_object_array_add(arr, c);
    }
    return arr;
}

int x509_validity(X509 *cert, time_t now, bool *expired, bool *not_yet_valid, long *days_to_expiry)
{
    *expired = *not_yet_valid = false;
    *days_to_expiry = 0;
    const ASN1_TIME *nb = X509_get0_notBefore(cert), *na = X509_get0_notAfter(cert);
    /* The same comparisons X509_verify_cert makes: expired once now >= notAfter. */
    int cmp_after = na ? X509_cmp_time(na, &now) : 0;
    int cmp_before = nb ? X509_cmp_time(nb, &now) : 0;
    ASN1_TIME *now_asn1 = ASN1_TIME_set(NULL, now);
    int days = 0, secs = 0;
    int diff_ok = now_asn1 && na && ASN1_TIME_diff(&days, &secs, now_asn1, na);
    ASN1_TIME_free(now_asn1);
    ERR_clear_error();
    if (cmp_after == 0 || cmp_before == 0 || !diff_ok)
        return -1;
    *expired = cmp_after < 0;
    *not_yet_valid = cmp_before > 0;
    long long total = (long long)days * 86400 + secs;   /* days and secs share one sign */
    long long d = total / 86400;
    if (total < 0 && total % 86400 != 0)
        d--;   /* floor: a certificate that expired an hour ago is at -1 days, not 0 */
    *days_to_expiry = (long)d;
    return 0;
}

/* ---- trust stores ---- */

typedef struct store_entry {
    char *ca_file;   /* NULL: the system store */
    X509_STORE *store;
    struct store_entry *next;
} store_entry_t;

static pthread_mutex_t store_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static store_entry_t *store_cache;

static bool same_source(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static X509_STORE *load_store(const char *ca_file, char *err, size_t errlen)
{
    X509_STORE *s = X509_STORE_new();
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int ok = ca_file ? X509_STORE_load_file(s, ca_file) : X509_STORE_set_default_paths(s);
    if (ok != 1) {
        /* The first error is the cause ("No such file or directory"); later ones only wrap it. */
        unsigned long e = ERR_peek_error();
        const char *reason = !e ? NULL : ERR_SYSTEM_ERROR(e) ? strerror(ERR_GET_REASON(e)) : ERR_reason_error_string(e);
        snprintf(err, errlen, "cannot load trust anchors from %.200s: %s",
                 ca_file ? ca_file : "the system store", reason ? reason : "unknown error");
        X509_STORE_free(s);
        s = NULL;
    }
    ERR_clear_error();
    return s;
}

/* A reference to the store for ca_file (NULL: system), loaded on first use. */
static X509_STORE *store_get(const char *ca_file, char *err, size_t errlen)
{
    pthread_mutex_lock(&store_cache_lock);
    store_entry_t *e = store_cache;
    while (e && !same_source(e->ca_file, ca_file))
        e = e->next;
    X509_STORE *s = NULL;
    if (e) {
        s = e->store;
    } else if ((s = load_store(ca_file, err, errlen)) != NULL) {
        e = calloc(1, sizeof *e);
        if (e && (!ca_file || (e->ca_file = strdup(ca_file)) != NULL)) {
            e->store = s;
            e->next = store_cache;
            store_cache = e;
        } else {
            free(e);   /* not cached: the caller's reference is the only one */
            pthread_mutex_unlock(&store_cache_lock);
            return s;
        }
    }
    if (s)
        X509_STORE_up_ref(s);
    pthread_mutex_unlock(&store_cache_lock);
    return s;
}

X509_STORE *x509_store_ref(const char *ca_file, char *err, size_t errlen)
{
    return store_get(ca_file, err, errlen);
}

void x509_store_cache_clear(void)
{
    pthread_mutex_lock(&store_cache_lock);
    while (store_cache) {
        store_entry_t *e = store_cache;
        store_cache = e->next;
        X509_STORE_free(e->store);
        free(e->ca_file);
        free(e);
    }
    pthread_mutex_unlock(&store_cache_lock);
}

/* ---- verification ---- */

/* name's RFC 2253 form (ASCII, see name_json) into out; "" when it cannot be printed. */
static void name_text(const X509_NAME *name, char *out, size_t outlen)
{
    json_object *j = name_json(name);
    snprintf(out, outlen, "%s", j ? json_object_get_string(j) : "");
    json_object_put(j);
}

/* The smallest key a client at auth level 2 accepts, in the unit people quote for the type. */
static const char *key_minimum(EVP_PKEY *pk)
{
    if (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS") || EVP_PKEY_is_a(pk, "DSA") ||
        EVP_PKEY_is_a(pk, "DH") || EVP_PKEY_is_a(pk, "DHX"))
        return "2048";
    if (EVP_PKEY_is_a(pk, "EC") || EVP_PKEY_is_a(pk, "SM2"))
        return "224";
    return "112 bits of security";
}

/* "leaf key RSA 1024 bits is below 2048", "CA key ... (CN=...)". */
static void describe_weak_key(X509 *cert, int depth, char *out, size_t outlen)
{
    char who[200] = "";
    if (depth > 0) {
        char subject[180];
        name_text(X509_get_subject_name(cert), subject, sizeof subject);
        snprintf(who, sizeof who, " (%s)", subject);
    }
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    const char *type = pk ? key_type_name(pk) : NULL;
    if (!pk)
        snprintf(out, outlen, "%s key cannot be decoded%s", depth ? "CA" : "leaf", who);
    else
        snprintf(out, outlen, "%s key %s %d bits is below %s%s", depth ? "CA" : "leaf", type ? type : "(unknown type)",
                 EVP_PKEY_get_bits(pk), key_minimum(pk), who);
    ERR_clear_error();
}

/* Long name of the algorithm that signed cert ("sha1WithRSAEncryption"), or its dotted OID. */
static void signature_name(X509 *cert, char *out, size_t outlen)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    X509_get0_signature(NULL, &alg, cert);
    if (alg)
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
    if (!obj || OBJ_obj2txt(out, (int)outlen, obj, 0) <= 0)
        snprintf(out, outlen, "unknown");
}

/* "sha1WithRSAEncryption signature on CN=localhost,O=tlsprobe lab" */
static void describe_weak_signature(X509 *cert, char *out, size_t outlen)
{
    char alg[80], subject[180];
    signature_name(cert, alg, sizeof alg);
    name_text(X509_get_subject_name(cert), subject, sizeof subject);
    snprintf(out, outlen, "%s signature on %s", alg, subject);
}

static bool weak_code(int code)
{
    return code == X509_V_ERR_EE_KEY_TOO_SMALL || code == X509_V_ERR_CA_KEY_TOO_SMALL ||
           code == X509_V_ERR_CA_MD_TOO_WEAK;
}

/* Verification goes on past every error (as `openssl s_client` without -verify_return_error
 * does) so that the path is built whole and every weak element is named, not only the
 * first; the first error stays the one reported. Never trusts: any error means unverified. */
static int collect_errors(int ok, X509_STORE_CTX *ctx)
{
    x509_verify_result_t *out = X509_STORE_CTX_get_app_data(ctx);
    if (ok || !out)
        return ok;
    int code = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
    X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
    out->nerrors++;
    if (code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
        out->missing_issuer = true;
    char weak[X509_WEAK_LEN] = "";
    if (weak_code(code) && cert) {
        if (code == X509_V_ERR_CA_MD_TOO_WEAK)
            describe_weak_signature(cert, weak, sizeof weak);
        else
            describe_weak_key(cert, depth, weak, sizeof weak);
        bool seen = false;
        for (size_t i = 0; i < out->nweak; i++)
            seen |= strcmp(out->weak[i], weak) == 0;
        if (!seen && out->nweak < X509_MAX_WEAK)
            snprintf(out->weak[out->nweak++], X509_WEAK_LEN, "%s", weak);
    }
    if (out->error_code < 0) {
        out->error_code = code;
        out->error_depth = depth;
        if (weak[0])
            snprintf(out->error, sizeof out->error, "%s (%s)", weak, X509_verify_cert_error_string(code));
        else
            snprintf(out->error, sizeof out->error, "%s", X509_verify_cert_error_string(code));
    }
    /* Recorded: clear it, or OpenSSL would report it again in place of a later error (a weak
     * leaf key would hide the missing issuer that build_chain reports next). */
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
}

/* The first error, then every weak element it did not already name. */
static void finish_error_text(x509_verify_result_t *out)
{
    for (size_t i = 0; i < out->nweak; i++) {
        if (strstr(out->error, out->weak[i]))
            continue;
        size_t used = strlen(out->error);
        snprintf(out->error + used, sizeof out->error - used, "; %s", out->weak[i]);
    }
}

int x509_verify_chain(STACK_OF(X509) *served, const char *ca_file, x509_verify_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->error_code = -1;
    out->error_depth = -1;
    out->auth_level = X509_AUTH_LEVEL;
    if (ca_file)
        snprintf(out->store, sizeof out->store, "file:%s", ca_file);
    else
        snprintf(out->store, sizeof out->store, "system");
    X509 *leaf = sk_X509_num(served) > 0 ? sk_X509_value(served, 0) : NULL;
    if (!leaf) {
        snprintf(out->error, sizeof out->error, "no certificate to verify");
        return -1;
    }
    X509_STORE *store = store_get(ca_file, out->error, sizeof out->error);
    if (!store)
        return -1;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx || !X509_STORE_CTX_init(ctx, store, leaf, served) ||
        !X509_STORE_CTX_set_default(ctx, "ssl_server")) {   /* what a TLS client checks */
        snprintf(out->error, sizeof out->error, "cannot set up verification");
        goto done;
    }
    /* What current clients enforce (Debian's OpenSSL default, security level 2): keys of at
     * least 112 bits of security and no SHA-1 or MD5 signature below the trust anchor. */
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), X509_AUTH_LEVEL);
    X509_STORE_CTX_set_app_data(ctx, out);
    X509_STORE_CTX_set_verify_cb(ctx, collect_errors);
    int rc = X509_verify_cert(ctx);
    if (rc == 1 && out->nerrors == 0) {
        out->verified = true;
        out->error_code = X509_V_OK;
        out->error[0] = '\0';
    } else if (out->error_code < 0) {
        /* An internal failure, or an error the callback never saw: not a verdict on the chain. */
        out->error_code = -1;
        out->error_depth = -1;
        snprintf(out->error, sizeof out->error, "verification could not run");
    } else {
        finish_error_text(out);
    }
    STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
    if (path && sk_X509_num(path) > 0)
        out->path = X509_chain_up_ref(path);
done:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);   /* our reference; the cache keeps its own */
    ERR_clear_error();
    return out->verified ? 0 : -1;
}

void x509_verify_result_free(x509_verify_result_t *r)
{
    if (!r)
        return;
    sk_X509_pop_free(r->path, X509_free);
    r->path = NULL;
}

json_object *x509_verify_result_json(const x509_verify_result_t *r)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "store", json_object_new_string(r->store));
    json_object_object_add(o, "verified", json_object_new_boolean(r->verified));
    json_object_object_add(o, "error", r->verified ? NULL : json_object_new_string(r->error));
    json_object_object_add(o, "error_code", r->error_code >= 0 ? json_object_new_int(r->error_code) : NULL);
    json_object_object_add(o, "error_depth", r->verified || r->error_depth < 0 ? NULL
                                                                            : json_object_new_int(r->error_depth));
    /* The path the verifier built, leaf to anchor: which anchor vouched for the endpoint. */
    int n = r->path ? sk_X509_num(r->path) : 0;
    json_object *path = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(path, name_json(X509_get_subject_name(sk_X509_value(r->path, i))));
    json_object_object_add(o, "anchor", r->verified && n > 0
                                            ? name_json(X509_get_subject_name(sk_X509_value(r->path, n - 1)))
                                            : NULL);
    json_object_object_add(o, "path", path);
    json_object_object_add(o, "auth_level", json_object_new_int(r->auth_level));
    json_object *weak = json_object_new_array();
    for (size_t i = 0; weak && i < r->nweak; i++)
        json_object_array_add(weak, json_object_new_string(r->weak[i]));
    json_object_object_add(o, "weak", weak);
    return o;
}

/* ---- distinguished names a server sent (a CertificateRequest's certificate_authorities) ---- */

void x509_name_list_add(STACK_OF(X509_NAME) *names, json_object *list)
{
    for (int i = 0; names && i < sk_X509_NAME_num(names); i++) {
        char buf[512] = "";
        BIO *b = BIO_new(BIO_s_mem());
        if (!b)
            return;
        if (X509_NAME_print_ex(b, sk_X509_NAME_value(names, i), 0, XN_FLAG_RFC2253) >= 0) {
            int n = BIO_read(b, buf, sizeof buf - 1);
            buf[n > 0 ? n : 0] = '\0';
        }
        BIO_free(b);
        bool seen = false;
        for (size_t j = 0; j < json_object_array_length(list); j++)
            seen |= strcmp(json_object_get_string(json_object_array_get_idx(list, j)), buf) == 0;
        if (!seen && buf[0])
            json_object_array_add(list, json_object_new_string(buf));
    }
}

/* ---- name check ---- */

static bool is_ip_literal_text(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Checks name (DNS name or IPv4/IPv6 literal) against the certificate's SANs only. */
static void x509_check_name(X509 *cert, const char *name, x509_name_match_t *out)
{
    memset(out, 0, sizeof *out);
    out->is_ip = is_ip_literal_text(name);
    if (out->is_ip) {
        out->matched = X509_check_ip_asc(cert, name, 0) == 1;
        if (out->matched)
            snprintf(out->matched_san, sizeof out->matched_san, "IP:%s", name);
    } else {
        char *peer = NULL;
        /* SAN only: RFC 6125 / CA/B Forum; a CN is never a fallback. */
        out->matched = X509_check_host(cert, name, strlen(name), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                       &peer) == 1;
        if (out->matched && peer) {
            /* peer is the certificate's own SAN entry, so a '*' in it means a wildcard match. */
            out->wildcard = strchr(peer, '*') != NULL;
            snprintf(out->matched_san, sizeof out->matched_san, "DNS:%s", peer);
        }
        OPENSSL_free(peer);
    }
    ERR_clear_error();
}

json_object *x509_name_json(X509 *cert, const char *name)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    if (!name || !cert) {
        /* Nothing to check (no SNI, not an IP literal), or nothing to check it against. */
        json_object_object_add(o, "checked", name ? json_object_new_string(name) : NULL);
        json_object_object_add(o, "type", name ? json_object_new_string(is_ip_literal_text(name) ? "ip" : "dns")
                                               : NULL);
        json_object_object_add(o, "matched", NULL);
        json_object_object_add(o, "wildcard", NULL);
        return o;
    }
    x509_name_match_t m;
    x509_check_name(cert, name, &m);
    json_object_object_add(o, "checked", json_object_new_string(name));
    json_object_object_add(o, "type", json_object_new_string(m.is_ip ? "ip" : "dns"));
    json_object_object_add(o, "matched", json_object_new_boolean(m.matched));
    json_object_object_add(o, "wildcard", json_object_new_boolean(m.wildcard));
    return o;
}
