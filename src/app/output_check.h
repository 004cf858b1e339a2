/* The report's place, checked before any work: a sweep that cannot write its report, or
 * writes it over one of its inputs, loses what it did. */
#ifndef TLSPROBE_OUTPUT_CHECK_H
#define TLSPROBE_OUTPUT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* An input file and what it is, for the message ("the inventory"). */
typedef struct output_input {
    const char *what, *path;
} output_input_t;

/* 0 unless the existing regular file at path is one of inputs (the same file however either
 * path is written: device and inode); then -1 after saying so on stderr after prefix. */
int output_not_an_input(const char *prefix, const char *path, const output_input_t *inputs, size_t n);
/* 0 when a report can be written at path: a temporary file is made and removed beside it, as
 * atomic_write_file will; an existing device or FIFO, or with in_place an existing file, must
 * be writable itself. Else -1 after saying why on stderr after prefix. */
int output_writable(const char *prefix, const char *path, bool in_place);

#endif
