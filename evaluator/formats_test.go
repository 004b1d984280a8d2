package evaluator

import "testing"

func TestIDFormat(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"img-1", true},
		{"6df2b54c-dd62-4059-a07c-1b8f24f2725d", true},
		{"m-bp1g7004ksh0oeuc****", true},
		{"镜像 一", true}, // inner space, CJK
		{"a b", true},
		{"", true}, // minLength's to report
		{"img-1 ", false},
		{" img-1", false},
		{"img-1\n", false},
		{"img-1\t", false},
		{"img-1\u00a0", false}, // no-break space
		{"\u3000img-1", false}, // ideographic space
		{"img\u200b-1", false}, // zero-width space
		{"img\u200e-1", false}, // left-to-right mark
		{"img\u202e-1", false}, // right-to-left override
		{"img\u2060-1", false}, // word joiner
		{"\ufeffimg-1", false}, // byte order mark
		{"img\x00-1", false},
		{"img\x7f-1", false},
		{"img\u0085-1", false}, // next line (C1)
	} {
		if got := isID(tc.id); got != tc.want {
			t.Errorf("isID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
	if !isID(42) || !isID(nil) {
		t.Error("a value that is not a string is the type keyword's to judge")
	}
}

func TestTimeFormat(t *testing.T) {
	for _, tc := range []struct {
		time string
		want bool
	}{
		{"2026-11-24T00:00:00Z", true},
		{"2026-11-24T08:00:00.5+08:00", true},
		{"2026-12-31T16:00Z", true},    // Alibaba ExpiredTime
		{"2099-12-31T15:59Z", true},    // Alibaba pay-as-you-go
		{"1678-01-01T00:00:00Z", true}, // the earliest year OPA can compare
		{"2262-04-11T00:00:00Z", true},
		{"2262-04-12T00:00:00Z", false},
		{"1677-01-01T00:00:00Z", false},
		{"0001-01-01T00:00:00Z", false},
		{"1000-01-01T00:00:00Z", false},
		{"2026-06-30T23:59:60Z", false}, // what time.parse_rfc3339_ns cannot read
		{"2026-11-24", false},
		{"2026-11-24T00:00", false},
		{"2026-11-24t00:00:00z", false},
		{"yesterday", false},
	} {
		if got := isRuleTime(tc.time); got != tc.want {
			t.Errorf("isRuleTime(%q) = %v, want %v", tc.time, got, tc.want)
		}
	}
}
