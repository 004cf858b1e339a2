/* STARTTLS for the binary protocols: LDAP (RFC 4511 §4.14, BER by hand: the few messages
 * are tiny and fixed), PostgreSQL (SSLRequest, protocol 3.0) and MySQL (SSLRequest after
 * the server greeting). Also their cleartext login attempts for fallback facts. */
#include "starttls.h"
#include "starttls_auth.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define LDAP_STARTTLS_OID "1.3.6.1.4.1.1466.20037"


/* ---- LDAP */

/* One BER element inside [*p, end): tag, content. Definite lengths up to 3 bytes only. */
static bool ber_next(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **val, size_t *len)
{
    const uint8_t *q = *p;
    if (end - q < 2)
        return false;
    *tag = *q++;
    size_t n = *q++;
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 3 || (size_t)(end - q) < k)
            return false;
        n = 0;
        while (k--)
            n = (n << 8) | *q++;
    }
    if ((size_t)(end - q) < n)
        return false;
    *val = q;
    *len = n;
    *p = q + n;
    return true;
}

/* Reads one whole LDAPMessage (SEQUENCE) into out (cap bytes); returns its total length. */
static int ldap_read_message(starttls_conn_t *c, uint8_t *out, size_t cap, size_t *total, const char *what)
{
    if (starttls_read_exact(c, out, 2, what) < 0)
        return -1;
    if (out[0] != 0x30)
        return starttls_fail(c, "%s: not an LDAP message (first byte 0x%02x)", what, out[0]);
    size_t hdr = 2, n = out[1];
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 3)
            return starttls_fail(c, "%s: unsupported BER length form 0x%02zx", what, n);
        if (starttls_read_exact(c, out + 2, k, what) < 0)
            return -1;
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | out[2 + i];
        hdr += k;
    }
    if (n > cap - hdr)
        return starttls_fail(c, "%s: reply too long (%zu bytes)", what, n);
    if (starttls_read_exact(c, out + hdr, n, what) < 0)
        return -1;
    *total = hdr + n;
    return 0;
}

/* The protocolOp of a message: its tag and content, after checking the messageID. */
static bool ldap_op(const uint8_t *msg, size_t len, long *msgid, uint8_t *tag, const uint8_t **op, size_t *oplen)
{
    const uint8_t *p = msg, *end = msg + len, *seq, *id;
    size_t seqlen, idlen;
    uint8_t t;
    if (!ber_next(&p, end, &t, &seq, &seqlen) || t != 0x30)
        return false;
    p = seq;
    end = seq + seqlen;
    if (!ber_next(&p, end, &t, &id, &idlen) || t != 0x02 || idlen < 1 || idlen > 4)
        return false;
    *msgid = 0;
    for (size_t i = 0; i < idlen; i++)
        *msgid = (*msgid << 8) | id[i];
    return ber_next(&p, end, tag, op, oplen);
}

/* LDAPResult: resultCode and diagnosticMessage. */
static bool ldap_result(const uint8_t *op, size_t oplen, int *code, char *diag, size_t diagcap)
{
    const uint8_t *p = op, *end = op + oplen, *v;
    size_t n;
    uint8_t t;
    if (!ber_next(&p, end, &t, &v, &n) || t != 0x0a || n < 1 || n > 2)
        return false;
    *code = n == 1 ? v[0] : (v[0] << 8) | v[1];
    diag[0] = '\0';
    if (ber_next(&p, end, &t, &v, &n) && t == 0x04 && ber_next(&p, end, &t, &v, &n) && t == 0x04)
        starttls_printable(diag, diagcap, v, n);
    return true;
}

static size_t put_tlv(uint8_t *out, uint8_t tag, const void *val, size_t len)
{
    /* Every element we send is shorter than 128 bytes: the short length form suffices. */
    out[0] = tag;
    out[1] = (uint8_t)len;
    memcpy(out + 2, val, len);
    return 2 + len;
}

/* RootDSE: supportedExtension and supportedSASLMechanisms, read before any bind. */
static int ldap_rootdse(starttls_conn_t *c, starttls_transcript_t *t)
{
    uint8_t attrs[64], req[128], body[128], msg[160];
    size_t a = 0, b = 0, m = 0;
    a += put_tlv(attrs + a, 0x04, "supportedExtension", 18);
    a += put_tlv(attrs + a, 0x04, "supportedSASLMechanisms", 23);
    static const uint8_t fixed[] = {
        0x04, 0x00,             /* baseObject "" */
        0x0a, 0x01, 0x00,       /* scope baseObject */
        0x0a, 0x01, 0x00,       /* derefAliases never */
        0x02, 0x01, 0x00,       /* sizeLimit 0 */
        0x02, 0x01, 0x00,       /* timeLimit 0 */
        0x01, 0x01, 0x00,       /* typesOnly FALSE */
    };
    memcpy(body, fixed, sizeof fixed);
    b = sizeof fixed;
    b += put_tlv(body + b, 0x87, "objectClass", 11);   /* filter: present */
    b += put_tlv(body + b, 0x30, attrs, a);
    size_t r = 0;
    r += put_tlv(req + r, 0x02, "\x01", 1);   /* messageID 1 */
    r += put_tlv(req + r, 0x63, body, b);     /* [APPLICATION 3] SearchRequest */
    m = put_tlv(msg, 0x30, req, r);
    if (starttls_send(c, msg, m, "LDAP RootDSE search") < 0)
        return -1;
    uint8_t *in = malloc(STARTTLS_MAX_REPLY);
    if (!in)
        return starttls_fail(c, "out of memory");
    int found_ext = 0, rc = -1;
    /* Until SearchResultDone: bounded by the reply's bytes and the deadline, not a count. */
    for (;;) {
        size_t len, oplen;
        long id;
        uint8_t tag;
        const uint8_t *op;
        if (ldap_read_message(c, in, STARTTLS_MAX_REPLY, &len, "LDAP RootDSE") < 0)
            break;
        if (!ldap_op(in, len, &id, &tag, &op, &oplen) || id != 1) {
            starttls_fail(c, "LDAP RootDSE: malformed reply");
            break;
        }
        if (tag == 0x65) {   /* SearchResultDone */
            rc = 0;
            break;
        }
        if (tag != 0x64)     /* not an entry (a reference): skip */
            continue;
        const uint8_t *p = op, *end = op + oplen, *v;
        size_t n;
        uint8_t tt;
        if (!ber_next(&p, end, &tt, &v, &n) || !ber_next(&p, end, &tt, &v, &n) || tt != 0x30)
            continue;
        const uint8_t *ap = v, *aend = v + n;
        const uint8_t *attr;
        size_t attrlen;
        while (ber_next(&ap, aend, &tt, &attr, &attrlen)) {
            const uint8_t *q = attr, *qend = attr + attrlen, *type, *vals;
            size_t typelen, valslen;
            if (!ber_next(&q, qend, &tt, &type, &typelen) || tt != 0x04 ||
                !ber_next(&q, qend, &tt, &vals, &valslen) || tt != 0x31)
                continue;
            char name[80];
            starttls_printable(name, sizeof name - 1, type, typelen);
            strcat(name, " ");
            const uint8_t *vp = vals, *vend = vals + valslen, *val;
            size_t vallen;
            while (ber_next(&vp, vend, &tt, &val, &vallen)) {
                starttls_add_cap_text(t, name, val, vallen);
                if (vallen == sizeof LDAP_STARTTLS_OID - 1 && memcmp(val, LDAP_STARTTLS_OID, vallen) == 0)
                    found_ext = 1;
            }
        }
    }
    free(in);
    if (rc == 0)
        /* An anonymous RootDSE may be hidden: no extension list says nothing. */
        t->starttls_offered = found_ext ? 1 : starttls_has_cap(t, "supportedExtension") ? 0 : -1;
    return rc;
}

static int ldap(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    if (!upgrade)
        return ldap_rootdse(c, t);
    uint8_t oid[32], ext[40], req[48], msg[56];
    size_t n = put_tlv(oid, 0x80, LDAP_STARTTLS_OID, sizeof LDAP_STARTTLS_OID - 1);  /* requestName [0] */
    size_t e = put_tlv(ext, 0x77, oid, n);                                           /* [APPLICATION 23] */
    size_t r = put_tlv(req, 0x02, "\x01", 1);
    memcpy(req + r, ext, e);
    size_t m = put_tlv(msg, 0x30, req, r + e);
    if (starttls_send(c, msg, m, "LDAP StartTLS request") < 0)
        return -1;
    uint8_t in[1024];
    size_t len, oplen;
    long id;
    uint8_t tag;
    const uint8_t *op;
    int code;
    char diag[200];
    if (ldap_read_message(c, in, sizeof in, &len, "LDAP StartTLS response") < 0)
        return -1;
    if (!ldap_op(in, len, &id, &tag, &op, &oplen) || tag != 0x78 || !ldap_result(op, oplen, &code, diag, sizeof diag))
        return starttls_fail(c, "LDAP StartTLS response: malformed");
    snprintf(t->reply, sizeof t->reply, "resultCode %d%s%s", code, *diag ? " " : "", diag);
    if (id == 0)   /* unsolicited notification (notice of disconnection) */
        return starttls_fail(c, "server refused STARTTLS: notice of disconnection, %s", t->reply);
    if (code == 2) /* protocolError: the server does not know the extended operation */
        return starttls_fail(c, "STARTTLS not offered (%s)", t->reply);
    if (code != 0)
        return starttls_fail(c, "server refused STARTTLS: %s", t->reply);
    t->starttls_offered = 1;
    return 0;
}

/* ---- PostgreSQL */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int postgres(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    /* SSLRequest: length 8, code 1234.5679 (80877103). Its one-byte answer is all we read,
     * so nothing of the server's TLS (or cleartext) bytes is consumed after it. */
    uint8_t req[8], answer;
    put32(req, 8);
    put32(req + 4, 80877103);
    if (starttls_send(c, req, sizeof req, "PostgreSQL SSLRequest") < 0 ||
        starttls_read_exact(c, &answer, 1, "PostgreSQL SSLRequest answer") < 0)
        return -1;
    snprintf(t->reply, sizeof t->reply, "%c", answer >= 0x20 && answer < 0x7f ? answer : '?');
    if (answer == 'S')
        t->starttls_offered = 1;
    else if (answer == 'N')
        t->starttls_offered = 0;
    else if (answer == 'E')
        return starttls_fail(c, "server refused STARTTLS: PostgreSQL error response to SSLRequest");
    else
        return starttls_fail(c, "PostgreSQL SSLRequest: unexpected answer 0x%02x", answer);
    if (upgrade && answer != 'S')
        return starttls_fail(c, "STARTTLS not offered (PostgreSQL answered 'N': ssl is off)");
    return 0;
}

static const char *pg_auth_name(uint32_t type)
{
    switch (type) {
    case 0: return "ok";
    case 2: return "kerberos_v5";
    case 3: return "cleartext_password";
    case 5: return "md5";
    case 6: return "scm_credential";
    case 7: return "gss";
    case 9: return "sspi";
    case 10: return "sasl";
    default: return "unknown";
    }
}

/* ErrorResponse fields: "SEVERITY SQLSTATE: message". */
static void pg_error_text(const uint8_t *body, size_t len, char *out, size_t cap, char *sqlstate)
{
    char sev[16] = "", msg[300] = "";
    sqlstate[0] = '\0';
    size_t i = 0;
    while (i < len && body[i] != 0) {
        uint8_t field = body[i++];
        size_t start = i;
        while (i < len && body[i] != 0)
            i++;
        size_t n = i - start;
        if (field == 'S')
            starttls_printable(sev, sizeof sev, body + start, n);
        else if (field == 'C')
            starttls_printable(sqlstate, 6, body + start, n);
        else if (field == 'M')
            starttls_printable(msg, sizeof msg, body + start, n);
        i++;
    }
    snprintf(out, cap, "%s %s: %s", sev, sqlstate, msg);
}

static int pg_startup(starttls_conn_t *c, starttls_transcript_t *t)
{
    static const char params[] = "user\0tlsprobe\0database\0tlsprobe\0application_name\0tlsprobe\0";
    uint8_t msg[8 + sizeof params];   /* sizeof includes the final terminator */
    put32(msg, sizeof msg);
    put32(msg + 4, 0x00030000);       /* protocol 3.0 */
    memcpy(msg + 8, params, sizeof params);
    if (starttls_send(c, msg, sizeof msg, "PostgreSQL StartupMessage") < 0)
        return -1;
    uint8_t *body = malloc(STARTTLS_MAX_REPLY);
    if (!body)
        return starttls_fail(c, "out of memory");
    int rc = -1;
    /* Notices and protocol negotiation may come first; a few messages at most. */
    for (int i = 0; i < 8; i++) {
        uint8_t hdr[5];
        if (starttls_read_exact(c, hdr, 5, "PostgreSQL startup reply") < 0)
            break;
        uint32_t len = get32(hdr + 1);
        if (len < 4 || len - 4 > STARTTLS_MAX_REPLY) {
            starttls_fail(c, "PostgreSQL startup reply: bad length %u", len);
            break;
        }
        if (starttls_read_exact(c, body, len - 4, "PostgreSQL startup reply") < 0)
            break;
        if (hdr[0] == 'R' && len >= 8) {
            uint32_t type = get32(body);
            t->plaintext_accepted = 1;
            snprintf(t->plaintext_reply, sizeof t->plaintext_reply, "authentication request: %s (%u)",
                     pg_auth_name(type), type);
            rc = 0;
            break;
        }
        if (hdr[0] == 'E') {
            char sqlstate[6];
            pg_error_text(body, len - 4, t->plaintext_reply, sizeof t->plaintext_reply, sqlstate);
            t->plaintext_accepted = 0;
            rc = 0;
            break;
        }
        if (hdr[0] != 'N' && hdr[0] != 'v') {
            starttls_fail(c, "PostgreSQL startup reply: unexpected message type 0x%02x", hdr[0]);
            break;
        }
    }
    if (rc < 0 && !c->err[0])
        starttls_fail(c, "PostgreSQL startup reply: too many messages before authentication");
    free(body);
    return rc;
}

/* ---- MySQL (client/server protocol 4.1+) */

#define MYSQL_CLIENT_LONG_PASSWORD 0x00000001u
#define MYSQL_CLIENT_PROTOCOL_41 0x00000200u
#define MYSQL_CLIENT_SSL 0x00000800u
#define MYSQL_CLIENT_TRANSACTIONS 0x00002000u
#define MYSQL_CLIENT_SECURE_CONNECTION 0x00008000u
#define MYSQL_CLIENT_PLUGIN_AUTH 0x00080000u
/* MySQL's ER_SECURE_TRANSPORT_REQUIRED */
#define MYSQL_ER_SECURE_TRANSPORT_REQUIRED 3159

static int mysql_read_packet(starttls_conn_t *c, uint8_t *out, size_t cap, size_t *len, uint8_t *seq,
                             const char *what)
{
    uint8_t hdr[4];
    if (starttls_read_exact(c, hdr, 4, what) < 0)
        return -1;
    size_t n = (size_t)hdr[0] | (size_t)hdr[1] << 8 | (size_t)hdr[2] << 16;
    if (n == 0 || n > cap)
        return starttls_fail(c, "%s: bad packet length %zu", what, n);
    *seq = hdr[3];
    *len = n;
    return starttls_read_exact(c, out, n, what);
}

/* An ERR packet: "ERROR 1130 (HY000): message"; returns the code. */
static unsigned mysql_error_text(const uint8_t *p, size_t len, char *out, size_t cap)
{
    if (len < 3) {
        snprintf(out, cap, "ERROR (short packet)");
        return 0;
    }
    unsigned code = p[1] | (unsigned)p[2] << 8;
    size_t off = 3;
    char state[6] = "";
    if (len >= 9 && p[3] == '#') {
        starttls_printable(state, sizeof state, p + 4, 5);
        off = 9;
    }
    char msg[300];
    starttls_printable(msg, sizeof msg, p + off, len - off);
    snprintf(out, cap, "ERROR %u%s%s%s: %s", code, *state ? " (" : "", state, *state ? ")" : "", msg);
    return code;
}

static int mysql(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    uint8_t *p = malloc(STARTTLS_MAX_REPLY);
    if (!p)
        return starttls_fail(c, "out of memory");
    size_t len;
    uint8_t seq;
    int rc = -1;
    if (mysql_read_packet(c, p, STARTTLS_MAX_REPLY, &len, &seq, "MySQL greeting") < 0)
        goto out;
    if (p[0] == 0xff) {
        char e[STARTTLS_TEXT_LEN];
        mysql_error_text(p, len, e, sizeof e);
        starttls_fail(c, "MySQL greeting refused: %s", e);
        goto out;
    }
    if (p[0] != 10) {
        starttls_fail(c, "MySQL greeting: unsupported protocol version %u", p[0]);
        goto out;
    }
    const uint8_t *ver = p + 1, *nul = memchr(ver, 0, len - 1);
    if (!nul) {
        starttls_fail(c, "MySQL greeting: malformed");
        goto out;
    }
    starttls_printable(t->banner, sizeof t->banner, ver, (size_t)(nul - ver));
    size_t off = (size_t)(nul - p) + 1 + 4 + 8 + 1;   /* connection id, auth data 1, filler */
    if (off + 2 > len) {
        starttls_fail(c, "MySQL greeting: malformed");
        goto out;
    }
    uint32_t caps = p[off] | (uint32_t)p[off + 1] << 8;
    if (off + 7 <= len)
        caps |= (uint32_t)p[off + 5] << 16 | (uint32_t)p[off + 6] << 24;
    char cap[40];
    snprintf(cap, sizeof cap, "capability_flags 0x%08x", caps);
    starttls_add_cap(t, cap);
    if (caps & MYSQL_CLIENT_SSL)
        starttls_add_cap(t, "CLIENT_SSL");
    t->starttls_offered = (caps & MYSQL_CLIENT_SSL) != 0;
    if (!upgrade) {
        rc = 0;
        goto out;
    }
    if (!t->starttls_offered) {
        starttls_fail(c, "STARTTLS not offered (MySQL greeting lacks CLIENT_SSL)");
        goto out;
    }
    /* SSLRequest: the first 32 bytes of a HandshakeResponse41, then TLS. */
    uint8_t req[4 + 32] = { 32, 0, 0, (uint8_t)(seq + 1) };
    uint32_t mine = MYSQL_CLIENT_LONG_PASSWORD | MYSQL_CLIENT_PROTOCOL_41 | MYSQL_CLIENT_SSL |
                    MYSQL_CLIENT_TRANSACTIONS | MYSQL_CLIENT_SECURE_CONNECTION | MYSQL_CLIENT_PLUGIN_AUTH;
    req[4] = (uint8_t)mine;
    req[5] = (uint8_t)(mine >> 8);
    req[6] = (uint8_t)(mine >> 16);
    req[7] = (uint8_t)(mine >> 24);
    req[11] = 0x01;   /* max packet 16 MiB */
    req[12] = 0x21;   /* utf8_general_ci */
    if (starttls_send(c, req, sizeof req, "MySQL SSLRequest") < 0)
        goto out;
    snprintf(t->reply, sizeof t->reply, "SSLRequest sent");
    rc = 0;
out:
    free(p);
    return rc;
}

/* After the greeting: a HandshakeResponse41 for "tlsprobe" with an empty password. */
static int mysql_login(starttls_conn_t *c, starttls_transcript_t *t)
{
    static const char user[] = "tlsprobe";
    static const char plugin[] = "mysql_native_password";
    uint8_t msg[4 + 32 + sizeof user + 1 + sizeof plugin];
    size_t n = sizeof msg - 4;
    memset(msg, 0, sizeof msg);
    msg[0] = (uint8_t)n;
    msg[3] = 1;   /* the greeting was packet 0 */
    uint32_t mine = MYSQL_CLIENT_LONG_PASSWORD | MYSQL_CLIENT_PROTOCOL_41 | MYSQL_CLIENT_TRANSACTIONS |
                    MYSQL_CLIENT_SECURE_CONNECTION | MYSQL_CLIENT_PLUGIN_AUTH;
    msg[4] = (uint8_t)mine;
    msg[5] = (uint8_t)(mine >> 8);
    msg[6] = (uint8_t)(mine >> 16);
    msg[7] = (uint8_t)(mine >> 24);
    msg[11] = 0x01;
    msg[12] = 0x21;
    memcpy(msg + 36, user, sizeof user);
    msg[36 + sizeof user] = 0;    /* auth response length 0 */
    memcpy(msg + 37 + sizeof user, plugin, sizeof plugin);
    if (starttls_send(c, msg, sizeof msg, "MySQL login") < 0)
        return -1;
    uint8_t *p = malloc(STARTTLS_MAX_REPLY);
    if (!p)
        return starttls_fail(c, "out of memory");
    size_t len;
    uint8_t seq;
    int rc = mysql_read_packet(c, p, STARTTLS_MAX_REPLY, &len, &seq, "MySQL login reply");
    if (rc == 0) {
        if (p[0] == 0xff) {
            unsigned code = mysql_error_text(p, len, t->plaintext_reply, sizeof t->plaintext_reply);
            /* Only the secure-transport refusal says something; "access denied" may come
             * before or after that check depending on the server. */
            if (code == MYSQL_ER_SECURE_TRANSPORT_REQUIRED || strstr(t->plaintext_reply, "insecure transport"))
                t->plaintext_accepted = 0;
        } else if (p[0] == 0x00) {
            snprintf(t->plaintext_reply, sizeof t->plaintext_reply, "OK: logged in without TLS");
            t->plaintext_accepted = 1;
        } else {
            snprintf(t->plaintext_reply, sizeof t->plaintext_reply, "authentication continues (0x%02x)", p[0]);
        }
    }
    free(p);
    return rc;
}

const starttls_dialogue_t starttls_ldap = { .run = ldap, .auth_facts = starttls_auth_ldap };
const starttls_dialogue_t starttls_postgres = { .run = postgres, .plaintext_login = pg_startup,
                                                .login_needs_fresh_connection = true };
const starttls_dialogue_t starttls_mysql = { .run = mysql, .plaintext_login = mysql_login };

int starttls_plaintext_attempt(int fd, const starttls_dialogue_t *d, double timeout_s,
                               starttls_transcript_t *t, char *err, size_t errlen)
{
    t->plaintext_accepted = -1;
    t->plaintext_reply[0] = '\0';
    err[0] = '\0';
    starttls_conn_t *c = malloc(sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    starttls_conn_init(c, fd, timeout_s, err, errlen);
    int rc = d && d->plaintext_login ? d->plaintext_login(c, t)
                                     : starttls_fail(c, "no cleartext login attempt for this protocol");
    free(c);
    return rc;
}
