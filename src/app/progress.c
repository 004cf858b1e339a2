/* One status line on a terminal: "\r" returns to its start and "\033[K" erases what a longer
 * earlier line left, so each redraw replaces the last. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(progress_line_t *p, double t);

void progress_line_init(progress_line_t *p, size_t total, const options_t *opts)
{
    memset(p, 0, sizeof *p);
    p->on = opts->verbosity >= 0 && isatty(STDERR_FILENO);
    p->total = total;
    p->started = now();
}

void progress_line_start(progress_line_t *p)
{
    if (p->on)
        draw(p, now());
}

/* "1:05:09", "5:09" or "9s" */
static void format_duration(char *buf, size_t len, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60)
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
    else
        snprintf(buf, len, "%lds", t);
}

static void draw(progress_line_t *p, double t)
{
    double elapsed = t - p->started;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char eta[32] = "?";
    if (rate > 0)
        format_duration(eta, sizeof eta, (double)(p->total - p->done) / rate);
    fprintf(stderr, "\r\033[Ktlsprobe: %zu/%zu endpoints, %.1f/s, ETA %s, %zu FAIL, %zu ERROR", p->done, p->total,
            rate, eta, p->failed, p->errors);
    fflush(stderr);
    p->shown = true;
    p->drawn = t;
}

void progress_line_update(progress_line_t *p, const char *result)
{
    p->done++;
    p->failed += strcmp(result, "FAIL") == 0;
    p->errors += strcmp(result, "ERROR") == 0;
    if (!p->on)
        return;
    double t = now();
    if (!p->shown || p->done == p->total || t - p->drawn >= 0.1)
        draw(p, t);
}

void progress_line_clear(progress_line_t *p)
{
    if (!p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = false;
}
