/* Shared pieces of the libyaml document readers: the bounded read of a file (its events are
 * checked before libyaml builds the document), scalar access and messages. */
#include "yaml_read.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_echo.h"

/* The event pass's state. Node counts include what aliases repeat. */
typedef struct level {
    bool mapping, want_key;   /* a mapping whose next scalar is a key */
    char key[48];             /* the mapping's current key, cut */
    char *anchor;             /* the anchor this collection defines, or NULL */
    long start;               /* the node count at its start */
} level_t;

typedef struct anchor {
    char *name;
    long size;
} anchor_t;

typedef struct pass {
    const char *path, *what;
    yaml_problem_fn problem;
    void *arg;
    size_t problems;
    level_t levels[YAML_READ_MAX_DEPTH + 1];
    int depth;                /* levels in use; levels[0] stands for the stream */
    long nodes;
    anchor_t anchors[YAML_READ_MAX_ANCHORS];
    size_t nanchors;
    long naliases;
    int documents;
} pass_t;

static void say(pass_t *p, const yaml_mark_t *m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(pass_t *p, const yaml_mark_t *m, const char *fmt, ...)
{
    char what[600], line[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (m)
        snprintf(line, sizeof line, "%s:%zu:%zu: %s", p->path, m->line + 1, m->column + 1, what);
    else
        snprintf(line, sizeof line, "%s: %s", p->path, what);
    p->problem(p->arg, line);
    p->problems++;
}

/* libyaml's message at its mark; a reader error (bad UTF-8, a control character) has only a
 * byte offset, turned into LINE:COLUMN here from buf. */
static void syntax_error(pass_t *p, const yaml_parser_t *parser, const char *buf, size_t len)
{
    yaml_mark_t m = parser->problem_mark;
    if (parser->error == YAML_READER_ERROR && parser->problem_offset <= len) {
        m = (yaml_mark_t){ 0 };
        for (size_t i = 0; i < parser->problem_offset; i++, m.column++)
            if (buf[i] == '\n')
                m.line++, m.column = (size_t)-1;
        say(p, &m, "not YAML text: %s (0x%02X)", parser->problem ? parser->problem : "unknown problem",
            (unsigned)parser->problem_value & 0xFFu);
        return;
    }
    say(p, &m, "YAML syntax error: %s%s%s", parser->problem ? parser->problem : "unknown problem",
        parser->context ? " " : "", parser->context ? parser->context : "");
}

/* The whole file, at most YAML_READ_MAX_BYTES; NULL after saying why. */
static char *read_all(pass_t *p, size_t *len)
{
    FILE *f = fopen(p->path, "rb");
    if (!f) {
        say(p, NULL, "cannot open %s: %s", p->what, strerror(errno));
        return NULL;
    }
    size_t cap = 0, n = 0;
    char *buf = NULL;
    int err = 0;
    while (n <= (size_t)YAML_READ_MAX_BYTES) {
        if (n == cap) {
            char *more = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!more) {
                err = ENOMEM;
                break;
            }
            buf = more;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            err = ferror(f) ? errno : 0;
            break;
        }
    }
    fclose(f);
    if (err)
        say(p, NULL, "cannot read %s: %s", p->what, strerror(err));
    else if (n > (size_t)YAML_READ_MAX_BYTES)
        say(p, NULL, "%s larger than %ld MiB: not read", p->what, YAML_READ_MAX_BYTES >> 20);
    if (err || n > (size_t)YAML_READ_MAX_BYTES) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The field a scalar at the top of the stack belongs to: the nearest mapping's key. */
static const char *field_of(const pass_t *p)
{
    for (int i = p->depth - 1; i > 0; i--)
        if (p->levels[i].mapping)
            return p->levels[i].key[0] ? p->levels[i].key : NULL;
    return NULL;
}

static void check_scalar(pass_t *p, const yaml_event_t *e)
{
    const char *v = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    long cp = text_first_control(v, n, 0);
    level_t *top = &p->levels[p->depth - 1];
    bool is_key = top->mapping && top->want_key;
    char echo[TEXT_ECHO_SIZE];
    if (cp >= 0) {
        char field[80] = "";
        const char *name = is_key ? NULL : field_of(p);
        if (name)
            snprintf(field, sizeof field, "field '%s': ", name);
        if (cp == 0)
            say(p, &e->start_mark, "%s'%s' holds a NUL byte (\\0): a string would end there, so it is refused",
                field, text_echo_n(echo, v, n));
        else
            say(p, &e->start_mark, cp < 0x80 ? "%s'%s' holds a control character (0x%02lX): refused"
                                             : "%s'%s' holds a control character (U+%04lX): refused",
                field, text_echo_n(echo, v, n), cp);
    }
    if (is_key)
        snprintf(top->key, sizeof top->key, "%s", cp >= 0 ? text_echo_n(echo, v, n) : v);
}

/* A node (scalar, alias or collection start) of count nodes fills its mapping's key or value. */
static void took_node(pass_t *p, long count)
{
    level_t *top = &p->levels[p->depth - 1];
    if (top->mapping)
        top->want_key = !top->want_key;
    p->nodes += count;
}

static long anchor_size(const pass_t *p, const char *name)
{
    for (size_t i = p->nanchors; i-- > 0;)
        if (strcmp(p->anchors[i].name, name) == 0)
            return p->anchors[i].size;
    return -1;
}

/* The anchor of a node that ends here (size nodes), for the aliases after it. name is owned
 * (NULL: none); false when there are too many. */
static bool add_anchor(pass_t *p, const yaml_event_t *e, char *name, long size)
{
    if (!name)
        return true;
    if (p->nanchors == YAML_READ_MAX_ANCHORS) {
        free(name);
        say(p, &e->start_mark, "more than %d anchors (&name): refused", YAML_READ_MAX_ANCHORS);
        return false;
    }
    p->anchors[p->nanchors++] = (anchor_t){ name, size };
    return true;
}

static char *dup_anchor(const yaml_char_t *anchor)
{
    return anchor ? strdup((const char *)anchor) : NULL;
}

static bool start_collection(pass_t *p, const yaml_event_t *e, bool mapping, const yaml_char_t *anchor)
{
    took_node(p, 1);
    if (p->depth > YAML_READ_MAX_DEPTH) {
        say(p, &e->start_mark, "nested deeper than %d levels: refused", YAML_READ_MAX_DEPTH);
        return false;
    }
    p->levels[p->depth++] = (level_t){ .mapping = mapping, .want_key = true, .anchor = dup_anchor(anchor),
                                       .start = p->nodes - 1 };
    return true;
}

/* One event; false: stop reading. */
static bool on_event(pass_t *p, const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++p->documents > 1) {
            say(p, &e->start_mark, "a second YAML document (---): one document per %s", p->what);
            return false;
        }
        return true;
    case YAML_SEQUENCE_START_EVENT:
        return start_collection(p, e, false, e->data.sequence_start.anchor);
    case YAML_MAPPING_START_EVENT:
        return start_collection(p, e, true, e->data.mapping_start.anchor);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        level_t *l = &p->levels[--p->depth];
        return add_anchor(p, e, l->anchor, p->nodes - l->start);
    }
    case YAML_SCALAR_EVENT:
        check_scalar(p, e);
        took_node(p, 1);
        return add_anchor(p, e, dup_anchor(e->data.scalar.anchor), 1);
    case YAML_ALIAS_EVENT: {
        if (++p->naliases > YAML_READ_MAX_ALIASES) {
            say(p, &e->start_mark, "more than %ld aliases (*name): refused", YAML_READ_MAX_ALIASES);
            return false;
        }
        long size = anchor_size(p, (const char *)e->data.alias.anchor);
        if (size < 0) {
            say(p, &e->start_mark, "alias '*%s' names no anchor before it", (const char *)e->data.alias.anchor);
            return false;
        }
        took_node(p, size);
        return true;
    }
    default:
        return true;
    }
}

/* The event pass over buf, saying every problem. */
static void check_events(pass_t *p, const char *buf, size_t len)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        say(p, NULL, "out of memory");
        return;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    p->depth = 1;
    for (bool more = true; more;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            syntax_error(p, &parser, buf, len);
            break;
        }
        more = e.type != YAML_STREAM_END_EVENT && on_event(p, &e);
        if (more && p->nodes > YAML_READ_MAX_NODES) {
            say(p, &e.start_mark, "more than %ld nodes (an alias counts what it repeats): refused",
                YAML_READ_MAX_NODES);
            more = false;
        }
        yaml_event_delete(&e);
    }
    while (p->depth > 1)
        free(p->levels[--p->depth].anchor);
    for (size_t i = 0; i < p->nanchors; i++)
        free(p->anchors[i].name);
    yaml_parser_delete(&parser);
}

char *yaml_read_checked(const char *path, const char *what, size_t *len, yaml_problem_fn problem, void *arg,
                        size_t *problems)
{
    pass_t *p = calloc(1, sizeof *p);
    if (!p) {
        char line[600];
        snprintf(line, sizeof line, "%s: out of memory", path);
        problem(arg, line);
        *problems = 1;
        return NULL;
    }
    *p = (pass_t){ .path = path, .what = what, .problem = problem, .arg = arg };
    char *buf = read_all(p, len);
    if (buf)
        check_events(p, buf, *len);
    *problems = p->problems;
    free(p);
    if (*problems) {
        free(buf);
        return NULL;
    }
    return buf;
}

size_t yaml_read_file(const char *path, const char *what, yaml_document_t *doc, yaml_problem_fn problem, void *arg)
{
    size_t len = 0, problems = 0;
    char *buf = yaml_read_checked(path, what, &len, problem, arg, &problems);
    if (!buf)
        return problems;
    pass_t p = { .path = path, .what = what, .problem = problem, .arg = arg };
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        say(&p, NULL, "out of memory");
    } else {
        yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
        if (!yaml_parser_load(&parser, doc))
            syntax_error(&p, &parser, buf, len);
        yaml_parser_delete(&parser);
    }
    free(buf);
    return p.problems;
}

const char *yaml_scalar(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE || strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
        return NULL;
    return (const char *)n->data.scalar.value;
}

int yaml_fail_at(char *err, size_t errlen, const char *path, const yaml_node_t *n, const char *field,
                 const char *fmt, va_list ap)
{
    char what[600], echo[TEXT_ECHO_SIZE];
    vsnprintf(what, sizeof what, fmt, ap);
    if (field)
        snprintf(err, errlen, "%s:%zu:%zu: field '%s': %s", path, n->start_mark.line + 1,
                 n->start_mark.column + 1, text_echo(echo, field), what);
    else
        snprintf(err, errlen, "%s:%zu:%zu: %s", path, n->start_mark.line + 1, n->start_mark.column + 1, what);
    return -1;
}
