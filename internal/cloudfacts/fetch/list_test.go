package fetch

import (
	"context"
	"errors"
	"strings"
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
