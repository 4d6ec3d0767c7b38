# Thin front end over meson/ninja. `make demo` and `make check` are the two
# commands of the README; everything real lives in meson.build.

BUILD ?= build
CHECK ?= build-check
DB    ?= demo.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all ui deps demo check clean

# Plain `make` builds everything: the interface, then the binary.
.DEFAULT_GOAL := all

# A Node.js that scripts/deps.sh took from the npm registry (where the
# machine's is older than Vite needs) comes first on PATH.
LOCAL_NODE := $(wildcard $(CURDIR)/.node/node_modules/.bin/node)
ifneq ($(LOCAL_NODE),)
export PATH := $(dir $(LOCAL_NODE)):$(PATH)
endif

# The web interface: npm installs exactly the locked packages, Vite builds
# web/dist, and the binary embeds it (src/http/meson.build).
WEB_SRC := $(shell find web/src web/public web/scripts -type f \
	! -name region.json 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run --silent build

ui: web/dist/index.html

all: ui $(BUILD)/build.ninja
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
check:
	@scripts/deps.sh --test
	$(MAKE) ui
	@[ -f $(CHECK)/build.ninja ] || meson setup $(CHECK) \
		--buildtype=debug -Dwerror=true -Db_sanitize=address,undefined \
		-Dtests=enabled
	ninja -C $(CHECK)
	@scripts/run-tests.sh $(CHECK)

clean:
	rm -rf $(BUILD) $(CHECK) web/dist
