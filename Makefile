# brink: build, demo, test, bench, lint. Needs Go 1.26+ and gcc (cgo: DuckDB).
GO      ?= go
BIN     := bin/brink
export CGO_ENABLED := 1

.PHONY: all build demo test test-short bench lint fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/brink

# The whole pipeline against the embedded stack: sim, run, analyze, report.
demo: build
	./$(BIN) demo

# Every test; the fuzz targets run over their seed corpus.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

test-short:
	$(GO) test -short -count=1 ./...

# Benchmarks print their figures (requests/s, rows/s, bytes/op, peak RSS), one
# package at a time (-p 1) so they do not share the two cores with each other.
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -benchtime 1x -timeout 30m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Run each fuzz target for FUZZTIME (default 10s).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
