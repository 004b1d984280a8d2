# imgadmit: `make demo` runs the main job on the shipped fixtures; `make test`
# runs every test. Both build what they need from go.mod's pinned modules
# (the OPA CLI included: it is never downloaded as a binary).

GO          ?= go
BIN         := bin
IMGADMIT    := $(BIN)/imgadmit
OPA         := $(BIN)/opa
# The time every fixture is evaluated at: fixed, so decisions are reproducible.
FIXTURE_NOW := 2026-11-24T00:00:00Z
# Minimum line coverage of the rulebook by its Rego tests (opa test --coverage).
COVERAGE    := 95

GO_SOURCES := $(shell find . -name '*.go' -not -path './bin/*') go.mod go.sum
REGO       := $(shell find policies -name '*.rego')
SCHEMAS    := $(shell find schemas -name '*.json')

.PHONY: all build demo test vet fmt-check go-test opa-test opa-fmt opa-check rules-doc golden bench clean

all: build

build: $(IMGADMIT)

$(IMGADMIT): $(GO_SOURCES) $(REGO) $(SCHEMAS)
	$(GO) build -o $@ ./cmd/imgadmit

# The stock OPA CLI, built from the module version pinned in go.mod.
$(OPA): go.mod go.sum
	$(GO) build -o $@ github.com/open-policy-agent/opa

## demo: evaluate every shipped fixture and print the decisions (exit 1 = some denied, as expected)
demo: $(IMGADMIT)
	$(IMGADMIT) eval --data fixtures/inventory.yaml --now $(FIXTURE_NOW) fixtures/requests; \
	  code=$$?; [ $$code -le 2 ] || exit $$code

## test: everything CI runs
test: vet fmt-check opa-fmt opa-check opa-test go-test

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# go test covers the evaluator, the CLI (in-process and the built binary),
# the sidecar, and the fixtures against their golden decisions with the
# rule-level coverage check.
go-test: $(OPA)
	IMGADMIT_OPA=$(CURDIR)/$(OPA) $(GO) test -race -count=1 ./...

opa-test: $(OPA)
	$(OPA) test policies --coverage --threshold $(COVERAGE) --format json > $(BIN)/opa-coverage.json || \
	  { $(OPA) test policies -v | tail -50; echo "opa test failed or coverage below $(COVERAGE)%"; \
	    grep -m1 '"coverage"' $(BIN)/opa-coverage.json; exit 1; }
	@$(OPA) test policies | tail -1
	@printf 'rulebook line coverage: '; grep -o '"coverage": [0-9.]*' $(BIN)/opa-coverage.json | tail -1 | cut -d' ' -f2

opa-fmt: $(OPA)
	@out=$$($(OPA) fmt -l policies); \
	  if [ -n "$$out" ]; then echo "opa fmt would change:"; echo "$$out"; exit 1; fi

opa-check: $(OPA)
	$(OPA) check --strict policies

## rules-doc: regenerate docs/rules.md from the rules' METADATA
rules-doc: $(IMGADMIT)
	$(IMGADMIT) rules --format markdown > docs/rules.md

## golden: regenerate the fixtures' expected decisions (review the diff!)
golden:
	$(GO) test ./fixtures -count=1 -update

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./evaluator | tee $(BIN)/bench.txt

clean:
	rm -rf $(BIN)
