package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: ISO images cannot be replicated across regions
# description: |
#   Cross-region image replication takes no ISO images. Replication is across
#   regions when params.destination_region is set and differs from the region
#   the image is in (its known region, else the request's region).
# custom:
#   id: IMS-API-003
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS API reference, CopyImageCrossRegion (POST /v1/cloudimages/{image_id}/cross_region_copy)"
#   remediation: Create the ISO image in the destination region from the ISO file instead (upload the file to an OBS bucket in that region and import it there).
reasons contains r if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region # destination_region absent or the image's own region
	facts.image(input.params.image_id).image_type == "iso"
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is an ISO image; ISO images cannot be replicated across regions (from %s to %s)",
		[input.params.image_id, request.replication_source_region_name, input.params.destination_region],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-API-003", "deny") if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region
}
