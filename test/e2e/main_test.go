package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// repo is the repository's root, from this package's directory.
var repo = filepath.Join("..", "..")

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

// builtBinary builds cmd/imgadmit once per test run, into a temporary
// directory TestMain removes, and returns its path: the tests run what
// users run. With -short the test is skipped instead.
func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "imgadmit-e2e-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "imgadmit")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/imgadmit/imgadmit/cmd/imgadmit").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build imgadmit: %v", buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// knob reads a positive setting of a long test from the environment (the
// make soak target sets them), def when unset.
func knob[T time.Duration | int](t *testing.T, name string, def T) T {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var v T
	var err error
	switch p := any(&v).(type) {
	case *time.Duration:
		*p, err = time.ParseDuration(s)
	case *int:
		*p, err = strconv.Atoi(s)
	}
	if err != nil || v <= 0 {
		t.Fatalf("%s=%q: want a positive %T", name, s, v)
	}
	return v
}
