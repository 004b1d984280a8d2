package sidecar

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/imgadmit/imgadmit/evaluator"
)

// The decision path encodes three things per request: the decision, OPA's
// answer around it, and the decision log line around both. encoding/json
// does that by reflection and then scans every json.RawMessage member again
// to compact it, which is a fifth of the sidecar's own CPU per request
// (docs/performance.md, round 7). The appenders here write the same bytes
// directly, member by member: encode (encoding/json, HTML characters as
// they are) stays the reference, and the tests hold them to it.

// appendString appends s as a JSON string exactly as encode writes it
// (encoding/json without HTML escaping): \", \\, the short escapes of
// \b \f \n \r \t, \u00XX for the other control characters, \ufffd for each
// byte that is not UTF-8, and \u2028 and \u2029 escaped.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendKey appends "name": for a member whose name needs no escaping.
func appendKey(dst []byte, comma bool, name string) []byte {
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

// appendStringMap appends m as encoding/json does: null when nil, the
// members in the order of their names.
func appendStringMap[V any](dst []byte, m map[string]V, value func([]byte, V) []byte) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var stack [8]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = value(dst, m[k])
	}
	return append(dst, '}')
}

func appendInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// appendTimers appends a decision's timers (a map of names to nanoseconds).
func appendTimers(dst []byte, t timers) []byte { return appendStringMap(dst, t, appendInt) }

// appendRaw appends JSON the sidecar encoded itself (compact, possibly
// ending in encode's newline), without the newline.
func appendRaw(dst, raw []byte) []byte {
	if raw == nil {
		return append(dst, "null"...)
	}
	return append(dst, bytes.TrimSuffix(raw, []byte{'\n'})...)
}

// encodeDecision is the decision's JSON as encode writes it: its own
// MarshalJSON (which escapes HTML characters, and is compact), and a
// newline.
func encodeDecision(d *evaluator.Decision) []byte {
	b, err := d.MarshalJSON()
	if err != nil {
		// A decision is strings and booleans read from OPA's answer.
		panic("encode decision: " + err.Error())
	}
	return append(b, '\n')
}

// appendCompact appends a request's JSON compacted, as encoding/json writes
// a json.RawMessage (json.Compact). A request the evaluator decoded is JSON,
// and one without a byte of JSON whitespace is compact already: it is
// appended as it is, without a second scan (most clients send compact
// requests; a space inside a string sends the request to json.Compact,
// which gives the same bytes).
func appendCompact(dst, raw []byte) ([]byte, error) {
	if bytes.IndexAny(raw, " \t\r\n") < 0 {
		return append(dst, raw...), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendLine appends rec as its decision log line, the bytes encode writes
// for it: the members in the struct's order, the optional ones left out
// when empty, and a newline. The input is the request as the client sent
// it, compacted (appendCompact); the result is the decision as encoded for
// the answer.
func (rec *Record) appendLine(dst []byte) ([]byte, error) {
	dst = append(dst, `{"event":`...)
	dst = appendString(dst, rec.Event)
	dst = appendKey(dst, true, "labels")
	dst = appendStringMap(dst, rec.Labels, appendString)
	dst = appendKey(dst, true, "decision_id")
	dst = appendString(dst, rec.DecisionID)
	if len(rec.Bundles) > 0 {
		dst = appendKey(dst, true, "bundles")
		dst = appendStringMap(dst, rec.Bundles, func(dst []byte, b bundleRevision) []byte {
			dst = append(dst, `{"revision":`...)
			return append(appendString(dst, b.Revision), '}')
		})
	}
	dst = appendKey(dst, true, "path")
	dst = appendString(dst, rec.Path)
	if len(rec.Input) > 0 {
		dst = appendKey(dst, true, "input")
		var err error
		if dst, err = appendCompact(dst, rec.Input); err != nil {
			return nil, err
		}
	}
	dst = appendKey(dst, true, "result")
	dst = appendRaw(dst, rec.Result)
	dst = appendKey(dst, true, "requested_by")
	dst = appendString(dst, rec.RequestedBy)
	dst = appendKey(dst, true, "timestamp")
	dst = appendString(dst, rec.Timestamp)
	if len(rec.Metrics) > 0 {
		dst = appendKey(dst, true, "metrics")
		dst = appendTimers(dst, rec.Metrics)
	}
	a := &rec.recordAdditions
	dst = appendKey(dst, true, "endpoint")
	dst = appendString(dst, a.Endpoint)
	dst = appendKey(dst, true, "remote_addr")
	dst = appendString(dst, a.RemoteAddr)
	if a.ProjectID != "" {
		dst = appendKey(dst, true, "project_id")
		dst = appendString(dst, a.ProjectID)
	}
	if a.InputSHA256 != "" {
		dst = appendKey(dst, true, "input_sha256")
		dst = appendString(dst, a.InputSHA256)
	}
	if a.InputBytes != 0 {
		dst = appendKey(dst, true, "input_bytes")
		dst = appendInt(dst, int64(a.InputBytes))
	}
	dst = appendKey(dst, true, "revision")
	dst = appendString(dst, a.Revision)
	dst = appendKey(dst, true, "latency_ns")
	dst = appendInt(dst, a.LatencyNS)
	if a.Error != "" {
		dst = appendKey(dst, true, "error")
		dst = appendString(dst, a.Error)
	}
	return append(dst, '}', '\n'), nil
}
