/* YAML inventories, read with libyaml's document API so that every node keeps its position:
 * each error names FILE:LINE:COLUMN and the field, as a user fixing a thousand-line inventory
 * needs, and the reader goes on after an error so that all of them are named at once. The
 * document is read without its targets, which come one at a time, each as a document of its
 * own (yaml_stream.h), so that memory does not grow with the inventory's nodes. This file reads
 * the document, its defaults and its groups; inventory_target.c reads the targets. */
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

#include "inventory_target.h"
#include "text_echo.h"
#include "x509_facts.h"
#include "yaml_read.h"

static void errors_add(inventory_errors_t *e, const char *line)
{
    if (e->count == INVENTORY_MAX_ERRORS) {
        e->dropped++;
        return;
    }
    if (e->count == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        char **lines = realloc(e->lines, cap * sizeof *lines);
        if (!lines) {
            e->dropped++;
            return;
        }
        e->lines = lines;
        e->cap = cap;
    }
    if (!(e->lines[e->count] = strdup(line)))
        e->dropped++;
    else
        e->count++;
}

static void vfail(inv_t *iv, const yaml_node_t *n, const char *field, const char *fmt, va_list ap)
{
    char line[768];
    yaml_fail_at(line, sizeof line, iv->path, n, field, fmt, ap);
    errors_add(iv->errs, line);
    iv->nerrors++;
}

int inv_fail_at(inv_t *iv, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(iv, n, field, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error at the start of the file, where there is no node (an empty file). */
static void fail_file(inv_t *iv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_file(inv_t *iv, const char *fmt, ...)
{
    char what[512], line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s%s", iv->path, what);
    errors_add(iv->errs, line);
    iv->nerrors++;
}

int inv_want_scalar(inv_t *iv, yaml_node_t *n, const char *field, const char **out)
{
    *out = yaml_scalar(n);
    if (!*out || !**out)
        return inv_fail_at(iv, n, field, "expected a non-empty string");
    return 0;
}

int inv_parse_port(inv_t *iv, yaml_node_t *n, const char *field, long *out)
{
    const char *s = yaml_scalar(n);
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    char echo[TEXT_ECHO_SIZE];
    if (!s || !*s || *end || errno || v < 1 || v > 65535)
        return inv_fail_at(iv, n, field, "'%s' is not a port number from 1 to 65535",
                           s ? text_echo(echo, s) : "(not a scalar)");
    *out = v;
    return 0;
}

int inv_parse_exposure(inv_t *iv, yaml_node_t *n, bool *internal)
{
    const char *s;
    char echo[TEXT_ECHO_SIZE];
    if (inv_want_scalar(iv, n, "exposure", &s))
        return -1;
    if (strcmp(s, "internal") != 0 && strcmp(s, "external") != 0)
        return inv_fail_at(iv, n, "exposure", "'%s' is not 'external' or 'internal'", text_echo(echo, s));
    *internal = strcmp(s, "internal") == 0;
    return 0;
}

/* Relative paths in an inventory are relative to the inventory, not to the cwd of cron. */
char *inv_resolve_path(inv_t *iv, yaml_node_t *n, const char *field, const char *value)
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
        inv_fail_at(iv, n, field, "out of memory");
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        inv_fail_at(iv, n, field, "cannot read '%s': %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

int inventory_check_ca(const char *path, char *err, size_t errlen)
{
    X509_STORE *store = x509_store_ref(path, err, errlen);
    if (!store)
        return -1;
    STACK_OF(X509_OBJECT) *objects = X509_STORE_get0_objects(store);
    int certs = 0;
    for (int i = 0; i < sk_X509_OBJECT_num(objects); i++)
        certs += X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_X509;
    X509_STORE_free(store);
    if (certs == 0) {
        char echo[TEXT_ECHO_SIZE];
        snprintf(err, errlen, "'%s' holds no certificate", text_echo(echo, path));
        return -1;
    }
    return 0;
}

char *inv_resolve_ca(inv_t *iv, yaml_node_t *n, const char *value)
{
    char *path = inv_resolve_path(iv, n, "ca", value), err[600];
    if (path && inventory_check_ca(path, err, sizeof err) != 0) {
        inv_fail_at(iv, n, "ca", "%s", err);
        free(path);
        return NULL;
    }
    return path;
}

int inv_string_list(inv_t *iv, yaml_node_t *n, const char *field, bool allow_scalar, char ***out, size_t *nout)
{
    bool one = allow_scalar && n->type == YAML_SCALAR_NODE;
    if (!one && n->type != YAML_SEQUENCE_NODE)
        return inv_fail_at(iv, n, field, allow_scalar ? "expected a string or a list of strings"
                                                      : "expected a list of strings");
    size_t count = one ? 1 : (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    /* Defaults copy their list into every target: a long one would multiply. */
    if (count > INVENTORY_MAX_LIST)
        return inv_fail_at(iv, n, field, "%zu items: at most %d", count, INVENTORY_MAX_LIST);
    char **list = calloc(count ? count : 1, sizeof *list);
    if (!list)
        return inv_fail_at(iv, n, field, "out of memory");
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = one ? n : yaml_document_get_node(iv->doc, n->data.sequence.items.start[i]);
        const char *s = yaml_scalar(item);
        if (!s || !*s || !(list[i] = strdup(s))) {
            for (size_t j = 0; j < i; j++)
                free(list[j]);
            free(list);
            return inv_fail_at(iv, item, field, "expected a non-empty string");
        }
    }
    *out = list;
    *nout = count;
    return 0;
}

/* Tags of a defaults mapping are checked once here, not again at each target they fill. */
static int check_tags(inv_t *iv, yaml_node_t *n)
{
    char **tags;
    size_t count;
    if (inv_string_list(iv, n, "tags", false, &tags, &count))
        return -1;
    for (size_t i = 0; i < count; i++)
        free(tags[i]);
    free(tags);
    return 0;
}

/* Whether key is one of names (a NULL-ended list) already seen (bit i of *seen); marks it. YAML
 * lets a key repeat, the later value silently winning: here it is an error. */
static bool seen_before(const char *key, const char *const *names, unsigned *seen)
{
    for (unsigned i = 0; key && names[i]; i++) {
        if (strcmp(key, names[i]) != 0)
            continue;
        bool before = *seen >> i & 1u;
        *seen |= 1u << i;
        return before;
    }
    return false;
}

/* A defaults mapping over what d already holds (a group's starts as the top level's). */
static void load_defaults(inv_t *iv, yaml_node_t *n, inv_defaults_t *d)
{
    if (n->type != YAML_MAPPING_NODE) {
        inv_fail_at(iv, n, "defaults", "expected a mapping (port, ca, tags, exposure)");
        return;
    }
    static const char *const names[] = { "port", "ca", "exposure", "tags", NULL };
    unsigned seen = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(iv->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(iv->doc, p->value);
        const char *key = yaml_scalar(k), *s;
        char *ca;
        if (seen_before(key, names, &seen)) {
            inv_fail_at(iv, k, key, "given twice");
        } else if (key && strcmp(key, "port") == 0) {
            inv_parse_port(iv, v, "port", &d->port);
        } else if (key && strcmp(key, "ca") == 0) {
            if (inv_want_scalar(iv, v, "ca", &s) == 0 && (ca = inv_resolve_ca(iv, v, s))) {
                free(d->ca);
                d->ca = ca;
            }
        } else if (key && strcmp(key, "exposure") == 0) {
            inv_parse_exposure(iv, v, &d->internal);
        } else if (key && strcmp(key, "tags") == 0) {
            if (check_tags(iv, v) == 0)
                d->tags = v;
        } else {
            inv_fail_at(iv, k, key ? key : "defaults", "unknown field in defaults (known: port, ca, tags, exposure)");
        }
    }
}

typedef struct item_ctx {
    inv_t *iv;
    target_list_t *list;
    bool oom;
} item_ctx_t;

/* One target of a list, in its own document. */
static void load_item(void *arg, yaml_document_t *doc, yaml_node_t *n)
{
    item_ctx_t *c = arg;
    if (c->oom)
        return;
    target_t *t = target_list_add(c->list);
    yaml_document_t *skeleton = c->iv->doc;
    c->iv->doc = doc;
    if (!t) {
        inv_fail_at(c->iv, n, NULL, "out of memory");
        c->oom = true;
    } else {
        inv_load_target(c->iv, t, n);
    }
    c->iv->doc = skeleton;
}

static void load_targets(inv_t *iv, yaml_node_t *targets, target_list_t *list)
{
    if (targets->type != YAML_SEQUENCE_NODE) {
        inv_fail_at(iv, targets, "targets", "expected a list of targets");
        return;
    }
    if (yaml_stream_is_split(iv->stream, targets)) {
        item_ctx_t c = { .iv = iv, .list = list };
        yaml_stream_items(iv->stream, targets, load_item, &c); /* it says why it failed */
        return;
    }
    for (yaml_node_item_t *it = targets->data.sequence.items.start; it < targets->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(iv->doc, *it);
        target_t *t = target_list_add(list);
        if (!t) {
            inv_fail_at(iv, n, NULL, "out of memory");
            return;
        }
        inv_load_target(iv, t, n);
    }
}

static void load_group_fields(inv_t *iv, yaml_node_t *g, yaml_node_t **name, yaml_node_t **defaults,
                              yaml_node_t **targets)
{
    for (yaml_node_pair_t *p = g->data.mapping.pairs.start; p < g->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(iv->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(iv->doc, p->value);
        const char *key = yaml_scalar(k);
        yaml_node_t **slot = !key                             ? NULL
                           : strcmp(key, "name") == 0     ? name
                           : strcmp(key, "defaults") == 0 ? defaults
                           : strcmp(key, "targets") == 0  ? targets
                                                          : NULL;
        if (!slot)
            inv_fail_at(iv, k, key ? key : "groups", "unknown field in a group (known: name, defaults, targets)");
        else if (*slot)
            inv_fail_at(iv, k, key, "given twice");
        else
            *slot = v;
    }
}

/* Whether a group before g (from first on) has this name: two groups of one name would merge
 * into one tag. */
static bool earlier_group_named(inv_t *iv, yaml_node_item_t *first, yaml_node_t *g, const char *name)
{
    for (yaml_node_item_t *it = first;; it++) {
        yaml_node_t *other = yaml_document_get_node(iv->doc, *it);
        if (other == g)
            return false;
        if (other->type != YAML_MAPPING_NODE)
            continue;
        for (yaml_node_pair_t *p = other->data.mapping.pairs.start; p < other->data.mapping.pairs.top; p++) {
            const char *key = yaml_scalar(yaml_document_get_node(iv->doc, p->key));
            const char *value = yaml_scalar(yaml_document_get_node(iv->doc, p->value));
            if (key && value && strcmp(key, "name") == 0 && strcmp(value, name) == 0)
                return true;
        }
    }
}

/* One group: a name (which becomes a tag of each of its targets), its own defaults over the
 * top level's, and its targets. */
static void load_group(inv_t *iv, yaml_node_t *g, target_list_t *list, yaml_node_item_t *first)
{
    if (g->type != YAML_MAPPING_NODE) {
        inv_fail_at(iv, g, "groups", "expected a group: a mapping with name, defaults and targets");
        return;
    }
    yaml_node_t *name = NULL, *defaults = NULL, *targets = NULL;
    load_group_fields(iv, g, &name, &defaults, &targets);
    const char *s = "?";
    char echo[TEXT_ECHO_SIZE];
    if (!name)
        inv_fail_at(iv, g, "name", "missing (every group needs a name)");
    else if (inv_want_scalar(iv, name, "name", &s) == 0 && earlier_group_named(iv, first, g, s))
        inv_fail_at(iv, name, "name", "a second group named '%s'", text_echo(echo, s));
    const inv_defaults_t *top = iv->defaults;
    inv_defaults_t d = *top;
    d.ca = top->ca ? strdup(top->ca) : NULL;
    if (defaults)
        load_defaults(iv, defaults, &d);
    iv->defaults = &d;
    iv->group = s;
    if (!targets)
        inv_fail_at(iv, g, "targets", "missing (a group lists its targets)");
    else
        load_targets(iv, targets, list);
    iv->defaults = top;
    iv->group = NULL;
    free(d.ca);
}

static void load_groups(inv_t *iv, yaml_node_t *groups, target_list_t *list, size_t *ngroups)
{
    if (groups->type != YAML_SEQUENCE_NODE) {
        inv_fail_at(iv, groups, "groups", "expected a list of groups");
        return;
    }
    for (yaml_node_item_t *it = groups->data.sequence.items.start; it < groups->data.sequence.items.top; it++) {
        load_group(iv, yaml_document_get_node(iv->doc, *it), list, groups->data.sequence.items.start);
        ++*ngroups;
    }
}

/* The target lists: their items are read one at a time, not kept in the skeleton. */
static bool split_targets(const char *path)
{
    return strcmp(path, "/targets") == 0 || strcmp(path, "/groups/*/targets") == 0;
}

/* defaults first wherever they are written; then targets and groups in the file's order, which
 * is the targets' order (their index). */
static void load_document(inv_t *iv, target_list_t *list, size_t *ngroups)
{
    yaml_node_t *root = yaml_document_get_root_node(iv->doc);
    if (!root) {
        fail_file(iv, ":1:1: field 'targets': missing (the file is empty)");
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        inv_fail_at(iv, root, NULL, "expected a mapping with 'targets' (and optional 'defaults', 'groups')");
        return;
    }
    inv_defaults_t top = { 0 };
    yaml_node_pair_t *pairs = root->data.mapping.pairs.start, *end = root->data.mapping.pairs.top;
    bool any_targets = false;
    static const char *const names[] = { "defaults", "targets", "groups", NULL };
    unsigned seen = 0;
    for (yaml_node_pair_t *p = pairs; p < end; p++) {
        yaml_node_t *k = yaml_document_get_node(iv->doc, p->key);
        const char *key = yaml_scalar(k);
        if (seen_before(key, names, &seen))
            inv_fail_at(iv, k, key, "given twice");
        else if (key && strcmp(key, "defaults") == 0)
            load_defaults(iv, yaml_document_get_node(iv->doc, p->value), &top);
        else if (key && (strcmp(key, "targets") == 0 || strcmp(key, "groups") == 0))
            any_targets = true;
        else
            inv_fail_at(iv, k, key ? key : "?", "unknown top-level field (known: defaults, groups, targets)");
    }
    iv->defaults = &top;
    for (yaml_node_pair_t *p = pairs; p < end; p++) {
        const char *key = yaml_scalar(yaml_document_get_node(iv->doc, p->key));
        yaml_node_t *v = yaml_document_get_node(iv->doc, p->value);
        if (key && strcmp(key, "targets") == 0)
            load_targets(iv, v, list);
        else if (key && strcmp(key, "groups") == 0)
            load_groups(iv, v, list, ngroups);
    }
    if (!any_targets)
        inv_fail_at(iv, root, "targets", "missing");
    free(top.ca);
}

/* "LINE:COLUMN" after "PATH:" as one number to sort by; files without a place come first. */
static unsigned long long error_place(const char *line, size_t pathlen)
{
    unsigned long l = 0, c = 0;
    if (sscanf(line + pathlen, ":%lu:%lu:", &l, &c) != 2)
        return 0;
    return (unsigned long long)l << 32 | c;
}

/* The file's errors in the order of the file (they are found part by part), so the list reads
 * top to bottom; a stable insertion sort of at most INVENTORY_MAX_ERRORS lines. */
static void sort_errors(inventory_errors_t *e, size_t from, size_t pathlen)
{
    for (size_t i = from + 1; i < e->count; i++) {
        char *line = e->lines[i];
        unsigned long long key = error_place(line, pathlen);
        size_t j = i;
        for (; j > from && error_place(e->lines[j - 1], pathlen) > key; j--)
            e->lines[j] = e->lines[j - 1];
        e->lines[j] = line;
    }
}

/* A problem the YAML reader found before there is a document. */
static void reader_problem(void *arg, const char *line)
{
    inv_t *iv = arg;
    errors_add(iv->errs, line);
    iv->nerrors++;
}

size_t inventory_load_all(const char *path, target_list_t *list, inventory_errors_t *errs, size_t *ngroups)
{
    inv_t iv = { .path = path, .errs = errs };
    iv.doc = &iv.skeleton;
    size_t groups = 0, first_error = errs->count;
    /* A syntax error or a refused scalar leaves no document to read on. */
    if (yaml_read_skeleton(path, "inventory", split_targets, &iv.skeleton, &iv.stream, reader_problem, &iv) == 0) {
        load_document(&iv, list, &groups);
        yaml_document_delete(&iv.skeleton);
        yaml_stream_free(iv.stream);
    }
    sort_errors(errs, first_error, strlen(path));
    if (ngroups)
        *ngroups += groups;
    return iv.nerrors;
}

int inventory_load(const char *path, target_list_t *list, char *err, size_t errlen)
{
    inventory_errors_t errs = { 0 };
    size_t n = inventory_load_all(path, list, &errs, NULL);
    if (n)
        snprintf(err, errlen, "%s", errs.count ? errs.lines[0] : "out of memory");
    inventory_errors_free(&errs);
    return n ? -1 : 0;
}

void inventory_errors_print(FILE *f, const char *prefix, const inventory_errors_t *errs)
{
    for (size_t i = 0; i < errs->count; i++)
        fprintf(f, "%s%s\n", prefix, errs->lines[i]);
    if (errs->dropped)
        fprintf(f, "%s... and %zu more errors\n", prefix, errs->dropped);
}

void inventory_errors_free(inventory_errors_t *errs)
{
    for (size_t i = 0; i < errs->count; i++)
        free(errs->lines[i]);
    free(errs->lines);
    memset(errs, 0, sizeof *errs);
}
