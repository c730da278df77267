# reliability.mk: the reliability suites of tests/reliability (included by the Makefile).
#   make reliability        the short forms, part of make test: crash (4 rounds) and load (15 s) on
#                           SQLite and PostgreSQL, a full disk, PostgreSQL stopped
#   make test-fault         the fault build (make VARIANT=fault) and a subset of the sweep (make test)
#   make test-reliability   the long forms: crash 50 rounds, load 2 minutes, every fault of every
#                           case, and every fuzz target for FUZZ_SECONDS
# CRASH_ROUNDS, LOAD_SECONDS, FAULT_SWEEP=full|short and FAULT_ONLY=NAME override them.

REL_SQLITE := tests/reliability/crash.test.mjs tests/reliability/load.test.mjs \
	tests/reliability/diskfull.test.mjs
REL_PG := tests/reliability/crash.test.mjs tests/reliability/load.test.mjs \
	tests/reliability/outage.test.mjs

.PHONY: reliability test-fault test-reliability
reliability: $(BIN) web
	TIEJIAN_BIN=$(BIN) node --test --test-concurrency=1 $(REL_SQLITE)
	TIEJIAN_BIN=$(BIN) TIEJIAN_TEST_DB=postgres sh scripts/pg-test.sh run \
		node --test --test-concurrency=1 $(REL_PG)

test-fault: web
	$(MAKE) --no-print-directory VARIANT=fault all
	TIEJIAN_BIN=build/fault/tiejian node --test tests/reliability/fault.test.mjs

test-reliability: deps
	$(MAKE) all web
	TIEJIAN_RELIABILITY=long $(MAKE) --no-print-directory reliability
	FAULT_SWEEP=full $(MAKE) --no-print-directory test-fault
	$(MAKE) --no-print-directory fuzz fuzz-replay
