# Thin front over CMake. Each target first installs the Debian packages that are missing.
#   make run    build (release) and run meshjobs on its embedded defaults, with a demo workload
#   make test   build under AddressSanitizer + UndefinedBehaviorSanitizer and run the tests
#   make bench  build (release) and run the benchmarks
JOBS ?= 2
DEPS := cmake g++ make pkg-config libcaf-dev libboost-dev libsimdjson-dev libspdlog-dev \
        libfmt-dev libyaml-cpp-dev libcli11-dev libsqlite3-dev libgtest-dev libgmock-dev \
        libstb-dev libmeshoptimizer-dev libtinygltf-dev nlohmann-json3-dev libssl-dev zlib1g-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps release run test bench clean

deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

release: deps
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMESHJOBS_TESTS=OFF
	cmake --build build/release -j$(JOBS)

run: release
	mkdir -p build/run && cd build/run && ../release/tools/meshjobs --images images --samples 50

test: deps
	cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHJOBS_SANITIZE=ON -DMESHJOBS_BENCH=OFF
	cmake --build build/test -j$(JOBS)
	cd build/test && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS)

bench: release
	./build/release/bench/throughput
	./build/release/bench/latency

clean:
	rm -rf build
