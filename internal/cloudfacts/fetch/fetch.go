// Package fetch calls the clouds' describe and list APIs with the official Go
// SDKs and keeps every page as the cloud sent it: the raw JSON body of each
// response, decoded with numbers as json.Number, as a facts.Response that
// cloudfacts.Inventory reads. The typed SDK models are used to send the calls
// and to page, never as the facts: they drop attributes the readers need
// (the Huawei models have no __whole_image, REAL-SHAPES finding 4).
//
// What is fetched, per target (a provider, a region and, for Huawei, a
// project):
//
//	huaweicloud  IMS ListImages __imagetype=private   marker/limit (marker: the last image's id)
//	             IMS ListImages __imagetype=shared    marker/limit
//	             CBR ListBackups own_type=all_granted offset/limit (offset: items so far)
//	             ECS ListServersDetails               offset/limit (offset: the page number, from 1)
//	             EVS ListVolumes                      marker/limit (marker: the last volume's id)
//	alibabacloud ECS DescribeImages ImageOwnerAlias=self    PageNumber/PageSize, every Status
//	             ECS DescribeImages ImageOwnerAlias=others  PageNumber/PageSize, every Status
//	             ECS DescribeSnapshots                      NextToken/MaxResults
//	             ECS DescribeInstances                      NextToken/MaxResults
//	             ECS DescribeDisks                          NextToken/MaxResults
//
// Images: a project's own images and the images shared with it (the ones its
// calls can name); public and marketplace images are not inventory. Backups:
// own_type=all_granted lists the project's backups and those shared with it,
// each with its project_id. A list ends at a short page (fewer items than
// asked for), at the total the response states, or when the response gives
// no next token.
//
// Throttling (HTTP 429, Huawei APIGW.0308 and the like, Alibaba Throttling*
// codes) and server errors (5xx) are retried with exponential backoff and full
// jitter, at most Options.MaxRetries times per page; the wait honors the
// context. Any other error stops that list: its *Error names the provider,
// region, API and page. The other lists are still fetched, and Fetch returns
// every error joined; a caller must not use a partial result as the inventory.
package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// Providers.
const (
	Huawei  = "huaweicloud"
	Alibaba = "alibabacloud"
)

// Defaults.
const (
	DefaultPageSize   = 100
	DefaultMaxRetries = 5
	// DefaultTimeout bounds one HTTP call.
	DefaultTimeout = 30 * time.Second
	backoffBase    = 500 * time.Millisecond
	backoffCap     = 30 * time.Second
)

// Target is one region of one provider to fetch; Project is the Huawei project
// id of that region ("" lets the Huawei SDK look it up in IAM). Alibaba has no
// projects.
type Target struct {
	Provider, Region, Project string
}

func (t Target) String() string { return t.Provider + " " + t.Region }

// Options are how Fetch calls the clouds. The zero value is the defaults.
type Options struct {
	// Endpoint overrides the SDKs' endpoints, for tests and private clouds:
	// a URL such as https://{service}.{region}.example.com, where {service}
	// (ims, cbr, ecs, evs; ecs for Alibaba) and {region} are replaced. For
	// Alibaba only its scheme and host are used.
	Endpoint string
	// PageSize is the items asked for per page (1-100; 0 means DefaultPageSize).
	PageSize int
	// MaxRetries bounds the retries of one page after throttling or a server
	// error (0 means DefaultMaxRetries; negative means none).
	MaxRetries int
	// Timeout bounds one HTTP call (0 means DefaultTimeout).
	Timeout time.Duration
	// Backoff is the wait before retry n (from 1); nil means exponential from
	// 500 ms, capped at 30 s, with full jitter.
	Backoff func(n int) time.Duration
	// Sleep waits d or until ctx ends; nil means a timer. Tests make it return at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Transport carries every call; nil means a clone of
	// http.DefaultTransport (proxies from HTTPS_PROXY and the like).
	Transport http.RoundTripper
	// Progress, when set, is told about every page fetched and every retry.
	Progress func(Progress)
	// Credentials, when set, replace the SDKs' own credential lookup (tests).
	Credentials *Credentials
}

// Credentials are explicit keys; without them, Huawei's come from
// HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN),
// Alibaba's from the SDK's default chain (ALIBABA_CLOUD_ACCESS_KEY_ID,
// ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN first).
type Credentials struct {
	AccessKey, SecretKey, SecurityToken string
}

// Progress is one step of a fetch.
type Progress struct {
	Target Target
	API    string
	Page   int
	// Items on this page, and Total so far for this API and target.
	Items, Total int
	// Retry > 0: the page is being retried (the n-th time) after Err, in Wait.
	Retry int
	Wait  time.Duration
	Err   error
	// Done: the list is complete (or failed, with Err).
	Done bool
}

// Error is a list that could not be fetched.
type Error struct {
	Target Target
	API    string
	Page   int
	// Page is the page that failed, from 1; 0 when the clients could not be
	// built (no credentials, an unknown region).
	// Retries made before giving up (throttling or server errors).
	Retries int
	Err     error
}

func (e *Error) Error() string {
	if e.Page == 0 { // no call made: the clients could not be built
		return fmt.Sprintf("%s %s: %v", e.Target.Provider, e.Target.Region, e.Err)
	}
	s := fmt.Sprintf("%s %s %s page %d: %v", e.Target.Provider, e.Target.Region, e.API, e.Page, e.Err)
	if e.Retries > 0 {
		s += fmt.Sprintf(" (after %d retries)", e.Retries)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Name is a response's name: "<API> <region> page N".
func Name(api, region string, page int) string {
	return fmt.Sprintf("%s %s page %d", api, region, page)
}

// list is one API's pages: call fetches the page after cursor (page counts
// from 1) and says how many items it had, the cursor of the next page and
// whether there is one.
type list struct {
	api  string
	call func(cursor string, page int) (pageResult, error)
}

type pageResult struct {
	body  []byte
	items int
	next  string
	more  bool
}

// client is a provider's lists for one target.
type client interface {
	lists() []list
}

// Fetch fetches every page of every list of every target, in order (targets
// as given, then the lists above, then pages). It returns the pages fetched
// and, when a list failed, every *Error joined.
func Fetch(ctx context.Context, targets []Target, opts Options) ([]facts.Response, error) {
	o := opts.settle()
	var out []facts.Response
	var errs []error
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return out, errors.Join(append(errs, err)...)
		}
		c, err := newClient(ctx, t, o)
		if err != nil {
			errs = append(errs, &Error{Target: t, Err: err})
			continue
		}
		for _, l := range c.lists() {
			got, err := fetchList(ctx, t, l, o)
			out = append(out, got...)
			if err != nil {
				errs = append(errs, err)
				if ctx.Err() != nil {
					return out, errors.Join(errs...)
				}
			}
		}
	}
	return out, errors.Join(errs...)
}

func newClient(ctx context.Context, t Target, o *Options) (client, error) {
	switch t.Provider {
	case Huawei:
		return newHuawei(ctx, t, o)
	case Alibaba:
		return newAlibaba(ctx, t, o)
	}
	return nil, fmt.Errorf("unknown provider %q (huaweicloud, alibabacloud)", t.Provider)
}

func (opts Options) settle() *Options {
	o := opts
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.PageSize > 100 {
		o.PageSize = 100
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backoff == nil {
		o.Backoff = Backoff
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	return &o
}

// Backoff is the default wait before retry n: a random duration up to
// 500 ms × 2^(n-1), at most 30 s ("full jitter").
func Backoff(n int) time.Duration {
	d := backoffCap
	if n < 7 {
		d = min(backoffBase<<(n-1), backoffCap)
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func fetchList(ctx context.Context, t Target, l list, o *Options) ([]facts.Response, error) {
	var out []facts.Response
	cursor, total := "", 0
	// A list that does not advance (a server that ignores the marker or
	// the token, or cycles through tokens) would be fetched for ever: a
	// cursor seen before, or more pages than any account has, stops it.
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > maxPages {
			e := &Error{Target: t, API: l.api, Page: page, Err: fmt.Errorf("more than %d pages: the list does not end", maxPages)}
			return out, e
		}
		res, retries, err := fetchPage(ctx, t, l, o, cursor, page)
		if err == nil && res.more && res.next != "" {
			if seen[res.next] {
				err = fmt.Errorf("the cursor %q came back: the list does not advance", res.next)
			}
			seen[res.next] = true
		}
		if err == nil {
			var doc map[string]any
			if doc, err = decode(res.body); err != nil {
				err = fmt.Errorf("the response is not a JSON object: %w", err)
			} else {
				out = append(out, facts.Response{Name: Name(l.api, t.Region, page), Doc: doc, Region: t.Region})
			}
		}
		if err != nil {
			e := &Error{Target: t, API: l.api, Page: page, Retries: retries, Err: err}
			o.Progress(Progress{Target: t, API: l.api, Page: page, Total: total, Err: e, Done: true})
			return out, e
		}
		total += res.items
		o.Progress(Progress{Target: t, API: l.api, Page: page, Items: res.items, Total: total, Done: !res.more})
		if !res.more {
			return out, nil
		}
		cursor = res.next
	}
}

// maxPages bounds one list: 100,000 pages of 100 are ten million resources.
const maxPages = 100_000

// fetchPage calls one page, retrying throttling and server errors.
func fetchPage(ctx context.Context, t Target, l list, o *Options, cursor string, page int) (pageResult, int, error) {
	for retry := 0; ; retry++ {
		if err := ctx.Err(); err != nil {
			return pageResult{}, retry, err
		}
		res, err := l.call(cursor, page)
		if err == nil {
			return res, retry, nil
		}
		if ctx.Err() != nil {
			return pageResult{}, retry, ctx.Err()
		}
		if !retryable(err) || retry >= o.MaxRetries {
			return pageResult{}, retry, err
		}
		wait := o.Backoff(retry + 1)
		o.Progress(Progress{Target: t, API: l.api, Page: page, Retry: retry + 1, Wait: wait, Err: err})
		if err := o.Sleep(ctx, wait); err != nil {
			return pageResult{}, retry + 1, err
		}
	}
}

// retryable reports whether err is throttling or a server error.
func retryable(err error) bool {
	status, code := statusOf(err)
	return status == http.StatusTooManyRequests || status >= 500 || throttlingCode(code) || transient(err)
}

// transient reports whether err is the network failing for a moment (a
// connection reset or cut short, a timeout): every call is a read, so
// trying again is safe. The SDKs do not always wrap the network error, so
// its words are read too.
func transient(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, words := range []string{"connection reset", "broken pipe", "unexpected eof", "i/o timeout", "tls handshake timeout"} {
		if strings.Contains(msg, words) {
			return true
		}
	}
	return false
}

// throttlingCode reports whether an error code says "too many requests":
// Huawei's API gateway's APIGW.0308 (and the service codes that say
// throttl...), Alibaba's Throttling, Throttling.User, Throttling.Api, ...
func throttlingCode(code string) bool {
	switch code {
	case "APIGW.0308", "APIGW.0309", "ServiceUnavailable", "ServiceUnavailable.Throttling":
		return true
	}
	return strings.Contains(strings.ToLower(code), "throttl") || strings.Contains(strings.ToLower(code), "flowlimit")
}

// decode decodes a response body: one JSON object, numbers as json.Number.
func decode(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errors.New("null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return doc, nil
}

// ctxTransport sends every request with the fetch's context, so cancelling
// it cuts off a call in flight (the Huawei SDK's calls take no context).
type ctxTransport struct {
	ctx   context.Context
	inner http.RoundTripper
}

func (c ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return c.inner.RoundTrip(r.WithContext(c.ctx))
}

// endpoint is the override for service in region, or "".
func (o *Options) endpoint(service, region string) string {
	if o.Endpoint == "" {
		return ""
	}
	return strings.NewReplacer("{service}", service, "{region}", region).Replace(o.Endpoint)
}
