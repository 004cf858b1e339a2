/* Target specs as users write them, parsed strictly: a typo must be a usage error with a
 * message, not a probe of something else. */
#include "target.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ech_hello.h"
#include "text_echo.h"

#define HOSTNAME_MAX 253
#define LABEL_MAX 63

int is_ip_literal(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* Letters, digits, '-', '_' (seen in real internal names) and dots; no empty labels. */
static int valid_hostname(const char *h)
{
    size_t len = strlen(h), label = 0;
    if (len == 0 || len > HOSTNAME_MAX || h[0] == '.')
        return 0;
    for (const char *p = h; *p; p++) {
        if (*p == '.') {
            if (label == 0)
                return 0;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
        if (++label > LABEL_MAX)
            return 0;
    }
    return 1;
}

static int parse_port(const char *s, size_t len, uint16_t *out)
{
    unsigned long v = 0;
    if (len == 0 || len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* "::1:443" is the address ::1:443 to inet_pton, but most likely meant [::1]:443: a bare IPv6
 * literal whose last group is a port number and whose rest is an address too is refused. */
static bool ambiguous_ipv6(const char *host, char *err, size_t errlen, const char *echo)
{
    const char *colon = strrchr(host, ':');
    uint16_t port;
    if (!colon || colon == host || colon[-1] == ':' || parse_port(colon + 1, strlen(colon + 1), &port) != 0)
        return false;
    char *prefix = dup_n(host, (size_t)(colon - host));
    bool both = prefix && is_ip_literal(prefix);
    if (both)
        snprintf(err, errlen, "target '%s': ambiguous: write [%s]:%u for port %u, or [%s] for the address", echo,
                 prefix, (unsigned)port, (unsigned)port, host);
    free(prefix);
    return both;
}

int target_parse(const char *spec, target_t *out, char *err, size_t errlen)
{
    /* The place in the list was given by target_list_add; parsing fills the rest. */
    size_t index = out->index;
    memset(out, 0, sizeof *out);
    out->index = index;
    out->port = TARGET_DEFAULT_PORT;
    const char *p = spec;
    size_t speclen = strlen(spec);
    char echo_buf[TEXT_ECHO_SIZE];
    const char *echo = text_echo(echo_buf, spec);
    /* The spec goes to reports as written: a control character in it (a URL's path too) is a
     * mistake or an attack on whoever reads them. */
    if (text_first_control(spec, speclen, 1) >= 0) {
        snprintf(err, errlen, "target '%s': holds a control character", echo);
        return -1;
    }

    const char *scheme_end = strstr(p, "://");
    if (scheme_end) {
        size_t slen = (size_t)(scheme_end - p);
        out->service = service_by_scheme(p, slen);
        if (!out->service) {
            snprintf(err, errlen, "target '%s': unsupported scheme '%.*s' (known: %s)", echo,
                     (int)(slen > 20 ? 20 : slen), p, service_schemes());
            return -1;
        }
        out->port = out->service->default_port;
        p = scheme_end + 3;
        /* The path of a URL says nothing about the TLS endpoint. */
        const char *slash = strchr(p, '/');
        speclen = slash ? (size_t)(slash - spec) : speclen;
    }
    const char *end = spec + speclen;
    const char *host = p, *host_end, *port_str = NULL;

    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close) {
            snprintf(err, errlen, "target '%s': missing ']' after IPv6 address", echo);
            return -1;
        }
        host = p + 1;
        host_end = close;
        if (close + 1 < end) {
            if (close[1] != ':') {
                snprintf(err, errlen, "target '%s': expected ':PORT' after ']'", echo);
                return -1;
            }
            port_str = close + 2;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *last = colon ? memrchr(p, ':', (size_t)(end - p)) : NULL;
        if (colon && colon != last) {
            /* Several colons: a bare IPv6 address, which cannot carry a port. */
            host_end = end;
        } else if (colon) {
            host_end = colon;
            port_str = colon + 1;
        } else {
            host_end = end;
        }
    }

    if (port_str && parse_port(port_str, (size_t)(end - port_str), &out->port) != 0) {
        snprintf(err, errlen, "target '%s': port '%.*s' is not a number from 1 to 65535", echo,
                 (int)((size_t)(end - port_str) > 20 ? 20 : (size_t)(end - port_str)), port_str);
        return -1;
    }
    out->host = dup_n(host, (size_t)(host_end - host));
    if (!out->host)
        goto oom;
    char host_echo[TEXT_ECHO_SIZE];
    text_echo(host_echo, out->host);
    if (*host == '[' || (host != p && !is_ip_literal(out->host))) {
        snprintf(err, errlen, "target '%s': '%s' is not an IPv6 address", echo, host_echo);
        goto fail;
    }
    if (host == p && strchr(out->host, ':') && ambiguous_ipv6(out->host, err, errlen, echo))
        goto fail;
    if (!is_ip_literal(out->host)) {
        if (!valid_hostname(out->host)) {
            snprintf(err, errlen, "target '%s': '%s' is not a valid host name", echo, host_echo);
            goto fail;
        }
        out->sni = strdup(out->host);
        if (!out->sni)
            goto oom;
    }
    if (!out->service)
        out->service = service_by_implicit_port(out->port);
    out->spec = strdup(spec);
    out->origin = strdup("command line");
    if (!out->spec || !out->origin)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "target '%s': out of memory", echo);
fail:
    target_free(out);
    out->index = index;
    return -1;
}

int target_check_sni(const char *sni, char *err, size_t errlen)
{
    char echo[TEXT_ECHO_SIZE];
    if (!*sni)
        snprintf(err, errlen, "an empty server name (leave it out to send none)");
    else if (is_ip_literal(sni) || !valid_hostname(sni))
        snprintf(err, errlen, "'%s' is not a host name (RFC 6066: no IP address)", text_echo(echo, sni));
    else
        return 0;
    return -1;
}

int target_set_sni(target_t *t, const char *sni)
{
    char *s = strdup(sni);
    if (!s)
        return -1;
    free(t->sni);
    t->sni = s;
    return 0;
}

/* A list file is at most its base64 form of the largest list, with some whitespace. */
#define ECH_FILE_MAX (128 * 1024)

int target_set_ech_config_list(target_t *t, const char *arg, const char *dir, const char *origin, char *err,
                               size_t errlen)
{
    char *path = NULL;
    struct stat st;
    if (dir && arg[0] != '/' && asprintf(&path, "%s/%s", dir, arg) < 0)
        path = NULL;
    const char *name = path ? path : arg;
    uint8_t *data = NULL;
    size_t len = 0;
    bool from_file = stat(name, &st) == 0 && S_ISREG(st.st_mode);
    if (from_file) {
        FILE *f = fopen(name, "rb");
        data = malloc(ECH_FILE_MAX + 1);
        if (!f || !data) {
            snprintf(err, errlen, "cannot read '%s'", name);
            if (f)
                fclose(f);
            free(data), free(path);
            return -1;
        }
        len = fread(data, 1, ECH_FILE_MAX + 1, f);
        fclose(f);
        if (len > ECH_FILE_MAX) {
            snprintf(err, errlen, "'%s' is longer than any ECHConfigList", name);
            free(data), free(path);
            return -1;
        }
    }
    char why[300];
    uint8_t *list;
    size_t list_len;
    bool ok = ech_list_decode(from_file ? data : (const uint8_t *)arg, from_file ? len : strlen(arg), &list,
                              &list_len, why, sizeof why);
    free(data);
    if (!ok) {
        if (from_file)
            snprintf(err, errlen, "ECH config list '%s': %s", name, why);
        else
            snprintf(err, errlen, "ECH config list: not a readable file, and %s", why);
        free(path);
        return -1;
    }
    free(path);
    free(t->ech_config_list);
    free(t->ech_config_origin);
    t->ech_config_list = list;
    t->ech_config_list_len = list_len;
    if (!(t->ech_config_origin = strdup(origin))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int target_set_ip(target_t *t, const char *ip, char *err, size_t errlen)
{
    if (!is_ip_literal(ip)) {
        char echo[TEXT_ECHO_SIZE];
        snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", text_echo(echo, ip));
        return -1;
    }
    char *s = strdup(ip);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(t->ip);
    t->ip = s;
    return 0;
}

void target_free(target_t *t)
{
    free(t->spec);
    free(t->host);
    free(t->sni);
    free(t->ip);
    free(t->ca_file);
    for (size_t i = 0; i < t->ntags; i++)
        free(t->tags[i]);
    free(t->tags);
    for (size_t i = 0; i < t->npins; i++)
        free(t->pins[i]);
    free(t->pins);
    free(t->client_cert);
    free(t->client_key);
    free(t->ech_config_list);
    free(t->ech_config_origin);
    free(t->origin);
    memset(t, 0, sizeof *t);
}

int target_identity(const target_t *t, char *buf, size_t len)
{
    bool v6 = strchr(t->host, ':') != NULL;
    return snprintf(buf, len, "%s%s%s:%u/sni=%s/ip=%s/service=%s", v6 ? "[" : "", t->host, v6 ? "]" : "",
                    (unsigned)t->port, t->sni ? t->sni : "-", t->ip ? t->ip : "-",
                    t->service ? t->service->scheme : "-");
}

/* A target's identity and its place, sorted by identity then place. */
typedef struct keyed {
    char *id;
    size_t pos;
} keyed_t;

static int by_identity(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Each target's identity, sorted; NULL when out of memory. */
static keyed_t *sorted_identities(const target_list_t *list)
{
    keyed_t *k = calloc(list->count ? list->count : 1, sizeof *k);
    for (size_t i = 0; k && i < list->count; i++) {
        int len = target_identity(&list->items[i], NULL, 0);
        k[i].pos = i;
        if (len < 0 || !(k[i].id = malloc((size_t)len + 1))) {
            for (size_t j = 0; j <= i; j++)
                free(k[j].id);
            free(k);
            return NULL;
        }
        target_identity(&list->items[i], k[i].id, (size_t)len + 1);
    }
    if (k)
        qsort(k, list->count, sizeof *k, by_identity);
    return k;
}

static void free_keyed(keyed_t *k, size_t n)
{
    for (size_t i = 0; k && i < n; i++)
        free(k[i].id);
    free(k);
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
    for (size_t i = 0; na == nb && i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return na == nb;
}

bool target_same_settings(const target_t *a, const target_t *b)
{
    return same_str(a->ca_file, b->ca_file) && same_str(a->client_cert, b->client_cert) &&
           same_str(a->client_key, b->client_key) && a->internal == b->internal &&
           a->mtls_expected == b->mtls_expected && a->http_port == b->http_port &&
           same_list(a->tags, a->ntags, b->tags, b->ntags) && same_list(a->pins, a->npins, b->pins, b->npins) &&
           a->ech_config_list_len == b->ech_config_list_len &&
           (!a->ech_config_list_len || memcmp(a->ech_config_list, b->ech_config_list, a->ech_config_list_len) == 0);
}

size_t target_list_dedupe(target_list_t *list, target_dup_fn dup, void *arg)
{
    size_t n = list->count;
    keyed_t *k = sorted_identities(list);
    /* first[i]: the place of the earlier target target i repeats, or n; slot: where each
     * kept target moves to. */
    size_t *first = malloc((n ? n : 1) * sizeof *first), *slot = malloc((n ? n : 1) * sizeof *slot);
    if (!k || !first || !slot) {
        free_keyed(k, n);
        free(first), free(slot);
        return (size_t)-1;
    }
    for (size_t i = 0; i < n; i++)
        first[i] = n;
    /* first[pos] of a later target of an identity: the earliest one it repeats (same settings),
     * else the group's first, marked as a clash by clash[pos]. */
    bool *clash = calloc(n ? n : 1, sizeof *clash);
    if (!clash) {
        free_keyed(k, n);
        free(first), free(slot);
        return (size_t)-1;
    }
    for (size_t i = 1, f = 0; i < n; i++) {
        if (strcmp(k[i].id, k[f].id) != 0) {
            f = i;
            continue;
        }
        size_t pos = k[i].pos;
        for (size_t j = f; j < i && first[pos] == n; j++)
            if (first[k[j].pos] == n || clash[k[j].pos])
                if (target_same_settings(&list->items[k[j].pos], &list->items[pos]))
                    first[pos] = k[j].pos;
        if (first[pos] == n) {
            first[pos] = k[f].pos;
            clash[pos] = true;
        }
    }
    free_keyed(k, n);
    /* Said and left out in the list's order, so the messages read top to bottom; the first
     * keeps its index. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (first[i] == n || clash[i]) {
            if (clash[i] && dup)
                dup(arg, &list->items[slot[first[i]]], &list->items[i], false);
            slot[i] = kept;
            list->items[kept++] = list->items[i];
        } else {
            if (dup)
                dup(arg, &list->items[slot[first[i]]], &list->items[i], true);
            target_free(&list->items[i]);
        }
    }
    list->count = kept;
    free(first), free(slot), free(clash);
    return n - kept;
}

target_t *target_list_add(target_list_t *list)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        target_t *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return NULL;
        list->items = items;
        list->cap = cap;
    }
    target_t *t = &list->items[list->count];
    memset(t, 0, sizeof *t);
    t->index = list->count++;
    return t;
}

void target_list_free(target_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        target_free(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}
