package imgadmit.rules_test

import data.imgadmit.rules

_fe_publish_request(image) := _fe_image_request("image.publish", {"marketplace": "koogallery"}, image)

test_ims_fe_008_denies_publishing_full_ecs_image if {
	r := rules.reasons with input as _fe_publish_request(_fe_image)
	_fe_reasons(r, "IMS-FE-008") == {{
		"id": "IMS-FE-008",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image; full-ECS images cannot be published in KooGallery",
		"remediation": "Publish a system disk image instead (create an ECS from the full-ECS image and create a system disk image from that ECS).",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
}

test_ims_fe_008_quiet_on_system_disk_image if {
	r := rules.reasons with input as _fe_publish_request(_fe_system_image)
	_fe_quiet(r, "IMS-FE-008")
}

test_ims_fe_008_missing_image_type if {
	r := rules.reasons with input as json.patch(_fe_publish_request({}), [{"op": "replace", "path": "/resources", "value": {}}])
	not "IMS-FE-008" in {x.id | some x in r}
	"nothing is known about image img-1 (fact \"image_type\" is needed by IMS-FE-008)" in _fe_missing(r)
}

test_ims_fe_008_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_publish_request(_fe_image))
	_fe_quiet(r, "IMS-FE-008")
}
