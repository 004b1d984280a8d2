package calldoc

import (
	"net/url"
	"strings"
)

// ParseQuery parses a query string strictly, as a signed request must be
// written: key=value pairs joined by '&', every key non-empty and given
// once, every escape well formed. url.ParseQuery would keep the first of
// two values silently (and a policy must not judge one value while the
// cloud acts on another). Problems are reported at ptr, naming the key.
func (p *Problems) ParseQuery(q, ptr string) (map[string]string, bool) {
	out := map[string]string{}
	good := true
	if q == "" {
		return out, true
	}
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			p.Add(ptr, "the query string has an empty parameter (two '&' in a row, or one at an end)")
			good = false
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			p.Add(ptr, "query parameter %q: malformed escape in its name", rawKey)
			good = false
			continue
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			p.Add(ptr, "query parameter %q: malformed escape in its value", key)
			good = false
			continue
		}
		if key == "" {
			p.Add(ptr, "the query string has a parameter with no name (%q)", pair)
			good = false
			continue
		}
		if _, dup := out[key]; dup {
			p.Add(ptr, "query parameter %q is given twice; a call names each parameter once", key)
			good = false
			continue
		}
		out[key] = value
	}
	return out, good
}
