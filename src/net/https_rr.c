/* DNS HTTPS records: reading the answer message of an ares_query for type 65 (RFC 1035 4.1
 * framing; names through c-ares's ares_expand_name, which follows compression pointers and
 * refuses loops) and turning it into the endpoint's dns_https fact. Every length comes from the
 * network, so every read goes through the bounded reader. */
#include "https_rr.h"

#include <ares.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounded_reader.h"
#include "svcb.h"

#define DNS_HEADER_LEN 12
#define DNS_TYPE_CNAME 5
#define DNS_CLASS_IN 1
#define DNS_RCODE_NXDOMAIN 3

bool https_rr_wanted(const char *host)
{
    if (!host || !*host)
        return false;
    size_t n = strlen(host);
    if (host[n - 1] == '.')
        n--;
    const char *loc = "localhost";
    size_t ln = strlen(loc);
    if (n < ln || strncasecmp(host + n - ln, loc, ln) != 0)
        return true;
    return !(n == ln || host[n - ln - 1] == '.');
}

json_object *https_rr_result(const char *owner, const char *result, const char *error)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "owner", json_object_new_string(owner ? owner : ""));
    json_object_object_add(o, "result", json_object_new_string(result));
    json_object_object_add(o, "error", error ? json_object_new_string(error) : NULL);
    json_object_object_add(o, "alias_of", NULL);
    json_object_object_add(o, "records", json_object_new_array());
    return o;
}

/* ------------------------------------------------------------------------------------------
 * One record as JSON */

/* Bytes from the network as printable ASCII (\xHH otherwise): an alpn id is any octets, and
 * the report must stay valid UTF-8. */
static json_object *printable(const uint8_t *p, size_t n)
{
    char buf[4 * 255 + 1];
    size_t w = 0;
    for (size_t i = 0; i < n && w + 4 < sizeof buf; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            buf[w++] = (char)p[i];
        else
            w += (size_t)snprintf(buf + w, sizeof buf - w, "\\x%02x", p[i]);
    }
    return json_object_new_string_len(buf, (int)w);
}

static json_object *addresses(int family, const uint8_t *p, size_t n, size_t size)
{
    if (!n)
        return NULL;
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        char s[INET6_ADDRSTRLEN];
        if (inet_ntop(family, p + i * size, s, sizeof s))
            json_object_array_add(a, json_object_new_string(s));
    }
    return a;
}

static json_object *base64(const uint8_t *p, size_t n)
{
    unsigned char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (!out)
        return NULL;
    int w = EVP_EncodeBlock(out, p, (int)n);
    json_object *s = json_object_new_string_len((const char *)out, w);
    free(out);
    return s;
}

/* Whether the record lists a mandatory key outside those parsed here (RFC 9460 8: a client
 * ignores such a record); the first such key in *key. */
static bool unknown_mandatory(const svcb_t *rec, uint16_t *key)
{
    for (size_t i = 0; i < rec->nmandatory; i++) {
        if (rec->mandatory[i] > SVCB_KEY_IPV6HINT) {
            *key = rec->mandatory[i];
            return true;
        }
    }
    return false;
}

static json_object *record_json(const uint8_t *rdata, size_t len)
{
    json_object *o = json_object_new_object();
    svcb_t rec;
    char why[256] = "";
    bool ok = svcb_parse(rdata, len, &rec, why, sizeof why);
    /* A rejected record still shows the priority it claims, when it has one. */
    json_object *prio = ok ? json_object_new_int(rec.priority)
                           : len >= 2 ? json_object_new_int(rdata[0] << 8 | rdata[1]) : NULL;
    json_object_object_add(o, "priority", prio);
    json_object_object_add(o, "target", ok ? json_object_new_string(rec.target) : NULL);
    json_object *alpn = NULL;
    if (ok && rec.nalpn) {
        alpn = json_object_new_array();
        for (size_t i = 0; i < rec.nalpn; i++)
            json_object_array_add(alpn, printable(rec.alpn[i].id, rec.alpn[i].len));
    }
    json_object_object_add(o, "alpn", alpn);
    json_object_object_add(o, "port", ok && rec.has_port ? json_object_new_int(rec.port) : NULL);
    json_object_object_add(o, "ipv4hint", ok ? addresses(AF_INET, rec.ipv4hint, rec.nipv4hint, 4) : NULL);
    json_object_object_add(o, "ipv6hint", ok ? addresses(AF_INET6, rec.ipv6hint, rec.nipv6hint, 16) : NULL);
    json_object_object_add(o, "ech", ok && rec.has_ech ? base64(rec.ech, rec.ech_len) : NULL);
    json_object_object_add(o, "malformed", ok ? NULL : json_object_new_string(why));
    if (ok) {
        /* Only when a client must ignore the record: a mandatory key it does not know. */
        uint16_t unknown = 0;
        if (unknown_mandatory(&rec, &unknown)) {
            char text[120];
            snprintf(text, sizeof text, "mandatory key key%u is not one this client supports (RFC 9460 8)", unknown);
            json_object_object_add(o, "ignored", json_object_new_string(text));
        }
        svcb_free(&rec);
    }
    return o;
}

/* ------------------------------------------------------------------------------------------
 * The answer message */

typedef struct answer_rr {
    char *owner;          /* ares_expand_name's text, no final dot */
    unsigned type, class;
    const uint8_t *rdata;
    size_t rdlen;
    char *cname;          /* CNAME: the canonical name */
} answer_rr_t;

typedef struct message {
    char *qname;
    answer_rr_t rr[HTTPS_RR_MAX_ANSWERS];
    size_t nrr;
} message_t;

static void message_free(message_t *m)
{
    ares_free_string(m->qname);
    for (size_t i = 0; i < m->nrr; i++) {
        ares_free_string(m->rr[i].owner);
        ares_free_string(m->rr[i].cname);
    }
}

/* A (possibly compressed) name at r's position, which must lie inside msg; advances r past its
 * encoded form. NULL when the name is bad (pointer out of the message, a loop, truncated). */
static char *read_name(br_t *r, const uint8_t *msg, size_t len)
{
    if (r->bad || r->off >= r->len)
        return NULL;
    char *s = NULL;
    long enclen = 0;
    if (ares_expand_name(r->p + r->off, msg, (int)len, &s, &enclen) != ARES_SUCCESS)
        return NULL;
    if (enclen <= 0 || !br_take(r, (size_t)enclen)) {
        ares_free_string(s);
        return NULL;
    }
    return s;
}

/* Reads the header, the question and up to HTTPS_RR_MAX_ANSWERS answer RRs. rcode is the
 * header's RCODE. False (why) when the message framing is broken. */
static bool read_message(const uint8_t *msg, size_t len, message_t *m, unsigned *rcode, char *why, size_t cap)
{
    br_t r = br_init(msg, len);
    br_take(&r, 2); /* ID: c-ares matched it already */
    unsigned flags = br_u16(&r);
    unsigned qd = br_u16(&r), an = br_u16(&r);
    br_take(&r, 4); /* NSCOUNT, ARCOUNT: not read */
    if (r.bad)
        return br_fail(why, cap, "DNS message of %zu bytes is shorter than its header", len);
    if (!(flags & 0x8000))
        return br_fail(why, cap, "DNS message is not a response (QR clear)");
    *rcode = flags & 0xF;
    if (qd != 1)
        return br_fail(why, cap, "DNS response has %u questions (expected 1)", qd);
    m->qname = read_name(&r, msg, len);
    if (!m->qname || !br_take(&r, 4))
        return br_fail(why, cap, "DNS question is malformed or truncated");
    for (size_t i = 0; i < an && i < HTTPS_RR_MAX_ANSWERS; i++) {
        answer_rr_t *a = &m->rr[m->nrr];
        a->owner = read_name(&r, msg, len);
        if (!a->owner)
            return br_fail(why, cap, "answer %zu: owner name malformed or truncated", i);
        m->nrr++;
        a->type = br_u16(&r);
        a->class = br_u16(&r);
        br_take(&r, 4); /* TTL */
        a->rdlen = br_u16(&r);
        br_t rd = br_sub(&r, a->rdlen);
        if (r.bad)
            return br_fail(why, cap, "answer %zu: truncated (fixed fields or RDATA)", i);
        a->rdata = rd.p;
        if (a->type == DNS_TYPE_CNAME) {
            /* RDATA is one name, which may point back into the message; it must end inside RDATA. */
            a->cname = read_name(&rd, msg, len);
            if (!a->cname || br_left(&rd))
                return br_fail(why, cap, "answer %zu: CNAME RDATA is not one name", i);
        }
    }
    return true;
}

/* The names the answer stands for: the question's, then each CNAME target in turn. */
static size_t cname_chain(const message_t *m, const char *chain[], size_t cap)
{
    size_t n = 0;
    chain[n++] = m->qname;
    while (n < cap) {
        const char *next = NULL;
        for (size_t i = 0; i < m->nrr && !next; i++)
            if (m->rr[i].cname && strcasecmp(m->rr[i].owner, chain[n - 1]) == 0)
                next = m->rr[i].cname;
        if (!next)
            break;
        for (size_t j = 0; j < n; j++)
            if (strcasecmp(chain[j], next) == 0)
                return n; /* a CNAME loop: stop at its start */
        chain[n++] = next;
    }
    return n;
}

static bool in_chain(const char *name, const char *chain[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(chain[i], name) == 0)
            return true;
    return false;
}

/* AliasMode target to follow: the first well-formed AliasMode record whose target is not the
 * root (RFC 9460 2.4.2: with an AliasMode record in the set, ServiceMode ones are ignored). */
static void alias_target(const answer_rr_t *a, char *alias, size_t cap)
{
    if (alias[0] || a->rdlen < 3 || (a->rdata[0] | a->rdata[1]))
        return;
    svcb_t rec;
    if (!svcb_parse(a->rdata, a->rdlen, &rec, NULL, 0))
        return;
    size_t n = strlen(rec.target);
    if (!rec.target_is_root && n < cap) {
        memcpy(alias, rec.target, n + 1);
        if (n && alias[n - 1] == '.')
            alias[n - 1] = '\0';
    }
    svcb_free(&rec);
}

static json_object *from_message(const char *owner, const uint8_t *abuf, size_t alen, char *alias, size_t cap)
{
    message_t *m = calloc(1, sizeof *m);
    if (!m)
        return https_rr_result(owner, "error", "out of memory");
    char why[160] = "";
    unsigned rcode = 0;
    json_object *o;
    if (!read_message(abuf, alen, m, &rcode, why, sizeof why)) {
        o = https_rr_result(owner, "error", why);
    } else if (rcode == DNS_RCODE_NXDOMAIN) {
        o = https_rr_result(owner, "nxdomain", NULL);
    } else if (rcode != 0) {
        snprintf(why, sizeof why, "DNS RCODE %u", rcode);
        o = https_rr_result(owner, "error", why);
    } else {
        const char *chain[HTTPS_RR_MAX_CHAIN + 1];
        size_t nchain = cname_chain(m, chain, HTTPS_RR_MAX_CHAIN + 1);
        o = https_rr_result(owner, "no record", NULL);
        json_object *records = json_object_object_get(o, "records");
        for (size_t i = 0; i < m->nrr; i++) {
            const answer_rr_t *a = &m->rr[i];
            if (a->type != HTTPS_RR_TYPE || a->class != DNS_CLASS_IN || !in_chain(a->owner, chain, nchain))
                continue;
            if (json_object_array_length(records) < HTTPS_RR_MAX_RECORDS)
                json_object_array_add(records, record_json(a->rdata, a->rdlen));
            alias_target(a, alias, cap);
        }
        if (json_object_array_length(records))
            json_object_object_add(o, "result", json_object_new_string("found"));
    }
    message_free(m);
    free(m);
    return o;
}

json_object *https_rr_from_answer(const char *owner, int status, const uint8_t *abuf, size_t alen, char *alias,
                                  size_t alias_cap)
{
    if (alias && alias_cap)
        alias[0] = '\0';
    switch (status) {
    case ARES_SUCCESS:
        if (!abuf || alen > 65535 || !alias || !alias_cap)
            return https_rr_result(owner, "error", "no answer message");
        return from_message(owner, abuf, alen, alias, alias_cap);
    case ARES_ENOTFOUND: /* ares_query's NXDOMAIN */
        return https_rr_result(owner, "nxdomain", NULL);
    case ARES_ENODATA: /* NOERROR, no answer */
        return https_rr_result(owner, "no record", NULL);
    case ARES_ETIMEOUT:
        return https_rr_result(owner, "timeout", ares_strerror(status));
    case ARES_ECANCELLED: /* resolve.c: no answer within --timeout after the addresses */
        return https_rr_result(owner, "timeout", "no answer within --timeout of the addresses");
    default:
        return https_rr_result(owner, "error", ares_strerror(status));
    }
}
