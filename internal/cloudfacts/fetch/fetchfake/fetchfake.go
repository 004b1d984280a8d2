// Package fetchfake is a local fake of the list and describe APIs that
// package fetch calls (Huawei IMS ListImages, CBR ListBackups, ECS
// ListServersDetails, EVS ListVolumes; Alibaba ECS DescribeImages,
// DescribeSnapshots, DescribeInstances, DescribeDisks), for tests that drive
// the official SDKs' real clients against it: point fetch.Options.Endpoint at
// URL(). It answers from SDK model values, marshalled as the SDK's own
// response models (plus, for Huawei images, attributes the models lack, such
// as __whole_image), pages as the real APIs do, and can answer a chosen call
// with an error instead (throttling, a server error, a refusal). It records
// every call, so a test can assert which pages were fetched, in order.
//
// It reuses internal/calls/sdkfake's techniques: one httptest server, plain
// HTTP, a Huawei endpoint without placeholders (every service on the one
// server: their paths differ), and the Alibaba client's Domain set to the
// server's address.
package fetchfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	cbrmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	ecsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	evsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	imsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"
)

// Huawei is what the Huawei fake knows, per region.
type Huawei struct {
	// Images by __imagetype (private, shared).
	Images map[string][]imsmodel.ImageInfo
	// ImageExtra are attributes added by hand to an image (by id) in every
	// answer: the ones the SDK models lack (__whole_image).
	ImageExtra map[string]map[string]any
	Backups    []cbrmodel.BackupResp
	Servers    []ecsmodel.ServerDetail
	Volumes    []evsmodel.VolumeDetail
}

// Alibaba is what the Alibaba fake knows, per region.
type Alibaba struct {
	// Images by ImageOwnerAlias (self, others).
	Images    map[string][]aliecs.Image
	Snapshots []aliecs.Snapshot
	Instances []aliecs.Instance
	Disks     []aliecs.Disk
}

// Fault answers one call with an error instead: the N-th call (from 1) of an
// API in a region, counted over the fake's life, retries included.
type Fault struct {
	Region string
	// API is the call's name: ListImages, ListBackups, ListServersDetails,
	// ListVolumes, DescribeImages, DescribeSnapshots, DescribeInstances, DescribeDisks.
	API    string
	Call   int
	Status int
	Body   string
}

// HuaweiThrottled is the answer Huawei's API gateway gives when throttling.
func HuaweiThrottled(region, api string, call int) Fault {
	return Fault{Region: region, API: api, Call: call, Status: http.StatusTooManyRequests,
		Body: `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute"}`}
}

// AlibabaThrottled is the answer ECS gives when throttling (HTTP 400, code Throttling.User).
func AlibabaThrottled(region, api string, call int) Fault {
	return Fault{Region: region, API: api, Call: call, Status: http.StatusBadRequest,
		Body: `{"RequestId":"fake-throttled","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`}
}

// Server is a running fake.
type Server struct {
	srv     *httptest.Server
	huawei  map[string]*Huawei  // by region
	alibaba map[string]*Alibaba // by region
	// project maps a Huawei project id to its region.
	project map[string]string

	mu      sync.Mutex
	calls   []string
	answers [][]byte
	counts  map[string]int
	faults  []Fault
}

// New starts a fake serving the given data (either map may be nil); projects
// maps each Huawei region to its project id. It stops when the test ends.
func New(t testing.TB, huawei map[string]*Huawei, projects map[string]string, alibaba map[string]*Alibaba, faults ...Fault) *Server {
	t.Helper()
	s := &Server{huawei: huawei, alibaba: alibaba, project: map[string]string{}, counts: map[string]int{}, faults: faults}
	for region, p := range projects {
		s.project[p] = region
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the fake's base URL: fetch.Options.Endpoint.
func (s *Server) URL() string { return s.srv.URL }

// Transport reaches the fake.
func (s *Server) Transport() http.RoundTripper { return s.srv.Client().Transport }

// Calls are the calls answered so far, in order: "REGION API query" with the
// paging parameters and filters (sorted), e.g.
// "cn-north-4 ListImages __imagetype=private&limit=2&marker=img-2".
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	region, api, params, err := s.identify(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	key := region + " " + api
	s.counts[key]++
	n := s.counts[key]
	s.calls = append(s.calls, key+" "+encode(params))
	var fault *Fault
	for i := range s.faults {
		if f := &s.faults[i]; f.Region == region && f.API == api && f.Call == n {
			fault = f
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fault != nil {
		w.WriteHeader(fault.Status)
		_, _ = w.Write([]byte(fault.Body))
		return
	}
	body, err := s.answer(region, api, params)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error_code":"FAKE.400","error_msg":%q,"Code":"InvalidParameter","Message":%q}`, err, err)
		return
	}
	s.mu.Lock()
	s.answers = append(s.answers, body)
	s.mu.Unlock()
	_, _ = w.Write(body)
}

// Answers are the bodies of the successful answers so far, in order.
func (s *Server) Answers() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.answers...)
}

// alibabaProtocol are the RPC parameters the SDK adds to sign every call.
var alibabaProtocol = map[string]bool{
	"Action": true, "Version": true, "Format": true, "AccessKeyId": true,
	"Signature": true, "SignatureMethod": true, "SignatureVersion": true,
	"SignatureNonce": true, "SignatureType": true, "Timestamp": true,
	"SecurityToken": true, "BearerToken": true, "RegionId": true,
}

// identify names a call: its region, API and business parameters.
func (s *Server) identify(r *http.Request) (string, string, url.Values, error) {
	q := r.URL.Query()
	if action := q.Get("Action"); action != "" {
		params := url.Values{}
		for k, v := range q {
			if !alibabaProtocol[k] {
				params[k] = v
			}
		}
		return q.Get("RegionId"), action, params, nil
	}
	path := r.URL.Path
	if path == "/v2/cloudimages" {
		region, ok := s.project[r.Header.Get("X-Project-Id")]
		if !ok {
			return "", "", nil, fmt.Errorf("unknown project %q", r.Header.Get("X-Project-Id"))
		}
		return region, "ListImages", q, nil
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 3 {
		return "", "", nil, fmt.Errorf("unknown path %s", path)
	}
	region, ok := s.project[parts[1]]
	if !ok {
		return "", "", nil, fmt.Errorf("unknown project %q in %s", parts[1], path)
	}
	switch strings.Join(append([]string{parts[0]}, parts[2:]...), "/") {
	case "v3/backups":
		return region, "ListBackups", q, nil
	case "v1/cloudservers/detail":
		return region, "ListServersDetails", q, nil
	case "v2/cloudvolumes/detail":
		return region, "ListVolumes", q, nil
	}
	return "", "", nil, fmt.Errorf("unknown path %s", path)
}

func encode(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, x := range v[k] {
			parts = append(parts, k+"="+x)
		}
	}
	return strings.Join(parts, "&")
}

func (s *Server) answer(region, api string, q url.Values) ([]byte, error) {
	switch api {
	case "ListImages", "ListBackups", "ListServersDetails", "ListVolumes":
		h := s.huawei[region]
		if h == nil {
			h = &Huawei{}
		}
		return h.answer(api, q)
	case "DescribeImages", "DescribeSnapshots", "DescribeInstances", "DescribeDisks":
		a := s.alibaba[region]
		if a == nil {
			a = &Alibaba{}
		}
		return a.answer(region, api, q)
	}
	return nil, fmt.Errorf("unknown API %s", api)
}

func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q is not a count", name, v)
	}
	return n, nil
}

// afterMarker is the index after the item whose id is marker (0 without one).
func afterMarker(ids []string, marker string) (int, error) {
	if marker == "" {
		return 0, nil
	}
	for i, id := range ids {
		if id == marker {
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("marker %q is no item's id", marker)
}

func window[T any](items []T, from, n int) []T {
	if from > len(items) {
		from = len(items)
	}
	to := min(from+n, len(items))
	return append([]T{}, items[from:to]...)
}

func (h *Huawei) answer(api string, q url.Values) ([]byte, error) {
	limit, err := intParam(q, "limit", 25)
	if err != nil {
		return nil, err
	}
	switch api {
	case "ListImages":
		images := h.Images[q.Get("__imagetype")]
		ids := make([]string, len(images))
		for i, im := range images {
			ids[i] = im.Id
		}
		from, err := afterMarker(ids, q.Get("marker"))
		if err != nil {
			return nil, err
		}
		page := window(images, from, limit)
		return withExtras(imsmodel.ListImagesResponse{Images: &page}, "images", h.ImageExtra)
	case "ListBackups":
		offset, err := intParam(q, "offset", 0)
		if err != nil {
			return nil, err
		}
		page := window(h.Backups, offset, limit)
		count, off := int32(len(h.Backups)), int32(offset)
		lim := int32(limit)
		return json.Marshal(cbrmodel.ListBackupsResponse{Backups: &page, Count: &count, Offset: &off, Limit: &lim})
	case "ListServersDetails":
		pageNo, err := intParam(q, "offset", 1)
		if err != nil {
			return nil, err
		}
		pageNo = max(pageNo, 1)
		page := window(h.Servers, (pageNo-1)*limit, limit)
		count := int32(len(h.Servers))
		return json.Marshal(ecsmodel.ListServersDetailsResponse{Servers: &page, Count: &count})
	case "ListVolumes":
		ids := make([]string, len(h.Volumes))
		for i, v := range h.Volumes {
			ids[i] = v.Id
		}
		from, err := afterMarker(ids, q.Get("marker"))
		if err != nil {
			return nil, err
		}
		page := window(h.Volumes, from, limit)
		count := int32(len(h.Volumes))
		return json.Marshal(evsmodel.ListVolumesResponse{Volumes: &page, Count: &count})
	}
	return nil, fmt.Errorf("unknown API %s", api)
}

// withExtras marshals resp and adds extra[id] to each object of its list.
func withExtras(resp any, list string, extra map[string]map[string]any) ([]byte, error) {
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	items, _ := doc[list].([]any)
	for _, it := range items {
		obj, _ := it.(map[string]any)
		id, _ := obj["id"].(string)
		for k, v := range extra[id] {
			obj[k] = v
		}
	}
	return json.Marshal(doc)
}

func (a *Alibaba) answer(region, api string, q url.Values) ([]byte, error) {
	if api == "DescribeImages" {
		pageNo, err := intParam(q, "PageNumber", 1)
		if err != nil {
			return nil, err
		}
		size, err := intParam(q, "PageSize", 10)
		if err != nil {
			return nil, err
		}
		images := a.Images[q.Get("ImageOwnerAlias")]
		resp := aliecs.DescribeImagesResponse{RequestId: "fake", RegionId: region, PageNumber: pageNo, PageSize: size,
			TotalCount: len(images), Images: aliecs.Images{Image: window(images, (max(pageNo, 1)-1)*size, size)}}
		return json.Marshal(resp)
	}
	size, err := intParam(q, "MaxResults", 10)
	if err != nil {
		return nil, err
	}
	from := 0
	if tok := q.Get("NextToken"); tok != "" {
		n, ok := strings.CutPrefix(tok, "tok-")
		if from, err = strconv.Atoi(n); !ok || err != nil {
			return nil, fmt.Errorf("NextToken %q is not one this fake gave", tok)
		}
	}
	next := func(total int) string {
		if from+size < total {
			return "tok-" + strconv.Itoa(from+size)
		}
		return ""
	}
	switch api {
	case "DescribeSnapshots":
		return json.Marshal(aliecs.DescribeSnapshotsResponse{RequestId: "fake", TotalCount: len(a.Snapshots), NextToken: next(len(a.Snapshots)),
			Snapshots: aliecs.SnapshotsInDescribeSnapshots{Snapshot: window(a.Snapshots, from, size)}})
	case "DescribeInstances":
		return json.Marshal(aliecs.DescribeInstancesResponse{RequestId: "fake", TotalCount: len(a.Instances), NextToken: next(len(a.Instances)),
			Instances: aliecs.InstancesInDescribeInstances{Instance: window(a.Instances, from, size)}})
	case "DescribeDisks":
		return json.Marshal(aliecs.DescribeDisksResponse{RequestId: "fake", TotalCount: len(a.Disks), NextToken: next(len(a.Disks)),
			Disks: aliecs.DisksInDescribeDisks{Disk: window(a.Disks, from, size)}})
	}
	return nil, fmt.Errorf("unknown API %s", api)
}
