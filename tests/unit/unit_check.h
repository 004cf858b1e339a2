/* The unit tests' one assertion: prints `ok - NAME` or `not ok - NAME: DETAIL` (tests/run.sh
 * counts those lines) and counts failures; main returns failures ? 1 : 0. */
#ifndef TLSPROBE_UNIT_CHECK_H
#define TLSPROBE_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

static void check(int cond, const char *name, const char *fmt, ...)
{
    char detail[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

#endif
