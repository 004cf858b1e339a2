/* YAML inventories, read with libyaml's document API so that every node keeps its
 * position: each error names FILE:LINE:COLUMN and the field, as a user fixing a
 * thousand-line inventory needs. */
#include "inventory.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "yaml_read.h"

typedef struct inv {
    const char *path;
    yaml_document_t doc;
    char *err;
    size_t errlen;
    /* defaults: applied to every target that does not set the field */
    long default_port;           /* 0: none */
    const char *default_ca;      /* resolved path, owned by ca_storage */
    char *ca_storage;
    yaml_node_t *default_tags;
    bool default_internal;
} inv_t;

static int fail_at(inv_t *iv, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = yaml_fail_at(iv->err, iv->errlen, iv->path, n, field, fmt, ap);
    va_end(ap);
    return rc;
}

static int want_scalar(inv_t *iv, yaml_node_t *n, const char *field, const char **out)
{
    *out = yaml_scalar(n);
    if (!*out || !**out)
        return fail_at(iv, n, field, "expected a non-empty string");
    return 0;
}

static int parse_port_node(inv_t *iv, yaml_node_t *n, const char *field, long *out)
{
    const char *s = yaml_scalar(n);
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < 1 || v > 65535)
        return fail_at(iv, n, field, "'%s' is not a port number from 1 to 65535", s ? s : "(not a scalar)");
    *out = v;
    return 0;
}

/* Relative paths in an inventory are relative to the inventory, not to the cwd of cron. */
static char *resolve_path(inv_t *iv, yaml_node_t *n, const char *field, const char *value)
{
    char *path;
    if (value[0] == '/') {
        path = strdup(value);
    } else {
        char *copy = strdup(iv->path);
        if (!copy)
            return NULL;
        const char *dir = dirname(copy);
        if (asprintf(&path, "%s/%s", dir, value) < 0)
            path = NULL;
        free(copy);
    }
    if (!path) {
        fail_at(iv, n, field, "out of memory");
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        fail_at(iv, n, field, "cannot read '%s': %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

/* A list of non-empty strings (or, with allow_scalar, one string) into a fresh array. */
static int string_list(inv_t *iv, yaml_node_t *n, const char *field, bool allow_scalar, char ***out, size_t *nout)
{
    bool one = allow_scalar && n->type == YAML_SCALAR_NODE;
    if (!one && n->type != YAML_SEQUENCE_NODE)
        return fail_at(iv, n, field, allow_scalar ? "expected a string or a list of strings" : "expected a list of strings");
    size_t count = one ? 1 : (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    char **list = calloc(count ? count : 1, sizeof *list);
    if (!list)
        return fail_at(iv, n, field, "out of memory");
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = one ? n : yaml_document_get_node(&iv->doc, n->data.sequence.items.start[i]);
        const char *s = yaml_scalar(item);
        if (!s || !*s || !(list[i] = strdup(s))) {
            for (size_t j = 0; j < i; j++)
                free(list[j]);
            free(list);
            return fail_at(iv, item, field, "expected a non-empty string");
        }
    }
    *out = list;
    *nout = count;
    return 0;
}

static int set_tags(inv_t *iv, target_t *t, yaml_node_t *n)
{
    char **tags;
    size_t count;
    if (string_list(iv, n, "tags", false, &tags, &count))
        return -1;
    for (size_t i = 0; i < t->ntags; i++)
        free(t->tags[i]);
    free(t->tags);
    t->tags = tags;
    t->ntags = count;
    return 0;
}

/* RFC 7469 pins: "sha256/" and 44 characters of base64 (the prefix may be left out). */
static int set_pins(inv_t *iv, target_t *t, yaml_node_t *n)
{
    if (string_list(iv, n, "pin-sha256", true, &t->pins, &t->npins))
        return -1;
    for (size_t i = 0; i < t->npins; i++) {
        const char *v = strncmp(t->pins[i], "sha256/", 7) == 0 ? t->pins[i] + 7 : t->pins[i];
        size_t len = strlen(v);
        bool ok = len == 44 && v[43] == '=';
        for (size_t j = 0; ok && j < 43; j++)
            ok = (v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z') || (v[j] >= '0' && v[j] <= '9') ||
                 v[j] == '+' || v[j] == '/';
        if (!ok)
            return fail_at(iv, n, "pin-sha256", "'%s' is not a base64 SHA-256 pin (sha256/ and 44 characters)", t->pins[i]);
    }
    return 0;
}

static int set_origin(inv_t *iv, target_t *t, const yaml_node_t *n)
{
    free(t->origin);
    if (asprintf(&t->origin, "%s:%zu", iv->path, n->start_mark.line + 1) < 0) {
        t->origin = NULL;
        return fail_at(iv, n, NULL, "out of memory");
    }
    return 0;
}

static int apply_defaults(inv_t *iv, target_t *t, bool port_set, bool ca_set, bool tags_set, yaml_node_t *n)
{
    if (!port_set && iv->default_port)
        t->port = (uint16_t)iv->default_port;
    if (!ca_set && iv->default_ca && !(t->ca_file = strdup(iv->default_ca)))
        return fail_at(iv, n, "ca", "out of memory");
    if (!tags_set && iv->default_tags)
        return set_tags(iv, t, iv->default_tags);
    return 0;
}

static int parse_exposure(inv_t *iv, yaml_node_t *n, bool *internal)
{
    const char *s;
    if (want_scalar(iv, n, "exposure", &s))
        return -1;
    if (strcmp(s, "internal") != 0 && strcmp(s, "external") != 0)
        return fail_at(iv, n, "exposure", "'%s' is not 'external' or 'internal'", s);
    *internal = strcmp(s, "internal") == 0;
    return 0;
}

/* "host:port" or a URL, exactly as on the command line. */
static int load_string_target(inv_t *iv, target_t *t, yaml_node_t *n)
{
    char perr[300];
    const char *s = yaml_scalar(n);
    if (!s || target_parse(s, t, perr, sizeof perr) != 0)
        return fail_at(iv, n, NULL, "%s", s ? perr : "expected a target");
    bool has_port = strchr(s, ']') ? strstr(s, "]:") != NULL
                                   : (strchr(s, ':') && strchr(s, ':') == strrchr(s, ':') && !strstr(s, "://"))
                                     || (strstr(s, "://") && strchr(strstr(s, "://") + 3, ':'));
    if (set_origin(iv, t, n))
        return -1;
    t->internal = iv->default_internal;
    return apply_defaults(iv, t, has_port, false, false, n);
}


static int load_mapping_target(inv_t *iv, target_t *t, yaml_node_t *n)
{
    yaml_node_t *host = NULL, *port = NULL, *sni = NULL, *ip = NULL, *tags = NULL, *ca = NULL, *pins = NULL;
    yaml_node_t *starttls = NULL, *http_port = NULL, *client_cert = NULL, *client_key = NULL;
    yaml_node_t *exposure = NULL, *mtls = NULL, *ech = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&iv->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&iv->doc, p->value);
        const char *key = yaml_scalar(k);
        yaml_node_t **slot = NULL;
        if (!key)
            return fail_at(iv, k, NULL, "expected a field name");
        if (strcmp(key, "host") == 0) slot = &host;
        else if (strcmp(key, "port") == 0) slot = &port;
        else if (strcmp(key, "sni") == 0) slot = &sni;
        else if (strcmp(key, "ip") == 0) slot = &ip;
        else if (strcmp(key, "tags") == 0) slot = &tags;
        else if (strcmp(key, "ca") == 0) slot = &ca;
        else if (strcmp(key, "pin-sha256") == 0) slot = &pins;
        else if (strcmp(key, "starttls") == 0) slot = &starttls;
        else if (strcmp(key, "http_port") == 0) slot = &http_port;
        else if (strcmp(key, "client_cert") == 0) slot = &client_cert;
        else if (strcmp(key, "client_key") == 0) slot = &client_key;
        else if (strcmp(key, "exposure") == 0) slot = &exposure;
        else if (strcmp(key, "mtls") == 0) slot = &mtls;
        else if (strcmp(key, "ech_config_list") == 0) slot = &ech;
        if (!slot)
            return fail_at(iv, k, key, "unknown field (known: host, port, sni, ip, tags, ca, pin-sha256, "
                                       "starttls, http_port, client_cert, client_key, exposure, mtls, "
                                       "ech_config_list)");
        if (*slot)
            return fail_at(iv, k, key, "given twice");
        *slot = v;
    }
    if (!host)
        return fail_at(iv, n, "host", "missing (every target needs a host)");

    const char *h, *s;
    if (want_scalar(iv, host, "host", &h))
        return -1;
    /* The host is parsed like a command-line host so both accept the same names. */
    char perr[300];
    if (strchr(h, ':') && !is_ip_literal(h))
        return fail_at(iv, host, "host", "'%s' is not a host name or address (put the port in 'port')", h);
    if (target_parse(h, t, perr, sizeof perr) != 0)
        return fail_at(iv, host, "host", "%s", perr);
    long pv;
    if (port) {
        if (parse_port_node(iv, port, "port", &pv))
            return -1;
        t->port = (uint16_t)pv;
    }
    free(t->spec);
    if (asprintf(&t->spec, strchr(t->host, ':') ? "[%s]:%u" : "%s:%u", t->host, t->port) < 0) {
        t->spec = NULL;
        return fail_at(iv, n, NULL, "out of memory");
    }
    if (sni) {
        if (want_scalar(iv, sni, "sni", &s) || target_set_sni(t, s))
            return -1;
    }
    if (ip) {
        if (want_scalar(iv, ip, "ip", &s))
            return -1;
        if (target_set_ip(t, s, perr, sizeof perr))
            return fail_at(iv, ip, "ip", "%s", perr);
    }
    if (tags && set_tags(iv, t, tags))
        return -1;
    if (pins && set_pins(iv, t, pins))
        return -1;
    if (starttls) {
        if (want_scalar(iv, starttls, "starttls", &s))
            return -1;
        const service_t *svc = service_by_scheme(s, strlen(s));
        if (!svc || !svc->starttls)
            return fail_at(iv, starttls, "starttls", "'%s' is not a STARTTLS protocol (smtp, submission, imap, pop3, "
                                                    "ftp, ldap, xmpp, postgres, mysql)", s);
        t->service = svc;
        if (!port)
            t->port = svc->default_port;
    }
    t->internal = iv->default_internal;
    if (exposure && parse_exposure(iv, exposure, &t->internal))
        return -1;
    if (mtls) {
        if (want_scalar(iv, mtls, "mtls", &s))
            return -1;
        if (strcmp(s, "required") != 0 && strcmp(s, "none") != 0)
            return fail_at(iv, mtls, "mtls", "'%s' is not 'required' or 'none'", s);
        t->mtls_expected = strcmp(s, "required") == 0;
    }
    if (http_port) {
        if (parse_port_node(iv, http_port, "http_port", &pv))
            return -1;
        t->http_port = (uint16_t)pv;
    }
    if (client_cert) {
        if (want_scalar(iv, client_cert, "client_cert", &s) || !(t->client_cert = resolve_path(iv, client_cert, "client_cert", s)))
            return -1;
    }
    if (client_key) {
        if (!client_cert)
            return fail_at(iv, client_key, "client_key", "needs client_cert");
        if (want_scalar(iv, client_key, "client_key", &s) || !(t->client_key = resolve_path(iv, client_key, "client_key", s)))
            return -1;
    }
    if (ech) {
        if (want_scalar(iv, ech, "ech_config_list", &s))
            return -1;
        /* A file is relative to the inventory, like client_cert and ca. */
        char *copy = strdup(iv->path);
        bool oom = !copy;
        int bad = oom || target_set_ech_config_list(t, s, dirname(copy), "inventory", perr, sizeof perr) != 0;
        free(copy);
        if (bad)
            return fail_at(iv, ech, "ech_config_list", "%s", oom ? "out of memory" : perr);
    }
    if (ca) {
        if (want_scalar(iv, ca, "ca", &s) || !(t->ca_file = resolve_path(iv, ca, "ca", s)))
            return -1;
    }
    if (set_origin(iv, t, n))
        return -1;
    /* A STARTTLS protocol brings its own port; the defaults' port is for TLS targets. */
    if (apply_defaults(iv, t, port != NULL || starttls != NULL, ca != NULL, tags != NULL, n))
        return -1;
    if (!starttls)
        t->service = service_by_implicit_port(t->port);
    /* The spec shows the port a default gave it, and the STARTTLS protocol. */
    free(t->spec);
    const char *fmt = strchr(t->host, ':') ? "%s%s[%s]:%u" : "%s%s%s:%u";
    if (asprintf(&t->spec, fmt, starttls ? t->service->scheme : "", starttls ? "://" : "", t->host, t->port) < 0) {
        t->spec = NULL;
        return fail_at(iv, n, NULL, "out of memory");
    }
    return 0;
}

static int load_defaults(inv_t *iv, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(iv, n, "defaults", "expected a mapping (port, ca, tags, exposure)");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&iv->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&iv->doc, p->value);
        const char *key = yaml_scalar(k), *s;
        if (key && strcmp(key, "port") == 0) {
            if (parse_port_node(iv, v, "port", &iv->default_port))
                return -1;
        } else if (key && strcmp(key, "ca") == 0) {
            if (want_scalar(iv, v, "ca", &s) || !(iv->ca_storage = resolve_path(iv, v, "ca", s)))
                return -1;
            iv->default_ca = iv->ca_storage;
        } else if (key && strcmp(key, "exposure") == 0) {
            if (parse_exposure(iv, v, &iv->default_internal))
                return -1;
        } else if (key && strcmp(key, "tags") == 0) {
            if (v->type != YAML_SEQUENCE_NODE)
                return fail_at(iv, v, "tags", "expected a list of strings");
            iv->default_tags = v;
        } else {
            return fail_at(iv, k, key ? key : "defaults", "unknown field in defaults (known: port, ca, tags, exposure)");
        }
    }
    return 0;
}

static int load_document(inv_t *iv, target_list_t *list)
{
    yaml_node_t *root = yaml_document_get_root_node(&iv->doc);
    if (!root) {
        snprintf(iv->err, iv->errlen, "%s:1:1: field 'targets': missing (the file is empty)", iv->path);
        return -1;
    }
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(iv, root, NULL, "expected a mapping with 'targets' (and optional 'defaults')");
    yaml_node_t *targets = NULL, *defaults = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&iv->doc, p->key);
        const char *key = yaml_scalar(k);
        if (key && strcmp(key, "targets") == 0)
            targets = yaml_document_get_node(&iv->doc, p->value);
        else if (key && strcmp(key, "defaults") == 0)
            defaults = yaml_document_get_node(&iv->doc, p->value);
        else
            return fail_at(iv, k, key ? key : "?", "unknown top-level field (known: defaults, targets)");
    }
    if (defaults && load_defaults(iv, defaults))
        return -1;
    if (!targets)
        return fail_at(iv, root, "targets", "missing");
    if (targets->type != YAML_SEQUENCE_NODE)
        return fail_at(iv, targets, "targets", "expected a list of targets");
    for (yaml_node_item_t *it = targets->data.sequence.items.start; it < targets->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(&iv->doc, *it);
        target_t *t = target_list_add(list);
        if (!t)
            return fail_at(iv, n, NULL, "out of memory");
        int rc = n->type == YAML_SCALAR_NODE    ? load_string_target(iv, t, n)
               : n->type == YAML_MAPPING_NODE   ? load_mapping_target(iv, t, n)
               : fail_at(iv, n, "targets", "expected a target: a 'host:port' string or a mapping with host");
        if (rc)
            return -1;
    }
    return 0;
}

int inventory_load(const char *path, target_list_t *list, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open inventory: %s", path, strerror(errno));
        return -1;
    }
    inv_t iv = { .path = path, .err = err, .errlen = errlen };
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    yaml_parser_set_input_file(&parser, f);
    int rc;
    if (!yaml_parser_load(&parser, &iv.doc)) {
        yaml_mark_t m = parser.problem_mark;
        snprintf(err, errlen, "%s:%zu:%zu: YAML syntax error: %s%s%s", path, m.line + 1, m.column + 1,
                 parser.problem ? parser.problem : "unknown problem",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        rc = -1;
    } else {
        rc = load_document(&iv, list);
        yaml_document_delete(&iv.doc);
    }
    free(iv.ca_storage);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
