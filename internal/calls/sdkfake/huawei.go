package sdkfake

import (
	"net/url"
	"testing"

	hwcore "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	cbr "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1"
	cbrregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/region"
	ecs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2"
	ecsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/region"
	evs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2"
	evsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/region"
	ims "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2"
	imsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/region"
)

// huaweiReply is what the fake answers every Huawei call with: most of the calls this
// package is for are asynchronous and answer a job id; the SDK's response error (if it
// cannot read this as the operation's response) is ignored by Capture anyway.
const huaweiReply = `{"job_id":"fake"}`

// The headers a call document keeps: the ones that carry the project or the account.
// Authorization, X-Sdk-Date, User-Agent, Host and the rest are signing or transport.
var huaweiDocHeaders = []string{"X-Project-Id", "X-Domain-Id"}

// Huawei is a fake of the Huawei Cloud services IMS, CBR, ECS and EVS. Its clients are the
// SDK's real clients, built the way an application builds them (a region, basic AK/SK
// credentials with the project id), with dummy keys; they reach only the fake.
type Huawei struct {
	t        testing.TB
	fake     *fake
	region   string
	omitHost bool

	ims *ims.ImsClient
	cbr *cbr.CbrClient
	ecs *ecs.EcsClient
	evs *evs.EvsClient
}

// Option changes a Huawei fake.
type Option func(*Huawei)

// WithoutHost leaves "host" out of the call documents, for callers that have no host. It
// also lets the region be one the SDK's region tables do not know: the clients then
// address the fake by its own address.
func WithoutHost() Option { return func(h *Huawei) { h.omitHost = true } }

// NewHuawei starts a fake for the Huawei services; the clients it returns are the SDK's
// real clients, configured with dummy AK/SK, the given region and project id, pointed at
// the fake. The project id is given to the credentials, so the SDK never asks IAM for it.
// It fails t when the SDK's region table of a service does not know the region (unless
// WithoutHost). The fake stops when the test ends. Use it from the test that made it: a
// Capture failure fails that test.
func NewHuawei(t testing.TB, region, projectID string, opts ...Option) *Huawei {
	t.Helper()
	h := &Huawei{t: t, fake: startFake(t, huaweiReply), region: region}
	for _, o := range opts {
		o(h)
	}
	h.ims = ims.NewImsClient(h.build("ims", imsregion.SafeValueOf, ims.ImsClientBuilder(), projectID))
	h.cbr = cbr.NewCbrClient(h.build("cbr", cbrregion.SafeValueOf, cbr.CbrClientBuilder(), projectID))
	h.ecs = ecs.NewEcsClient(h.build("ecs", ecsregion.SafeValueOf, ecs.EcsClientBuilder(), projectID))
	h.evs = evs.NewEvsClient(h.build("evs", evsregion.SafeValueOf, evs.EvsClientBuilder(), projectID))
	return h
}

// IMS returns the Image Management Service client.
func (h *Huawei) IMS() *ims.ImsClient { return h.ims }

// CBR returns the Cloud Backup and Recovery client.
func (h *Huawei) CBR() *cbr.CbrClient { return h.cbr }

// ECS returns the Elastic Cloud Server client.
func (h *Huawei) ECS() *ecs.EcsClient { return h.ecs }

// EVS returns the Elastic Volume Service client.
func (h *Huawei) EVS() *evs.EvsClient { return h.evs }

// build builds one service's HTTP client for the fake's region.
func (h *Huawei) build(service string, valueOf func(string) (*region.Region, error),
	builder *hwcore.HcHttpClientBuilder, projectID string) *hwcore.HcHttpClient {
	h.t.Helper()
	// Each client gets its own credentials and config: the builder writes into both.
	cred, err := basic.NewCredentialsBuilder().
		WithAk("FAKEAKSDKFAKE0000000").
		WithSk("fake-sk-sdkfake-0000000000000000000000").
		WithProjectId(projectID).
		SafeBuild()
	if err != nil {
		h.t.Fatalf("sdkfake: %s credentials: %v", service, err)
	}
	cfg := config.DefaultHttpConfig().
		WithTimeout(requestTimeout).
		WithRetries(0).
		WithHttpRoundTripper(h.fake.transport(h.t))
	// A fresh Region, never the SDK's shared one from its table: WithRegion is what an
	// application calls, and it would make the SDK look the project id up in IAM if the
	// credentials had none.
	client, err := builder.
		WithRegion(region.NewRegion(h.region, h.endpoint(service, valueOf))).
		WithCredential(cred).
		WithHttpConfig(cfg).
		SafeBuild()
	if err != nil {
		h.t.Fatalf("sdkfake: %s client: %v", service, err)
	}
	return client
}

// endpoint is the service's endpoint in the SDK's own region table, but over plain http:
// the SDK then addresses the real host (the Host header the fake sees is the real one),
// and the fake's transport takes the connection to the fake whatever the host.
func (h *Huawei) endpoint(service string, valueOf func(string) (*region.Region, error)) string {
	h.t.Helper()
	reg, err := valueOf(h.region)
	if err == nil && len(reg.Endpoints) > 0 {
		u, perr := url.Parse(reg.Endpoints[0])
		if perr == nil && u.Host != "" {
			return "http://" + u.Host
		}
		err = perr
	}
	if h.omitHost {
		return h.fake.srv.URL
	}
	h.t.Fatalf("sdkfake: no %s endpoint for region %q in the SDK's region table (%v); WithoutHost() does without", service, h.region, err)
	return ""
}

// Capture runs send (which calls one SDK method on one of the clients) and returns the
// one HTTP call it made. The SDK's response or error is ignored (the fake answers 200 with
// {"job_id":"fake"}), but a send that makes no call or more than one fails the test, and
// so does a body that is not JSON.
func (h *Huawei) Capture(send func()) Call {
	h.t.Helper()
	r := h.fake.capture(h.t, send)

	call := map[string]any{"method": r.method, "path": r.uri}
	if !h.omitHost {
		call["host"] = r.host
	}
	headers := map[string]any{}
	for _, k := range huaweiDocHeaders {
		if v := r.header.Get(k); v != "" {
			headers[k] = v
		}
	}
	if len(headers) > 0 {
		call["headers"] = headers
	}
	if len(r.body) > 0 {
		var body any
		if err := decodeJSON(r.body, &body); err != nil {
			h.t.Fatalf("sdkfake: %s %s: body is not JSON (%v): %q", r.method, r.uri, err, r.body)
		}
		call["body"] = body
	}
	return Call{
		Doc:    map[string]any{"provider": "huaweicloud", "region": h.region, "call": call},
		Method: r.method,
		URI:    r.uri,
		Host:   r.host,
		Header: r.header,
		Raw:    r.body,
	}
}
