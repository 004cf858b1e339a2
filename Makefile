# tlsprobe — see README.md. Objects go to build/ (or $(BUILD)), generated tables to $(BUILD)/gen.
CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
BIN     ?= tlsprobe
PKGS    := openssl libcurl libcares yaml-0.1 json-c
PYTHON  ?= python3

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libcurl is not linked: src/http/http_fetch.c loads it on first use (dlopen), see there why.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)))

CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -I$(BUILD)/gen $(PKG_CFLAGS)
override LDLIBS += $(PKG_LIBS) -ldl -lpthread -lm

GEN_SRC  := $(BUILD)/gen/iana_data.c $(BUILD)/gen/requirements_data.c $(BUILD)/gen/mozilla_data.c
LIB_SRC  := $(filter-out src/app/main.c,$(wildcard src/*/*.c)) $(wildcard probes/*.c)
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/gen/iana_data.o $(BUILD)/gen/requirements_data.o \
            $(BUILD)/gen/mozilla_data.o
MAIN_OBJ := $(BUILD)/src/app/main.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
# Unit tests are white-box: they may include a layer's internal headers.
UNIT_INC := $(patsubst %/,-I%,$(sort $(dir $(wildcard src/*/*.h))))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all check check-asan unit install demo bench bench-sweep bench-hostile bench-latency fuzz clean

all: $(BIN)

$(BIN): $(LIB_OBJ) $(MAIN_OBJ)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c $(GEN_SRC) $(wildcard include/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# The generated catalogue names the rules, declared in the scoring layer's internal header.
$(BUILD)/gen/requirements_data.o: override CFLAGS += -Isrc/scoring

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# Tables are generated from the registries copied into data/ (see data/README.md).
$(BUILD)/gen/iana_data.c: tools/gen_iana.py $(wildcard data/iana/*.csv) data/sslv2-cipher-kinds.csv
	@mkdir -p $(dir $@)
	$(PYTHON) tools/gen_iana.py data $(BUILD)/gen

# The catalogue: a rule function without a row, or a row naming no rule, stops the build here.
RULE_SRC := src/scoring/rules.h $(wildcard src/scoring/rules_*.c)
$(BUILD)/gen/requirements_data.c: tools/gen_requirements.py data/asvs/requirements.csv $(RULE_SRC)
	@mkdir -p $(dir $@)
	$(PYTHON) tools/gen_requirements.py c data/asvs/requirements.csv $(BUILD)/gen $(RULE_SRC)

$(BUILD)/gen/mozilla_data.c: tools/gen_mozilla.py $(wildcard data/mozilla/*.json) data/iana/tls-parameters-4.csv data/iana/tls-parameters-8.csv
	@mkdir -p $(dir $@)
	$(PYTHON) tools/gen_mozilla.py data $(BUILD)/gen

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) $(UNIT_INC) -o $@ $< $(LIB_OBJ) $(LDLIBS)

unit: $(UNIT_BIN)

check: tlsprobe unit
	TLSPROBE=$(CURDIR)/tlsprobe UNIT_DIR=$(CURDIR)/$(BUILD)/tests tests/run.sh

# Same suite, instrumented; a separate build dir keeps the normal objects intact.
check-asan:
	$(MAKE) BUILD=build-asan CC=clang \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" BIN=build-asan/tlsprobe build-asan/tlsprobe unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  TLSPROBE=$(CURDIR)/build-asan/tlsprobe UNIT_DIR=$(CURDIR)/build-asan/tests tests/run.sh

# Fuzzing (clang libFuzzer, ASan+UBSan; see README.md, Fuzzing). Each fuzz/fuzz_<name>.c target
# links only the parsers and tables it needs (FUZZ_SRC_<name>), so a half-written probe never
# breaks it; the internal headers of every layer are on its path. Seeds: fuzz/corpus/<name>/.
#   make fuzz         builds every target, runs each FUZZ_TIME seconds (default 60) on a copy of
#                     its seeds in build-fuzz/corpus-<name>, kept and grown from run to run (the
#                     repository is never written); -j2 runs two at a time
#   make fuzz-smoke   each FUZZ_SMOKE_TIME seconds (default 2) from its seeds alone
#                     (build-fuzz/smoke-<name>); CI: tests/integration/fuzz_smoke.sh
#   make fuzz-build   only builds them (build-fuzz/fuzz_<name>; FUZZ_BUILD=DIR elsewhere)
# A failure leaves its input in build-fuzz/artifacts/<name>-{crash,leak,timeout}-*; replay:
# build-fuzz/fuzz_<name> FILE.
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 2
FUZZ_BUILD ?= build-fuzz
FUZZ_NET := src/net/net.c src/net/net_rate.c
FUZZ_HTTP := src/http/http_fetch.c src/http/fetch_cache.c src/net/host_gate.c $(FUZZ_NET)
FUZZ_STARTTLS := src/starttls/starttls.c src/starttls/starttls_binary.c src/starttls/starttls_auth.c $(FUZZ_NET)
FUZZ_SRC_parse      := src/wire/wire_parse.c src/wire/wire_hello.c src/wire/iana.c
FUZZ_SRC_server_hello := src/wire/wire_parse.c src/wire/iana.c
FUZZ_SRC_ech_config := src/ech/ech_config.c
FUZZ_SRC_svcb       := src/net/svcb.c src/net/https_rr.c
FUZZ_SRC_hpke       := src/ech/hpke.c
FUZZ_SRC_ech_retry  := src/ech/ech_retry.c src/ech/ech_config.c src/ech/hpke.c src/wire/wire_parse.c src/wire/iana.c
FUZZ_SRC_hsts       := src/http/hsts.c
FUZZ_SRC_http       := src/http/hsts.c $(FUZZ_HTTP)
$(foreach p,smtp imap pop3 ftp xmpp ldap postgres mysql,$(eval FUZZ_SRC_starttls_$(p) := $(FUZZ_STARTTLS)))
FUZZ_SRC_x509_facts := src/x509/x509_facts.c src/x509/cert_quality.c
FUZZ_SRC_aia        := src/x509/chain_analysis.c src/x509/x509_facts.c $(FUZZ_HTTP)
FUZZ_SRC_ca_names   := src/x509/x509_facts.c
FUZZ_SRC_ocsp       := src/x509/ocsp_check.c src/x509/x509_facts.c $(FUZZ_HTTP)
# Target parsing: the service rows without their dialogues (fuzz/fuzz_service_stubs.h); ECH
# lists are decoded by src/ech.
FUZZ_SRC_target     := src/app/target.c src/starttls/service.c src/ech/ech_hello.c src/ech/ech_config.c \
                       src/ech/hpke.c src/wire/wire_hello.c src/wire/wire_parse.c src/wire/iana.c \
                       src/util/text_echo.c src/util/escape.c
FUZZ_SRC_inventory  := src/app/inventory.c src/app/inventory_target.c src/util/yaml_read.c src/util/yaml_stream.c \
                       src/x509/x509_facts.c \
                       $(FUZZ_SRC_target)
FUZZ_SRC_policy     := src/scoring/policy.c src/util/yaml_read.c $(FUZZ_SRC_target)
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined

.PHONY: fuzz-build fuzz-smoke
fuzz-build:
	@$(MAKE) -s --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	  $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

# One rule per target and mode, so that make -j2 runs two fuzzers at once.
fuzz: $(patsubst %,fuzz-run-%,$(FUZZ_TARGETS))
fuzz-smoke: $(patsubst %,fuzz-smoke-%,$(FUZZ_TARGETS))
fuzz-run-%: fuzz-build
	@tools/fuzz_run.sh $(FUZZ_BUILD) $* $(FUZZ_TIME)
fuzz-smoke-%: fuzz-build
	@tools/fuzz_run.sh $(FUZZ_BUILD) $* $(FUZZ_SMOKE_TIME) smoke

define FUZZ_RULE
$(BUILD)/fuzz_$(1): fuzz/fuzz_$(1).c $(wildcard fuzz/*.h) $(addprefix $(BUILD)/,$(FUZZ_SRC_$(1):.c=.o)) $(BUILD)/gen/iana_data.o
	@echo "  FUZZ $$@"
	@clang $$(CFLAGS) $(UNIT_INC) -Ifuzz -fsanitize=fuzzer,address,undefined -o $$@ $$< $$(filter %.o,$$^) $$(LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

install: tlsprobe
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 tlsprobe $(DESTDIR)$(PREFIX)/bin/tlsprobe
	install -m 644 man/tlsprobe.1 $(DESTDIR)$(PREFIX)/share/man/man1/tlsprobe.1
	install -m 644 man/tlsprobe-json.5 $(DESTDIR)$(PREFIX)/share/man/man5/tlsprobe-json.5
	install -d $(DESTDIR)$(PREFIX)/share/tlsprobe
	install -m 644 schema/tlsprobe-report.schema.json $(DESTDIR)$(PREFIX)/share/tlsprobe/tlsprobe-report.schema.json
	install -m 644 schema/tlsprobe-diff.schema.json $(DESTDIR)$(PREFIX)/share/tlsprobe/tlsprobe-diff.schema.json

demo: tlsprobe
	tests/lab/demo.sh $(CURDIR)/tlsprobe

# bench: the cipher benchmark on the lab, then the sweep and the hostile-sweep benchmarks (each in
# a network namespace of its own), then the latency benchmark (through a delay proxy).
bench: tlsprobe
	tests/bench/run.sh $(CURDIR)/tlsprobe
	tests/bench/sweep.sh $(CURDIR)/tlsprobe
	tests/bench/hostile.sh $(CURDIR)/tlsprobe
	tests/bench/latency.sh $(CURDIR)/tlsprobe

bench-sweep: tlsprobe
	tests/bench/sweep.sh $(CURDIR)/tlsprobe

bench-hostile: tlsprobe
	tests/bench/hostile.sh $(CURDIR)/tlsprobe

bench-latency: tlsprobe
	tests/bench/latency.sh $(CURDIR)/tlsprobe

clean:
	rm -rf build build-asan build-fuzz tlsprobe
