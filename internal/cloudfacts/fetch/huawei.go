package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	hwcore "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	hwauth "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/provider"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/httphandler"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	cbr "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1"
	cbrmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	cbrregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/region"
	ecs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2"
	ecsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	ecsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/region"
	evs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2"
	evsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	evsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/region"
	ims "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2"
	imsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"
	imsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/region"
)

// The Huawei lists' names.
const (
	APIHuaweiPrivateImages = "IMS ListImages private"
	APIHuaweiSharedImages  = "IMS ListImages shared"
	APIHuaweiBackups       = "CBR ListBackups"
	APIHuaweiServers       = "ECS ListServersDetails"
	APIHuaweiVolumes       = "EVS ListVolumes"
)

// rawBody keeps the body of the last response a client received, through the
// SDK's response handler (the typed models drop attributes). A client's calls
// are made one after the other, so the last body is the call's own.
type rawBody struct {
	mu   sync.Mutex
	body []byte
	err  error
}

func (r *rawBody) handler() *httphandler.HttpHandler {
	return httphandler.NewHttpHandler().AddResponseHandler(func(resp http.Response) {
		var b []byte
		var err error
		if resp.Body != nil {
			b, err = io.ReadAll(resp.Body)
		}
		r.mu.Lock()
		r.body, r.err = b, err
		r.mu.Unlock()
	})
}

// take returns the body kept and forgets it, so a call that received none
// is not read as the previous one's.
func (r *rawBody) take() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := r.body, r.err
	r.body, r.err = nil, nil
	if err == nil && b == nil {
		err = errors.New("the SDK passed no response body")
	}
	return b, err
}

type huawei struct {
	t        Target
	pageSize int32
	ims      *ims.ImsClient
	cbr      *cbr.CbrClient
	ecs      *ecs.EcsClient
	evs      *evs.EvsClient
	imsBody  *rawBody
	cbrBody  *rawBody
	ecsBody  *rawBody
	evsBody  *rawBody
}

func newHuawei(ctx context.Context, t Target, o *Options) (*huawei, error) {
	h := &huawei{t: t, pageSize: int32(o.PageSize),
		imsBody: &rawBody{}, cbrBody: &rawBody{}, ecsBody: &rawBody{}, evsBody: &rawBody{}}
	build := func(service string, valueOf func(string) (*region.Region, error), b *hwcore.HcHttpClientBuilder, body *rawBody) (*hwcore.HcHttpClient, error) {
		cred, err := huaweiCredentials(t.Project, o.Credentials)
		if err != nil {
			return nil, err
		}
		reg, err := huaweiRegion(service, t.Region, valueOf, o)
		if err != nil {
			return nil, err
		}
		cfg := config.DefaultHttpConfig().
			WithTimeout(o.Timeout).
			WithRetries(0).
			WithHttpRoundTripper(ctxTransport{ctx: ctx, inner: o.Transport}).
			WithHttpHandler(body.handler())
		return b.WithRegion(reg).WithCredential(cred).WithHttpConfig(cfg).SafeBuild()
	}
	var err error
	var c *hwcore.HcHttpClient
	if c, err = build("ims", imsregion.SafeValueOf, ims.ImsClientBuilder(), h.imsBody); err != nil {
		return nil, fmt.Errorf("ims client: %w", err)
	}
	h.ims = ims.NewImsClient(c)
	if c, err = build("cbr", cbrregion.SafeValueOf, cbr.CbrClientBuilder(), h.cbrBody); err != nil {
		return nil, fmt.Errorf("cbr client: %w", err)
	}
	h.cbr = cbr.NewCbrClient(c)
	if c, err = build("ecs", ecsregion.SafeValueOf, ecs.EcsClientBuilder(), h.ecsBody); err != nil {
		return nil, fmt.Errorf("ecs client: %w", err)
	}
	h.ecs = ecs.NewEcsClient(c)
	if c, err = build("evs", evsregion.SafeValueOf, evs.EvsClientBuilder(), h.evsBody); err != nil {
		return nil, fmt.Errorf("evs client: %w", err)
	}
	h.evs = evs.NewEvsClient(c)
	return h, nil
}

// huaweiCredentials are basic (project) credentials: explicit ones, or the
// SDK's environment provider's (HUAWEICLOUD_SDK_AK, _SK, _SECURITY_TOKEN),
// with the target's project id. Each client gets its own: the SDK writes the
// project it looks up into them.
func huaweiCredentials(project string, explicit *Credentials) (hwauth.ICredential, error) {
	if explicit != nil {
		return basic.NewCredentialsBuilder().WithAk(explicit.AccessKey).WithSk(explicit.SecretKey).
			WithSecurityToken(explicit.SecurityToken).WithProjectId(project).SafeBuild()
	}
	cred, err := provider.BasicCredentialEnvProvider().GetCredentials()
	if err != nil {
		return nil, fmt.Errorf("credentials from the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK): %w", err)
	}
	// The target's project, never HUAWEICLOUD_SDK_PROJECT_ID as such: a
	// project belongs to one region ("" makes the SDK ask IAM).
	if b, ok := cred.(*basic.Credentials); ok {
		b.ProjectId = project
	}
	return cred, nil
}

// huaweiRegion is the service's endpoint in region: the override, or the
// SDK's lookup (HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>, the regions file,
// its own table). A fresh Region each time: the SDK's table entries are shared.
func huaweiRegion(service, id string, valueOf func(string) (*region.Region, error), o *Options) (*region.Region, error) {
	if ep := o.endpoint(service, id); ep != "" {
		return region.NewRegion(id, ep), nil
	}
	reg, err := valueOf(id)
	if err != nil {
		return nil, err
	}
	return region.NewRegion(id, reg.Endpoints...), nil
}

func (h *huawei) lists() []list {
	return []list{
		{APIHuaweiPrivateImages, h.images(imsmodel.GetListImagesRequestImagetypeEnum().PRIVATE)},
		{APIHuaweiSharedImages, h.images(imsmodel.GetListImagesRequestImagetypeEnum().SHARED)},
		{APIHuaweiBackups, h.backups},
		{APIHuaweiServers, h.servers},
		{APIHuaweiVolumes, h.volumes},
	}
}

func (h *huawei) images(kind imsmodel.ListImagesRequestImagetype) func(string, int) (pageResult, error) {
	return func(marker string, _ int) (pageResult, error) {
		req := &imsmodel.ListImagesRequest{Imagetype: &kind, Limit: &h.pageSize}
		if marker != "" {
			req.Marker = &marker
		}
		resp, err := h.ims.ListImages(req)
		if err != nil {
			return pageResult{}, err
		}
		body, err := h.imsBody.take()
		if err != nil {
			return pageResult{}, err
		}
		var images []imsmodel.ImageInfo
		if resp.Images != nil {
			images = *resp.Images
		}
		res := pageResult{body: body, items: len(images), more: len(images) >= int(h.pageSize)}
		if res.more {
			res.next = images[len(images)-1].Id
		}
		return res, nil
	}
}

// backups pages CBR ListBackups by offset (items so far), for the project's
// own backups and those shared with it.
func (h *huawei) backups(cursor string, _ int) (pageResult, error) {
	offset := atoi(cursor)
	own := cbrmodel.GetListBackupsRequestOwnTypeEnum().ALL_GRANTED
	off := int32(offset)
	resp, err := h.cbr.ListBackups(&cbrmodel.ListBackupsRequest{Limit: &h.pageSize, Offset: &off, OwnType: &own})
	if err != nil {
		return pageResult{}, err
	}
	body, err := h.cbrBody.take()
	if err != nil {
		return pageResult{}, err
	}
	n := 0
	if resp.Backups != nil {
		n = len(*resp.Backups)
	}
	more := n >= int(h.pageSize)
	if resp.Count != nil && offset+n >= int(*resp.Count) {
		more = false
	}
	return pageResult{body: body, items: n, more: more, next: strconv.Itoa(offset + n)}, nil
}

// servers pages ECS ListServersDetails by offset, which is a page number
// there (from 1).
func (h *huawei) servers(_ string, page int) (pageResult, error) {
	p := int32(page)
	resp, err := h.ecs.ListServersDetails(&ecsmodel.ListServersDetailsRequest{Limit: &h.pageSize, Offset: &p})
	if err != nil {
		return pageResult{}, err
	}
	body, err := h.ecsBody.take()
	if err != nil {
		return pageResult{}, err
	}
	n := 0
	if resp.Servers != nil {
		n = len(*resp.Servers)
	}
	more := n >= int(h.pageSize)
	if resp.Count != nil && (page-1)*int(h.pageSize)+n >= int(*resp.Count) {
		more = false
	}
	return pageResult{body: body, items: n, more: more}, nil
}

// volumes pages EVS ListVolumes by marker (the last volume's id).
func (h *huawei) volumes(marker string, _ int) (pageResult, error) {
	req := &evsmodel.ListVolumesRequest{Limit: &h.pageSize}
	if marker != "" {
		req.Marker = &marker
	}
	resp, err := h.evs.ListVolumes(req)
	if err != nil {
		return pageResult{}, err
	}
	body, err := h.evsBody.take()
	if err != nil {
		return pageResult{}, err
	}
	var vols []evsmodel.VolumeDetail
	if resp.Volumes != nil {
		vols = *resp.Volumes
	}
	res := pageResult{body: body, items: len(vols), more: len(vols) >= int(h.pageSize)}
	if res.more {
		res.next = vols[len(vols)-1].Id
	}
	return res, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// statusOf is the HTTP status and error code of an SDK error; 0 and "" when
// it is no service's answer (a connection error, say).
func statusOf(err error) (int, string) {
	var hp *sdkerr.ServiceResponseError
	if errors.As(err, &hp) {
		return hp.StatusCode, hp.ErrorCode
	}
	var hv sdkerr.ServiceResponseError
	if errors.As(err, &hv) {
		return hv.StatusCode, hv.ErrorCode
	}
	return alibabaStatus(err)
}
