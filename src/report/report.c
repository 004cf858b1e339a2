/* Builds the report's parts (the endpoint objects, the summary tally, the head); lists the
 * writers (one per format) and drives the chosen one over a whole document. */
#include "report.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "report_overview.h"
#include "version.h"

static const char *status_name(endpoint_status_t s)
{
    switch (s) {
    case ENDPOINT_OK: return "ok";
    case ENDPOINT_UNRESOLVED: return "unresolved";
    case ENDPOINT_UNREACHABLE: return "unreachable";
    case ENDPOINT_ERROR: return "error";
    }
    return "error";
}

static json_object *iso_time(time_t t)
{
    char buf[32];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_object_new_string(buf);
}

static json_object *string_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

const char *report_endpoint_result(endpoint_t *ep)
{
    /* Scoring decides; an endpoint it never saw is an error. */
    return ep->result ? ep->result : "ERROR";
}

/* Probes finish in an order that depends on timing; reports list facts in registry order so
 * that two runs over the same servers diff clean. */
static json_object *facts_in_registry_order(json_object *facts)
{
    json_object *ordered = json_object_new_object(), *v;
    for (size_t i = 0; i < probe_registry_count; i++)
        if (json_object_object_get_ex(facts, probe_registry[i]->name, &v))
            json_object_object_add(ordered, probe_registry[i]->name, json_object_get(v));
    return ordered;
}

json_object *report_endpoint(endpoint_t *ep)
{
    const target_t *t = ep->target;
    json_object *o = json_object_new_object();
    char id[1024];
    target_identity(t, id, sizeof id);
    json_object_object_add(o, "id", json_object_new_string(id));
    json_object_object_add(o, "index", json_object_new_int64((int64_t)t->index));
    json_object_object_add(o, "target", json_object_new_string(t->spec));
    json_object_object_add(o, "host", json_object_new_string(t->host));
    json_object_object_add(o, "port", json_object_new_int(t->port));
    json_object_object_add(o, "sni", string_or_null(ep->sni));
    json_object_object_add(o, "address", ep->addrlen ? json_object_new_string(ep->addr_str) : NULL);
    json_object *addrs = json_object_new_array();
    for (size_t i = 0; i < ep->nall_addrs; i++)
        json_object_array_add(addrs, json_object_new_string(ep->all_addrs[i]));
    json_object_object_add(o, "addresses", addrs);
    json_object_object_add(o, "service", t->service ? json_object_new_string(t->service->scheme) : NULL);
    json_object_object_add(o, "starttls", json_object_new_boolean(t->service && t->service->starttls));
    json_object_object_add(o, "origin", json_object_new_string(t->origin ? t->origin : "command line"));
    json_object *tags = json_object_new_array();
    for (size_t i = 0; i < t->ntags; i++)
        json_object_array_add(tags, json_object_new_string(t->tags[i]));
    json_object_object_add(o, "tags", tags);
    json_object_object_add(o, "status", json_object_new_string(status_name(ep->status)));
    json_object_object_add(o, "error", ep->status == ENDPOINT_OK ? NULL : json_object_new_string(ep->error));
    json_object_object_add(o, "connections", json_object_new_int(atomic_load(&ep->connections)));
    long ms = ep->finished > ep->started ? (long)((ep->finished - ep->started) * 1000.0 + 0.5) : 0;
    json_object_object_add(o, "duration_ms", json_object_new_int64(ms));
    json_object_object_add(o, "facts", facts_in_registry_order(ep->facts));
    json_object_object_add(o, "verdicts", json_object_get(ep->verdicts));
    json_object_object_add(o, "warnings", ep->warnings ? json_object_get(ep->warnings) : json_object_new_array());
    json_object_object_add(o, "grade", json_object_get(ep->grade));
    if (ep->profile)
        json_object_object_add(o, "profile", json_object_get(ep->profile));
    json_object_object_add(o, "result", json_object_new_string(report_endpoint_result(ep)));
    return o;
}

void report_tally_add(report_tally_t *t, json_object *endpoint)
{
    json_object *v;
    const char *status = json_object_object_get_ex(endpoint, "status", &v) ? json_object_get_string(v) : NULL;
    const char *r = json_object_object_get_ex(endpoint, "result", &v) ? json_object_get_string(v) : NULL;
    t->endpoints++;
    t->reachable += status && strcmp(status, "ok") == 0;
    /* An endpoint without a result is an error, as report_endpoint_result says. */
    t->passed += r && strcmp(r, "PASS") == 0;
    t->failed += r && strcmp(r, "FAIL") == 0;
    t->errors += !r || strcmp(r, "ERROR") == 0;
    report_overview_add(&t->overview, endpoint);
    t->warned += json_object_object_get_ex(endpoint, "warnings", &v) && json_object_is_type(v, json_type_array) &&
                 json_object_array_length(v) > 0;
}

json_object *report_tally_json(const report_tally_t *t, int exit_status)
{
    json_object *sum = json_object_new_object();
    json_object_object_add(sum, "endpoints", json_object_new_int(t->endpoints));
    json_object_object_add(sum, "reachable", json_object_new_int(t->reachable));
    json_object_object_add(sum, "unreachable", json_object_new_int(t->endpoints - t->reachable));
    json_object_object_add(sum, "passed", json_object_new_int(t->passed));
    json_object_object_add(sum, "failed", json_object_new_int(t->failed));
    json_object_object_add(sum, "errors", json_object_new_int(t->errors));
    json_object_object_add(sum, "warnings", json_object_new_int(t->warned));
    json_object_object_add(sum, "not_probed", json_object_new_int64((int64_t)t->not_probed));
    json_object_object_add(sum, "exit_status", json_object_new_int(exit_status));
    json_object *ov = report_overview_json(&t->overview);
    if (ov)
        json_object_object_add(sum, "overview", ov);
    return sum;
}

void report_tally_free(report_tally_t *t)
{
    report_overview_free(&t->overview);
}

json_object *report_head(const run_info_t *run, json_object *summary)
{
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "schema", json_object_new_string(REPORT_SCHEMA));
    json_object_object_add(doc, "schema_version", json_object_new_string(REPORT_SCHEMA_VERSION));
    json_object *tool = json_object_new_object();
    json_object_object_add(tool, "name", json_object_new_string("tlsprobe"));
    json_object_object_add(tool, "version", json_object_new_string(TLSPROBE_VERSION));
    json_object_object_add(doc, "tool", tool);
    json_object_object_add(doc, "started_at", iso_time(run->started_at));
    json_object_object_add(doc, "targets", json_object_new_int64((int64_t)run->targets));
    json_object_object_add(doc, "finished_at", iso_time(run->finished_at));
    json_object_object_add(doc, "incomplete", json_object_new_boolean(run->incomplete));
    json_object_object_add(doc, "summary", summary);
    return doc;
}

int report_write_document(const report_writer_t *w, FILE *f, json_object *doc, const options_t *opts)
{
    json_object *head = json_object_new_object(), *list = NULL;
    json_object_object_foreach(doc, key, val) {
        if (strcmp(key, "endpoints") == 0)
            list = val;
        else
            json_object_object_add(head, key, json_object_get(val));
    }
    int rc = w->begin(f, head, opts);
    if (rc == 0) {
        for (size_t i = 0; rc == 0 && list && i < json_object_array_length(list); i++)
            rc = w->endpoint(f, json_object_array_get_idx(list, i), opts);
        rc |= w->end(f, head, opts);
    }
    json_object_put(head);
    return rc != 0 ? -1 : 0;
}

/* The formats, in --help order; the first is the default. A format is its own report_<name>.c
 * exporting report_writer_<name>, plus one line here. */
#define REPORT_WRITERS(X) \
    X(text)               \
    X(json)               \
    X(jsonl)              \
    X(csv)                \
    X(junit)              \
    X(html)               \
    X(prometheus)         \
    /* a new format: one X(name) line above this one */

#define DECLARE_WRITER(name) extern const report_writer_t report_writer_##name;
REPORT_WRITERS(DECLARE_WRITER)
#define LIST_WRITER(name) &report_writer_##name,
const report_writer_t *const report_writers[] = { REPORT_WRITERS(LIST_WRITER) };
const size_t report_writer_count = sizeof report_writers / sizeof *report_writers;

const report_writer_t *report_writer_by_name(const char *name)
{
    for (size_t i = 0; i < report_writer_count; i++)
        if (strcmp(report_writers[i]->name, name) == 0)
            return report_writers[i];
    return NULL;
}

static char writer_names[256];

static void build_writer_names(void)
{
    size_t used = 0;
    for (size_t i = 0; i < report_writer_count && used < sizeof writer_names; i++)
        used += (size_t)snprintf(writer_names + used, sizeof writer_names - used, "%s%s", i ? ", " : "",
                                 report_writers[i]->name);
}

const char *report_writer_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_writer_names);
    return writer_names;
}

int report_output(const options_t *opts, file_writer_fn write, void *arg, char *err, size_t errlen)
{
    if (opts->output_path)
        return atomic_write_file(opts->output_path, write, arg, err, errlen);
    if (write(stdout, arg) != 0 || fflush(stdout) != 0) {
        snprintf(err, errlen, "cannot write the report to standard output");
        return -1;
    }
    return 0;
}

typedef struct emit_args {
    json_object *doc;
    const options_t *opts;
} emit_args_t;

static int write_format(FILE *f, void *arg)
{
    emit_args_t *a = arg;
    const report_writer_t *w = report_writer_by_name(a->opts->format);
    return w ? report_write_document(w, f, a->doc, a->opts) : -1;
}

int report_emit(json_object *doc, const options_t *opts, char *err, size_t errlen)
{
    emit_args_t args = { doc, opts };
    return report_output(opts, write_format, &args, err, errlen);
}
