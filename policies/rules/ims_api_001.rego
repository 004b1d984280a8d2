package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: An image can be shared with a limited number of tenants
# description: |
#   A full-ECS image made from a CBR backup can be shared with at most 10
#   tenants; any other image (a CSBS full-ECS image among them) with at most
#   256. The limit counts the image's existing members together with the
#   projects being added (each project once). The image is made from a CBR
#   backup when its backup_id names a backup known as a CBR backup (the
#   backups facts are CBR's). The rule asks only for the facts the count needs:
#   none when the projects added alone pass 256, the image's type and backup
#   only when the count lies between the two limits.
# custom:
#   id: IMS-API-001
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS API reference, BatchAddMembers (POST /v1/cloudimages/members)"
#   remediation: Share the image with fewer projects, or first remove members that no longer need it (DELETE /v1/cloudimages/members).
reasons contains r if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	r := reason.from(rego.metadata.rule(), _ims_api_over_limit_message(input.params.image_id))
}

# _ims_api_over_limit_message(id) says by how much sharing image id passes
# its limit; undefined when it does not (or the facts to tell are missing).
_ims_api_over_limit_message(id) := sprintf(
	"image %s would be shared with %d projects (%d existing members, %d added); %s can be shared with at most %d tenants",
	[id, total, count(existing), total - count(existing), kind, limit],
) if {
	img := facts.image(id)
	members := img.members
	existing := {m | some m in members}
	total := count(existing | _ims_api_added)
	[limit, kind] := _ims_api_share_limit(img, total)
	total > limit
} else := sprintf(
	"image %s would be shared with at least %d projects (those added); an image can be shared with at most 256 tenants",
	[id, count(_ims_api_added)],
) if {
	# More projects added than any image may have: denied whatever else is known.
	count(_ims_api_added) > 256
}

_ims_api_added := {m | some m in input.params.members}

# _ims_api_share_limit(img, total) is [limit, what the limit applies to];
# undefined while the facts that choose the limit are missing. Only a count
# between 10 and 256 needs them.
_ims_api_share_limit(img, total) := [256, "an image"] if {
	total <= 10
} else := [256, "an image"] if {
	total > 256
} else := [10, sprintf("a full-ECS image made from CBR backup %s", [img.backup_id])] if {
	img.image_type == "full_ecs"
	_ims_api_from_cbr_backup(img)
} else := [256, "an image"] if {
	img.image_type != "full_ecs"
} else := [256, "an image that is not made from a CBR backup"] if {
	img.image_type == "full_ecs"
	_ = img.backup_id
	not _ims_api_from_cbr_backup(img)
}

# _ims_api_from_cbr_backup(img): the image was made from a backup known as a
# CBR backup (IMS reports __backup_id empty when it was made from none; a
# backup that is not among the CBR backups is a CSBS one).
_ims_api_from_cbr_backup(img) if {
	b := img.backup_id
	not b in {null, ""}
	facts.backup(b)
}

# _ims_api_total_may_be_between_limits: the count is not known to be at most
# 10 or more than 256, so the image's type decides.
_ims_api_total_may_be_between_limits if {
	count(_ims_api_added) <= 256
	not _ims_api_total_known_at_most_10
}

_ims_api_total_known_at_most_10 if {
	img := facts.image(input.params.image_id)
	count({m | some m in img.members} | _ims_api_added) <= 10
}

missing_facts contains facts.missing("images", input.params.image_id, "members", "IMS-API-001", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	count(_ims_api_added) <= 256
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-API-001", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	_ims_api_total_may_be_between_limits
}

missing_facts contains facts.missing("images", input.params.image_id, "backup_id", "IMS-API-001", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	_ims_api_total_may_be_between_limits
	images.may_be_full_ecs(input.params.image_id)
}
