/* Packed targets (target_pack.h): each record is a fixed head, then its strings (NUL-ended,
 * those the head says are there), pins, tags and ECHConfigList bytes. Unpacking gives every
 * string back as its own allocation, so an unpacked target is an ordinary target_t. */
#include "target_pack.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_ORIGIN_LINE = 1u << 9,   /* origin is files[origin_file] ":" origin_line, not a string */
    F_INTERNAL = 1u << 10,
    F_MTLS = 1u << 11,
    F_ECH = 1u << 12,          /* ech_config_list is set (its bytes follow, ech_len of them) */
};
#define NSTRINGS 9             /* flag bit i: string i of strings() is there */

typedef struct head {
    size_t index;
    const service_t *service;  /* a static table's entry: valid for the whole process */
    size_t ech_len;
    uint32_t npins, ntags;
    uint32_t origin_line, origin_file;
    uint16_t port, http_port;
    uint16_t flags;
} head_t;

/* The target's optional strings, in record order. */
static void strings(target_t *t, char **out[NSTRINGS])
{
    char **s[NSTRINGS] = { &t->spec, &t->host, &t->sni, &t->ip, &t->ca_file, &t->client_cert, &t->client_key,
                           &t->ech_config_origin, &t->origin };
    memcpy(out, s, sizeof s);
}

static int put(target_pack_t *p, const void *src, size_t n)
{
    if (p->cap - p->len < n) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap - p->len < n)
            cap *= 2;
        unsigned char *b = realloc(p->bytes, cap);
        if (!b)
            return -1;
        p->bytes = b;
        p->cap = cap;
    }
    memcpy(p->bytes + p->len, src, n);
    p->len += n;
    return 0;
}

static int put_str(target_pack_t *p, const char *s)
{
    return put(p, s, strlen(s) + 1);
}

/* "FILE:LINE" with LINE as "%u" prints it (no leading zero): its file's number and the line;
 * false for any other origin ("command line"). */
static bool split_origin(target_pack_t *p, const char *origin, uint32_t *file, uint32_t *line)
{
    const char *colon = origin ? strrchr(origin, ':') : NULL;
    if (!colon || colon == origin || colon[1] < '1' || colon[1] > '9' || strlen(colon + 1) > 9 ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return false;
    *line = (uint32_t)strtoul(colon + 1, NULL, 10);
    size_t flen = (size_t)(colon - origin);
    for (size_t i = p->nfiles; i-- > 0;)
        if (strlen(p->files[i]) == flen && memcmp(p->files[i], origin, flen) == 0) {
            *file = (uint32_t)i;
            return true;
        }
    char **files = realloc(p->files, (p->nfiles + 1) * sizeof *files);
    if (!files)
        return false;
    p->files = files;
    if (!(files[p->nfiles] = strndup(origin, flen)))
        return false;
    *file = (uint32_t)p->nfiles++;
    return true;
}

static int pack_one(target_pack_t *p, const target_t *t)
{
    target_t copy = *t;  /* strings() takes pointers to fields; t's stay untouched */
    char **s[NSTRINGS];
    strings(&copy, s);
    if (t->npins > UINT32_MAX || t->ntags > UINT32_MAX)
        return -1;
    head_t h = { .index = t->index, .service = t->service, .ech_len = t->ech_config_list_len,
                 .npins = (uint32_t)t->npins, .ntags = (uint32_t)t->ntags, .port = t->port,
                 .http_port = t->http_port };
    h.flags = (uint16_t)((t->internal ? F_INTERNAL : 0) | (t->mtls_expected ? F_MTLS : 0) |
                         (t->ech_config_list ? F_ECH : 0));
    if (split_origin(p, t->origin, &h.origin_file, &h.origin_line)) {
        h.flags |= F_ORIGIN_LINE;
        copy.origin = NULL;
    }
    for (int i = 0; i < NSTRINGS; i++)
        if (*s[i])
            h.flags |= (uint16_t)(1u << i);
    int bad = put(p, &h, sizeof h);
    for (int i = 0; i < NSTRINGS; i++)
        if (*s[i])
            bad |= put_str(p, *s[i]);
    for (size_t i = 0; i < t->npins; i++)
        bad |= put_str(p, t->pins[i]);
    for (size_t i = 0; i < t->ntags; i++)
        bad |= put_str(p, t->tags[i]);
    if (t->ech_config_list)
        bad |= put(p, t->ech_config_list, t->ech_config_list_len);
    return bad ? -1 : 0;
}

int target_pack_from_list(target_pack_t *pack, const target_list_t *list)
{
    memset(pack, 0, sizeof *pack);
    for (size_t i = 0; i < list->count; i++)
        if (pack_one(pack, &list->items[i]) != 0) {
            target_pack_free(pack);
            return -1;
        }
    pack->count = list->count;
    return 0;
}

/* The string at *at (moved past it), as a new allocation. */
static char *take_str(const target_pack_t *p, size_t *at)
{
    const char *s = (const char *)p->bytes + *at;
    size_t n = strlen(s);
    *at += n + 1;
    return strndup(s, n);
}

static char **take_list(const target_pack_t *p, size_t *at, size_t n, bool *oom)
{
    char **list = n ? calloc(n, sizeof *list) : NULL;
    *oom |= n && !list;
    for (size_t i = 0; i < n; i++) {
        char *s = take_str(p, at);
        if (list)
            list[i] = s;
        else
            free(s);
        *oom |= !s;
    }
    return list;
}

static int unpack_one(const target_pack_t *p, size_t *at, target_t *t)
{
    head_t h;
    memcpy(&h, p->bytes + *at, sizeof h);
    *at += sizeof h;
    *t = (target_t){ .index = h.index, .service = h.service, .port = h.port, .http_port = h.http_port,
                     .internal = (h.flags & F_INTERNAL) != 0, .mtls_expected = (h.flags & F_MTLS) != 0,
                     .npins = h.npins, .ntags = h.ntags };
    char **s[NSTRINGS];
    strings(t, s);
    bool oom = false;
    for (int i = 0; i < NSTRINGS; i++)
        if (h.flags & (1u << i))
            oom |= !(*s[i] = take_str(p, at));
    if ((h.flags & F_ORIGIN_LINE) && asprintf(&t->origin, "%s:%u", p->files[h.origin_file], h.origin_line) < 0) {
        t->origin = NULL;
        oom = true;
    }
    t->pins = take_list(p, at, h.npins, &oom);
    t->tags = take_list(p, at, h.ntags, &oom);
    if (!t->pins)
        t->npins = 0;
    if (!t->tags)
        t->ntags = 0;
    if (h.flags & F_ECH) {
        t->ech_config_list_len = h.ech_len;
        oom |= !(t->ech_config_list = malloc(h.ech_len ? h.ech_len : 1));
        if (t->ech_config_list)
            memcpy(t->ech_config_list, p->bytes + *at, h.ech_len);
        *at += h.ech_len;
    }
    if (oom)
        target_free(t);
    return oom ? -1 : 0;
}

int target_pack_read(const target_pack_t *pack, size_t *at, target_t *out, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (unpack_one(pack, at, &out[i]) != 0) {
            while (i-- > 0)
                target_free(&out[i]);
            return -1;
        }
    return 0;
}

void target_pack_free(target_pack_t *pack)
{
    for (size_t i = 0; i < pack->nfiles; i++)
        free(pack->files[i]);
    free(pack->files);
    free(pack->bytes);
    memset(pack, 0, sizeof *pack);
}
