# fuzz.mk: the libFuzzer targets of fuzz/ (included by the Makefile).
#   make fuzz              every target for FUZZ_SECONDS (default 300) each, corpus kept in build/fuzz/corpus
#   make fuzz-short        every target for at least FUZZ_RUNS executions (default 100,000): part of make test
#   make fuzz-replay       the committed corpora and past crashes through a plain build (no libFuzzer)
# Targets build with clang (-fsanitize=fuzzer,address,undefined) in build/fuzz; fuzz/README.md
# says how to add one and what to do with a crash.

FUZZ_NAMES   := fuzz_api $(filter-out fuzz_api,$(patsubst fuzz/%.c,%,$(sort $(wildcard fuzz/fuzz_*.c))))
FUZZ_RUNS    ?= 100000
FUZZ_SECONDS ?= 300
FUZZ_DEPS    := fuzz/harness.c fuzz/fuzz.h $(B)/libtiejian.a

# VARIANT=fuzz: libFuzzer binaries
$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) -Ifuzz -fsanitize=fuzzer,address,undefined -o $@ $< fuzz/harness.c \
		$(B)/libtiejian.a $(DEPS_LIBS)

# any other variant: the same targets driven by fuzz/replay.c
$(B)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) -Ifuzz $(LDFLAGS) -o $@ $< fuzz/harness.c fuzz/replay.c \
		$(B)/libtiejian.a $(DEPS_LIBS)

.PHONY: fuzz fuzz-short fuzz-build fuzz-run fuzz-replay
fuzz-build: $(FUZZ_NAMES:%=$(B)/fuzz/%)

fuzz:
	$(MAKE) --no-print-directory VARIANT=fuzz CC=clang fuzz-build
	sh fuzz/run.sh build/fuzz seconds $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-short:
	$(MAKE) --no-print-directory VARIANT=fuzz CC=clang fuzz-build
	sh fuzz/run.sh build/fuzz runs $(FUZZ_RUNS) $(FUZZ_NAMES)

fuzz-replay: $(FUZZ_NAMES:fuzz_%=$(B)/fuzz/replay_%)
	@for t in $(FUZZ_NAMES); do \
		dirs=""; for d in fuzz/corpus/$$t fuzz/regressions/$$t; do [ -d $$d ] && dirs="$$dirs $$d"; done; \
		printf '%-20s ' $$t; $(B)/fuzz/replay_$${t#fuzz_} $$dirs || exit 1; \
	done
