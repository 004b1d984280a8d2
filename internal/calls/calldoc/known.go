package calldoc

// Known describes a call a translator knows: what docs/calls.md lists
// (generated from it) and what REQ-003 names when a call is not known.
type Known struct {
	// Service is the cloud service (ims, cbr, ecs, evs; ecs for every
	// Alibaba action).
	Service string
	// Name is the API reference's (and the official SDK's) name for the call.
	Name string
	// Method and Path are a Huawei call's, the path as a template
	// (/v1/cloudimages/{image_id}/file); Action is an Alibaba call's.
	Method, Path, Action string
	// Operation is the canonical operation it becomes; "" for a known write
	// that maps onto none (refused, REQ-003).
	Operation string
	// Parts says what makes one canonical request when a call acts on
	// several resources ("one per images[] entry"); "" for one request.
	Parts string
	// Notes says what else a reader needs: how a field the API lacks is
	// decided, a quirk of the SDK.
	Notes string
}
