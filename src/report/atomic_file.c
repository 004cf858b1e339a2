/* Write to a temporary file in the same directory, fsync, then rename over the target:
 * a cron sweep that is killed mid-write never leaves a truncated report behind. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file being written, for atomic_write_abandon (which a signal handler calls):
 * the name is complete before the flag says so. */
static char pending_tmp[PATH_MAX];
static volatile sig_atomic_t pending;

/* Signals are held while the temporary file is created or retired and the name recorded or
 * forgotten: a handler never sees a file that exists without its name, or the reverse. */
static void hold_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

static void release_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

void atomic_write_abandon(void)
{
    if (pending) {
        unlink(pending_tmp);
        pending = 0;
    }
}

/* A device or a pipe (-o /dev/stdout, -o /dev/null, a FIFO) is written in place: renaming
 * over it would replace the device with a regular file. */
static int write_in_place(const char *path, file_writer_fn write, void *arg, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    int ok = write(f, arg) == 0 && fflush(f) == 0;
    int saved = errno;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(saved ? saved : EIO));
    return ok ? 0 : -1;
}

int report_open_locked(const char *path, char *err, size_t errlen)
{
    struct stat st;
    /* A pipe, a FIFO or a device (-o /dev/stdout, -o >(gzip)) is written as it is: nothing
     * to lock, nothing to cut. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return fd;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "%s: %s", path,
                 errno == EWOULDBLOCK ? "another tlsprobe is writing it (locked)" : strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int atomic_write_file(const char *path, file_writer_fn write, void *arg, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_in_place(path, write, arg, err, errlen);
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    sigset_t old;
    hold_signals(&old);
    int fd = mkstemp(tmp);
    int saved = errno;
    if (fd >= 0 && strlen(tmp) < sizeof pending_tmp) {
        memcpy(pending_tmp, tmp, strlen(tmp) + 1);
        pending = 1;
    }
    release_signals(&old);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create temporary file: %s", path, strerror(saved));
        free(tmp);
        return -1;
    }
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "w");
    int ok = f && write(f, arg) == 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    saved = errno;
    if (f ? fclose(f) != 0 : close(fd) != 0)
        ok = 0;
    hold_signals(&old);
    if (ok && rename(tmp, path) != 0) {
        saved = errno;
        ok = 0;
    }
    if (!ok)
        unlink(tmp);
    pending = 0;
    release_signals(&old);
    if (!ok)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(saved ? saved : EIO));
    free(tmp);
    return ok ? 0 : -1;
}
