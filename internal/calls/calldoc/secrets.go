package calldoc

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
)

// Redacted is what a log keeps instead of a secret.
const Redacted = "(redacted)"

// secretNames are the names (lower case, '-' and '_' dropped) of the
// headers, parameters and body members that carry secrets: credentials of
// the call (a header or a signature, pasted with the call from a proxy or a
// debug log) and secrets of what it creates (a server's password, its user
// data, which carry keys and passwords too).
var secretNames = map[string]bool{
	"authorization": true, "proxyauthorization": true, "cookie": true,
	"xauthtoken": true, "xsubjecttoken": true, "xsecuritytoken": true,
	"signature": true, "securitytoken": true, "bearertoken": true, "accesskeysecret": true,
	"adminpass": true, "password": true, "userdata": true,
}

// isSecret reports whether a header, parameter or member name carries a
// secret: one of secretNames, or any name that says password or secret.
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
	return secretNames[string(n)] || bytes.Contains(n, []byte("password")) || bytes.Contains(n, []byte("secret"))
}

// redactions finds the secrets in a call object, by JSON pointer, with what
// a log keeps instead: headers, params, a raw query (in the path or in
// query), a query object, and members of the body at any depth.
// Translators never copy them into a request; the decision log must not
// keep them either.
func redactions(call map[string]any) map[string]any {
	out := map[string]any{}
	for _, member := range []string{"headers", "params", "query"} {
		if m, ok := call[member].(map[string]any); ok {
			for k := range m {
				if isSecret(k) {
					out[Pointer("/call/"+member, k)] = Redacted
				}
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
	redactBody(call["body"], "/call/body", out, 0)
	if len(out) == 0 {
		return nil
	}
	return out
}

// redactBody finds secret members in a body, at any depth (a server's
// adminPass, os-change.metadata.user_data).
func redactBody(v any, ptr string, out map[string]any, depth int) {
	if depth > 64 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isSecret(k) {
				out[Pointer(ptr, k)] = Redacted
				continue
			}
			redactBody(x, Pointer(ptr, k), out, depth+1)
		}
	case []any:
		for i, x := range v {
			redactBody(x, ptr+"/"+strconv.Itoa(i), out, depth+1)
		}
	}
}

// redactQuery replaces the values of secret parameters in a raw query,
// keeping the rest as written. A name is read unescaped (Signatur%65 is
// Signature).
func redactQuery(q string) (string, bool) {
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
	return strings.Join(pairs, "&"), changed
}
