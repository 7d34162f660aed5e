# A thin layer over meson: set up, build, run, test.
#   make        install what is missing, build, run Debian's ls under conternel do
#   make test   the same set-up, then every test, the sanitizer build's unit and
#               sandboxed syscall tests, and a short run of each fuzz target

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
MESON_TEST ?= meson test --print-errorlogs --num-processes 2

.PHONY: all deps test-deps build build-asan build-fuzz fuzz test bench clean

all: build
	$(BUILD)/conternel do -- /bin/ls -la /usr

deps:
	@tools/install-deps build

test-deps:
	@tools/install-deps test

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: test-deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# libFuzzer targets (clang): tests/fuzz/fuzz-*.c, each run for FUZZ_SECONDS.
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false

build-fuzz: test-deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) tests/fuzz/fuzz-elf tests/fuzz/fuzz-gofer-decode tests/fuzz/fuzz-gofer-reply \
		tests/fuzz/fuzz-netlink

fuzz: build-fuzz
	@$(FUZZ_BUILD)/tests/fuzz/fuzz-elf -max_total_time=$(FUZZ_SECONDS) >$(FUZZ_BUILD)/fuzz-elf.log 2>&1 \
		|| { tail -40 $(FUZZ_BUILD)/fuzz-elf.log; exit 1; }
	@echo "fuzz-elf: no crash in $(FUZZ_SECONDS) s ($$(grep -o 'Done [0-9]* runs' $(FUZZ_BUILD)/fuzz-elf.log))"
	@$(FUZZ_BUILD)/tests/fuzz/fuzz-gofer-decode -max_total_time=$(FUZZ_SECONDS) >$(FUZZ_BUILD)/fuzz-gofer-decode.log 2>&1 \
		|| { tail -40 $(FUZZ_BUILD)/fuzz-gofer-decode.log; exit 1; }
	@echo "fuzz-gofer-decode: no crash in $(FUZZ_SECONDS) s ($$(grep -o 'Done [0-9]* runs' $(FUZZ_BUILD)/fuzz-gofer-decode.log))"
	@$(FUZZ_BUILD)/tests/fuzz/fuzz-gofer-reply -max_total_time=$(FUZZ_SECONDS) >$(FUZZ_BUILD)/fuzz-gofer-reply.log 2>&1 \
		|| { tail -40 $(FUZZ_BUILD)/fuzz-gofer-reply.log; exit 1; }
	@echo "fuzz-gofer-reply: no crash in $(FUZZ_SECONDS) s ($$(grep -o 'Done [0-9]* runs' $(FUZZ_BUILD)/fuzz-gofer-reply.log))"
	@$(FUZZ_BUILD)/tests/fuzz/fuzz-netlink -max_total_time=$(FUZZ_SECONDS) >$(FUZZ_BUILD)/fuzz-netlink.log 2>&1 \
		|| { tail -40 $(FUZZ_BUILD)/fuzz-netlink.log; exit 1; }
	@echo "fuzz-netlink: no crash in $(FUZZ_SECONDS) s ($$(grep -o 'Done [0-9]* runs' $(FUZZ_BUILD)/fuzz-netlink.log))"

test: test-deps build build-asan build-fuzz
	meson configure $(BUILD) -Dtests=enabled
	ninja -C $(BUILD)
	$(MESON_TEST) -C $(BUILD) </dev/null
	$(MESON_TEST) -C $(ASAN_BUILD) --suite unit --suite ptrace --suite systrap --suite hostile </dev/null
	$(MAKE) --no-print-directory fuzz

bench: build
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
