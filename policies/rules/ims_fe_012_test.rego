package imgadmit.rules_test

import data.imgadmit.rules

_fe_replica := object.union(_fe_image, {"replica_of_region": "cn-east-3", "is_copied": true})

test_ims_fe_012_denies_replicating_a_replica_again if {
	r := rules.reasons with input as _fe_replicate_request("cn-south-1", _fe_replica)
	_fe_reasons(r, "IMS-FE-012") == {{
		"id": "IMS-FE-012",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image replicated from cn-east-3; a replicated full-ECS image cannot be replicated across regions again",
		"remediation": "Replicate the original full-ECS image from the region it was replicated from, or create an ECS from this image, create a system disk image and a data disk image from that ECS, and replicate those.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
}

test_ims_fe_012_denies_even_between_listed_regions if {
	r := rules.reasons with input as _fe_replicate_request("cn-south-1", _fe_replica)
		with data.inventory.settings.full_ecs_cross_region_regions as ["cn-north-4", "cn-south-1"]
	{x.id | some x in r; x.effect == "deny"; startswith(x.id, "IMS-FE-")} == {"IMS-FE-012"}
}

test_ims_fe_012_quiet_on_original_image if {
	r := rules.reasons with input as _fe_replicate_request("cn-south-1", _fe_image)
	_fe_quiet(r, "IMS-FE-012")
}

test_ims_fe_012_quiet_on_replicated_system_disk_image_without_asking_more if {
	r := rules.reasons with input as _fe_replicate_request("cn-south-1", object.remove(object.union(_fe_replica, {"image_type": "system"}), ["replica_of_region"]))
	_fe_quiet(r, "IMS-FE-012")
}

test_ims_fe_012_quiet_within_region if {
	r := rules.reasons with input as _fe_replicate_request(null, _fe_replica)
	_fe_quiet(r, "IMS-FE-012")
}

test_ims_fe_012_missing_replica_of_region if {
	r := rules.reasons with input as _fe_replicate_request("cn-south-1", object.remove(_fe_image, ["replica_of_region"]))
	not "IMS-FE-012" in {x.id | some x in r}
	"image img-1 is missing fact \"replica_of_region\", needed by IMS-FE-012" in _fe_missing(r)
}

test_ims_fe_012_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_replicate_request("cn-south-1", _fe_replica))
	_fe_quiet(r, "IMS-FE-012")
}
