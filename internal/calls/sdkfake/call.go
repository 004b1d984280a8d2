package sdkfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Call is one HTTP call an SDK sent, as the fake received it, and its call document.
type Call struct {
	// Doc is the call document (see the package comment for its shape). Every value in it
	// is what encoding/json gives for the document's JSON with UseNumber: map[string]any,
	// []any, string, bool, json.Number, nil; so a test can compare it with
	// reflect.DeepEqual against a document decoded the same way (see DecodeDoc).
	Doc map[string]any

	// QueryDoc is, for Alibaba, the same call with the business parameters as one
	// URL-encoded string ("query") instead of a map ("params"). nil for Huawei.
	QueryDoc map[string]any

	// What was sent on the wire, for assertions the document does not carry.
	Method string      // the HTTP method
	URI    string      // the request target exactly as sent: escaped path, then ?query if any
	Host   string      // the Host header as sent (for Huawei, the real endpoint host)
	Header http.Header // every header, signing ones included (the credentials are dummies)
	Raw    []byte      // the body, byte for byte (Huawei's JSON ends with the encoder's "\n")
}

// DecodeDoc decodes a call document the way Doc is built (UseNumber), for comparing an
// expected document written as JSON with Call.Doc or Call.QueryDoc.
func DecodeDoc(doc string) (map[string]any, error) {
	var m map[string]any
	if err := decodeJSON([]byte(doc), &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeJSON decodes exactly one JSON value from b, keeping numbers exact.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}
