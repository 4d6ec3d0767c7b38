# Thin front end over meson/ninja. `make demo` and `make check` are the two
# commands of the README; everything real lives in meson.build.

BUILD ?= build
CHECK ?= build-check
DB    ?= demo.db

.PHONY: all deps demo check clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

deps:
	@scripts/deps.sh

# Install what is missing, build, create the demo mission and run the main job.
demo: deps
	$(MAKE) all
	$(BUILD)/cadre --db $(DB) demo --force
	$(BUILD)/cadre --db $(DB) status

# Install what is missing, build with -Werror under AddressSanitizer and
# UndefinedBehaviorSanitizer, run every test, end with a summary line.
check: deps
	@[ -f $(CHECK)/build.ninja ] || meson setup $(CHECK) \
		--buildtype=debug -Dwerror=true -Db_sanitize=address,undefined \
		-Dtests=enabled
	ninja -C $(CHECK)
	@scripts/run-tests.sh $(CHECK)

clean:
	rm -rf $(BUILD) $(CHECK)
