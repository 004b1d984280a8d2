package imgadmit.rules_test

import data.imgadmit.rules

_fe_remediation_011 := "Use the full-ECS image to create an ECS, use the ECS to create a system disk image and a data disk image, and replicate those images to the destination region. If both regions do offer cross-region replication of full-ECS images, list them in settings.full_ecs_cross_region_regions."

test_ims_fe_011_denies_by_default if {
	# The shipped list is empty: fail closed, with the documented workaround.
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", _fe_image)
	_fe_reasons(r, "IMS-FE-011") == {{
		"id": "IMS-FE-011",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image and cross-region replication of full-ECS images is not offered in cn-north-4 and cn-east-3; regions that offer it: none listed in settings.full_ecs_cross_region_regions",
		"remediation": _fe_remediation_011,
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
}

test_ims_fe_011_denies_when_destination_not_listed if {
	r := rules.reasons with input as _fe_replicate_request("cn-south-1", _fe_image)
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-north-4", "cn-east-3"]
	{x.message | some x in _fe_reasons(r, "IMS-FE-011")} == {"image img-1 is a full-ECS image and cross-region replication of full-ECS images is not offered in cn-south-1; regions that offer it: cn-east-3, cn-north-4"}
}

test_ims_fe_011_denies_when_source_not_listed if {
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", _fe_image)
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-east-3"]
	{x.message | some x in _fe_reasons(r, "IMS-FE-011")} == {"image img-1 is a full-ECS image and cross-region replication of full-ECS images is not offered in cn-north-4; regions that offer it: cn-east-3"}
}

test_ims_fe_011_denies_when_no_source_region_is_known if {
	req := json.remove(_fe_replicate_request("cn-east-3", _fe_image), ["region", "resources/images/img-1/region"])
	r := rules.reasons with input as req
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-north-4", "cn-east-3"]
	{x.message | some x in _fe_reasons(r, "IMS-FE-011")} == {"image img-1 is a full-ECS image and cross-region replication of full-ECS images is not offered in the source region (neither the request nor the image's facts name one); regions that offer it: cn-east-3, cn-north-4"}
}

test_ims_fe_011_takes_the_source_region_from_the_image if {
	# The request names no region: the image's own region is where it is replicated from.
	r := rules.reasons with input as object.remove(_fe_replicate_request("cn-east-3", _fe_image), ["region"])
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-north-4", "cn-east-3"]
	_fe_quiet(r, "IMS-FE-011")
}

test_ims_fe_011_cannot_be_passed_by_naming_a_supported_source_region if {
	# The image is in cn-south-9, which does not offer it; the request claims
	# cn-north-4, which does. The inventory knows where the image is.
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", _fe_image)
		with data.inventory.resources.images as {"img-1": object.union(_fe_image, {"region": "cn-south-9"})}
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-north-4", "cn-east-3"]
	{x.message | some x in _fe_reasons(r, "IMS-FE-011")} == {"image img-1 is a full-ECS image and cross-region replication of full-ECS images is not offered in cn-south-9; regions that offer it: cn-east-3, cn-north-4"}
	"IMS-API-005" in {x.id | some x in r}
}

test_ims_fe_011_quiet_between_listed_regions if {
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", _fe_image)
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-north-4", "cn-east-3"]
	_fe_quiet(r, "IMS-FE-011")
}

test_ims_fe_011_quiet_on_system_disk_image if {
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", _fe_system_image)
	_fe_quiet(r, "IMS-FE-011")
}

test_ims_fe_011_quiet_within_region if {
	r := rules.reasons with input as _fe_replicate_request("cn-north-4", _fe_image)
	_fe_quiet(r, "IMS-FE-011")
}

test_ims_fe_011_missing_image_type if {
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", {})
	not "IMS-FE-011" in {x.id | some x in r}
	some m in _fe_missing(r)
	startswith(m, "image img-1 is missing fact \"image_type\", needed by ")
	contains(m, "IMS-FE-011")
	contains(m, "IMS-FE-012")
}

test_ims_fe_011_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_replicate_request("cn-east-3", _fe_image))
	_fe_quiet(r, "IMS-FE-011")
}
