package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_010_denies_replication_without_destination if {
	r := rules.reasons with input as _fe_replicate_request(null, _fe_image)
	_fe_reasons(r, "IMS-FE-010") == {{
		"id": "IMS-FE-010",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image; full-ECS images cannot be replicated within a region",
		"remediation": "Replicate a system disk or data disk image instead (create an ECS from the full-ECS image, then create those images from that ECS).",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
	_fe_quiet(r, "IMS-FE-011")
	_fe_quiet(r, "IMS-FE-012")
}

test_ims_fe_010_denies_replication_to_own_region if {
	r := rules.reasons with input as _fe_replicate_request("cn-north-4", _fe_image)
	{x.id | some x in r; startswith(x.id, "IMS-FE-")} == {"IMS-FE-010"}
}

test_ims_fe_010_quiet_across_regions if {
	r := rules.reasons with input as _fe_replicate_request("cn-east-3", _fe_image)
	_fe_quiet(r, "IMS-FE-010")
	"IMS-FE-011" in {x.id | some x in r}
}

test_ims_fe_010_quiet_on_system_disk_image if {
	r := rules.reasons with input as _fe_replicate_request(null, _fe_system_image)
	_fe_quiet(r, "IMS-FE-010")
}

test_ims_fe_010_missing_image_type if {
	r := rules.reasons with input as _fe_replicate_request(null, object.remove(_fe_image, ["image_type"]))
	not "IMS-FE-010" in {x.id | some x in r}
	some m in _fe_missing(r)
	startswith(m, "image img-1 is missing fact \"image_type\", needed by ")
	contains(m, "IMS-FE-010")
	not contains(m, "IMS-FE-011")
}

test_ims_fe_010_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_replicate_request(null, _fe_image))
	_fe_quiet(r, "IMS-FE-010")
}

test_ims_fe_010_cannot_be_passed_by_naming_another_source_region if {
	# The image is in cn-north-4 and is "replicated" to cn-north-4 by a request
	# that claims to be in cn-east-3: a copy within the image's own region.
	req := json.patch(_fe_replicate_request("cn-north-4", _fe_image), [{"op": "replace", "path": "/region", "value": "cn-east-3"}])
	r := rules.reasons with input as req
		with data.inventory.resources.images as {"img-1": _fe_image}
	{x.id | some x in r; x.effect == "deny"} == {"IMS-FE-010", "IMS-API-005"}
}
