package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: An image can be shared with a limited number of tenants
# description: |
#   A full-ECS image made from a CBR backup can be shared with at most 10
#   tenants; any other image with at most 256. The limit counts the image's
#   existing members together with the projects being added (each project
#   once).
# custom:
#   id: IMS-API-001
#   effect: deny
#   category: constraint
#   source: "Huawei Cloud IMS API reference, BatchAddMembers (POST /v1/cloudimages/members)"
#   remediation: Share the image with fewer projects, or first remove members that no longer need it (DELETE /v1/cloudimages/members).
reasons contains r if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	img := facts.image(input.params.image_id)
	existing := {m | some m in img.members}
	total := count(existing | {m | some m in input.params.members})
	[limit, kind] := _ims_api_share_limit(img)
	total > limit
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s would be shared with %d projects (%d existing members, %d added); %s can be shared with at most %d tenants",
		[input.params.image_id, total, count(existing), total - count(existing), kind, limit],
	))
}

# _ims_api_share_limit(img) is [limit, what the limit applies to]; undefined
# while the facts that choose the limit are missing.
_ims_api_share_limit(img) := [10, sprintf("a full-ECS image made from backup %s", [img.backup_id])] if {
	img.image_type == "full_ecs"
	_ims_api_from_backup(img)
} else := [256, "an image"] if {
	img.image_type != "full_ecs"
} else := [256, "an image"] if {
	_ = img.backup_id
	not _ims_api_from_backup(img)
}

# _ims_api_from_backup(img): the image was made from a backup (IMS reports
# __backup_id empty otherwise).
_ims_api_from_backup(img) if {
	b := img.backup_id
	not b in {null, ""}
}

missing_facts contains facts.missing("images", input.params.image_id, field, "IMS-API-001") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	some field in ["image_type", "members"]
}

missing_facts contains facts.missing("images", input.params.image_id, "backup_id", "IMS-API-001") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	_fe_may_be_full_ecs(input.params.image_id)
}
