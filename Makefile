# A thin layer over meson: set up, build, run, test.
#   make        install what is missing, build, run a program under conternel do
#   make test   the same set-up, then every test (and the sanitizer build's unit tests)

BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_TEST ?= meson test --print-errorlogs --num-processes 2

.PHONY: all deps test-deps build build-asan test bench clean

all: build
	$(BUILD)/conternel do -- /bin/busybox echo "hello from conternel"

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

test: test-deps build build-asan
	meson configure $(BUILD) -Dtests=enabled
	ninja -C $(BUILD)
	$(MESON_TEST) -C $(BUILD)
	$(MESON_TEST) -C $(ASAN_BUILD) --suite unit --suite ptrace

bench: build
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
