package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Image tags must satisfy the organization's tag policy
# description: |
#   When the organization has configured a tag policy for images
#   (settings.image_tag_policy: required_keys, and allowed_values per key), an
#   image whose tags do not satisfy it cannot be tagged as asked. Each missing
#   required key and each value outside its key's allowed values is a reason of
#   its own. No policy (the default) means no check.
# custom:
#   id: IMS-IMG-003
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 2"
#   remediation: Tag the image as the organization's tag policy requires (every required key, each with an allowed value), or have the administrator change the policy.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	some msg in _ims_img_tag_violations
	r := reason.from(rego.metadata.rule(), msg)
}

_ims_img_tag_policy := p if {
	p := facts.settings.image_tag_policy
	is_object(p)
}

_ims_img_tags := object.get(input, ["params", "image_tags"], [])

_ims_img_tag_violations contains sprintf(
	"image %s has no tag with key %q, which the image tag policy requires%s",
	[request.new_image_name, key, _ims_img_allowed_suffix(key)],
) if {
	some key in object.get(_ims_img_tag_policy, "required_keys", [])
	not key in {t.key | some t in _ims_img_tags}
}

_ims_img_tag_violations contains sprintf(
	"image %s has tag %q with value %q, which the image tag policy does not allow (allowed values: %s)",
	[request.new_image_name, tag.key, tag.value, concat(", ", sort(allowed))],
) if {
	some tag in _ims_img_tags
	allowed := _ims_img_tag_policy.allowed_values[tag.key]
	not tag.value in allowed
}

_ims_img_allowed_suffix(key) := sprintf(" (allowed values: %s)", [concat(", ", sort(allowed))]) if {
	allowed := _ims_img_tag_policy.allowed_values[key]
} else := ""
