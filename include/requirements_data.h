/* The ASVS requirement texts, compiled in from data/asvs/requirements.csv. */
#ifndef TLSPROBE_REQUIREMENTS_DATA_H
#define TLSPROBE_REQUIREMENTS_DATA_H

#include <stddef.h>

typedef struct asvs_text {
    const char *standard;   /* "ASVS 5.0.0" */
    const char *id;         /* "12.1.1" */
    int level;              /* lowest ASVS level that requires it */
    int cwe;
    const char *title;      /* tlsprobe's short title */
    const char *text;       /* the requirement as OWASP wrote it (CC BY-SA 4.0) */
} asvs_text_t;

extern const asvs_text_t asvs_texts[];
extern const size_t asvs_texts_count;

#endif
