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

func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		flag   string
		envSet bool
		want   int64
	}{
		{"auto", false, -1},
		{"auto", true, 0}, // GOMEMLIMIT wins
		{"off", false, 0},
		{"256MiB", false, 256 << 20},
		{"256MiB", true, 256 << 20}, // an explicit flag wins over the environment
		{"1GiB", false, 1 << 30},
		{"64KiB", false, 64 << 10},
		{"123456789", false, 123456789},
	} {
		if got, err := memoryLimit(tc.flag, tc.envSet); err != nil || got != tc.want {
			t.Errorf("memoryLimit(%q, %v) = %d, %v; want %d", tc.flag, tc.envSet, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "lots", "-5MiB", "0", "12MB", "9999999999GiB"} {
		if _, err := memoryLimit(bad, false); err == nil {
			t.Errorf("memoryLimit(%q) accepted", bad)
		}
	}
}
