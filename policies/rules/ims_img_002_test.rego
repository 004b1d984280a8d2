package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_002_reason(message) := {
	"id": "IMS-IMG-002",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Choose a source that fits the image type: a system disk image from a cloud server, an external image file or a data disk that carries an OS (with os_version); a data disk image from a server's data disk or an external image file; a full-ECS image from a cloud server, a CSBS backup or a CBR backup; an ISO image from an external ISO file only.",
	"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1; Huawei Cloud IMS, Images: Image Types; Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1",
}

_ims_img_002_create(image_type, source_type) := _ims_create_request({
	"image_type": image_type,
	"source": {"type": source_type, "id": "src-1"},
})

test_ims_img_002_quiet_on_every_fitting_pair if {
	pairs := [
		["system", "server"], ["system", "file"], ["system", "disk"],
		["data", "server"], ["data", "disk"], ["data", "file"],
		["full_ecs", "server"], ["full_ecs", "csbs_backup"], ["full_ecs", "cbr_backup"],
		["iso", "iso_file"],
	]
	every pair in pairs {
		not "IMS-IMG-002" in {x.id | some x in rules.reasons with input as _ims_img_002_create(pair[0], pair[1])}
	}
}

test_ims_img_002_denies_every_other_pair if {
	types := ["system", "data", "full_ecs", "iso"]
	sources := ["server", "cbr_backup", "csbs_backup", "file", "iso_file", "disk", "snapshot"]
	fitting := {
		["system", "server"], ["system", "file"], ["system", "disk"],
		["data", "server"], ["data", "disk"], ["data", "file"],
		["full_ecs", "server"], ["full_ecs", "csbs_backup"], ["full_ecs", "cbr_backup"],
		["iso", "iso_file"],
	}
	denied := {[t, s] |
		some t in types
		some s in sources
		"IMS-IMG-002" in {x.id | some x in rules.reasons with input as _ims_img_002_create(t, s)}
	}
	count(denied) == 18
	denied & fitting == set()
}

test_ims_img_002_denies_iso_from_image_file if {
	r := rules.reasons with input as _ims_img_002_create("iso", "file")
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is an ISO image and cannot be made from an external image file (source type \"file\"); an ISO image is made from an external ISO file")}
}

test_ims_img_002_denies_system_from_cbr_backup if {
	r := rules.reasons with input as _ims_img_002_create("system", "cbr_backup")
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is a system disk image and cannot be made from a CBR backup (source type \"cbr_backup\"); a system disk image is made from a cloud server, an external image file or a data disk that carries an OS (with os_version)")}
}

test_ims_img_002_denies_full_ecs_from_disk if {
	r := rules.reasons with input as _ims_img_002_create("full_ecs", "disk")
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is a full-ECS image and cannot be made from a server's data disk (source type \"disk\"); a full-ECS image is made from a cloud server, a CSBS backup or a CBR backup")}
}

test_ims_img_002_denies_data_from_snapshot if {
	r := rules.reasons with input as _ims_img_002_create("data", "snapshot")
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is a data disk image and cannot be made from a snapshot (source type \"snapshot\"); a data disk image is made from a cloud server, a server's data disk or an external image file")}
}

test_ims_img_002_denies_unknown_source_type if {
	r := rules.reasons with input as _ims_img_002_create("system", "volume")
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is a system disk image and cannot be made from an unknown source (source type \"volume\"); a system disk image is made from a cloud server, an external image file or a data disk that carries an OS (with os_version)")}
}

test_ims_img_002_denies_missing_source if {
	r := rules.reasons with input as json.remove(_ims_create_request({}), ["params/source"])
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is a system disk image and cannot be made from an unknown source (source type null); a system disk image is made from a cloud server, an external image file or a data disk that carries an OS (with os_version)")}
}

test_ims_img_002_denies_unknown_image_type if {
	r := rules.reasons with input as _ims_img_002_create("bms", "server")
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" has image type \"bms\", which is not one of data, full_ecs, iso, system")}
}

test_ims_img_002_quiet_on_alibaba if {
	req := json.patch(_ims_img_002_create("iso", "snapshot"), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-002")
}

test_ims_img_002_quiet_on_system_image_from_a_data_disk_with_an_os if {
	# IMS CreateImage with volume_id and os_version: a real call (REAL-SHAPES finding 5).
	r := rules.reasons with input as _ims_create_request({
		"image_type": "system",
		"source": {"type": "disk", "id": "vol-1"},
		"os_version": "Ubuntu 22.04 server 64bit",
	})
	_ims_quiet(r, "IMS-IMG-002")
}

test_ims_img_002_judges_the_source_the_inventory_knows if {
	# The request calls a backup the inventory holds an image file: it is a CBR backup.
	r := rules.reasons with input as _ims_img_002_create("system", "file")
		with data.inventory.resources.backups as {"src-1": {"resource_type": "server"}}
	_ims_of(r, "IMS-IMG-002") == {_ims_img_002_reason("image \"web\" is a system disk image and cannot be made from a CBR backup (source type \"cbr_backup\"); a system disk image is made from a cloud server, an external image file or a data disk that carries an OS (with os_version)")}
}
