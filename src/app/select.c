/* --tag / --exclude-tag: which inventory targets a run probes. The targets left keep their
 * index, so a selected run's endpoints still match a whole run's by id and order. */
#include "select.h"

#include <string.h>

bool target_has_tag(const target_t *t, const char *tag)
{
    for (size_t i = 0; i < t->ntags; i++)
        if (strcmp(t->tags[i], tag) == 0)
            return true;
    return false;
}

bool target_selected(const target_t *t, const void *selection)
{
    const tag_selection_t *s = selection;
    for (size_t i = 0; i < s->nexclude; i++)
        if (target_has_tag(t, s->exclude[i]))
            return false;
    if (s->ntags == 0)
        return true;
    for (size_t i = 0; i < s->ntags; i++)
        if (target_has_tag(t, s->tags[i]))
            return true;
    return false;
}

size_t target_list_filter(target_list_t *list, bool (*keep)(const target_t *t, const void *arg), const void *arg)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (keep(&list->items[i], arg))
            list->items[kept++] = list->items[i];
        else
            target_free(&list->items[i]);
    }
    list->count = kept;
    return kept;
}
