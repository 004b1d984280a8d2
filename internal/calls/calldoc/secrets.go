package calldoc

import (
	"strings"
)

// Redacted is what a log keeps instead of a credential.
const Redacted = "(redacted)"

// secretHeaders are request headers that carry credentials (lower case):
// a call pasted whole from a proxy or a debug log has them.
var secretHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true,
	"x-auth-token": true, "x-subject-token": true, "x-security-token": true,
}

// secretParams are RPC parameters that carry credentials: a signed Alibaba
// URL has a signature and, with STS, a security token.
var secretParams = map[string]bool{
	"Signature": true, "SecurityToken": true, "BearerToken": true, "AccessKeySecret": true,
}

// redactions finds the credentials in a call object: its headers, its
// params and its raw query. Translators ignore them; the decision log must
// not keep them.
func redactions(call map[string]any) map[string]any {
	out := map[string]any{}
	if h, ok := call["headers"].(map[string]any); ok {
		for k := range h {
			if secretHeaders[strings.ToLower(k)] {
				out[Pointer("/call/headers", k)] = Redacted
			}
		}
	}
	if p, ok := call["params"].(map[string]any); ok {
		for k := range p {
			if secretParams[k] {
				out[Pointer("/call/params", k)] = Redacted
			}
		}
	}
	if q, ok := call["query"].(string); ok {
		if r, changed := redactQuery(q); changed {
			out["/call/query"] = r
		}
	}
	if path, ok := call["path"].(string); ok {
		if before, q, found := strings.Cut(path, "?"); found {
			if r, changed := redactQuery(q); changed {
				out["/call/path"] = before + "?" + r
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// redactQuery replaces the values of credential parameters in a raw query,
// keeping the rest as written.
func redactQuery(q string) (string, bool) {
	pairs := strings.Split(q, "&")
	changed := false
	for i, pair := range pairs {
		key, _, _ := strings.Cut(pair, "=")
		if secretParams[key] || secretHeaders[strings.ToLower(key)] {
			pairs[i] = key + "=" + Redacted
			changed = true
		}
	}
	return strings.Join(pairs, "&"), changed
}
