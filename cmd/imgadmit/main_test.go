package main

import "testing"

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
		set  bool
	}{
		{"nothing set: imgadmit's target", nil, defaultGCPercent, true},
		{"GOGC set: the operator's", map[string]string{"GOGC": "50"}, 0, false},
		{"GOGC=off: the operator's", map[string]string{"GOGC": "off"}, 0, false},
		{"GOMEMLIMIT set: tuned together, left alone", map[string]string{"GOMEMLIMIT": "64MiB"}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, set := gcPercent(func(k string) string { return tc.env[k] })
			if got != tc.want || set != tc.set {
				t.Errorf("gcPercent = %d, %v; want %d, %v", got, set, tc.want, tc.set)
			}
		})
	}
}
