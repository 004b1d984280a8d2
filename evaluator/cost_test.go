package evaluator

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestErrorLinesCostIsLinear: reporting a schema error on a large one-line
// document (what a client's JSON encoder sends) costs about as much as
// decoding it, not the square of its size. The request is refused with one
// error at /params/x whatever its length.
//
// The bad-input corpus found it quadratic (fixed in cb6392a): pointerLines
// called lineCol for every value, and lineCol scanned back from the value to
// the previous newline, the whole document before it on one line. Measured
// then: 100 kB 0.9 s, 200 kB 3.4 s, 400 kB 14 s; a 1 MiB body (the sidecar's
// --max-body) about 95 s of CPU for one request, past the sidecar's write
// timeout, and --eval-timeout does not bound it (it covers evaluation, not
// validation). The check compares with the decode of the same bytes, so it
// holds on a slow machine and under -race: linear, the ratio is about 2;
// quadratic, it was about 70.
func TestErrorLinesCostIsLinear(t *testing.T) {
	e := sharedEvaluator(t)
	const n = 200_000
	raw := []byte(`{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"b","x":[0` + strings.Repeat(",0", n-1) + `]}}`)
	start := time.Now()
	if _, err := decode(raw, FormatJSON); err != nil {
		t.Fatal(err)
	}
	decodeCost := time.Since(start)
	start = time.Now()
	_, err := e.Decide(context.Background(), raw, FormatJSON, DecideOptions{})
	errorCost := time.Since(start)
	var ee *Error
	if !asError(err, &ee) || len(ee.Errors) != 1 || ee.Errors[0].Pointer != "/params/x" || ee.Errors[0].Line != 1 {
		t.Fatalf("error %v", err)
	}
	t.Logf("ratio %.1f (decode %v, error %v)", float64(errorCost)/float64(decodeCost), decodeCost, errorCost)
	if errorCost > 20*decodeCost {
		t.Errorf("%d bytes: decoded in %v, refused in %v (%.0fx): the error path is not linear", len(raw), decodeCost, errorCost, float64(errorCost)/float64(decodeCost))
	}
}
