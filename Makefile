# RollCall: the two commands of the README, and the steps they are made of.
#   make demo   set up, then run the main job on the bundled defaults (SQLite, sface pack, real photos)
#   make test   set up, then run the test suite (with a throwaway PostgreSQL server)
SWIFT    ?= swift
ROLLCALL_MODELS ?= $(HOME)/.cache/rollcall/models
export ROLLCALL_MODELS
DEBUG_BIN   := .build/debug/rollcall
RELEASE_BIN := .build/release/rollcall

.PHONY: demo test setup system build release models bench clean

demo: system release
	$(RELEASE_BIN) models fetch --pack sface
	$(RELEASE_BIN) models fetch --manifest Fixtures/test-photos.json
	scripts/demo.sh $(RELEASE_BIN)

# The PostgreSQL tests run against a throwaway server started for the run (and stopped after it, pass or fail).
# One test at a time: on two cores, suites that block a cooperative thread (synchronous store and CLI tests) starved
# other suites' services in a parallel run (reloader, heartbeat and crash tests timed out); serial: 340 s against 206 s.
test: system build models
	scripts/with-test-postgres.sh $(SWIFT) test --no-parallel

setup: system build models

system:
	scripts/install-system-packages.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Every bundled pack: the tests check both conversions and the fused pack.
models: build
	$(DEBUG_BIN) models fetch --pack sface
	$(DEBUG_BIN) models fetch --pack dlib
	$(DEBUG_BIN) models fetch --pack sface-dlib
	$(DEBUG_BIN) models fetch --pack w600k-mbf
	$(DEBUG_BIN) models fetch --manifest Fixtures/test-photos.json

bench: system release
	$(RELEASE_BIN) models fetch
	$(RELEASE_BIN) models fetch --manifest Fixtures/test-photos.json
	$(RELEASE_BIN) bench

clean:
	rm -rf .build
