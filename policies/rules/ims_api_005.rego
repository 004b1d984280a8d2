package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: A request is made in the region its image is in
# description: |
#   Images are regional: an image is used, shared, exported, deleted and
#   replicated from the region it is in. A request whose region is not the
#   region the image is known to be in (inventory first) is refused: a request
#   cannot move an image by naming another region, and replication is judged
#   from where the image really is (IMS-FE-010, IMS-FE-011, IMS-API-003). Quiet
#   when the request names no region or the image's region is not known.
# custom:
#   id: IMS-API-005
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS API reference: images are regional; CopyImageCrossRegion (POST /v1/cloudimages/{image_id}/cross_region_copy) replicates an image from its own region"
#   remediation: Send the request to the region the image is in; to use the image in another region, replicate it there first and use the replica.
reasons contains r if {
	input.operation in {"image.delete", "image.share", "image.export", "image.replicate", "image.publish", "server.create", "server.change_os", "disk.create"}
	input.provider == "huaweicloud"
	is_string(input.region)
	region := facts.image_region(input.params.image_id)
	region != input.region
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is in region %s, but the request names region %s; a request is made in the region the image is in",
		[input.params.image_id, region, input.region],
	))
}
