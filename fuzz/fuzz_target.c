/* libFuzzer target: target strings as a user writes them (src/app/target.c): the input's
 * first line is a target ("host", "host:port", "[v6]:port", "smtp://host/"...), the second an
 * --sni, the third an --ip, the fourth an --ech-config-list value (base64 text; a value naming
 * a file is skipped). Then the identity every report and merge keys on. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_service_stubs.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strdup(data, size);
    char *field[4] = { 0 }, *s = text;
    for (int i = 0; i < 4; i++) {
        field[i] = strsep(&s, "\n");
        if (!s)
            break;
    }
    target_t t = { .index = 7 };
    char err[512] = "";
    if (target_parse(field[0], &t, err, sizeof err) == 0) {
        if (!t.host || !t.spec || t.port == 0 || t.index != 7)
            abort();
        if (field[1])
            target_set_sni(&t, field[1]);
        if (field[2])
            target_set_ip(&t, field[2], err, sizeof err);
        if (field[3] && !strchr(field[3], '/'))
            target_set_ech_config_list(&t, field[3], NULL, "option", err, sizeof err);
        char small[16], id[2048];
        int need = target_identity(&t, small, sizeof small);
        if (need < 0 || target_identity(&t, id, sizeof id) != need)
            abort();
        target_free(&t);
    } else if (t.host || t.spec || t.index != 7 || !err[0]) {
        abort();   /* a failed parse leaves nothing behind and says why */
    }
    is_ip_literal(text);
    free(text);
    return 0;
}
