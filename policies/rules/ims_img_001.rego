package imgadmit.rules

import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: The image disclaimer must be agreed to
# description: |
#   Creating a Huawei Cloud image requires reading and agreeing to the Image
#   Disclaimer. The request carries that agreement as agree_disclaimer; a
#   request without it, or with false, has not agreed.
# custom:
#   id: IMS-IMG-001
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 2"
#   remediation: Read the Image Disclaimer and agree to it (set agree_disclaimer to true).
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	not input.params.agree_disclaimer == true
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s cannot be created: %s; the Image Disclaimer must be read and agreed to",
		[request.new_image_name, _ims_img_disclaimer_state],
	))
}

_ims_img_disclaimer_state := sprintf("agree_disclaimer is %s", [json.marshal(input.params.agree_disclaimer)]) if {
	_ = input.params.agree_disclaimer
} else := "agree_disclaimer is not set"
