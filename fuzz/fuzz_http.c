/* libFuzzer target: what tlsprobe reads from an HTTP response's header block (as libcurl hands
 * it over: the status line, then the headers, CR LF or LF): the status line, the Location,
 * Strict-Transport-Security and Server values (src/http/http_fetch.c), their printable forms
 * for reports, and the Location as a URL (http_url_parts, through libcurl's parser). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "hsts.h"
#include "http_fetch.h"

static void printable(const char *in)
{
    char out[300];
    http_printable(out, sizeof out, in);
    for (const char *c = out; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            abort();   /* the report form must be printable ASCII */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_response_t resp = { .status = 301, .headers = fuzz_strdup(data, size) };
    char line[1100], value[8192];
    if (http_status_line(&resp, line, sizeof line))
        printable(line);
    static const char *const names[] = { "Location", "Strict-Transport-Security", "Server", "Content-Type" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (!http_header(&resp, names[i], value, sizeof value))
            continue;
        printable(value);
        if (i == 1) {
            hsts_policy_t p;
            hsts_parse(value, &p);
        }
        char scheme[16], host[256];
        uint16_t port;
        if (i == 0 && http_url_parts(value, scheme, sizeof scheme, host, sizeof host, &port) == 0 &&
            (port == 0 || strnlen(host, sizeof host) == sizeof host))
            abort();
    }
    http_response_free(&resp);
    return 0;
}
