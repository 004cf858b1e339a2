/* yaml_stream.h: documents built from libyaml's events with its document API, so that a file of
 * 10,000 targets never holds 10,000 targets' nodes at once. Three layers: a source of events in
 * which aliases are already replaced by their anchor's events (kept per anchor), a tracker of
 * where each event is (its path), and a builder of (small) documents from events. */
#include "yaml_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_CAP 256

/* One event as the builder needs it; a kept one owns its strings. */
typedef struct ev {
    yaml_event_type_t type;
    yaml_mark_t start, end;
    char *tag, *value;
    size_t length;
    int style;
} ev_t;

typedef struct anchor {
    char *name;
    ev_t *evs;
    size_t n, cap;
    int depth;                 /* while kept: collections open in it */
} anchor_t;

typedef struct source {
    const char *buf;
    size_t len;
    yaml_parser_t parser;
    bool parser_ok;
    yaml_event_t cur;          /* the parser's last event (deleted at the next one) */
    bool has_cur;
    ev_t view;
    anchor_t *anchors;         /* in order of definition: the last of a name wins */
    size_t nanchors, cap;
    size_t *open;              /* anchors being kept, innermost last */
    size_t nopen, open_cap;
    /* Aliases being replaced by their anchor's events: an anchor keeps an alias inside it as
     * a reference (its length the anchor's index), replaced in turn, so what anchors keep
     * grows with the file, not with what aliases expand to. */
    struct replay { size_t anchor, at; } *replay;
    size_t nreplay, replay_cap;
    yaml_mark_t alias_at;      /* where the outermost one is, in the file */
    int depth;                 /* collections open, aliases expanded */
    long raw, expanded;        /* nodes read from the file, and from replaced aliases */
    long doc_start;            /* expanded when the document being built began */
    bool oom;
    bool too_deep;             /* aliases expanded, nested deeper than YAML_READ_MAX_DEPTH */
    bool too_big;              /* a document's aliases expanded to too many nodes */
    long kept;                 /* events kept by all anchors: at most YAML_READ_MAX_NODES */
    yaml_mark_t deep_at;
} source_t;

/* What aliases may add to one built document, beyond the file's own nodes so far: a document
 * then costs about what the whole document cost when libyaml shared aliased nodes. */
#define EXPANDED_MAX 250000L

/* Where the events are: one frame per open collection. */
typedef struct frame {
    bool mapping, want_key;
    size_t path_len;           /* path's length for this collection */
    char key[64];              /* the current key of a mapping ("?" when not a scalar) */
} frame_t;

typedef struct tracker {
    frame_t frames[YAML_READ_MAX_DEPTH + 2];
    int depth;
    char path[PATH_CAP];
} tracker_t;

struct yaml_stream {
    const char *path;
    yaml_problem_fn problem;   /* says why yaml_stream_items failed */
    void *arg;
    const char *buf;
    size_t len;
    yaml_split_fn split;
    const yaml_document_t *skeleton;
    int *split_ids;            /* the skeleton's split sequences, in the order of the file */
    size_t nsplit, split_cap;
    source_t src;              /* where the items are read from, at split sequence `next` */
    tracker_t tr;
    size_t next;               /* split sequences passed so far by src */
    bool started;
};

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* ---- the source ---- */

static void source_init(source_t *s, const char *buf, size_t len)
{
    memset(s, 0, sizeof *s);
    s->buf = buf;
    s->len = len;
    s->parser_ok = yaml_parser_initialize(&s->parser) != 0;
    if (s->parser_ok)
        yaml_parser_set_input_string(&s->parser, (const unsigned char *)buf, len);
}

static void source_free(source_t *s)
{
    if (s->has_cur)
        yaml_event_delete(&s->cur);
    if (s->parser_ok)
        yaml_parser_delete(&s->parser);
    for (size_t i = 0; i < s->nanchors; i++) {
        for (size_t j = 0; j < s->anchors[i].n; j++)
            free(s->anchors[i].evs[j].tag), free(s->anchors[i].evs[j].value);
        free(s->anchors[i].evs);
        free(s->anchors[i].name);
    }
    free(s->anchors);
    free(s->open);
    free(s->replay);
    memset(s, 0, sizeof *s);
}

static bool keep_event(source_t *s, anchor_t *a, const ev_t *e)
{
    /* Anchors inside anchors keep an event once each: bounded as the file's nodes are. */
    if (++s->kept > YAML_READ_MAX_NODES)
        return false;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        ev_t *evs = realloc(a->evs, cap * sizeof *evs);
        if (!evs)
            return false;
        a->evs = evs;
        a->cap = cap;
    }
    ev_t k = *e;
    k.tag = e->tag ? strdup(e->tag) : NULL;
    k.value = e->value ? dup_n(e->value, e->length) : NULL;
    if ((e->tag && !k.tag) || (e->value && !k.value)) {
        free(k.tag), free(k.value);
        s->oom = true;
        return false;
    }
    a->evs[a->n++] = k;
    return true;
}

/* An anchored node starts with this event: its events are kept from it on. */
static bool open_anchor(source_t *s, const yaml_char_t *name)
{
    if (s->nanchors == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        anchor_t *a = realloc(s->anchors, cap * sizeof *a);
        if (!a)
            return false;
        s->anchors = a;
        s->cap = cap;
    }
    if (s->nopen == s->open_cap) {
        size_t cap = s->open_cap ? s->open_cap * 2 : 8;
        size_t *o = realloc(s->open, cap * sizeof *o);
        if (!o)
            return false;
        s->open = o;
        s->open_cap = cap;
    }
    anchor_t *a = &s->anchors[s->nanchors];
    *a = (anchor_t){ .name = strdup((const char *)name) };
    if (!a->name)
        return false;
    s->open[s->nopen++] = s->nanchors++;
    return true;
}

/* Every anchor being kept takes the event; those it ends are closed. */
static void keep(source_t *s, const ev_t *e)
{
    int step = e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT ? 1
             : e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT     ? -1
                                                                                            : 0;
    for (size_t i = 0; i < s->nopen; i++) {
        anchor_t *a = &s->anchors[s->open[i]];
        if (!keep_event(s, a, e))
            s->oom = true;
        a->depth += step;
    }
    while (s->nopen > 0 && s->anchors[s->open[s->nopen - 1]].depth == 0)
        s->nopen--;
}

static const anchor_t *find_anchor(const source_t *s, const char *name)
{
    for (size_t i = s->nanchors; i-- > 0;)
        if (strcmp(s->anchors[i].name, name) == 0)
            return &s->anchors[i];
    return NULL;
}

/* Passes e on: kept by the anchors open, counted in the depth. NULL: out of memory, or nested too
 * deep (the checks bound the file's nesting, not what aliases expand to). */
static const ev_t *deliver(source_t *s, const ev_t *e)
{
    bool replayed = s->nreplay > 0;
    bool node = e->type == YAML_SCALAR_EVENT || e->type == YAML_SEQUENCE_START_EVENT ||
                e->type == YAML_MAPPING_START_EVENT;
    if (!replayed)
        keep(s, e);    /* a replayed event is in its anchor already, or behind an alias kept */
    if (node && !replayed)
        s->raw++;
    if (node && replayed && ++s->expanded - s->doc_start > EXPANDED_MAX + s->raw && !s->too_big) {
        s->too_big = true;
        s->deep_at = s->alias_at;
    }
    if (e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT) {
        if (++s->depth > YAML_READ_MAX_DEPTH && !s->too_deep) {
            s->too_deep = true;
            s->deep_at = replayed ? s->alias_at : e->start;
        }
    } else if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) {
        s->depth--;
    }
    return s->oom || s->too_deep || s->too_big ? NULL : e;
}

/* Replaces an alias by anchor i's events from now on. false when out of memory. */
static bool push_replay(source_t *s, size_t i)
{
    if (s->nreplay == s->replay_cap) {
        size_t cap = s->replay_cap ? s->replay_cap * 2 : 8;
        struct replay *r = realloc(s->replay, cap * sizeof *r);
        if (!r)
            return false;
        s->replay = r;
        s->replay_cap = cap;
    }
    s->replay[s->nreplay++] = (struct replay){ i, 0 };
    return true;
}

/* The next event, aliases replaced; NULL at the end of the stream, when out of memory or when
 * nested too deep. */
static const ev_t *next_event(source_t *s)
{
    for (;;) {
        if (s->nreplay > 0) {
            struct replay *r = &s->replay[s->nreplay - 1];
            const anchor_t *a = &s->anchors[r->anchor];
            if (r->at == a->n) {
                s->nreplay--;
                continue;
            }
            const ev_t *e = &a->evs[r->at++];
            if (e->type != YAML_ALIAS_EVENT)
                return deliver(s, e);
            if (!push_replay(s, e->length)) {
                s->oom = true;
                return NULL;
            }
            continue;
        }
        if (s->has_cur)
            yaml_event_delete(&s->cur);
        s->has_cur = false;
        if (!s->parser_ok || !yaml_parser_parse(&s->parser, &s->cur))
            return NULL;   /* the checks passed on this text: only memory can fail */
        s->has_cur = true;
        yaml_event_t *y = &s->cur;
        if (y->type == YAML_STREAM_END_EVENT)
            return NULL;
        if (y->type == YAML_ALIAS_EVENT) {
            /* The checks saw its anchor before it, finished. */
            const anchor_t *a = find_anchor(s, (const char *)y->data.alias.anchor);
            if (!a)
                continue;
            ev_t ref = { .type = YAML_ALIAS_EVENT, .start = y->start_mark, .end = y->end_mark,
                         .length = (size_t)(a - s->anchors) };
            keep(s, &ref);
            s->alias_at = y->start_mark;
            if (!push_replay(s, ref.length))
                s->oom = true;
            if (s->oom)
                return NULL;
            continue;
        }
        ev_t *v = &s->view;
        *v = (ev_t){ .type = y->type, .start = y->start_mark, .end = y->end_mark };
        const yaml_char_t *anchor = NULL;
        if (y->type == YAML_SCALAR_EVENT) {
            v->tag = (char *)y->data.scalar.tag;
            v->value = (char *)y->data.scalar.value;
            v->length = y->data.scalar.length;
            v->style = y->data.scalar.style;
            anchor = y->data.scalar.anchor;
        } else if (y->type == YAML_SEQUENCE_START_EVENT) {
            v->tag = (char *)y->data.sequence_start.tag;
            v->style = y->data.sequence_start.style;
            anchor = y->data.sequence_start.anchor;
        } else if (y->type == YAML_MAPPING_START_EVENT) {
            v->tag = (char *)y->data.mapping_start.tag;
            v->style = y->data.mapping_start.style;
            anchor = y->data.mapping_start.anchor;
        } else if (y->type != YAML_SEQUENCE_END_EVENT && y->type != YAML_MAPPING_END_EVENT) {
            continue;   /* stream and document marks: no node */
        }
        if (anchor && !open_anchor(s, anchor))
            s->oom = true;
        return deliver(s, v);
    }
}

/* ---- the tracker: the path of each node event ---- */

/* Called for each event; a node's start (or scalar) gets its path in tr->path, "" for a key. */
static void track(tracker_t *tr, const ev_t *e)
{
    frame_t *top = tr->depth > 0 ? &tr->frames[tr->depth - 1] : NULL;
    bool node = e->type == YAML_SCALAR_EVENT || e->type == YAML_SEQUENCE_START_EVENT ||
                e->type == YAML_MAPPING_START_EVENT;
    if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) {
        tr->depth--;
        top = tr->depth > 0 ? &tr->frames[tr->depth - 1] : NULL;
        if (top && top->mapping)
            top->want_key = !top->want_key;
        return;
    }
    if (!node)
        return;
    size_t base = top ? top->path_len : 0;
    bool is_key = top && top->mapping && top->want_key;
    tr->path[base] = '\0';
    if (is_key) {
        snprintf(top->key, sizeof top->key, "%s", e->type == YAML_SCALAR_EVENT ? e->value : "?");
    } else if (top) {
        snprintf(tr->path + base, PATH_CAP - base, "/%s", top->mapping ? top->key : "*");
    }
    size_t len = strlen(tr->path);
    if (e->type == YAML_SCALAR_EVENT) {
        if (top && top->mapping)
            top->want_key = !top->want_key;
        return;
    }
    /* A collection as a key has its own path: never one that is split. */
    if (is_key)
        snprintf(tr->path + base, PATH_CAP - base, "/?key");
    len = strlen(tr->path);
    tr->frames[tr->depth++] = (frame_t){ .mapping = e->type == YAML_MAPPING_START_EVENT, .want_key = true,
                                         .path_len = len };
}

/* ---- the builder ---- */

static void set_marks(yaml_document_t *doc, int id, const ev_t *e, bool start)
{
    yaml_node_t *n = yaml_document_get_node(doc, id);
    if (start)
        n->start_mark = e->start;
    n->end_mark = e->end;
}

/* A finished node goes into its parent (stack[depth-1]); keys wait in pending. */
typedef struct build {
    int ids[YAML_READ_MAX_DEPTH + 2];
    int pending_key[YAML_READ_MAX_DEPTH + 2];
    int depth;
} build_t;

static bool attach(yaml_document_t *doc, build_t *b, int id)
{
    if (b->depth == 0)
        return true;
    int parent = b->ids[b->depth - 1];
    yaml_node_t *p = yaml_document_get_node(doc, parent);
    if (p->type == YAML_SEQUENCE_NODE)
        return yaml_document_append_sequence_item(doc, parent, id) != 0;
    if (!b->pending_key[b->depth - 1]) {
        b->pending_key[b->depth - 1] = id;
        return true;
    }
    int key = b->pending_key[b->depth - 1];
    b->pending_key[b->depth - 1] = 0;
    return yaml_document_append_mapping_pair(doc, parent, key, id) != 0;
}

/* Adds e's node (a start or a scalar) to doc; its id, 0 when out of memory. */
static int add_node(yaml_document_t *doc, const ev_t *e)
{
    const yaml_char_t *tag = (const yaml_char_t *)e->tag;
    int id = e->type == YAML_SCALAR_EVENT
                 ? yaml_document_add_scalar(doc, tag, (const yaml_char_t *)e->value, (int)e->length,
                                            (yaml_scalar_style_t)e->style)
             : e->type == YAML_SEQUENCE_START_EVENT
                 ? yaml_document_add_sequence(doc, tag, (yaml_sequence_style_t)e->style)
                 : yaml_document_add_mapping(doc, tag, (yaml_mapping_style_t)e->style);
    if (id)
        set_marks(doc, id, e, true);
    return id;
}

/* Skips the rest of a collection whose start was just read (the tracker follows); *end: its
 * end event, valid until the next one is read. */
static bool skip_collection(source_t *src, tracker_t *tr, const ev_t **end)
{
    for (int depth = 1; depth > 0;) {
        const ev_t *e = next_event(src);
        if (!e)
            return false;
        *end = e;
        track(tr, e);
        depth += e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT ? 1
               : e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT     ? -1
                                                                                              : 0;
    }
    return true;
}

/* Builds into doc the node whose first event is first. With s (the skeleton), a split sequence
 * is added empty, its items skipped, and noted in s. false when out of memory. */
static bool build_node(source_t *src, tracker_t *tr, yaml_document_t *doc, const ev_t *first, yaml_stream_t *s)
{
    build_t *b = calloc(1, sizeof *b);
    if (!b)
        return false;
    bool ok = true;
    /* Events are the source's (a parser event is always in the same view): the first one was
     * tracked by the caller. */
    for (const ev_t *e = first; ok; e = next_event(src)) {
        if (!e) {
            ok = false;
            break;
        }
        if (e != first || b->depth > 0)
            track(tr, e);
        if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) {
            int id = b->ids[--b->depth];
            set_marks(doc, id, e, false);
            ok = attach(doc, b, id);
        } else {
            int id = add_node(doc, e);
            ok = id != 0;
            bool split = ok && s && e->type == YAML_SEQUENCE_START_EVENT && s->split(tr->path);
            if (split) {
                const ev_t *end = e;
                ok = skip_collection(src, tr, &end);
                if (ok)
                    set_marks(doc, id, end, false);
                if (ok && s->nsplit == s->split_cap) {
                    size_t cap = s->split_cap ? s->split_cap * 2 : 8;
                    int *ids = realloc(s->split_ids, cap * sizeof *ids);
                    ok = ids != NULL;
                    if (ok)
                        s->split_ids = ids, s->split_cap = cap;
                }
                if (ok) {
                    s->split_ids[s->nsplit++] = id;
                    ok = attach(doc, b, id);
                }
            } else if (ok && e->type != YAML_SCALAR_EVENT) {
                b->ids[b->depth] = id;
                b->pending_key[b->depth++] = 0;
            } else if (ok) {
                ok = attach(doc, b, id);
            }
        }
        if (b->depth == 0)
            break;
    }
    free(b);
    return ok;
}

/* Says why reading failed: nested too deep once aliases are expanded, else out of memory. */
static void say_failure(yaml_problem_fn problem, void *arg, const char *path, const source_t *src)
{
    char line[600];
    if (src->too_deep)
        snprintf(line, sizeof line, "%s:%zu:%zu: nested deeper than %d levels once aliases are expanded: refused",
                 path, src->deep_at.line + 1, src->deep_at.column + 1, YAML_READ_MAX_DEPTH);
    else if (src->too_big)
        snprintf(line, sizeof line, "%s:%zu:%zu: aliases expand to more than %ld nodes beyond the file's own: refused",
                 path, src->deep_at.line + 1, src->deep_at.column + 1, EXPANDED_MAX);
    else if (src->kept > YAML_READ_MAX_NODES)
        snprintf(line, sizeof line, "%s: anchors (&name) hold more than %ld nodes, nested ones counted again: refused",
                 path, YAML_READ_MAX_NODES);
    else
        snprintf(line, sizeof line, "%s: out of memory", path);
    problem(arg, line);
}

static bool new_document(yaml_document_t *doc)
{
    return yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1) != 0;
}

size_t yaml_read_skeleton(const char *path, const char *what, yaml_split_fn split, yaml_document_t *doc,
                          yaml_stream_t **stream, yaml_problem_fn problem, void *arg)
{
    size_t len = 0, problems = 0;
    char *buf = yaml_read_checked(path, what, &len, problem, arg, &problems);
    if (!buf)
        return problems;
    yaml_stream_t *s = calloc(1, sizeof *s);
    source_t src;
    tracker_t tr = { 0 };
    source_init(&src, buf, len);
    bool ok = s && src.parser_ok && new_document(doc);
    if (s && ok) {
        *s = (yaml_stream_t){ .path = path, .problem = problem, .arg = arg };
        s->buf = buf;
        s->len = len;
        s->split = split;
        s->skeleton = doc;
        const ev_t *e = next_event(&src);
        if (e) {
            track(&tr, e);
            ok = build_node(&src, &tr, doc, e, s);
        }
        ok = ok && !src.oom;
        if (!ok)
            yaml_document_delete(doc);
    }
    if (!ok)
        say_failure(problem, arg, path, &src);
    source_free(&src);
    if (!ok) {
        if (s)
            free(s->split_ids);
        free(s);
        free(buf);
        return 1;
    }
    *stream = s;
    return 0;
}

bool yaml_stream_is_split(const yaml_stream_t *s, const yaml_node_t *seq)
{
    for (size_t i = 0; s && i < s->nsplit; i++)
        if (yaml_document_get_node((yaml_document_t *)s->skeleton, s->split_ids[i]) == seq)
            return true;
    return false;
}

/* Moves the source to the start of split sequence k (from the file's start when it is behind). */
static bool seek_split(yaml_stream_t *s, size_t k)
{
    if (!s->started || s->next > k) {
        if (s->started)
            source_free(&s->src);
        source_init(&s->src, s->buf, s->len);
        memset(&s->tr, 0, sizeof s->tr);
        s->next = 0;
        s->started = true;
    }
    for (;;) {
        const ev_t *e = next_event(&s->src);
        if (!e)
            return false;
        track(&s->tr, e);
        if (e->type == YAML_SEQUENCE_START_EVENT && s->split(s->tr.path) && s->next++ == k)
            return true;
    }
}

int yaml_stream_items(yaml_stream_t *s, const yaml_node_t *seq, yaml_item_fn fn, void *arg)
{
    size_t k = 0;
    while (k < s->nsplit && yaml_document_get_node((yaml_document_t *)s->skeleton, s->split_ids[k]) != seq)
        k++;
    if (k == s->nsplit || !seek_split(s, k)) {
        say_failure(s->problem, s->arg, s->path, &s->src);
        return -1;
    }
    for (;;) {
        const ev_t *e = next_event(&s->src);
        if (!e) {
            say_failure(s->problem, s->arg, s->path, &s->src);
            return -1;
        }
        track(&s->tr, e);
        if (e->type == YAML_SEQUENCE_END_EVENT)
            return 0;
        yaml_document_t doc;
        if (!new_document(&doc))
            return -1;
        s->src.doc_start = s->src.expanded;
        bool ok = build_node(&s->src, &s->tr, &doc, e, NULL) && !s->src.oom;
        if (ok)
            fn(arg, &doc, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
        if (!ok) {
            say_failure(s->problem, s->arg, s->path, &s->src);
            return -1;
        }
    }
}

void yaml_stream_free(yaml_stream_t *s)
{
    if (!s)
        return;
    if (s->started)
        source_free(&s->src);
    free(s->split_ids);
    free((char *)s->buf);
    free(s);
}
