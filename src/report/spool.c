/* The spool: finished endpoints' report objects, serialised once into an anonymous temporary
 * file and parsed again one at a time when a whole-run format is written, so that memory
 * holds the endpoints in progress, not the whole inventory. Also the writers' scratch files. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A record is one endpoint, well under this; anything larger is not ours. */
#define SPOOL_MAX_RECORD ((size_t)256 << 20)

typedef struct spool_record {
    off_t offset;
    size_t length;             /* 0: never put */
} spool_record_t;

struct report_spool {
    pthread_mutex_t mu;        /* guards end, records, nrecords, cap */
    int fd;
    off_t end;                 /* where the next record goes */
    spool_record_t *records;
    size_t nrecords, cap;
};

/* An unlinked read-write file in $TMPDIR (else /tmp): O_TMPFILE never has a name; where the
 * file system lacks it, a mkstemp name is unlinked at once. -1 with errno. */
static int anonymous_fd(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/tlsprobe-spool.XXXXXX", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

FILE *report_scratch_file(void)
{
    int fd = anonymous_fd();
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

int report_scratch_copy(FILE *scratch, FILE *f)
{
    char buf[65536];
    size_t n;
    if (fflush(scratch) != 0 || fseeko(scratch, 0, SEEK_SET) != 0)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, scratch)) > 0)
        if (fwrite(buf, 1, n, f) != n)
            return -1;
    return ferror(scratch) ? -1 : 0;
}

report_spool_t *report_spool_open(void)
{
    report_spool_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = anonymous_fd();
    if (s->fd < 0) {
        int saved = errno;
        free(s);
        errno = saved;
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void report_spool_close(report_spool_t *s)
{
    if (!s)
        return;
    close(s->fd);
    pthread_mutex_destroy(&s->mu);
    free(s->records);
    free(s);
}

/* Room for record index. Under mu. 0 or -1. */
static int reserve(report_spool_t *s, size_t index)
{
    if (index < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap <= index)
        cap *= 2;
    spool_record_t *r = realloc(s->records, cap * sizeof *r);
    if (!r)
        return -1;
    memset(r + s->cap, 0, (cap - s->cap) * sizeof *r);
    s->records = r;
    s->cap = cap;
    return 0;
}

static int write_all(int fd, const char *p, size_t len, off_t at)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
        at += w;
    }
    return 0;
}

int report_spool_put(report_spool_t *s, size_t index, json_object *o)
{
    size_t len;
    /* Serialised outside the lock: o is the caller's alone. */
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (!text || len == 0 || len > SPOOL_MAX_RECORD)
        return -1;
    pthread_mutex_lock(&s->mu);
    int ok = reserve(s, index) == 0 && s->records[index].length == 0;
    off_t at = s->end;
    if (ok)
        s->end += (off_t)len;
    pthread_mutex_unlock(&s->mu);
    /* Each put writes its own reserved range, so writers need not wait for each other. */
    if (!ok || write_all(s->fd, text, len, at) != 0)
        return -1;
    pthread_mutex_lock(&s->mu);
    s->records[index] = (spool_record_t){ .offset = at, .length = len };
    if (index >= s->nrecords)
        s->nrecords = index + 1;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

size_t report_spool_count(const report_spool_t *s)
{
    return s->nrecords;
}

/* Parses exactly len bytes as one JSON value. */
static json_object *parse_record(const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    if (!tok)
        return NULL;
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    if (o && (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len)) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

json_object *report_spool_get(report_spool_t *s, size_t index)
{
    if (index >= s->nrecords || s->records[index].length == 0)
        return NULL;
    spool_record_t r = s->records[index];
    char *buf = malloc(r.length);
    json_object *o = NULL;
    size_t got = 0;
    while (buf && got < r.length) {
        ssize_t n = pread(s->fd, buf + got, r.length - got, r.offset + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (buf && got == r.length)
        o = parse_record(buf, r.length);
    free(buf);
    return o;
}

int report_write_spool(const report_writer_t *w, FILE *f, json_object *head, report_spool_t *s,
                       const options_t *opts)
{
    if (w->begin(f, head, opts) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < report_spool_count(s); i++) {
        if (s->records[i].length == 0)
            continue;  /* never put: an endpoint that did not finish */
        json_object *e = report_spool_get(s, i);
        rc = e ? w->endpoint(f, e, opts) : -1;
        json_object_put(e);
    }
    return w->end(f, head, opts) != 0 || rc != 0 ? -1 : 0;
}
