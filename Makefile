# tiejian: plain GNU Make, non-recursive.
#   make            build the server (build/rel/tiejian)
#   make run        install what is missing, build server and console, create the demo database, serve
#   make test       every test: unit, API (SQLite and PostgreSQL), browser, and the short forms
#                   of the reliability suites (crash, load, disk full, fault injection, fuzzing)
#   make test-reliability  their long forms (tests/reliability/reliability.mk, fuzz/fuzz.mk)
#   make san        unit and API tests under ASan + UBSan
#   make tsan       API tests under ThreadSanitizer
#   make bench      benchmarks (bench/README.md)
#   make bench-peer Request Tracker 5 beside tiejian, same machine (bench/peer.md)
#   make fuzz       libFuzzer targets, each for a while

CC      ?= gcc
VARIANT ?= rel
B       := build/$(VARIANT)
PKGS    := libmicrohttpd jansson libsodium libcrypto sqlite3 libpq xlsxwriter libzip expat
DEPS_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEPS_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

WARN := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Wwrite-strings -Wformat=2 -Wimplicit-fallthrough -Wcast-qual -fno-common
BASE_CFLAGS := -std=c17 $(WARN) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc -I$(B)/gen \
	-include src/lib/banned.h $(DEPS_CFLAGS) -MMD -MP -g

ifeq ($(VARIANT),rel)
  OPT := -O2 -D_FORTIFY_SOURCE=3 -fstack-protector-strong
else ifeq ($(VARIANT),san)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),tsan)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=thread
else ifeq ($(VARIANT),fault)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -DTIEJIAN_FAULT
else ifeq ($(VARIANT),fuzz)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
else
  OPT := -O0
endif
CFLAGS  += $(BASE_CFLAGS) $(OPT)
LDFLAGS += $(filter -fsanitize=%,$(OPT))

SRCS     := $(shell find src -name '*.c' | sort)
MAIN_SRC := src/app/main.c
LIB_SRCS := $(filter-out $(MAIN_SRC),$(SRCS))
DATA_CSV := $(sort $(wildcard data/*.csv))
GEN_SRC  := $(B)/gen/data_embed.c
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/gen/data_embed.o
BIN      := $(B)/tiejian

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

.PHONY: all run test unit unit-node data-check api api-sqlite e2e san tsan bench bench-peer fuzz deps web clean format lint
all: $(BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(GEN_SRC): $(DATA_CSV) scripts/embed-data.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-data.sh $(DATA_CSV) > $@.tmp && mv $@.tmp $@

$(B)/gen/data_embed.o: $(GEN_SRC)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@

$(B)/libtiejian.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(B)/src/app/main.o $(B)/libtiejian.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libtiejian.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(B)/libtiejian.a $(DEPS_LIBS) -lcmocka

deps:
	@sh scripts/deps.sh

# The console: rebuilt when a source file changes.
WEB_SRC := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null) package.json
web: web/dist/index.html
web/dist/index.html: $(WEB_SRC)
	npx vite build --config web/vite.config.mjs --logLevel warn

unit: $(UNIT_BINS)
	@sh scripts/run-unit.sh $(UNIT_BINS)
	@$(MAKE) --no-print-directory unit-node

# Unit tests written in JavaScript (cross-checks against npm reference packages).
unit-node: $(B)/tests/test_uscc
	TIEJIAN_UNIT_DIR=$(B)/tests node --test tests/unit/

# The committed reference data equals a fresh extraction from its npm sources.
data-check:
	node scripts/extract-holidays.mjs --check
	node scripts/extract-regions.mjs --check
	node scripts/extract-pinyin.mjs --check

api-sqlite: $(BIN) web
	TIEJIAN_BIN=$(BIN) node --test --test-concurrency=1 tests/api/

# Every migration and every statement of every module on SQLite and PostgreSQL (tests/pg/).
SQL_SRCS := $(sort $(shell find src -name '*_sql.c'))
$(B)/gen/sql_list.c: $(SQL_SRCS) tests/pg/gen-sql-list.sh
	@mkdir -p $(dir $@)
	sh tests/pg/gen-sql-list.sh $(SQL_SRCS) > $@.tmp && mv $@.tmp $@

$(B)/tests/sql_check: tests/pg/sql_check.c $(B)/gen/sql_list.c $(B)/libtiejian.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(B)/libtiejian.a $(DEPS_LIBS) -lcmocka

# The statement check, then the same API suite, on a throwaway PostgreSQL cluster that
# scripts/pg-test.sh starts and always stops (docs/operations.md).
api-pg: $(BIN) $(B)/tests/sql_check web
	TIEJIAN_BIN=$(BIN) TIEJIAN_TEST_DB=postgres sh scripts/pg-test.sh run \
		sh -c '$(B)/tests/sql_check && node --test --test-concurrency=1 tests/api/'

api: api-sqlite

e2e: $(BIN) web
	TIEJIAN_BIN=$(BIN) node --test --test-concurrency=1 tests/e2e/

test: deps
	$(MAKE) all data-check unit
	$(MAKE) api
	$(MAKE) api-pg
	$(MAKE) e2e
	$(MAKE) reliability
	$(MAKE) test-fault
	$(MAKE) fuzz-short fuzz-replay

san:
	$(MAKE) VARIANT=san CC=clang all unit
	$(MAKE) VARIANT=san CC=clang api
	$(MAKE) VARIANT=san CC=clang fuzz-replay

tsan:
	$(MAKE) VARIANT=tsan CC=clang all api

run: deps
	$(MAKE) all web
	sh scripts/run-demo.sh $(BIN)

# The benchmark (bench/README.md): SQLite by default, DB=postgres for a throwaway PostgreSQL.
# bench/ceiling replays the hot paths' statements in a raw SQLite loop (the ceilings).
$(B)/bench/ceiling: bench/ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs sqlite3 2>/dev/null)

bench:
	sh bench/run.sh --db $(or $(DB),sqlite)

clean:
	rm -rf build

format:
	clang-format -i $(SRCS) $(UNIT_SRCS)

# Request Tracker 5 (installed from Debian if missing) beside tiejian, same machine, same run
# (bench/peer.md); the table goes to build/bench/peer.md.
bench-peer: $(BIN)
	TIEJIAN_BIN=$(BIN) sh bench/peer.sh

-include $(shell find build/$(VARIANT) -name '*.d' 2>/dev/null)
include fuzz/fuzz.mk
include tests/reliability/reliability.mk
