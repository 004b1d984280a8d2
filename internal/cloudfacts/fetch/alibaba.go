package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	aliauth "github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alierrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// The Alibaba lists' names.
const (
	APIAlibabaOwnImages    = "ECS DescribeImages self"
	APIAlibabaSharedImages = "ECS DescribeImages others"
	APIAlibabaSnapshots    = "ECS DescribeSnapshots"
	APIAlibabaInstances    = "ECS DescribeInstances"
	APIAlibabaDisks        = "ECS DescribeDisks"
)

// aliImageStatuses are every image status: DescribeImages answers only
// Available images unless asked.
const aliImageStatuses = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

// newClientMu serializes building ECS clients: the SDK's constructor fills a
// package-level endpoint map on first use without a lock.
var newClientMu sync.Mutex

type alibaba struct {
	t        Target
	pageSize requests.Integer
	size     int
	ecs      *aliecs.Client
}

func newAlibaba(ctx context.Context, t Target, o *Options) (*alibaba, error) {
	cfg := sdk.NewConfig().
		WithAutoRetry(false). // retries are Fetch's, with backoff
		WithMaxRetryTime(0).
		WithTimeout(o.Timeout)
	cfg.Transport = ctxTransport{ctx: ctx, inner: o.Transport}
	var cred aliauth.Credential // nil: the SDK's default chain (environment first)
	if c := o.Credentials; c != nil {
		if c.SecurityToken != "" {
			cred = credentials.NewStsTokenCredential(c.AccessKey, c.SecretKey, c.SecurityToken)
		} else {
			cred = credentials.NewAccessKeyCredential(c.AccessKey, c.SecretKey)
		}
	}
	var domain string
	if ep := o.endpoint("ecs", t.Region); ep != "" {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("endpoint %q: want a URL such as https://ecs.example.com", ep)
		}
		domain = u.Host
		cfg.Scheme = strings.ToUpper(u.Scheme)
	} else {
		cfg.Scheme = "HTTPS"
	}
	newClientMu.Lock()
	client, err := aliecs.NewClientWithOptions(t.Region, cfg, cred)
	newClientMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("ecs client: %w", err)
	}
	// Domain is the client-wide endpoint: with it the SDK skips its endpoint
	// tables and never asks the location service.
	client.Domain = domain
	return &alibaba{t: t, ecs: client, size: o.PageSize, pageSize: requests.NewInteger(o.PageSize)}, nil
}

func (a *alibaba) lists() []list {
	return []list{
		{APIAlibabaOwnImages, a.images("self")},
		{APIAlibabaSharedImages, a.images("others")},
		{APIAlibabaSnapshots, a.snapshots},
		{APIAlibabaInstances, a.instances},
		{APIAlibabaDisks, a.disks},
	}
}

// images pages DescribeImages by PageNumber, images of every status.
func (a *alibaba) images(owner string) func(string, int) (pageResult, error) {
	return func(_ string, page int) (pageResult, error) {
		req := aliecs.CreateDescribeImagesRequest()
		req.ImageOwnerAlias = owner
		req.Status = aliImageStatuses
		req.PageNumber = requests.NewInteger(page)
		req.PageSize = a.pageSize
		resp, err := a.ecs.DescribeImages(req)
		if err != nil {
			return pageResult{}, err
		}
		n := len(resp.Images.Image)
		more := n >= a.size && (page-1)*a.size+n < resp.TotalCount
		return pageResult{body: resp.GetHttpContentBytes(), items: n, more: more}, nil
	}
}

func (a *alibaba) snapshots(token string, _ int) (pageResult, error) {
	req := aliecs.CreateDescribeSnapshotsRequest()
	req.MaxResults = a.pageSize
	req.NextToken = token
	resp, err := a.ecs.DescribeSnapshots(req)
	if err != nil {
		return pageResult{}, err
	}
	return tokenPage(resp.GetHttpContentBytes(), len(resp.Snapshots.Snapshot), resp.NextToken, token)
}

func (a *alibaba) instances(token string, _ int) (pageResult, error) {
	req := aliecs.CreateDescribeInstancesRequest()
	req.MaxResults = a.pageSize
	req.NextToken = token
	resp, err := a.ecs.DescribeInstances(req)
	if err != nil {
		return pageResult{}, err
	}
	return tokenPage(resp.GetHttpContentBytes(), len(resp.Instances.Instance), resp.NextToken, token)
}

func (a *alibaba) disks(token string, _ int) (pageResult, error) {
	req := aliecs.CreateDescribeDisksRequest()
	req.MaxResults = a.pageSize
	req.NextToken = token
	resp, err := a.ecs.DescribeDisks(req)
	if err != nil {
		return pageResult{}, err
	}
	return tokenPage(resp.GetHttpContentBytes(), len(resp.Disks.Disk), resp.NextToken, token)
}

// tokenPage ends a NextToken list when the response gives no token; the same
// token twice would be a loop, and is an error.
func tokenPage(body []byte, n int, next, prev string) (pageResult, error) {
	if next != "" && next == prev {
		return pageResult{}, fmt.Errorf("NextToken %q again: the list does not advance", next)
	}
	return pageResult{body: body, items: n, next: next, more: next != ""}, nil
}

func alibabaStatus(err error) (int, string) {
	var se *alierrors.ServerError
	if errors.As(err, &se) {
		return se.HttpStatus(), se.ErrorCode()
	}
	return 0, ""
}
