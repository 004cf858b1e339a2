/* libFuzzer target: the ServerHello (and HelloRetryRequest) body and the extension lookup
 * every probe uses on it (src/wire/wire_parse.c: wire_parse_server_hello,
 * wire_server_hello_extension): each extension found must be the parsed one, inside the
 * input, for every type the body carries and for some it should not. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

static volatile uint8_t sink;

static void lookup(const wire_server_hello_t *sh, uint16_t type, const uint8_t *data, size_t size)
{
    const wire_extension_t *x = wire_server_hello_extension(sh, type);
    if (!x)
        return;
    if (x->type != type || (x->len && (x->data < data || x->data + x->len > data + size)))
        abort();
    for (size_t i = 0; i < x->len; i++)
        sink ^= x->data[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_server_hello_t sh;
    char err[160];
    if (wire_parse_server_hello(data, size, &sh, err, sizeof err) != WIRE_OK)
        return 0;
    if (sh.nextensions > WIRE_MAX_EXTENSIONS)
        abort();
    for (size_t i = 0; i < sh.nextensions; i++)
        lookup(&sh, sh.extensions[i].type, data, size);
    static const uint16_t others[] = { 0, 10, 16, 23, 35, 41, 43, 44, 51, 0xfe0d, 0xff01, 0xffff };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        lookup(&sh, others[i], data, size);
    if (sh.alpn_len && (sh.alpn < data || sh.alpn + sh.alpn_len > data + size))
        abort();
    if (sh.key_share_len && (sh.key_share < data || sh.key_share + sh.key_share_len > data + size))
        abort();
    return 0;
}
