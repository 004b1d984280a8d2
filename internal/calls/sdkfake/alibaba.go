package sdkfake

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// alibabaReply is what the fake answers every Alibaba call with: the one field every RPC
// response has. The SDK's response or error is ignored by Capture anyway.
const alibabaReply = `{"RequestId":"fake"}`

// alibabaProtocolParams are the RPC parameters the SDK adds itself to sign and frame every
// call (sdk/auth/rpc_signature_composer.go): not business parameters, so not in a document.
// RegionId is not among them: it is the region the call is for.
var alibabaProtocolParams = map[string]bool{
	"Action": true, "Version": true, "Format": true, "AccessKeyId": true,
	"Signature": true, "SignatureMethod": true, "SignatureVersion": true,
	"SignatureNonce": true, "SignatureType": true, "Timestamp": true,
	"SecurityToken": true, "BearerToken": true,
}

// newClientMu serializes building ECS clients: the SDK's constructor fills a package-level
// endpoint map on first use without a lock (services/ecs/endpoint.go, GetEndpointMap), a
// data race when parallel tests each build a client.
var newClientMu sync.Mutex

// Alibaba is a fake of the Alibaba Cloud ECS API (RPC style, version 2014-05-26). Its
// client is the SDK's real client, built with dummy AccessKey credentials for the region;
// it reaches only the fake.
type Alibaba struct {
	t      testing.TB
	fake   *fake
	client *aliecs.Client
}

// NewAlibaba starts a fake for Alibaba Cloud ECS whose client is the SDK's real client for
// region, with dummy credentials, automatic retries off and short timeouts. The fake stops
// when the test ends. Use it from the test that made it: a Capture failure fails that test.
func NewAlibaba(t testing.TB, region string) *Alibaba {
	t.Helper()
	a := &Alibaba{t: t, fake: startFake(t, alibabaReply)}
	cfg := sdk.NewConfig().
		WithAutoRetry(false). // one SDK call, one HTTP call (retries would re-sign and resend)
		WithMaxRetryTime(0).
		WithTimeout(requestTimeout)
	cfg.Scheme = "HTTP" // the SDK's default already, said here because the fake needs it
	cfg.Transport = a.fake.transport(t)
	newClientMu.Lock()
	client, err := aliecs.NewClientWithOptions(region, cfg,
		credentials.NewAccessKeyCredential("FAKEAKSDKFAKE0000000", "fake-secret-sdkfake"))
	newClientMu.Unlock()
	if err != nil {
		t.Fatalf("sdkfake: alibaba ecs client: %v", err)
	}
	// Domain is the client-wide endpoint override: with it the SDK skips its endpoint
	// tables and never asks the location service (which would be a second call).
	client.Domain = a.fake.srv.Listener.Addr().String()
	client.SetConnectTimeout(dialTimeout)
	client.SetReadTimeout(requestTimeout)
	a.client = client
	return a
}

// ECS returns the ECS client.
func (a *Alibaba) ECS() *aliecs.Client { return a.client }

// Capture runs send (which calls one ECS method on the client) and returns the one HTTP
// call it made, with Doc in the params form and QueryDoc in the query form. The SDK's
// response or error is ignored, but a send that makes no call or more than one fails the
// test, and so does a call without an Action or with a parameter sent twice.
func (a *Alibaba) Capture(send func()) Call {
	a.t.Helper()
	r := a.fake.capture(a.t, send)

	// The SDK puts the ECS parameters in the query string and sends an empty form body;
	// both are read, so a parameter the SDK moves to the body is still seen.
	_, rawQuery, _ := strings.Cut(r.uri, "?")
	var pieces []string
	if rawQuery != "" {
		pieces = append(pieces, strings.Split(rawQuery, "&")...)
	}
	if len(r.body) > 0 {
		pieces = append(pieces, strings.Split(string(r.body), "&")...)
	}

	action := ""
	params := map[string]any{}
	var kept []string // the business pieces, encoded as the SDK encoded them
	for _, p := range pieces {
		k, v, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			a.t.Fatalf("sdkfake: parameter %q: %v", p, err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			a.t.Fatalf("sdkfake: parameter %q: %v", p, err)
		}
		if key == "Action" {
			action = val
		}
		if alibabaProtocolParams[key] {
			continue
		}
		if _, dup := params[key]; dup {
			a.t.Fatalf("sdkfake: parameter %s sent twice in %s", key, r.uri)
		}
		params[key] = val
		kept = append(kept, p)
	}
	if action == "" {
		a.t.Fatalf("sdkfake: call without an Action: %s %s", r.method, r.uri)
	}
	return Call{
		Doc: map[string]any{"provider": "alibabacloud",
			"call": map[string]any{"action": action, "params": params}},
		QueryDoc: map[string]any{"provider": "alibabacloud",
			"call": map[string]any{"action": action, "query": strings.Join(kept, "&")}},
		Method: r.method,
		URI:    r.uri,
		Host:   r.host,
		Header: r.header,
		Raw:    r.body,
	}
}
