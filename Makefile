# Thin wrapper over CMake + Ninja. Every target installs missing packages first.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: deps configure build demo test bench install clean debug

deps:
	@scripts/install-deps

configure: deps
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/install-deps --demo
	$(BUILD)/examples/quickstart/quickstart
	examples/llm_text/run.sh $(BUILD)
	examples/ml_features/run.sh $(BUILD)
	examples/common_voice/run.sh $(BUILD)
	scripts/demo-dashboard $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 300

bench: build
	@scripts/install-deps --bench
	bench/run_all.sh $(BUILD)
	bench/etl/run_etl.sh $(BUILD) 3000000
	bench/multinode_spread.sh $(BUILD)
	/usr/bin/python3 bench/dashboard_overhead.py $(BUILD)
	bench/text/run_text.sh $(BUILD) 200
	bench/ml/run_ml.sh $(BUILD) 10000000
	bench/speech/run_speech.sh $(BUILD) 2000

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

debug:
	@scripts/install-deps
	cmake --preset debug && cmake --build --preset debug

clean:
	rm -rf $(BUILD)
