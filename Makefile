# Thin front end over meson/ninja. `make demo` and `make check` are the two
# commands of the README; everything real lives in meson.build.

BUILD ?= build
CHECK ?= build-check
DB    ?= demo.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps demo check clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

deps:
	@scripts/deps.sh

# Install what is missing, build, create the demo mission with an account
# per role, and run the main job: the server, until Ctrl-C.
demo: deps
	$(MAKE) all
	$(BUILD)/cadre --db $(DB) demo --force --accounts
	$(BUILD)/cadre --db $(DB) status
	$(BUILD)/cadre --db $(DB) serve --listen $(LISTEN)

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
