package calldoc

import (
	"bytes"
	"net/url"
	"strings"
)

// Redacted is what a log keeps instead of a secret.
const Redacted = "(redacted)"

// secretNames are the names (lower case, '-' and '_' dropped) of the
// headers, parameters and body members that carry secrets, beside any name
// that says password, secret, token or signature (isSecret): credentials of
// the call (pasted with it from a proxy or a debug log) and secrets of what
// it creates (a server's password, its user data, which carry keys too).
var secretNames = map[string]bool{
	"authorization": true, "proxyauthorization": true, "cookie": true, "setcookie": true,
	"adminpass": true, "userdata": true, "accesskeysecret": true, "credential": true,
}

// secretWords make any name that contains one a secret's (X-Auth-Token,
// x-obs-security-token, X-Amz-Signature, PasswordInherit: a false alarm
// costs a log a harmless value, a miss costs a credential).
var secretWords = [][]byte{[]byte("password"), []byte("passwd"), []byte("secret"), []byte("token"), []byte("signature")}

// isSecret reports whether a header, parameter or member name carries a
// secret.
func isSecret(name string) bool {
	var buf [64]byte
	n := buf[:0]
	if len(name) > len(buf) {
		n = make([]byte, 0, len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		n = append(n, c)
	}
	if secretNames[string(n)] {
		return true
	}
	for _, w := range secretWords {
		if bytes.Contains(n, w) {
			return true
		}
	}
	return false
}

// Redact replaces in doc, a call document, every secret its call carries
// with Redacted, and reports whether there was one; with apply false it
// only reports. It looks at the call's headers, params and query (object or
// raw string), the query of its path, and its body at any depth, arrays
// included, where a string that is a URL has the secrets of its query
// replaced (a presigned OBS or OSS URL). The decision log keeps the call
// this way; translators never copy a secret into a request.
func Redact(doc map[string]any, apply bool) bool {
	call, ok := doc["call"].(map[string]any)
	if !ok {
		return false
	}
	found := false
	for _, member := range []string{"headers", "params", "query"} {
		if m, ok := call[member].(map[string]any); ok {
			for k := range m {
				if isSecret(k) {
					found = true
					if apply {
						m[k] = Redacted
					}
				}
			}
		}
	}
	for _, member := range []string{"query", "path"} {
		if s, ok := call[member].(string); ok {
			if r, changed := redactURL(s, member == "query"); changed {
				found = true
				if apply {
					call[member] = r
				}
			}
		}
	}
	if body, ok := call["body"]; ok {
		if r, changed := redactValue(body, apply, 0); changed {
			found = true
			if apply {
				call["body"] = r
			}
		}
	}
	return found
}

// redactValue redacts a body value: secret members at any depth, and the
// query secrets of URL strings. It returns the value to keep (a string is
// replaced, not changed in place) and whether it held a secret.
func redactValue(v any, apply bool, depth int) (any, bool) {
	if depth > 64 {
		return v, false
	}
	found := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if isSecret(k) {
				found = true
				if apply {
					x[k] = Redacted
				}
				continue
			}
			if r, changed := redactValue(e, apply, depth+1); changed {
				found = true
				if apply {
					x[k] = r
				}
			}
		}
	case []any:
		for i, e := range x {
			if r, changed := redactValue(e, apply, depth+1); changed {
				found = true
				if apply {
					x[i] = r
				}
			}
		}
	case string:
		if strings.Contains(x, "?") && strings.Contains(x, "://") {
			return redactURL(x, false)
		}
	}
	return v, found
}

// redactURL replaces the values of secret parameters in a URL's query, or
// in a raw query string (whole true), keeping the rest as written. A name
// is read unescaped (Signatur%65 is Signature); a raw query may start with
// '?'.
func redactURL(s string, whole bool) (string, bool) {
	prefix, q := "", s
	if whole {
		if strings.HasPrefix(s, "?") {
			prefix, q = "?", s[1:]
		}
	} else {
		before, after, found := strings.Cut(s, "?")
		if !found {
			return s, false
		}
		prefix, q = before+"?", after
	}
	pairs := strings.Split(q, "&")
	changed := false
	for i, pair := range pairs {
		key, _, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		if isSecret(name) {
			pairs[i] = key + "=" + Redacted
			changed = true
		}
	}
	if !changed {
		return s, false
	}
	return prefix + strings.Join(pairs, "&"), true
}
