/* Placeholder until the grading rules land: no grade. */
#include "grade.h"

json_object *grade_endpoint(json_object *facts)
{
    (void)facts;
    return NULL;
}
