package imgadmit.rules_test

import data.imgadmit.rules

_fe_share_request(image) := _fe_image_request("image.share", {"members": ["4b1c6f3e8d2a4e0f9a7b5c3d1e2f4a6b"]}, image)

test_ims_fe_007_denies_sharing_image_from_shared_backup if {
	r := rules.reasons with input as _fe_share_request(object.union(_fe_image, {"from_shared_backup": true}))
	_fe_reasons(r, "IMS-FE-007") == {{
		"id": "IMS-FE-007",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image created from a CBR backup that was shared with this tenant; such an image cannot be shared",
		"remediation": "Ask the owner of the CBR backup to create the full-ECS image from it and share that image; an image made from a backup shared with you cannot be shared on.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
}

test_ims_fe_007_quiet_on_image_from_own_backup if {
	r := rules.reasons with input as _fe_share_request(_fe_image)
	_fe_quiet(r, "IMS-FE-007")
}

test_ims_fe_007_quiet_on_system_disk_image_without_asking_more if {
	r := rules.reasons with input as _fe_share_request(object.remove(_fe_system_image, ["from_shared_backup"]))
	_fe_quiet(r, "IMS-FE-007")
}

test_ims_fe_007_missing_facts if {
	r := rules.reasons with input as _fe_share_request(object.remove(_fe_image, ["image_type", "from_shared_backup"]))
	not "IMS-FE-007" in {x.id | some x in r}
	some m1 in _fe_missing(r)
	startswith(m1, "image img-1 is missing fact \"image_type\", needed by ")
	contains(m1, "IMS-FE-007")
	"image img-1 is missing fact \"from_shared_backup\", needed by IMS-FE-007" in _fe_missing(r)
}

test_ims_fe_007_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_share_request(object.union(_fe_image, {"from_shared_backup": true})))
	_fe_quiet(r, "IMS-FE-007")
}

test_ims_fe_007_reads_the_backups_shared_fact_when_the_image_has_none if {
	img := object.remove(_fe_image, ["from_shared_backup"])
	req := json.patch(_fe_share_request(img), [{"op": "add", "path": "/resources/backups", "value": {"bk-1": {"shared": true}}}])
	r := rules.reasons with input as req
	{x.id | some x in r; x.effect == "deny"} == {"IMS-FE-007"}
	not _fe_asks_fact(r, "from_shared_backup")

	own := json.patch(_fe_share_request(img), [{"op": "add", "path": "/resources/backups", "value": {"bk-1": {"shared": false}}}])
	_fe_quiet(rules.reasons, "IMS-FE-007") with input as own
}
