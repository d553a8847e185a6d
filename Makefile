# Roster: one command to run the agent, one to run the tests.
#   make run    install what is missing, build, and run Roster on ./watch and ./state
#   make test   install what is missing, build, and run every test

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libinotifytools0-dev inotify-tools libsqlite3-dev sqlite3

.PHONY: deps build run test lint bench

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build -c release --product roster

run: build
	mkdir -p watch state
	@find watch -maxdepth 1 -type f ! -name README.md ! -name '.*' -print0 | sort -z \
		| xargs -0 -r .build/release/roster ingest --move; \
	echo "Drop users CSVs into watch/ and run make run again; results are in state/."

test: deps
	swift build --build-tests
	swift test

lint:
	swift format lint --strict -r Sources Tests Package.swift

bench: deps
	bench/ingest.sh
