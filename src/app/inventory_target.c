/* One target of a YAML inventory: a "host:port" string or a mapping of fields. Every field is
 * checked even after an earlier one was wrong, so that `tlsprobe validate` names every error of
 * a target at once; the defaults in effect (top level or group) fill what the target leaves out. */
#include "inventory_target.h"

#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_echo.h"
#include "yaml_read.h"

static int set_tags(inv_t *iv, target_t *t, yaml_node_t *n)
{
    char **tags;
    size_t count;
    if (inv_string_list(iv, n, "tags", false, &tags, &count))
        return -1;
    for (size_t i = 0; i < t->ntags; i++)
        free(t->tags[i]);
    free(t->tags);
    t->tags = tags;
    t->ntags = count;
    return 0;
}

/* A group's name is one more tag of each of its targets, so --tag NAME selects the group. */
static int add_group_tag(inv_t *iv, target_t *t, yaml_node_t *n)
{
    for (size_t i = 0; i < t->ntags; i++)
        if (strcmp(t->tags[i], iv->group) == 0)
            return 0;
    char **tags = realloc(t->tags, (t->ntags + 1) * sizeof *tags);
    if (!tags)
        return inv_fail_at(iv, n, "tags", "out of memory");
    t->tags = tags;
    if (!(t->tags[t->ntags] = strdup(iv->group)))
        return inv_fail_at(iv, n, "tags", "out of memory");
    t->ntags++;
    return 0;
}

/* RFC 7469 pins: "sha256/" and 44 characters of base64 (the prefix may be left out). */
static int set_pins(inv_t *iv, target_t *t, yaml_node_t *n)
{
    char echo[TEXT_ECHO_SIZE];
    if (inv_string_list(iv, n, "pin-sha256", true, &t->pins, &t->npins))
        return -1;
    for (size_t i = 0; i < t->npins; i++) {
        const char *v = strncmp(t->pins[i], "sha256/", 7) == 0 ? t->pins[i] + 7 : t->pins[i];
        size_t len = strlen(v);
        bool ok = len == 44 && v[43] == '=';
        for (size_t j = 0; ok && j < 43; j++)
            ok = (v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z') || (v[j] >= '0' && v[j] <= '9') ||
                 v[j] == '+' || v[j] == '/';
        if (!ok)
            return inv_fail_at(iv, n, "pin-sha256", "'%s' is not a base64 SHA-256 pin (sha256/ and 44 characters)",
                               text_echo(echo, t->pins[i]));
    }
    return 0;
}

static int set_origin(inv_t *iv, target_t *t, const yaml_node_t *n)
{
    free(t->origin);
    if (asprintf(&t->origin, "%s:%zu", iv->path, n->start_mark.line + 1) < 0) {
        t->origin = NULL;
        return inv_fail_at(iv, n, NULL, "out of memory");
    }
    return 0;
}

/* The defaults in effect fill what the target did not set; then its group's tag. */
static int apply_defaults(inv_t *iv, target_t *t, bool port_set, bool ca_set, bool tags_set, yaml_node_t *n)
{
    const inv_defaults_t *d = iv->defaults;
    if (!port_set && d->port)
        t->port = (uint16_t)d->port;
    if (!ca_set && d->ca && !(t->ca_file = strdup(d->ca)))
        return inv_fail_at(iv, n, "ca", "out of memory");
    if (!tags_set && d->tags) {
        yaml_document_t *own = iv->doc;
        iv->doc = &iv->skeleton;  /* where the defaults are */
        int bad = set_tags(iv, t, d->tags);
        iv->doc = own;
        if (bad)
            return -1;
    }
    return iv->group ? add_group_tag(iv, t, n) : 0;
}

/* "host:port" or a URL, exactly as on the command line. */
static int load_string_target(inv_t *iv, target_t *t, yaml_node_t *n)
{
    char perr[300];
    const char *s = yaml_scalar(n);
    if (!s || target_parse(s, t, perr, sizeof perr) != 0)
        return inv_fail_at(iv, n, NULL, "%s", s ? perr : "expected a target");
    bool has_port = strchr(s, ']') ? strstr(s, "]:") != NULL
                                   : (strchr(s, ':') && strchr(s, ':') == strrchr(s, ':') && !strstr(s, "://"))
                                     || (strstr(s, "://") && strchr(strstr(s, "://") + 3, ':'));
    if (set_origin(iv, t, n))
        return -1;
    t->internal = iv->defaults->internal;
    return apply_defaults(iv, t, has_port, false, false, n);
}

/* The fields of a mapping target, by name. */
typedef struct fields {
    yaml_node_t *host, *port, *sni, *ip, *tags, *ca, *pins, *starttls, *http_port, *client_cert, *client_key,
        *exposure, *mtls, *ech;
} fields_t;

static yaml_node_t **field_slot(fields_t *f, const char *key)
{
    static const struct { const char *name; size_t offset; } known[] = {
        { "host", offsetof(fields_t, host) },           { "port", offsetof(fields_t, port) },
        { "sni", offsetof(fields_t, sni) },             { "ip", offsetof(fields_t, ip) },
        { "tags", offsetof(fields_t, tags) },           { "ca", offsetof(fields_t, ca) },
        { "pin-sha256", offsetof(fields_t, pins) },     { "starttls", offsetof(fields_t, starttls) },
        { "http_port", offsetof(fields_t, http_port) }, { "client_cert", offsetof(fields_t, client_cert) },
        { "client_key", offsetof(fields_t, client_key) }, { "exposure", offsetof(fields_t, exposure) },
        { "mtls", offsetof(fields_t, mtls) },           { "ech_config_list", offsetof(fields_t, ech) },
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(key, known[i].name) == 0)
            return (yaml_node_t **)((char *)f + known[i].offset);
    return NULL;
}

/* Sorts the mapping's values into f; an unknown or repeated field is an error, and the rest go on. */
static int collect_fields(inv_t *iv, yaml_node_t *n, fields_t *f)
{
    int bad = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(iv->doc, p->key);
        const char *key = yaml_scalar(k);
        yaml_node_t **slot = key ? field_slot(f, key) : NULL;
        if (!key)
            bad |= inv_fail_at(iv, k, NULL, "expected a field name");
        else if (!slot)
            bad |= inv_fail_at(iv, k, key, "unknown field (known: host, port, sni, ip, tags, ca, pin-sha256, "
                                           "starttls, http_port, client_cert, client_key, exposure, mtls, "
                                           "ech_config_list)");
        else if (*slot)
            bad |= inv_fail_at(iv, k, key, "given twice");
        else
            *slot = yaml_document_get_node(iv->doc, p->value);
    }
    return bad;
}

/* A host field has no port to confuse with an IPv6 address's last group: it is parsed as
 * written in brackets. */
static int parse_host(const char *h, target_t *t, char *err, size_t errlen)
{
    if (!strchr(h, ':'))
        return target_parse(h, t, err, errlen);
    char *bracketed;
    if (asprintf(&bracketed, "[%s]", h) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = target_parse(bracketed, t, err, errlen);
    free(bracketed);
    return rc;
}

/* The host is parsed like a command-line host so both accept the same names. After an error
 * the target stands on a placeholder so that its other fields are still checked. */
static int load_host(inv_t *iv, target_t *t, yaml_node_t *n, const fields_t *f)
{
    const char *h;
    char perr[300], echo[TEXT_ECHO_SIZE];
    int bad = 0;
    if (!f->host)
        bad = inv_fail_at(iv, n, "host", "missing (every target needs a host)");
    else if (inv_want_scalar(iv, f->host, "host", &h))
        bad = -1;
    else if (strchr(h, ':') && !is_ip_literal(h))
        bad = inv_fail_at(iv, f->host, "host", "'%s' is not a host name or address (put the port in 'port')",
                          text_echo(echo, h));
    else if (parse_host(h, t, perr, sizeof perr) != 0)
        bad = inv_fail_at(iv, f->host, "host", "%s", perr);
    if (bad && target_parse("host.invalid", t, perr, sizeof perr) != 0)
        return inv_fail_at(iv, n, NULL, "out of memory");
    return bad;
}

static int load_starttls(inv_t *iv, target_t *t, const fields_t *f)
{
    const char *s;
    char echo[TEXT_ECHO_SIZE];
    if (inv_want_scalar(iv, f->starttls, "starttls", &s))
        return -1;
    const service_t *svc = service_by_scheme(s, strlen(s));
    if (!svc || !svc->starttls)
        return inv_fail_at(iv, f->starttls, "starttls", "'%s' is not a STARTTLS protocol (smtp, submission, imap, "
                                                        "pop3, ftp, ldap, xmpp, postgres, mysql)",
                           text_echo(echo, s));
    t->service = svc;
    if (!f->port)
        t->port = svc->default_port;
    return 0;
}

static int load_mtls(inv_t *iv, target_t *t, yaml_node_t *n)
{
    const char *s;
    char echo[TEXT_ECHO_SIZE];
    if (inv_want_scalar(iv, n, "mtls", &s))
        return -1;
    if (strcmp(s, "required") != 0 && strcmp(s, "none") != 0)
        return inv_fail_at(iv, n, "mtls", "'%s' is not 'required' or 'none'", text_echo(echo, s));
    t->mtls_expected = strcmp(s, "required") == 0;
    return 0;
}

/* A path field (client_cert, client_key, ca) relative to the inventory. */
static int load_path(inv_t *iv, yaml_node_t *n, const char *field, char **out)
{
    const char *s;
    return inv_want_scalar(iv, n, field, &s) || !(*out = inv_resolve_path(iv, n, field, s)) ? -1 : 0;
}

static int load_ech(inv_t *iv, target_t *t, yaml_node_t *n)
{
    const char *s;
    char perr[300];
    if (inv_want_scalar(iv, n, "ech_config_list", &s))
        return -1;
    /* A file is relative to the inventory, like client_cert and ca. */
    char *copy = strdup(iv->path);
    bool oom = !copy;
    int bad = oom || target_set_ech_config_list(t, s, dirname(copy), "inventory", perr, sizeof perr) != 0;
    free(copy);
    return bad ? inv_fail_at(iv, n, "ech_config_list", "%s", oom ? "out of memory" : perr) : 0;
}

/* The fields that need no other: each checked whatever the others gave. */
static int load_simple_fields(inv_t *iv, target_t *t, const fields_t *f)
{
    const char *s;
    char perr[300];
    long pv;
    int bad = 0;
    if (f->port) {
        if (inv_parse_port(iv, f->port, "port", &pv) == 0)
            t->port = (uint16_t)pv;
        else
            bad = -1;
    }
    if (f->sni && (inv_want_scalar(iv, f->sni, "sni", &s) ||
                   (target_check_sni(s, perr, sizeof perr) && inv_fail_at(iv, f->sni, "sni", "%s", perr)) ||
                   target_set_sni(t, s)))
        bad = -1;
    if (f->ip && (inv_want_scalar(iv, f->ip, "ip", &s) ||
                  (target_set_ip(t, s, perr, sizeof perr) && inv_fail_at(iv, f->ip, "ip", "%s", perr))))
        bad = -1;
    if (f->tags && set_tags(iv, t, f->tags))
        bad = -1;
    if (f->pins && set_pins(iv, t, f->pins))
        bad = -1;
    if (f->starttls && load_starttls(iv, t, f))
        bad = -1;
    t->internal = iv->defaults->internal;
    if (f->exposure && inv_parse_exposure(iv, f->exposure, &t->internal))
        bad = -1;
    if (f->mtls && load_mtls(iv, t, f->mtls))
        bad = -1;
    if (f->http_port) {
        if (inv_parse_port(iv, f->http_port, "http_port", &pv) == 0)
            t->http_port = (uint16_t)pv;
        else
            bad = -1;
    }
    return bad;
}

/* The fields that depend on others: paths, the ECH list, then defaults, service and spec. */
static int load_mapping_target(inv_t *iv, target_t *t, yaml_node_t *n)
{
    fields_t f = { 0 };
    int bad = collect_fields(iv, n, &f);
    if (load_host(iv, t, n, &f)) {
        bad = -1;
        if (!t->host)
            return -1;
    }
    if (load_simple_fields(iv, t, &f))
        bad = -1;
    if (f.client_cert && load_path(iv, f.client_cert, "client_cert", &t->client_cert))
        bad = -1;
    if (f.client_key && !f.client_cert)
        bad = inv_fail_at(iv, f.client_key, "client_key", "needs client_cert");
    else if (f.client_key && load_path(iv, f.client_key, "client_key", &t->client_key))
        bad = -1;
    if (f.ech && load_ech(iv, t, f.ech))
        bad = -1;
    const char *ca;
    if (f.ca && (inv_want_scalar(iv, f.ca, "ca", &ca) || !(t->ca_file = inv_resolve_ca(iv, f.ca, ca))))
        bad = -1;
    if (set_origin(iv, t, n))
        return -1;
    /* A STARTTLS protocol brings its own port; the defaults' port is for TLS targets. */
    if (apply_defaults(iv, t, f.port != NULL || f.starttls != NULL, f.ca != NULL, f.tags != NULL, n))
        bad = -1;
    if (!f.starttls || !t->service || !t->service->starttls)
        t->service = service_by_implicit_port(t->port);
    /* The spec shows the port a default gave it, and the STARTTLS protocol. */
    bool starttls = t->service && t->service->starttls;
    free(t->spec);
    const char *fmt = strchr(t->host, ':') ? "%s%s[%s]:%u" : "%s%s%s:%u";
    if (asprintf(&t->spec, fmt, starttls ? t->service->scheme : "", starttls ? "://" : "", t->host, t->port) < 0) {
        t->spec = NULL;
        return inv_fail_at(iv, n, NULL, "out of memory");
    }
    return bad;
}

int inv_load_target(inv_t *iv, target_t *t, yaml_node_t *n)
{
    if (n->type == YAML_SCALAR_NODE)
        return load_string_target(iv, t, n);
    if (n->type == YAML_MAPPING_NODE)
        return load_mapping_target(iv, t, n);
    return inv_fail_at(iv, n, "targets", "expected a target: a 'host:port' string or a mapping with host");
}
