/* ech: whether the endpoint accepts Encrypted Client Hello (RFC 9849) with the configuration a
 * client would use, and whether it answers a hello carrying GREASE ECH.
 *
 * The config comes from the target (--ech-config-list, the inventory's ech_config_list:) or
 * else from the HTTPS records resolution put on the endpoint (ep->dns_https). With one, a
 * ClientHelloOuter (SNI the config's public_name) carrying the sealed ClientHelloInner (the
 * real SNI) is sent and the answer read: acceptance is decided from the ServerHello's
 * confirmation; after a HelloRetryRequest the second hello (RFC 9849 6.1.5) is sent on the same
 * connection and the ServerHello to it decides. On a rejection the outer handshake's keys are
 * computed from the outer hello's key shares (kept for this) and the encrypted
 * EncryptedExtensions read for retry_configs. Without a config, nothing is offered: no client
 * could use ECH with this endpoint. Facts only; renderers at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <poll.h>
#include <sys/socket.h>

#include "ech_hello.h"
#include "hello_profile.h"
#include "json_read.h"
#include "net.h"
#include "probe.h"
#include "tls_raw.h"
#include "wire.h"

static const uint16_t tls13_suites[] = { 0x1301, 0x1302, 0x1303 };
static const uint16_t tls13_version = WIRE_TLS13;

/* A TLS 1.3 exchange under the run's limits. */
static void exchange_opts(probe_ctx_t *ctx, tls_raw_opts_t *o)
{
    *o = (tls_raw_opts_t){
        .timeout_s = ctx->ep->opts->timeout_s,
        .deadline = net_now() + NET_EXCHANGE_WAITS * ctx->ep->opts->timeout_s,
        .offered_versions = &tls13_version,
        .noffered_versions = 1,
        .offered_suites = tls13_suites,
        .noffered_suites = sizeof tls13_suites / sizeof *tls13_suites,
    };
}

/* One connection: the record as built, the first flight read under the run's limits. */
static tls_raw_outcome_t send_record(probe_ctx_t *ctx, const uint8_t *rec, size_t len, tls_raw_result_t *res)
{
    memset(res, 0, sizeof *res);
    int fd = probe_connect(ctx);
    if (fd < 0) {
        tls_raw_set_connect_failed(res, ctx->err);
        return res->outcome;
    }
    tls_raw_opts_t o;
    exchange_opts(ctx, &o);
    tls_raw_exchange(fd, rec, len, &o, res);
    net_close(fd);
    return res->outcome;
}

/* A TLS 1.3 hello as the other probes send it, for server name sni. */
static hello_profile_t *tls13_profile(const char *sni)
{
    hello_profile_t *p = malloc(sizeof *p);
    if (p) {
        hello_profile_init(p, sni, WIRE_TLS13);
        hello_profile_set_suites(p, tls13_suites, sizeof tls13_suites / sizeof *tls13_suites);
    }
    return p;
}

/* ---- where the config comes from */

typedef struct source {
    const char *name;         /* "option", "inventory", "dns", or NULL: none */
    bool found;               /* a usable config is in pick */
    bool undecided;           /* the DNS lookup failed: whether one is published is unknown */
    ech_pick_t pick;
    char why[400];            /* without a config: why */
    char target_note[700];    /* the DNS record's TargetName is another name: what was done */
} source_t;

/* Room for every record resolve.c keeps (it keeps 16). */
#define HTTPS_RECORDS_CAP 32

/* The ServiceMode records' indexes in SvcPriority order, as a client tries them (RFC 9460
 * 2.4.1); AliasMode records (priority 0) are not services. Stable for equal priorities. */
static size_t by_priority(json_object *records, size_t *order, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < jr_len(records) && n < cap; i++) {
        int prio = json_object_get_int(jr_at(jr_idx(records, i), "priority"));
        if (prio <= 0)
            continue;
        size_t j = n++;
        while (j > 0 && json_object_get_int(jr_at(jr_idx(records, order[j - 1]), "priority")) > prio) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

/* RFC 9460 3: a ServiceMode record whose TargetName is not "." sends clients to that name's
 * addresses, where its ECH config is meant to be used; this probe has the endpoint's own
 * address only (resolution is done before probes run), so the facts say where ECH went. */
static void note_target(const char *target, const char *owner, const char *host, const char *addr, source_t *s)
{
    size_t n = target ? strlen(target) : 0;
    if (n > 1 && target[n - 1] == '.')
        n--; /* the record's names are absolute */
    if (!target || !strcmp(target, ".") || (strlen(host) == n && !strncasecmp(target, host, n)) ||
        (strlen(owner) == n && !strncasecmp(target, owner, n)))
        return;
    int tn = n > 150 ? 150 : (int)n;
    snprintf(s->target_note, sizeof s->target_note,
             "the HTTPS record's TargetName is %.*s: a client would connect to its addresses; ECH was offered "
             "to %.100s's address %.64s, not to %.*s's", tn, target, host, addr, tn, target);
}

static void pick_from_dns(json_object *dns, const char *host, const char *addr, source_t *s)
{
    const char *owner = jr_str(dns, "owner") ? jr_str(dns, "owner") : host;
    const char *result = jr_str(dns, "result") ? jr_str(dns, "result") : "?";
    if (strcmp(result, "timeout") == 0 || strcmp(result, "error") == 0) {
        s->undecided = true;
        snprintf(s->why, sizeof s->why, "the HTTPS record lookup for %s failed (%s%s%s) and no ECH configuration was given",
                 owner, result, jr_str(dns, "error") ? ": " : "", jr_str(dns, "error") ? jr_str(dns, "error") : "");
        return;
    }
    json_object *records = jr_at(dns, "records");
    char first[300] = "", malformed[200] = "";
    size_t order[HTTPS_RECORDS_CAP], n = by_priority(records, order, HTTPS_RECORDS_CAP);
    for (size_t k = 0; k < n; k++) {
        json_object *rec = json_object_array_get_idx(records, order[k]);
        const char *b64 = jr_str(rec, "ech");
        if (jr_str(rec, "malformed")) {
            if (!*malformed)
                snprintf(malformed, sizeof malformed, " (a malformed record: %s)", jr_str(rec, "malformed"));
            continue;
        }
        if (jr_str(rec, "ignored"))
            continue; /* RFC 9460 8: a client that cannot honour a mandatory key skips the record */
        if (!b64)
            continue;
        s->name = "dns";
        uint8_t *list;
        size_t len;
        char why[300];
        bool ok = ech_list_from_base64(b64, &list, &len, why, sizeof why);
        if (ok) {
            ech_pick_status_t st = ech_pick_config(list, len, &s->pick, why, sizeof why);
            free(list);
            if (st == ECH_PICK_OK) {
                s->found = true;
                note_target(jr_str(rec, "target"), owner, host, addr, s);
                return;
            }
        }
        if (!*first)
            snprintf(first, sizeof first, "%s", why);
    }
    if (s->name)
        snprintf(s->why, sizeof s->why, "no usable ECH configuration in the HTTPS records of %s: %s", owner, first);
    else
        snprintf(s->why, sizeof s->why, "no ECH configuration: no HTTPS record with ech for %s%s and none given", owner,
                 malformed);
}

static void pick_source(const endpoint_t *ep, source_t *s)
{
    const target_t *t = ep->target;
    memset(s, 0, sizeof *s);
    if (t->ech_config_list) {
        s->name = t->ech_config_origin ? t->ech_config_origin : "option";
        char why[300];
        if (ech_pick_config(t->ech_config_list, t->ech_config_list_len, &s->pick, why, sizeof why) == ECH_PICK_OK)
            s->found = true;
        else
            snprintf(s->why, sizeof s->why, "no usable ECH configuration in the list given (%s): %s", s->name, why);
    } else if (ep->dns_https) {
        pick_from_dns(ep->dns_https, t->host, ep->addr_str, s);
    } else {
        /* Nothing says whether a configuration is published: an address or a localhost name has
         * no HTTPS record to look up. */
        s->undecided = true;
        snprintf(s->why, sizeof s->why,
                 "no ECH configuration to try: no HTTPS record is looked up for %s (an address or a localhost name) "
                 "and none was given (--ech-config-list)", t->host);
    }
}

static json_object *config_json(const ech_pick_t *p)
{
    json_object *c = json_object_new_object();
    json_object_object_add(c, "config_id", json_object_new_int(p->config_id));
    json_object_object_add(c, "kem", json_object_new_int(p->kem_id));
    json_object_object_add(c, "kdf", json_object_new_int(p->kdf_id));
    json_object_object_add(c, "aead", json_object_new_int(p->aead_id));
    json_object_object_add(c, "public_name", json_object_new_string(p->public_name));
    json_object_object_add(c, "maximum_name_length", json_object_new_int(p->maximum_name_length));
    return c;
}

/* ---- the exchanges */

typedef enum { T_UNKNOWN = -1, T_FALSE = 0, T_TRUE = 1 } tri_t;

static json_object *tri_json(tri_t t)
{
    return t == T_UNKNOWN ? NULL : json_object_new_boolean(t == T_TRUE);
}

/* What offering ECH found. */
typedef struct offer {
    tri_t accepted;
    const char *decided_on;   /* which server message decided: see the man page */
    tri_t hrr_confirmation;   /* the HelloRetryRequest's confirmation; unknown: no HRR */
    ech_retry_t retry;
    char retry_note[240];
} offer_t;

/* The first handshake message of an accepted answer (header included), or NULL. */
static const uint8_t *first_message(const tls_raw_result_t *r, size_t *len)
{
    const wire_flight_t *f = &r->flight;
    if (r->outcome != TLS_RAW_ACCEPTED || f->hs_len < 4)
        return NULL;
    *len = 4 + ((size_t)f->hs[1] << 16 | (size_t)f->hs[2] << 8 | f->hs[3]);
    return *len <= f->hs_len ? f->hs : NULL;
}

#define MAX_RECORD (5 + 16384 + 256)

/* The first application_data record after the ServerHello: from the bytes already read, then
 * from fd, at most one record more than was read, by o's deadline. malloc'd, or NULL with why. */
static uint8_t *encrypted_record(int fd, const tls_raw_result_t *r, const tls_raw_opts_t *o, size_t *rec_len,
                                 char *why, size_t cap)
{
    size_t bufcap = r->raw_len + MAX_RECORD, have = r->raw_len, off = 0;
    uint8_t *buf = malloc(bufcap);
    if (!buf)
        return snprintf(why, cap, "out of memory"), NULL;
    memcpy(buf, r->raw, have);
    for (;;) {
        if (have - off >= 5) {
            size_t len = (size_t)buf[off + 3] << 8 | buf[off + 4];
            if (len > MAX_RECORD - 5 || (buf[off] != 20 && buf[off] != 22 && buf[off] != 23)) {
                snprintf(why, cap, buf[off] == 21 ? "an alert came after the ServerHello"
                                                  : "a malformed record came after the ServerHello");
                break;
            }
            if (have - off >= 5 + len) {
                if (buf[off] == 23) {
                    memmove(buf, buf + off, 5 + len);
                    *rec_len = 5 + len;
                    return buf;
                }
                off += 5 + len; /* the ServerHello's record, a compatibility ChangeCipherSpec */
                continue;
            }
        }
        double left = o->deadline - net_now();
        ssize_t n = left > 0 && have < bufcap
                        ? net_recv_some(fd, buf + have, bufcap - have, left < o->timeout_s ? left : o->timeout_s)
                        : -1;
        if (n <= 0) {
            snprintf(why, cap, n == 0 ? "the server closed before its EncryptedExtensions"
                                      : "no EncryptedExtensions record came in time");
            break;
        }
        have += (size_t)n;
    }
    free(buf);
    return NULL;
}

/* After a rejection by ServerHello sh: the outer handshake's EncryptedExtensions. */
static void retry_configs(int fd, const tls_raw_result_t *r, const tls_raw_opts_t *o, const ech_hello_t *h,
                          const uint8_t *sh, size_t sh_len, const ech_key_share_t *keys, size_t nkeys, offer_t *of)
{
    char why[200];
    size_t len;
    uint8_t *rec = r->version == WIRE_TLS13 ? encrypted_record(fd, r, o, &len, why, sizeof why) : NULL;
    if (r->version != WIRE_TLS13) {
        snprintf(of->retry_note, sizeof of->retry_note, "server sent none: TLS 1.2 has no EncryptedExtensions");
        return;
    }
    if (!rec) {
        snprintf(of->retry_note, sizeof of->retry_note, "not decrypted: %s", why);
        return;
    }
    ech_retry_configs(h, sh, sh_len, keys, nkeys, rec, len, &of->retry);
    free(rec);
    snprintf(of->retry_note, sizeof of->retry_note, "%s", of->retry.why);
}

static tri_t verdict_tri(ech_verdict_t v)
{
    return v == ECH_ACCEPTED ? T_TRUE : v == ECH_REJECTED ? T_FALSE : T_UNKNOWN;
}

/* The ChangeCipherSpec records a server sends after its HelloRetryRequest (middlebox
 * compatibility, RFC 8446 D.4) may reach us only after the second hello went out, before the
 * ServerHello; the flight parser wants the ServerHello first, so they are taken off the socket
 * here, looked at with MSG_PEEK so that anything else stays for the parser. By o's deadline. */
static void skip_ccs(int fd, const tls_raw_opts_t *o)
{
    static const uint8_t ccs[6] = { 20, 3, 3, 0, 1, 1 };
    uint8_t b[6];
    for (int records = 0; records < 4;) {
        double left = o->deadline - net_now();
        if (left <= 0 || net_wait(fd, POLLIN, left < o->timeout_s ? left : o->timeout_s) != 1)
            return;
        ssize_t n = recv(fd, b, sizeof b, MSG_PEEK);
        if (n <= 0 || memcmp(b, ccs, (size_t)n) != 0)
            return; /* not a ChangeCipherSpec (or the end): the parser's */
        if (n < (ssize_t)sizeof b) {
            nanosleep(&(struct timespec){ 0, 1000000 }, NULL); /* the rest of 6 bytes is on its way */
            continue;
        }
        if (recv(fd, b, sizeof b, 0) != (ssize_t)sizeof b)
            return;
        records++;
    }
}

/* The hello after a HelloRetryRequest hrr (RFC 9849 6.1.5): the group it names, our kept key
 * for it in the outer hello, its cookie; decides from the ServerHello that follows. The final
 * hello and ServerHello are left in h2/r2 for retry_configs. */
static void after_hrr(probe_ctx_t *ctx, int fd, const source_t *s, hello_profile_t *in, hello_profile_t *out,
                      ech_hello_t *h1, const uint8_t *hrr, size_t hrr_len, ech_hello_t *h2, tls_raw_result_t *r2,
                      ech_key_share_t *k2, offer_t *of, char *result, size_t cap)
{
    wire_server_hello_t hs;
    char err[200], first[300];
    snprintf(first, sizeof first, "%.250s", result);
    if (wire_parse_server_hello(hrr + 4, hrr_len - 4, &hs, err, sizeof err) != WIRE_OK || !hs.has_key_share) {
        snprintf(result, cap, "%s; no second hello: the HelloRetryRequest names no group", first);
        return;
    }
    wire_key_share_t share_in = { hs.key_share_group, NULL, 0 }, share_out = share_in;
    if (ech_key_share_new(hs.key_share_group, k2) == 0)
        share_out.key = k2->pk, share_out.key_len = k2->pk_len;
    in->opts.key_shares = &share_in, in->opts.nkey_shares = 1, in->opts.key_share_empty = false;
    out->opts.key_shares = &share_out, out->opts.nkey_shares = 1, out->opts.key_share_empty = false;
    if (ech_build_hello2(h1, &s->pick, &in->opts, &out->opts, hrr, hrr_len, h2, err, sizeof err) != 0) {
        snprintf(result, cap, "%s; the second hello could not be built: %.150s", first, err);
        return;
    }
    tls_raw_opts_t o;
    exchange_opts(ctx, &o);
    if (net_send_all(fd, h2->record, h2->record_len, o.timeout_s) != 0) {
        snprintf(result, cap, "%s; the second hello could not be sent", first);
        return;
    }
    skip_ccs(fd, &o);
    tls_raw_exchange(fd, NULL, 0, &o, r2); /* sent above: reads the answer */
    size_t len;
    const uint8_t *msg = first_message(r2, &len);
    char why[300];
    if (!msg) {
        snprintf(result, cap, "%s; the second hello got no ServerHello (%.150s)", first, r2->summary);
        return;
    }
    ech_verdict_t v = ech_check_answer(h2, msg, len, why, sizeof why);
    of->accepted = verdict_tri(v);
    of->decided_on = "server_hello_after_hrr";
    snprintf(result, cap, "%s", why);
}

/* Offers ECH with s's config; of says what came of it, result in words. False when no
 * connection could be made. */
static bool offer_ech(probe_ctx_t *ctx, const source_t *s, offer_t *of, char *result, size_t cap)
{
    hello_profile_t *in = tls13_profile(ctx->ep->sni), *out = tls13_profile(s->pick.public_name);
    ech_hello_t *h = calloc(1, sizeof *h), *h2 = calloc(1, sizeof *h2);
    ech_key_share_t keys[2], k2;
    bool connected = true;
    char err[200];
    memset(of, 0, sizeof *of);
    memset(&k2, 0, sizeof k2);
    of->accepted = of->hrr_confirmation = T_UNKNOWN;
    snprintf(of->retry_note, sizeof of->retry_note, "not applicable: ECH was not rejected");
    int fd = -1;
    if (!in || !out || !h || !h2 || ech_key_share_new(29, &keys[0]) != 0 || ech_key_share_new(23, &keys[1]) != 0) {
        snprintf(result, cap, "out of memory");
        goto done;
    }
    /* The outer hello's key shares are ours, kept: a rejection's handshake is then readable. */
    for (size_t i = 0; i < 2; i++)
        out->shares[i].key = keys[i].group == out->shares[i].group ? keys[i].pk : NULL,
        out->shares[i].key_len = keys[i].pk_len;
    if (ech_build_hello(&s->pick, &in->opts, &out->opts, h, err, sizeof err) != 0) {
        snprintf(result, cap, "cannot build the ECH hello: %s", err);
        goto done;
    }
    tls_raw_result_t r, r2;
    memset(&r, 0, sizeof r);
    memset(&r2, 0, sizeof r2);
    tls_raw_opts_t o;
    exchange_opts(ctx, &o);
    if ((fd = probe_connect(ctx)) < 0) {
        tls_raw_set_connect_failed(&r, ctx->err);
    } else {
        tls_raw_exchange(fd, h->record, h->record_len, &o, &r);
    }
    size_t len, len2;
    const uint8_t *msg = first_message(&r, &len), *msg2;
    if (msg) {
        ech_verdict_t v = ech_check_answer(h, msg, len, result, cap);
        of->accepted = verdict_tri(v);
        of->decided_on = "server_hello";
        if (r.flight.server_hello.is_hrr) {
            of->decided_on = "hello_retry_request";
            of->hrr_confirmation = of->accepted;
            after_hrr(ctx, fd, s, in, out, h, msg, len, h2, &r2, &k2, of, result, cap);
        }
        exchange_opts(ctx, &o); /* the EncryptedExtensions read gets its own deadline */
        if (of->accepted == T_FALSE && !r.flight.server_hello.is_hrr)
            retry_configs(fd, &r, &o, h, msg, len, keys, 2, of);
        else if (of->accepted == T_FALSE && (msg2 = first_message(&r2, &len2)) != NULL)
            retry_configs(fd, &r2, &o, h2, msg2, len2, &k2, 1, of);
        else if (of->accepted == T_FALSE)
            snprintf(of->retry_note, sizeof of->retry_note, "not decrypted: no ServerHello to the second hello");
    } else if (r.outcome == TLS_RAW_OTHER_VERSION) {
        of->accepted = T_FALSE;
        of->decided_on = "server_hello";
        snprintf(result, cap, "rejected: %s, and ECH needs TLS 1.3", r.summary);
        snprintf(of->retry_note, sizeof of->retry_note, "server sent none: %.150s has no EncryptedExtensions", r.summary);
    } else {
        /* An alert or a close may be about anything in the hello: it decides nothing. */
        connected = r.outcome != TLS_RAW_CONNECT_FAILED;
        snprintf(result, cap, "undecided: the ECH hello got no ServerHello (%s)", r.summary);
    }
    tls_raw_result_free(&r);
    tls_raw_result_free(&r2);
done:
    if (fd >= 0)
        net_close(fd);
    if (h)
        ech_hello_free(h);
    if (h2)
        ech_hello_free(h2);
    ech_key_share_clear(&keys[0]), ech_key_share_clear(&keys[1]), ech_key_share_clear(&k2);
    free(in), free(out), free(h), free(h2);
    return connected;
}

/* After a hello with GREASE ECH went unanswered (got: what it got), the same hello without the
 * extension says whether ECH is what broke it: false when that one is answered, else unknown
 * (the server answers neither). */
static tri_t control_hello(probe_ctx_t *ctx, const wire_hello_opts_t *opts, const char *got, char *result,
                           size_t cap)
{
    uint8_t *rec = malloc(WIRE_HELLO_MAX + WIRE_RECORD_HEADER);
    size_t len;
    char err[200];
    tri_t answered = T_UNKNOWN;
    if (!rec || wire_build_client_hello(opts, rec, WIRE_HELLO_MAX + WIRE_RECORD_HEADER, &len, err, sizeof err) != 0) {
        snprintf(result, cap, "a hello with GREASE ECH got %.150s; the same hello without it could not be built", got);
        free(rec);
        return answered;
    }
    tls_raw_result_t r;
    tls_raw_outcome_t o = send_record(ctx, rec, len, &r);
    if (o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION) {
        answered = T_FALSE;
        snprintf(result, cap, "a hello with GREASE ECH got %.150s; the same hello without it was answered: the server "
                 "breaks on ECH", got);
    } else {
        snprintf(result, cap, "a hello with GREASE ECH got %.100s, and the same hello without it %.100s: undecided", got,
                 r.summary);
    }
    tls_raw_result_free(&r);
    free(rec);
    return answered;
}

/* A normal TLS 1.3 hello with GREASE ECH: answered normally, or broken on. Sent only where the
 * versions probe saw TLS 1.3 answered: elsewhere a refusal would say nothing about ECH. */
static json_object *grease(probe_ctx_t *ctx, bool tls13_seen, bool *connected)
{
    json_object *g = json_object_new_object();
    tri_t answered = T_UNKNOWN;
    char result[300];
    *connected = true;
    hello_profile_t *p = tls13_profile(ctx->ep->sni);
    uint8_t *rec = malloc(WIRE_HELLO_MAX + WIRE_RECORD_HEADER);
    size_t len;
    char err[200];
    if (!tls13_seen) {
        snprintf(result, sizeof result, "not tried: the versions probe did not see TLS 1.3 accepted");
    } else if (!p || !rec) {
        snprintf(result, sizeof result, "out of memory");
    } else if (ech_build_grease(&p->opts, rec, WIRE_HELLO_MAX + WIRE_RECORD_HEADER, &len, err, sizeof err) != 0) {
        snprintf(result, sizeof result, "cannot build the hello: %s", err);
    } else {
        tls_raw_result_t r;
        tls_raw_outcome_t o = send_record(ctx, rec, len, &r);
        if (o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION) {
            answered = T_TRUE;
            snprintf(result, sizeof result, "answered normally (%s %s)", wire_version_name(r.version) ? wire_version_name(r.version) : "?",
                     r.cipher_name ? r.cipher_name : "?");
        } else if (o == TLS_RAW_ALERT || o == TLS_RAW_CLOSED || o == TLS_RAW_TIMEOUT || o == TLS_RAW_MALFORMED) {
            answered = control_hello(ctx, &p->opts, r.summary, result, sizeof result);
        } else {
            *connected = o != TLS_RAW_CONNECT_FAILED;
            snprintf(result, sizeof result, "%s", r.summary);
        }
        tls_raw_result_free(&r);
    }
    free(p), free(rec);
    json_object_object_add(g, "answered", tri_json(answered));
    json_object_object_add(g, "result", json_object_new_string(result));
    return g;
}

/* The retry_configs the server sent, as the config facts name them. */
static json_object *retry_json(const ech_retry_t *r)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < r->nconfigs; i++) {
        const ech_retry_config_t *c = &r->configs[i];
        json_object *o = json_object_new_object(), *suites = json_object_new_array();
        json_object_object_add(o, "config_id", json_object_new_int(c->config_id));
        json_object_object_add(o, "public_name", json_object_new_string(c->public_name));
        json_object_object_add(o, "kem", json_object_new_int(c->kem_id));
        for (size_t j = 0; j < c->nsuites; j++) {
            json_object *su = json_object_new_object();
            json_object_object_add(su, "kdf", json_object_new_int(c->kdf_id[j]));
            json_object_object_add(su, "aead", json_object_new_int(c->aead_id[j]));
            json_object_array_add(suites, su);
        }
        json_object_object_add(o, "suites", suites);
        json_object_array_add(a, o);
    }
    return a;
}

static probe_status_t ech_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    json_object *out = ctx->out;
    source_t s;
    pick_source(ep, &s);
    unsigned versions = probe_versions_accepted(ep);
    bool tls13_refused = versions && !(versions & probe_version_bit(WIRE_TLS13));

    json_object_object_add(out, "source", s.name ? json_object_new_string(s.name) : NULL);
    json_object_object_add(out, "config", s.found ? config_json(&s.pick) : NULL);
    /* A copy, not a shared reference: json-c's reference counts are not atomic, and the
     * endpoint's object and the facts are released by different code. */
    json_object *dns_copy = NULL;
    if (ep->dns_https && json_object_deep_copy(ep->dns_https, &dns_copy, NULL) != 0)
        dns_copy = NULL;
    json_object_object_add(out, "dns_https", dns_copy);
    json_object_object_add(out, "target_name_note", *s.target_note ? json_object_new_string(s.target_note) : NULL);

    offer_t of;
    memset(&of, 0, sizeof of);
    of.accepted = s.undecided ? T_UNKNOWN : T_FALSE;
    of.hrr_confirmation = T_UNKNOWN;
    snprintf(of.retry_note, sizeof of.retry_note, "not applicable: ECH was not offered");
    bool offered = false, ech_connected = true;
    char result[500];
    if (tls13_refused) {
        /* Whatever is published, ECH cannot be accepted without TLS 1.3. */
        of.accepted = T_FALSE;
        snprintf(result, sizeof result, "not offered: the endpoint does not accept TLS 1.3 (versions probe), which ECH needs");
    } else if (!s.found) {
        snprintf(result, sizeof result, "%s", s.why);
    } else {
        offered = true;
        ech_connected = offer_ech(ctx, &s, &of, result, sizeof result);
    }
    json_object_object_add(out, "offered", json_object_new_boolean(offered));
    json_object_object_add(out, "accepted", tri_json(of.accepted));
    json_object_object_add(out, "decided_on", of.decided_on ? json_object_new_string(of.decided_on) : NULL);
    json_object_object_add(out, "hrr_confirmation", tri_json(of.hrr_confirmation));
    json_object_object_add(out, "inner_sni", offered && ep->sni ? json_object_new_string(ep->sni) : NULL);
    json_object_object_add(out, "outer_sni", offered ? json_object_new_string(s.pick.public_name) : NULL);
    json_object_object_add(out, "result", json_object_new_string(result));
    bool grease_connected;
    json_object_object_add(out, "grease", grease(ctx, versions & probe_version_bit(WIRE_TLS13), &grease_connected));
    json_object_object_add(out, "retry_configs", of.retry.status == ECH_RETRY_FOUND ? retry_json(&of.retry) : NULL);
    json_object_object_add(out, "retry_configs_note", json_object_new_string(of.retry_note));
    ech_pick_free(&s.pick);
    /* The ECH answer is what the facts are for; a GREASE hello without a connection only
     * leaves grease.answered null. */
    (void)grease_connected;
    if (!ech_connected)
        return probe_no_connection(ctx);
    return PROBE_OK;
}

/* ---- renderers */

static void ech_render_text(render_text_t *out, json_object *e, json_object *endpoint)
{
    (void)endpoint;
    if (!e)
        return;
    json_object *acc = jr_at(e, "accepted"), *cfg = jr_at(e, "config"), *g = jr_at(e, "grease");
    render_text_label(out, "ECH");
    if (!acc)
        render_text_tone(out, RENDER_WARN, " undecided");
    else if (json_object_get_boolean(acc))
        render_text_tone(out, RENDER_GOOD, " accepted");
    else
        render_text_tone(out, RENDER_BAD, " not accepted");
    if (cfg)
        render_text_printf(out, " (config %d from %s, public name %s)", json_object_get_int(jr_at(cfg, "config_id")),
                           render_or_dash(jr_str(e, "source")), render_or_dash(jr_str(cfg, "public_name")));
    render_text_printf(out, "; GREASE ECH answered %s\n", render_yes_no(g, "answered"));
    render_text_indent(out);
    render_text_printf(out, " %s\n", render_or_dash(jr_str(e, "result")));
    /* After a rejection only (decided_on: reports before retry_configs were read have none). */
    json_object *rc = jr_at(e, "retry_configs");
    if (rc || (jr_str(e, "decided_on") && acc && !json_object_get_boolean(acc))) {
        render_text_indent(out);
        render_text_printf(out, " retry_configs:");
        for (size_t i = 0; i < jr_len(rc); i++)
            render_text_printf(out, "%s config %d, public name %s", i ? ";" : "",
                               json_object_get_int(jr_at(jr_idx(rc, i), "config_id")),
                               render_or_dash(jr_str(jr_idx(rc, i), "public_name")));
        render_text_printf(out, "%s%s\n", rc ? " -- " : " ", render_or_dash(jr_str(e, "retry_configs_note")));
    }
}

static void ech_render_html(render_html_t *out, json_object *e, json_object *endpoint)
{
    (void)endpoint;
    if (!e)
        return;
    render_html_section(out, "Encrypted Client Hello", e);
    render_html_kv_begin(out, "ech");
    render_html_kv_value(out, "Accepted", jr_at(e, "accepted"));
    render_html_kv_value(out, "Result", jr_at(e, "result"));
    render_html_kv_value(out, "Config source", jr_at(e, "source"));
    render_html_kv_value(out, "Config", jr_at(e, "config"));
    render_html_kv_value(out, "Outer SNI", jr_at(e, "outer_sni"));
    if (json_object_object_get_ex(e, "decided_on", NULL)) { /* absent from older reports */
        render_html_kv_value(out, "Decided on", jr_at(e, "decided_on"));
        render_html_kv_value(out, "HelloRetryRequest confirmation", jr_at(e, "hrr_confirmation"));
        render_html_kv_value(out, "Retry configs", jr_at(e, "retry_configs"));
        render_html_kv_value(out, "Retry configs note", jr_at(e, "retry_configs_note"));
    }
    render_html_kv_value(out, "GREASE ECH answered", jr_at(jr_at(e, "grease"), "answered"));
    render_html_kv_value(out, "GREASE ECH", jr_at(jr_at(e, "grease"), "result"));
    render_html_kv_end(out);
}

static const char *const ech_needs[] = { "versions", NULL };

const probe_module_t probe_ech = {
    .name = "ech",
    .help = "Encrypted Client Hello: accepted with the DNS or given config, GREASE ECH answered",
    .needs = ech_needs,
    .run = ech_run,
    .chain = 1.5,
    .render_text = ech_render_text,
    .render_html = ech_render_html,
};
