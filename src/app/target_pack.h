/* The targets of a running sweep, kept packed: a target_t and its strings cost ~300 B, a packed
 * one what its text is (~60 B for "host:port" from an inventory, whose "FILE:LINE" origin keeps
 * only the line); a sweep unpacks the window of targets it is probing (sweep.c). */
#ifndef TLSPROBE_TARGET_PACK_H
#define TLSPROBE_TARGET_PACK_H

#include <stddef.h>

#include "target.h"

typedef struct target_pack {
    unsigned char *bytes;  /* the records, one after another, in the list's order */
    size_t len, cap;
    size_t count;
    char **files;          /* the "FILE" of origins "FILE:LINE", each once */
    size_t nfiles;
} target_pack_t;

/* Packs every target of list (which is left as it was). 0, or -1 when out of memory (pack
 * then empty). */
int target_pack_from_list(target_pack_t *pack, const target_list_t *list);
/* Unpacks count targets from the record at *at on into out (each to target_free), moving *at
 * past them. Every field, index included, is as it was packed. 0, or -1 when out of memory
 * (out then holds nothing to free). */
int target_pack_read(const target_pack_t *pack, size_t *at, target_t *out, size_t count);
void target_pack_free(target_pack_t *pack);

#endif
