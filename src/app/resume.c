/* --resume: reads an earlier run's JSONL back with json-c, line by line and bounded, so that a
 * sweep interrupted by a signal, a crash or a reboot goes on where it stopped. */
#include "resume.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "json_read.h"
#include "report.h"

/* The reading state: the file, the line in hand and where it started. */
typedef struct line_reader {
    FILE *f;
    char *buf;
    size_t len, cap;
    long long start;        /* offset of the line in the file */
    unsigned long number;   /* 1-based */
    bool terminated;        /* ended with a newline (a whole write) */
} line_reader_t;

/* The next line into lr->buf (newline stripped). 1, 0 at the end, -1 too long or unreadable. */
static int next_line(line_reader_t *lr)
{
    lr->start = ftello(lr->f);
    lr->len = 0;
    lr->terminated = false;
    for (;;) {
        if (lr->cap - lr->len < 2) {
            size_t cap = lr->cap ? lr->cap * 2 : 65536;
            char *b = lr->len < RESUME_MAX_LINE ? realloc(lr->buf, cap) : NULL;
            if (!b)
                return -1;
            lr->buf = b;
            lr->cap = cap;
        }
        if (!fgets(lr->buf + lr->len, (int)(lr->cap - lr->len), lr->f))
            break;
        lr->len += strlen(lr->buf + lr->len);
        if (lr->len > 0 && lr->buf[lr->len - 1] == '\n') {
            lr->buf[--lr->len] = '\0';
            lr->terminated = true;
            break;
        }
    }
    if (ferror(lr->f))
        return -1;
    lr->number += lr->len > 0 || lr->terminated;
    return lr->len > 0 || lr->terminated;
}

/* The line as a JSON object, or NULL with why. */
static json_object *parse_line(const line_reader_t *lr, char *why, size_t whylen)
{
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    json_object *o = json_tokener_parse_ex(tok, lr->buf, (int)lr->len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    if (e == json_tokener_continue)
        snprintf(why, whylen, "not JSON: the line ends inside a value");
    else if (e != json_tokener_success)
        snprintf(why, whylen, "not JSON: %s", json_tokener_error_desc(e));
    else if (json_tokener_get_parse_end(tok) != lr->len)
        snprintf(why, whylen, "not JSON: text after the value");
    else if (!json_object_is_type(o, json_type_object) || !jr_str(o, "type"))
        snprintf(why, whylen, "not a tlsprobe JSONL line (an object with \"type\")");
    else
        why[0] = '\0';
    json_tokener_free(tok);
    if (why[0] || e != json_tokener_success) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* Counts one kept endpoint line; "" or why it cannot be kept. */
static const char *keep_endpoint(resume_t *r, json_object *o)
{
    const char *id = jr_str(o, "id"), *result = jr_str(o, "result"), *status = jr_str(o, "status");
    if (!id)
        return "endpoint: no \"id\" (written before schema 2.1?)";
    if (!result || !status)
        return "endpoint: no \"result\" or \"status\"";
    json_object *n;
    int64_t count = json_object_object_get_ex(r->ids, id, &n) ? json_object_get_int64(n) : 0;
    json_object_object_add(r->ids, id, json_object_new_int64(count + 1));
    report_tally_add(&r->tally, o);
    return "";
}

/* One whole line: its place and type must fit. "" or why not. */
static const char *take_line(resume_t *r, const line_reader_t *lr, json_object *o, bool *summary_seen)
{
    const char *type = jr_str(o, "type");
    if (*summary_seen)
        return "a line after the summary line";
    if (strcmp(type, "run") == 0) {
        if (lr->number != 1)
            return "a run line that is not the first line";
        if (!jr_eq(jr_str(o, "schema"), "tlsprobe-report") || !jr_str(o, "schema_version") ||
            strncmp(jr_str(o, "schema_version"), "2.", 2) != 0)
            return "run: not a tlsprobe-report 2.x JSONL report";
        r->has_run_line = true;
        r->keep = lr->start + (long long)lr->len + 1;
        return "";
    }
    if (!r->has_run_line)
        return "the first line is not the run line";
    if (strcmp(type, "summary") == 0) {
        *summary_seen = true; /* dropped: the resumed run writes the summary of everything */
        return "";
    }
    if (strcmp(type, "endpoint") != 0)
        return "unknown line type";
    const char *why = keep_endpoint(r, o);
    if (!why[0])
        r->keep = lr->start + (long long)lr->len + 1;
    return why;
}

static int read_all(resume_t *r, line_reader_t *lr, char *err, size_t errlen)
{
    bool summary_seen = false;
    int more;
    while ((more = next_line(lr)) == 1) {
        char why[160];
        json_object *o = parse_line(lr, why, sizeof why);
        /* Only the last line can be a write cut short: what follows it decides. */
        if (!o || !lr->terminated) {
            unsigned long number = lr->number;
            bool cut = !lr->terminated;
            int after = next_line(lr);
            json_object_put(o);
            if (after != 0) {
                snprintf(err, errlen, "%s:%lu: %s", r->path, number, why);
                return -1;
            }
            fprintf(stderr, "tlsprobe: warning: %s:%lu: last line %s (a run killed while writing it?): "
                            "dropped\n", r->path, number, cut ? "cut short" : why);
            return 0;
        }
        const char *bad = take_line(r, lr, o, &summary_seen);
        json_object_put(o);
        if (bad[0]) {
            snprintf(err, errlen, "%s:%lu: %s", r->path, lr->number, bad);
            return -1;
        }
    }
    if (more < 0) {
        snprintf(err, errlen, "%s:%lu: %s", r->path, lr->number + 1,
                 ferror(lr->f) ? "unreadable" : "line longer than 16 MiB");
        return -1;
    }
    return 0;
}

int resume_load(const char *path, resume_t *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->ids = json_object_new_object();
    r->fd = -1;
    if (access(path, R_OK | W_OK) != 0) {
        snprintf(err, errlen, "--resume: %s: cannot read and write: %s", path, strerror(errno));
        return -1;
    }
    char why[512];
    if ((r->fd = report_open_locked(path, why, sizeof why)) < 0) {
        snprintf(err, errlen, "--resume: %s", why);
        return -1;
    }
    /* A second description would have its own lock: read through a duplicate of this one. */
    int rfd = dup(r->fd);
    line_reader_t lr = { .f = rfd >= 0 ? fdopen(rfd, "r") : NULL };
    if (!lr.f) {
        snprintf(err, errlen, "--resume: %s: cannot read: %s", path, strerror(errno));
        if (rfd >= 0)
            close(rfd);
        return -1;
    }
    int rc = read_all(r, &lr, err, errlen);
    fclose(lr.f);
    free(lr.buf);
    r->exit_status = r->tally.errors ? 3 : r->tally.failed ? 1 : 0;
    return rc;
}

/* id as a JSONL file holds it: each byte that is not UTF-8 became U+FFFD (escape_json_text). */
static void as_written(const char *id, char *out, size_t outlen)
{
    size_t o = 0;
    char form[ESCAPE_FORM_MAX];
    unsigned cp;
    bool utf8;
    for (size_t n; *id && o + 4 < outlen; id += n) {
        n = escape_unit(id, form, &cp, &utf8);
        memcpy(out + o, utf8 ? id : "\xEF\xBF\xBD", utf8 ? n : 3);
        o += utf8 ? n : 3;
    }
    out[o] = '\0';
}

size_t resume_skip_done(resume_t *r, target_list_t *targets)
{
    size_t kept = 0, dropped = 0;
    char raw[1024], id[4 * sizeof raw];
    for (size_t i = 0; i < targets->count; i++) {
        target_t *t = &targets->items[i];
        target_identity(t, raw, sizeof raw);
        as_written(raw, id, sizeof id);
        json_object *n;
        int64_t left = json_object_object_get_ex(r->ids, id, &n) ? json_object_get_int64(n) : 0;
        if (left > 0) {
            /* Done before: as many targets with this id are skipped as the file holds lines. */
            json_object_set_int64(n, left - 1);
            target_free(t);
            dropped++;
            continue;
        }
        targets->items[kept++] = *t;
    }
    targets->count = kept;
    return dropped;
}

FILE *resume_open(resume_t *r, char *err, size_t errlen)
{
    off_t keep = r->has_run_line ? (off_t)r->keep : 0;
    if (ftruncate(r->fd, keep) != 0 || lseek(r->fd, keep, SEEK_SET) < 0) {
        snprintf(err, errlen, "%s: cannot cut the old summary off: %s", r->path, strerror(errno));
        return NULL;
    }
    /* The stream takes the descriptor, and with it the lock, until the sweep closes it. */
    FILE *f = fdopen(r->fd, "w");
    if (!f)
        snprintf(err, errlen, "%s: cannot write: %s", r->path, strerror(errno));
    else
        r->fd = -1;
    return f;
}

int resume_combine_status(const resume_t *r, int status)
{
    return status == 3 || r->exit_status == 3 ? 3 : status == 1 || r->exit_status == 1 ? 1 : 0;
}

void resume_free(resume_t *r)
{
    json_object_put(r->ids);
    r->ids = NULL;
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    report_tally_free(&r->tally);
}
