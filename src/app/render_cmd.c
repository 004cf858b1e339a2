/* `tlsprobe render [--format F] [-o FILE] [--no-color] REPORT.json`: renders a saved JSON
 * report in another format, without probing anything (one sweep, several formats). */
#include "render_cmd.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output_check.h"
#include "report.h"

static const char render_usage[] =
    "usage: tlsprobe render [--format FORMAT] [-o FILE] [--no-color] REPORT.json\n";

/* Whether member key of o is absent, null or of one of the types in mask (1 << json_type). */
static bool member_is(json_object *o, const char *key, unsigned mask)
{
    json_object *v;
    return !json_object_object_get_ex(o, key, &v) || !v || (mask >> json_object_get_type(v)) & 1u;
}

#define T(t) (1u << (t))

/* The shape every writer relies on (a file is input like any other, so it is checked): each
 * endpoint an object, its facts and profile objects, its verdicts objects with a string id. 0,
 * or -1 with what is wrong in why. */
static int check_shape(json_object *endpoints, char *why, size_t cap)
{
    for (size_t i = 0; i < json_object_array_length(endpoints); i++) {
        json_object *ep = json_object_array_get_idx(endpoints, i), *verdicts;
        const char *bad = NULL;
        if (!json_object_is_type(ep, json_type_object))
            bad = "not an object";
        else if (!member_is(ep, "facts", T(json_type_object)) || !member_is(ep, "profile", T(json_type_object)))
            bad = "facts or profile not an object";
        else if (!member_is(ep, "grade", T(json_type_object) | T(json_type_string)) ||
                 !member_is(ep, "tags", T(json_type_array)) || !member_is(ep, "verdicts", T(json_type_array)))
            bad = "grade, tags or verdicts of the wrong type";
        for (size_t j = 0; !bad && json_object_object_get_ex(ep, "verdicts", &verdicts) &&
                           j < json_object_array_length(verdicts); j++) {
            json_object *v = json_object_array_get_idx(verdicts, j), *id;
            if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, "id", &id) ||
                !json_object_is_type(id, json_type_string))
                bad = "a verdict without a string id";
        }
        if (bad) {
            snprintf(why, cap, "endpoint %zu: %s", i + 1, bad);
            return -1;
        }
    }
    return 0;
}

/* The document, or NULL with a message: only a report of this schema's major version. */
static json_object *load_report(const char *path)
{
    json_object *doc = json_object_from_file(path);
    json_object *schema, *version, *endpoints;
    if (!doc) {
        fprintf(stderr, "tlsprobe: render: %s: not a readable JSON file (%s)\n", path, json_util_get_last_err());
        return NULL;
    }
    if (!json_object_object_get_ex(doc, "schema", &schema) ||
        strcmp(json_object_get_string(schema), REPORT_SCHEMA) != 0 ||
        !json_object_object_get_ex(doc, "schema_version", &version) ||
        strncmp(json_object_get_string(version), REPORT_SCHEMA_VERSION, strcspn(REPORT_SCHEMA_VERSION, ".") + 1) != 0 ||
        !json_object_object_get_ex(doc, "endpoints", &endpoints) || !json_object_is_type(endpoints, json_type_array)) {
        fprintf(stderr, "tlsprobe: render: %s: not a %s %s report (a --format json file)\n", path, REPORT_SCHEMA,
                REPORT_SCHEMA_VERSION);
        json_object_put(doc);
        return NULL;
    }
    char why[128];
    if (check_shape(endpoints, why, sizeof why) != 0) {
        fprintf(stderr, "tlsprobe: render: %s: not a %s report: %s\n", path, REPORT_SCHEMA, why);
        json_object_put(doc);
        return NULL;
    }
    return doc;
}

int render_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'F' },
        { "output", required_argument, NULL, 'o' },
        { "no-color", no_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options_t opts;
    cli_set_defaults(&opts);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'F':
            if (!report_writer_by_name(optarg)) {
                fprintf(stderr, "tlsprobe: render: --format: unknown format '%s' (known: %s)\n", optarg,
                        report_writer_names());
                return EXIT_USAGE;
            }
            opts.format = optarg;
            break;
        case 'o': opts.output_path = optarg; break;
        case 'C': opts.color = false; break;
        case 'h': fputs(render_usage, stdout); return EXIT_PASSED;
        default: fputs(render_usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(render_usage, stderr);
        return EXIT_USAGE;
    }
    if (opts.output_path)
        opts.color = false;
    /* Rendering over the report read would lose it (it is another format). */
    const output_input_t input = { "the report read", argv[optind] };
    if (opts.output_path && (output_not_an_input("tlsprobe: render: ", opts.output_path, &input, 1) != 0 ||
                             output_writable("tlsprobe: render: ", opts.output_path, false) != 0))
        return EXIT_USAGE;
    json_object *doc = load_report(argv[optind]);
    if (!doc)
        return EXIT_USAGE;
    char err[512];
    int rc = report_emit(doc, &opts, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "tlsprobe: render: %s\n", err);
    json_object_put(doc);
    return rc != 0 ? EXIT_USAGE : EXIT_PASSED;
}
