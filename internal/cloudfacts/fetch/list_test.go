package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
)

// TestListThatDoesNotAdvance: a server that hands back a cursor it gave
// before (ignoring the marker, or cycling through tokens) stops the list
// with an error naming the page, instead of fetching for ever.
func TestListThatDoesNotAdvance(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cursors []string // the next cursor each page gives, cycling
	}{
		{"the same cursor", []string{"m-1"}},
		{"two cursors in turn", []string{"t-a", "t-b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			l := list{api: "Test List", call: func(string, int) (pageResult, error) {
				next := tc.cursors[calls%len(tc.cursors)]
				calls++
				return pageResult{body: []byte(`{"items":[1]}`), items: 1, next: next, more: true}, nil
			}}
			o := &Options{Progress: func(Progress) {}}
			out, err := fetchList(context.Background(), Target{Provider: Alibaba, Region: "cn-hangzhou"}, l, o)
			var fe *Error
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "does not advance") || fe.Page != len(tc.cursors)+1 {
				t.Fatalf("got %v after %d calls", err, calls)
			}
			if len(out) != len(tc.cursors) {
				t.Errorf("%d pages kept before the error, want %d", len(out), len(tc.cursors))
			}
		})
	}
}

// TestTransientErrorsAreRetried: the network failing for a moment is tried
// again; a refusal is not.
func TestTransientErrorsAreRetried(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		{errors.New("Post \"https://ecs.cn-north-4.myhuaweicloud.com/v1/p/cloudservers/detail\": read tcp: connection reset by peer"), true},
		{errors.New("dial tcp 10.0.0.1:443: i/o timeout"), true},
		{errors.New("{\"error_code\":\"Ecs.0319\",\"error_msg\":\"Policy doesn't allow\"}"), false},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
