# The two set-up commands: `make run` and `make test` (see README.md).
BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: deps configure build run test asan test-asan bench clean

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/kubepp server

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer, except
# the load test: its pass criteria (no watcher falls behind, no timeout)
# measure speed, which a sanitized build does not have.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DKUBEPP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE load $(CTEST_ARGS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)
