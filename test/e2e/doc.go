// Package e2e holds the end-to-end tests of imgadmit: they build the binary
// once (cmd/imgadmit) and run it as users do, a CLI in a pipeline and a
// sidecar under load (driven by internal/loadgen), through reloads,
// signals, hostile input and abuse. The package has no code of its own.
//
// `make test` runs short versions of every test (`go test -race ./...`);
// `make soak` runs the long ones: IMGADMIT_SOAK_DURATION sets the soak's
// length, IMGADMIT_SOAK_WORKERS its load, IMGADMIT_RELOAD_CYCLES the reload
// cycles, IMGADMIT_SOAK_REPORT where the soak's figures go. With -short the
// tests are skipped.
package e2e
