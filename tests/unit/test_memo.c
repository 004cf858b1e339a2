/* hello_memo: a kept answer stands in for a wanted hello exactly when the server must answer
 * both alike, and in no other case. Answers are recorded from hand-built results. */
#include <stdio.h>
#include <string.h>

#include "hello_memo.h"
#include "hello_shape.h"
#include "iana.h"

static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    failures += !cond;
}

#define ECDHE_RSA_AES128_GCM 0xC02F
#define RSA_AES128_GCM 0x009C
#define TLS_AES_128_GCM 0x1301

/* An accepted answer: version, suite and, for ECDHE, curve and signature scheme. */
static tls_raw_result_t answer(uint16_t version, uint16_t cipher, uint16_t curve, uint16_t sig)
{
    tls_raw_result_t r;
    memset(&r, 0, sizeof r);
    r.outcome = TLS_RAW_ACCEPTED;
    r.version = version;
    r.cipher = cipher;
    r.flight.have_server_hello = true;
    r.flight.server_hello.version = version;
    r.flight.server_hello.cipher = cipher;
    if (curve) {
        r.flight.have_server_key_exchange = true;
        r.flight.ske.kind = WIRE_SKE_ECDHE;
        r.flight.ske.curve_type = 3;
        r.flight.ske.named_curve = curve;
        r.flight.ske.has_sig_scheme = true;
        r.flight.ske.sig_scheme = sig;
    }
    return r;
}

static size_t suites_of(uint16_t version, uint16_t *out)
{
    return iana_suites_for_version(version, out, HELLO_MAX_CODES);
}

/* The versions probe's everything-hello: every version's suites, newest versions first. */
static void everything(hello_profile_t *p)
{
    static const uint16_t order[] = { WIRE_TLS13, WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    uint16_t all[HELLO_MAX_CODES], one[HELLO_MAX_CODES];
    size_t n = 0;
    for (size_t v = 0; v < 5; v++) {
        size_t k = suites_of(order[v], one);
        for (size_t j = 0; j < k; j++) {
            size_t x = 0;
            while (x < n && all[x] != one[j])
                x++;
            if (x == n)
                all[n++] = one[j];
        }
    }
    hello_profile_init_all_versions(p, "lab.test");
    hello_profile_set_suites(p, all, n);
}

/* Suites of the version with this key exchange, in registry order (what groups offers). */
static size_t with_kx(uint16_t version, const char *kx, uint16_t *out)
{
    uint16_t all[HELLO_MAX_CODES];
    size_t n = suites_of(version, all), k = 0;
    for (size_t i = 0; i < n; i++) {
        const iana_suite_t *s = iana_suite_by_code(all[i]);
        if (s && strcmp(s->kx, kx) == 0)
            out[k++] = all[i];
    }
    return k;
}

static size_t ec_curves(uint16_t *out)
{
    uint16_t all[HELLO_MAX_CODES];
    size_t n = hello_usable_groups(WIRE_TLS12, all, HELLO_MAX_CODES), k = 0;
    for (size_t i = 0; i < n; i++) {
        const iana_group_t *g = iana_group_by_code(all[i]);
        if (g && strcmp(g->kind, "ecdhe") == 0)
            out[k++] = all[i];
    }
    return k;
}

int main(void)
{
    static endpoint_t ep;
    static hello_profile_t kept, want;
    static uint16_t suites[HELLO_MAX_CODES], rev[HELLO_MAX_CODES], curves[HELLO_MAX_CODES];
    hello_answer_t a;
    pthread_mutex_init(&ep.lock, NULL);

    /* A TLS 1.2 server answered the everything-hello with ECDHE-RSA-AES128-GCM on x25519. */
    everything(&kept);
    tls_raw_result_t r = answer(WIRE_TLS12, ECDHE_RSA_AES128_GCM, 29, 0x0804);
    hello_memo_record(&ep, &kept, &r);
    check(ep.nmemo == 1, "an accepted answer is kept");

    size_t n = suites_of(WIRE_TLS12, suites);
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_profile_set_suites(&want, suites, n);
    check(hello_memo_find(&ep, &want, &a) && a.cipher == ECDHE_RSA_AES128_GCM && a.version == WIRE_TLS12,
          "the TLS 1.2 hello alone is answered by the everything-hello");
    check(a.has_curve && a.curve == 29 && a.has_sig_scheme && a.sig_scheme == 0x0804 &&
              strcmp(a.kx_group, "x25519") == 0,
          "the kept answer carries curve, signature scheme and group name");

    for (size_t i = 0; i < n; i++)
        rev[i] = suites[n - 1 - i];
    hello_profile_set_suites(&want, rev, n);
    check(!hello_memo_find(&ep, &want, &a), "the same suites in another order are not answered");

    hello_profile_init(&want, "lab.test", WIRE_TLS11);
    size_t n11 = suites_of(WIRE_TLS11, suites);
    hello_profile_set_suites(&want, suites, n11);
    check(!hello_memo_find(&ep, &want, &a), "another version is not answered");

    /* The groups probe: ECDHE suites, elliptic curves only (no ffdhe: a kind it does not offer). */
    size_t ne = with_kx(WIRE_TLS12, "ECDHE", suites), nc = ec_curves(curves);
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_profile_set_suites(&want, suites, ne);
    hello_profile_set_groups(&want, curves, nc, false);
    check(hello_memo_find(&ep, &want, &a) && a.curve == 29, "the first curve round is answered");
    hello_profile_set_groups(&want, curves + 1, nc - 1, false);
    check(!hello_memo_find(&ep, &want, &a), "a curve round without x25519 is not answered");

    /* Leaving out the finite-field groups matters once DHE suites are offered: an RFC 7919
     * server takes DHE only with a listed group, so the choice may differ. */
    uint16_t all12[HELLO_MAX_CODES], both[HELLO_MAX_CODES];
    size_t n12 = suites_of(WIRE_TLS12, all12), nb = 0;
    for (size_t i = 0; i < n12; i++) {
        const iana_suite_t *s = iana_suite_by_code(all12[i]);
        if (s && (strcmp(s->kx, "ECDHE") == 0 || strcmp(s->kx, "DHE") == 0))
            both[nb++] = all12[i];
    }
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_profile_set_suites(&want, both, nb);
    check(hello_memo_find(&ep, &want, &a), "ECDHE and DHE suites with every group are answered");
    hello_profile_set_groups(&want, curves, nc, false);
    check(!hello_memo_find(&ep, &want, &a), "ECDHE and DHE suites with elliptic curves only are not answered");

    /* The signatures probe's later rounds offer fewer schemes. */
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_profile_set_suites(&want, suites, ne);
    hello_profile_set_sigalgs(&want, want.sigalgs + 1, want.nsigalgs - 1);
    check(!hello_memo_find(&ep, &want, &a), "other signature schemes are not answered");

    /* DHE suites only: the kept pick is not offered. */
    size_t nd = with_kx(WIRE_TLS12, "DHE", suites);
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_profile_set_suites(&want, suites, nd);
    check(!hello_memo_find(&ep, &want, &a), "a hello without the picked suite is not answered");

    /* SSLv3 hellos carry no extensions: never answered by a hello with extensions. */
    tls_raw_result_t r3 = answer(WIRE_SSL3, RSA_AES128_GCM, 0, 0);
    everything(&kept);
    hello_memo_record(&ep, &kept, &r3);
    hello_profile_init(&want, "lab.test", WIRE_SSL3);
    size_t n3 = suites_of(WIRE_SSL3, suites);
    hello_profile_set_suites(&want, suites, n3);
    check(!hello_memo_find(&ep, &want, &a), "an SSLv3 hello is not answered by the everything-hello");

    /* A flight not read to ServerHelloDone never says "no CertificateRequest" (mtls). */
    check(!hello_memo_full_flight(&ep, WIRE_TLS12, &a), "a flight without ServerHelloDone is not a full flight");
    endpoint_finalise(&ep);
    tls_raw_result_t full = answer(WIRE_TLS12, ECDHE_RSA_AES128_GCM, 29, 0x0804);
    full.flight.have_server_hello_done = true;
    everything(&kept);
    hello_memo_record(&ep, &kept, &full);
    check(hello_memo_full_flight(&ep, WIRE_TLS12, &a) && a.flight_complete && !a.certificate_request,
          "a flight read to ServerHelloDone without a request is a full flight without one");
    check(!hello_memo_full_flight(&ep, WIRE_TLS11, &a), "a full flight of another version is not given");
    endpoint_finalise(&ep);
    full.flight.have_certificate_request = true;
    hello_memo_record(&ep, &kept, &full);
    check(hello_memo_full_flight(&ep, WIRE_TLS12, &a) && a.certificate_request, "a full flight with a request says so");
    endpoint_finalise(&ep);
    tls_raw_result_t anon = answer(WIRE_TLS12, 0xC018 /* ECDH_anon_AES_128_CBC_SHA */, 29, 0);
    anon.flight.have_server_hello_done = true;
    hello_memo_record(&ep, &kept, &anon);
    check(!hello_memo_full_flight(&ep, WIRE_TLS12, &a), "an anonymous suite's flight is not given (it may not ask)");
    tls_raw_result_t r13ff = answer(WIRE_TLS13, TLS_AES_128_GCM, 0, 0);
    r13ff.flight.have_server_hello_done = true;
    hello_memo_record(&ep, &kept, &r13ff);
    check(!hello_memo_full_flight(&ep, WIRE_TLS13, &a), "TLS 1.3 has no clear flight to give");
    endpoint_finalise(&ep);
    hello_memo_record(&ep, &kept, &r);

    /* TLS 1.3: the same key shares are needed; an empty key share list is another question. */
    check(ep.nfinalisers == 1, "recording registers the memo's finaliser once");
    endpoint_finalise(&ep);
    check(ep.nmemo == 0 && ep.memo == NULL && ep.nfinalisers == 0, "finalising drops every kept answer");
    everything(&kept);
    tls_raw_result_t r13 = answer(WIRE_TLS13, TLS_AES_128_GCM, 0, 0);
    hello_memo_record(&ep, &kept, &r13);
    size_t n13 = suites_of(WIRE_TLS13, suites);
    hello_profile_init(&want, "lab.test", WIRE_TLS13);
    hello_profile_set_suites(&want, suites, n13);
    check(hello_memo_find(&ep, &want, &a) && a.cipher == TLS_AES_128_GCM, "the TLS 1.3 hello alone is answered");
    uint16_t groups13[HELLO_MAX_CODES];
    size_t ng = hello_usable_groups(WIRE_TLS13, groups13, HELLO_MAX_CODES);
    hello_profile_set_groups(&want, groups13, ng, true);
    check(!hello_memo_find(&ep, &want, &a), "a hello with an empty key share list is not answered");

    /* Refusals are not kept. */
    tls_raw_result_t refused = answer(WIRE_TLS12, 0, 0, 0);
    refused.outcome = TLS_RAW_ALERT;
    size_t before = ep.nmemo;
    hello_memo_record(&ep, &kept, &refused);
    check(ep.nmemo == before, "a refusal is not kept");

    /* An endpoint that answers only compact hellos: its kept answer stands for hellos cut to
     * the same shape, never for a full one (other groups and schemes), and finalising also
     * drops the shape the versions probe published. */
    endpoint_finalise(&ep);
    hello_shape_t shape;
    hello_shape_init(&shape);
    shape.level = HELLO_EXT_COMPACT;
    shape.max_codes = 64;
    n = suites_of(WIRE_TLS12, suites);
    hello_profile_init(&kept, "lab.test", WIRE_TLS12);
    hello_shape_fit(&shape, &kept, suites, n, 0);
    hello_memo_record(&ep, &kept, &r);
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_shape_fit(&shape, &want, suites, n, 0);
    check(hello_memo_find(&ep, &want, &a) && a.cipher == ECDHE_RSA_AES128_GCM, "a hello cut alike is answered");
    hello_profile_init(&want, "lab.test", WIRE_TLS12);
    hello_profile_set_suites(&want, suites, 63);
    check(!hello_memo_find(&ep, &want, &a), "the same suites in a full hello are not answered");
    hello_shape_publish(&ep, &shape);
    hello_shape_t loaded;
    hello_shape_load(&ep, &loaded);
    check(ep.shape && loaded.level == HELLO_EXT_COMPACT && loaded.max_codes == 64, "a published shape is loaded");
    check(ep.nfinalisers == 2, "publishing a shape registers its own finaliser");
    endpoint_finalise(&ep);
    hello_shape_load(&ep, &loaded);
    check(!ep.shape && !ep.memo && loaded.level == HELLO_EXT_FULL && loaded.max_codes == 0,
          "finalising forgets the answers and the shape");
    pthread_mutex_destroy(&ep.lock);
    return failures ? 1 : 0;
}
