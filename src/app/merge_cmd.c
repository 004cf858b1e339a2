/* `tlsprobe merge [--format json|jsonl] [-o OUT] A B ...`: shard or partial reports (JSON or
 * JSONL, mixed) joined into one report, as one run over the whole inventory would have written
 * it: endpoints matched by id, in index order, the summary counted again. */
#include "merge_cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "escape.h"
#include "output_check.h"
#include "json_read.h"
#include "report.h"

static const char merge_usage[] =
    "usage: tlsprobe merge [--format json|jsonl] [-o FILE] REPORT...\n"
    "  REPORT: reports (--format json or jsonl) of parts of one inventory. Exit 0 written, 2 bad input.\n";

/* The summary a run writes, counted again from the endpoint objects with the run's own tally;
 * *exit_status as main computes it. */
static json_object *summary_of(json_object *endpoints, run_info_t *run)
{
    report_tally_t t = { .not_probed = run->not_probed };
    for (size_t i = 0; i < json_object_array_length(endpoints); i++)
        report_tally_add(&t, json_object_array_get_idx(endpoints, i));
    run->exit_status = t.errors || run->incomplete ? EXIT_UNREACHABLE : t.failed ? EXIT_REQUIREMENT_FAILED : EXIT_PASSED;
    json_object *sum = report_tally_json(&t, run->exit_status);
    report_tally_free(&t);
    return sum;
}

/* A report time ("2026-11-23T05:00:00Z") as time_t; false when it is not one. */
static bool parse_time(const char *s, time_t *t)
{
    struct tm tm = { 0 };
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    if (!end || *end)
        return false;
    *t = timegm(&tm);
    return true;
}

/* Earliest started_at and latest finished_at of the inputs (a JSONL file cut before its
 * summary line has no finished_at: its started_at stands in). 0, or -1 with err. */
static int run_times(const report_file_t *in, const char *const *paths, size_t n, run_info_t *run, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = jr_str(in[i].head, "started_at"), *f = jr_str(in[i].head, "finished_at");
        time_t st, ft;
        if (!parse_time(s, &st) || (jr_has(in[i].head, "finished_at") && !parse_time(f, &ft))) {
            snprintf(err, errlen, "%s: started_at or finished_at is not a time like 2026-11-23T05:00:00Z", paths[i]);
            return -1;
        }
        if (!f)
            ft = st;
        if (i == 0 || st < run->started_at)
            run->started_at = st;
        if (i == 0 || ft > run->finished_at)
            run->finished_at = ft;
    }
    return 0;
}

static int cmp_endpoints(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    int64_t i = json_object_get_int64(jr_at(x, "index")), j = json_object_get_int64(jr_at(y, "index"));
    return i != j ? (i > j) - (i < j) : strcmp(jr_str(x, "id"), jr_str(y, "id"));
}

/* Every input's endpoints by id, the later kept; each has an id and an index (2.1). The map
 * (a json-c object: a hash table) is returned; NULL with err. */
static json_object *collect(const report_file_t *in, const char *const *paths, size_t n, char *err, size_t errlen)
{
    json_object *map = json_object_new_object(), *from = json_object_new_object();
    for (size_t i = 0; map && i < n; i++)
        for (size_t j = 0; j < json_object_array_length(in[i].endpoints); j++) {
            json_object *ep = json_object_array_get_idx(in[i].endpoints, j);
            const char *id = jr_str(ep, "id");
            if (!id || !jr_is(ep, "index", json_type_int)) {
                snprintf(err, errlen, "%s: endpoint %zu has no id or index (merge needs schema 2.1 reports)",
                         paths[i], j + 1);
                json_object_put(map);
                map = NULL;
                break;
            }
            if (jr_at(map, id)) {
                /* The id is the report's: shown in its text form (escape.h). */
                char msg[2048];
                snprintf(msg, sizeof msg, "tlsprobe: merge: warning: %s is in %s and %s: keeping %s's", id,
                         jr_str(from, id), paths[i], paths[i]);
                escape_text(stderr, msg);
                fputc('\n', stderr);
            }
            json_object_object_add(map, id, json_object_get(ep));
            json_object_object_add(from, id, json_object_new_string(paths[i]));
        }
    json_object_put(from);
    return map;
}

/* The map's endpoints in index order, as an array. */
static json_object *in_index_order(json_object *map)
{
    size_t n = (size_t)json_object_object_length(map), k = 0;
    json_object **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NULL;
    json_object_object_foreach(map, key, ep) {
        (void)key;
        v[k++] = ep;
    }
    qsort(v, n, sizeof *v, cmp_endpoints);
    json_object *list = json_object_new_array_ext((int)n);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(list, json_object_get(v[i]));
    free(v);
    return list;
}

/* The targets a part never finished: its summary says, or, for a JSONL file cut before its
 * summary line, its run line's targets less the endpoints it holds. */
static size_t part_not_probed(const report_file_t *part)
{
    if (!part->truncated)
        return (size_t)json_object_get_int64(jr_at(jr_at(part->head, "summary"), "not_probed"));
    int64_t targets = json_object_get_int64(jr_at(part->head, "targets"));
    size_t held = json_object_array_length(part->endpoints);
    return targets > 0 && (size_t)targets > held ? (size_t)targets - held : 0;
}

json_object *merge_reports(const report_file_t *inputs, const char *const *paths, size_t n, char *err, size_t errlen)
{
    run_info_t run = { 0 };
    if (run_times(inputs, paths, n, &run, err, errlen) != 0)
        return NULL;
    json_object *map = collect(inputs, paths, n, err, errlen);
    if (!map)
        return NULL;
    json_object *list = in_index_order(map);
    json_object_put(map);
    if (!list) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* Incomplete when any part is; the targets parts never finished are their sum. */
    for (size_t i = 0; i < n; i++) {
        run.incomplete |= report_file_incomplete(&inputs[i]);
        run.not_probed += part_not_probed(&inputs[i]);
    }
    run.targets = json_object_array_length(list) + run.not_probed;
    json_object *sum = summary_of(list, &run);
    /* The run's own head builder, so the members and their order are a run's. */
    json_object *doc = report_head(&run, sum);
    json_object_object_add(doc, "endpoints", list);
    return doc;
}

/* Options into opts; optind left on the first report. 0, 1 (--help done) or -1. */
static int parse_args(int argc, char **argv, options_t *opts)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'F' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opts->format = "json";
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'F':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "jsonl") != 0) {
                fprintf(stderr, "tlsprobe: merge: --format: '%s' is not json or jsonl\n", optarg);
                return -1;
            }
            opts->format = optarg;
            break;
        case 'o': opts->output_path = optarg; break;
        case 'h': fputs(merge_usage, stdout); return 1;
        default: fputs(merge_usage, stderr); return -1;
        }
    }
    if (optind >= argc) {
        fputs(merge_usage, stderr);
        return -1;
    }
    return 0;
}

int merge_main(int argc, char **argv)
{
    options_t opts;
    cli_set_defaults(&opts);
    int rc = parse_args(argc, argv, &opts);
    if (rc != 0)
        return rc > 0 ? EXIT_PASSED : EXIT_USAGE;
    size_t n = (size_t)(argc - optind);
    const char *const *paths = (const char *const *)argv + optind;
    /* -o may name an input (a merged file that accumulates): every input is read first. */
    if (opts.output_path && output_writable("tlsprobe: merge: ", opts.output_path, false) != 0)
        return EXIT_USAGE;
    report_file_t *in = calloc(n, sizeof *in);
    char err[1024] = "out of memory";
    size_t read = 0;
    while (in && read < n && report_read(paths[read], &in[read], err, sizeof err) == 0)
        read++;
    json_object *doc = read == n ? merge_reports(in, paths, n, err, sizeof err) : NULL;
    int status = EXIT_USAGE;
    if (!doc)
        fprintf(stderr, "tlsprobe: merge: %s\n", err);
    else if (report_emit(doc, &opts, err, sizeof err) != 0)
        fprintf(stderr, "tlsprobe: merge: %s\n", err);
    else
        status = EXIT_PASSED;
    json_object_put(doc);
    for (size_t i = 0; i < read; i++)
        report_file_free(&in[i]);
    free(in);
    return status;
}
