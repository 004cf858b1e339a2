/* Write to a temporary file in the same directory, fsync, then rename over the target:
 * a cron sweep that is killed mid-write never leaves a truncated report behind. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create temporary file: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "w");
    int ok = f && write(f, arg) == 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int saved = errno;
    if (f ? fclose(f) != 0 : close(fd) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0) {
        saved = errno;
        ok = 0;
    }
    if (!ok) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(saved ? saved : EIO));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}
