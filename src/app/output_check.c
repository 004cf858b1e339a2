/* Checks of -o before any work: the place can be written, and is not an input. */
#include "output_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text_echo.h"

int output_not_an_input(const char *prefix, const char *path, const output_input_t *inputs, size_t n)
{
    struct stat out, in;
    if (!path || stat(path, &out) != 0 || !S_ISREG(out.st_mode))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!inputs[i].path || stat(inputs[i].path, &in) != 0 || in.st_dev != out.st_dev || in.st_ino != out.st_ino)
            continue;
        char echo[TEXT_ECHO_SIZE], echo_input[TEXT_ECHO_SIZE];
        fprintf(stderr, "%s-o %s is %s %s: the report would replace it\n", prefix, text_echo(echo, path),
                inputs[i].what, text_echo(echo_input, inputs[i].path));
        return -1;
    }
    return 0;
}

/* Makes and removes "PATH.tmp.XXXXXX", the name atomic_write_file uses; NULL or why not. */
static const char *try_temporary(const char *path)
{
    char *tmp;
    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
        return "out of memory";
    int fd = mkstemp(tmp);
    const char *why = fd < 0 ? strerror(errno) : NULL;
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    return why;
}

int output_writable(const char *prefix, const char *path, bool in_place)
{
    struct stat st;
    const char *why = NULL;
    bool exists = stat(path, &st) == 0;
    if (!*path)
        why = "an empty file name";
    else if (!exists && errno != ENOENT)
        why = strerror(errno);
    else if (exists && S_ISDIR(st.st_mode))
        why = "is a directory";
    else if (exists && (in_place || !S_ISREG(st.st_mode)) && access(path, W_OK) != 0)
        why = strerror(errno);
    else if (!exists || S_ISREG(st.st_mode))
        why = try_temporary(path);
    if (!why)
        return 0;
    char echo[TEXT_ECHO_SIZE];
    fprintf(stderr, "%s-o %s: cannot write the report there: %s (nothing was done)\n", prefix, text_echo(echo, path),
            why);
    return -1;
}
