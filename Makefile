# Roster: one command to run the agent, one to run the tests.
#   make run    install what is missing, build, and run the agent on ./watch and ./state
#   make test   install what is missing, build, and run every test

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libinotifytools0-dev inotify-tools libsqlite3-dev sqlite3 libpq-dev
# The tests start throwaway PostgreSQL servers of their own; running the agent needs none.
TEST_PACKAGES := postgresql

.PHONY: deps test-deps install build run test lint bench

deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(APT_PACKAGES) $(TEST_PACKAGES)"

install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build -c release --product roster

run: build
	.build/release/roster watch

test: test-deps
	swift build --build-tests
	swift test

lint:
	swift format lint --strict -r Sources Tests Package.swift

bench: deps
	bench/ingest.sh
