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

.PHONY: all build demo test vet fmt-check go-test opa-test opa-fmt opa-check rules-doc calls-doc operations bench-import bench-plan golden bench bench-compare bench-scale clean fuzz soak

all: build

build: $(IMGADMIT)

$(IMGADMIT): $(GO_SOURCES) $(REGO) $(SCHEMAS)
	$(GO) build -o $@ ./cmd/imgadmit

# The stock OPA CLI, built from the module version pinned in go.mod.
$(OPA): go.mod go.sum
	$(GO) build -o $@ github.com/open-policy-agent/opa

## demo: evaluate every shipped fixture (requests, real API calls, Terraform plans, waivers) and print the decisions (exit 1 = some denied, as expected)
demo: $(IMGADMIT)
	$(IMGADMIT) eval --data fixtures/inventory.yaml --now $(FIXTURE_NOW) fixtures/requests fixtures/calls; \
	  code=$$?; [ $$code -le 2 ] || exit $$code
	$(IMGADMIT) eval --data fixtures/inventory.yaml --now $(FIXTURE_NOW) --region cn-north-4 \
	  --project-id 0605767a3300d5762fb7c0186d8d2b3b --format table fixtures/terraform/huaweicloud; \
	  code=$$?; [ $$code -le 2 ] || exit $$code
	$(IMGADMIT) eval --data fixtures/inventory.yaml --now $(FIXTURE_NOW) --region cn-hangzhou \
	  --project-id 1234567890123456 --format table fixtures/terraform/alibabacloud; \
	  code=$$?; [ $$code -le 2 ] || exit $$code
	$(IMGADMIT) eval --data fixtures/waivers/inventory.yaml --now $(FIXTURE_NOW) fixtures/waivers/requests; \
	  code=$$?; [ $$code -le 2 ] || exit $$code

## test: everything CI runs
test: vet fmt-check opa-fmt opa-check opa-test go-test

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# go test covers the evaluator, the CLI in-process, the sidecar, the
# fixtures against their golden decisions with the rule-level coverage check,
# and (test/e2e) the built binary end to end, with short versions of the
# long runs that make soak runs.
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

## rules-doc: regenerate docs/rules.md from the rules' METADATA, under the shipped settings
rules-doc: $(IMGADMIT)
	$(IMGADMIT) rules --format markdown --data fixtures/inventory.yaml > docs/rules.md

## calls-doc: regenerate docs/calls.md from the translators' tables of known calls
calls-doc: $(IMGADMIT)
	$(IMGADMIT) calls --format markdown > docs/calls.md

## operations: regenerate policies/lib/operations.rego from the pair schemas (schemas/<provider>/<operation>.json)
operations:
	$(GO) test ./internal/opsgen -count=1 -run '^TestOperationsRegoIsCurrent$$' -update

## golden: regenerate the fixtures' expected decisions (review the diff!)
golden:
	$(GO) test ./fixtures -count=1 -update

LOADGEN     := $(BIN)/loadgen
# Flags for bin/loadgen compare, e.g. BENCH_COMPARE_FLAGS='-rounds 5 -flat-duration 10s'
# (loadgen compare -h lists them all; the defaults finish in about three minutes).
BENCH_COMPARE_FLAGS ?=

$(LOADGEN): $(GO_SOURCES)
	$(GO) build -o $@ ./cmd/loadgen

## bench: the Go benchmarks of the evaluator (ns/op, allocs/op, p50/p99 of one decision, OPA expressions per
## decision) and of the sidecar handler beside it, benchstat-ready in bin/bench.txt
bench:
	@mkdir -p $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./evaluator ./internal/calls ./sidecar | tee $(BIN)/bench.txt

## bench-import: reading 100,000 resources of each cloud's responses into an inventory (target: under 5 s)
bench-import:
	@mkdir -p $(BIN)
	$(GO) test -run '^$$' -bench '^BenchmarkRead' -benchmem -benchtime 3x -count 3 ./internal/cloudfacts/... | tee $(BIN)/bench-import.txt

## bench-plan: judging a 2,000-resource Terraform plan (read, translated, decided; target: under 1 s)
bench-plan:
	@mkdir -p $(BIN)
	$(GO) test -run '^$$' -bench '^BenchmarkJudge2000$$' -benchmem -benchtime 3x -count 3 ./internal/tfplan | tee $(BIN)/bench-plan.txt

## bench-compare: imgadmit serve (file-logged, and uploading its decision logs through OPA's plugin)
## vs stock opa run --server logging every decision (decision_logs.console, to a file; with and
## without its access log), same rulebook, inventory and bodies, alternating rounds, flat out and
## at 2,000 req/s; imgadmit eval vs opa eval; the report goes to
## bin/bench-compare.txt, benchstat lines to bin/bench-compare.bench (docs/performance.md)
bench-compare: $(IMGADMIT) $(OPA) $(LOADGEN)
	$(LOADGEN) compare -imgadmit $(IMGADMIT) -opa $(OPA) \
	  -out $(BIN)/bench-compare.txt -bench-out $(BIN)/bench-compare.bench $(BENCH_COMPARE_FLAGS)

## bench-scale: issue 18's fleet-sized inventory: generates SCALE_N resources (default 1,000,000; valid
## against the inventory schema, deterministic) into bin/, then measures imgadmit serve holding it beside
## the fixture inventory: time to ready, RSS, decision p50/p99, single-resource changes, p99 during
## changes, a whole streamed PUT; prints them beside the targets (bin/bench-scale.txt, benchstat lines in bin/bench-scale.bench)
## and profiles the load and one change (bin/scale-profiles, tops in bin/bench-scale-profiles.txt).
## A quick run: make bench-scale SCALE_N=100000. More flags: SCALE_FLAGS (bin/loadgen scale -h).
SCALE_N     ?= 1000000
SCALE_FLAGS ?=
bench-scale: $(IMGADMIT) $(LOADGEN)
	$(LOADGEN) scale -imgadmit $(IMGADMIT) -n $(SCALE_N) -data-dir $(BIN) -profile-dir $(BIN)/scale-profiles \
	  -out $(BIN)/bench-scale.txt -bench-out $(BIN)/bench-scale.bench $(SCALE_FLAGS)
	@: > $(BIN)/bench-scale-profiles.txt
	@for p in load-cpu change-cpu load-heap; do \
	  echo "== $$p: go tool pprof -top -cum" >> $(BIN)/bench-scale-profiles.txt; \
	  $(GO) tool pprof -top -cum -nodecount 40 $(LOADGEN) $(BIN)/scale-profiles/$$p.pprof >> $(BIN)/bench-scale-profiles.txt 2>&1; \
	  echo "== $$p: go tool pprof -top" >> $(BIN)/bench-scale-profiles.txt; \
	  $(GO) tool pprof -top -nodecount 25 $(LOADGEN) $(BIN)/scale-profiles/$$p.pprof >> $(BIN)/bench-scale-profiles.txt 2>&1; \
	done
	@echo "profiles: $(BIN)/bench-scale-profiles.txt"

## fuzz: run every fuzz target in turn for FUZZTIME each; each target's output is in
## bin/fuzz-<Target>.log (a crasher lands in <package>/testdata/fuzz/<Target>/: commit it)
FUZZTIME  ?= 20s
FUZZ_PKGS ?= ./evaluator ./sidecar ./internal/jsonread ./internal/calls/huaweicloud ./internal/calls/alibabacloud ./internal/tfplan
fuzz:
	@mkdir -p $(BIN)
	@for pkg in $(FUZZ_PKGS); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    log=$(BIN)/fuzz-$$target.log; \
	    echo "== $$pkg $$target for $(FUZZTIME)"; \
	    if $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 3s $$pkg > $$log 2>&1; then \
	      grep '^fuzz: elapsed: .*execs' $$log | tail -1; \
	    else cat $$log; exit 1; fi; \
	  done; \
	done

## soak: the sidecar binary under 80% of its peak for SOAK_DURATION, then
## RELOAD_CYCLES good and broken reloads under load, then SIGTERM under load
## (test/e2e; the short versions run in make test); figures in bin/soak.json
SOAK_DURATION ?= 5m
RELOAD_CYCLES ?= 100
SOAK_TIMEOUT  ?= 30m
soak:
	@mkdir -p $(BIN)
	IMGADMIT_SOAK_DURATION=$(SOAK_DURATION) IMGADMIT_RELOAD_CYCLES=$(RELOAD_CYCLES) \
	IMGADMIT_SOAK_REPORT=$(CURDIR)/$(BIN)/soak.json \
	  $(GO) test -count=1 -timeout $(SOAK_TIMEOUT) -v \
	  -run '^(TestSoak|TestReloadFaults|TestServeSIGTERMDrains|TestServeSecondSIGTERM)$$' ./test/e2e

clean:
	rm -rf $(BIN)
