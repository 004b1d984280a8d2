package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_013_uses := {
	"server.create": {"name": "web-01"},
	"server.change_os": {"server_id": "srv-1"},
	"disk.create": {},
	"image.share": {"members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]},
	"image.replicate": {"name": "web-copy"},
	"image.export": {"bucket_url": "img-export:web.qcow2"},
	"image.publish": {"marketplace": "koogallery"},
}

_ims_img_013_reason(message) := {
	"id": "IMS-IMG-013",
	"effect": "deny",
	"category": "lifecycle",
	"message": message,
	"remediation": "Wait until the image's status is Normal (active; Alibaba Available), then send the request again; an image whose creation failed or that was deleted never becomes ready, so create the image again or use another one.",
	"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Procedure, step 3 (When the image status changes to Normal, the image creation is complete.)",
}

test_ims_img_013_denies_an_image_still_being_saved_on_every_use if {
	every op, params in _ims_img_013_uses {
		r := rules.reasons with input as _ims_image_request(op, params, _ims_image({"status": "saving"}))
		_ims_of(r, "IMS-IMG-013") == {_ims_img_013_reason("image img-1 is still being created (status saving); only an active (Normal) image can be used")}
	}
}

test_ims_img_013_names_each_state_that_is_not_ready if {
	messages := {status: x.message |
		some status in ["queued", "saving", "killed", "deleted"]
		some x in rules.reasons with input as _ims_image_request("server.create", {}, _ims_image({"status": status}))
		x.id == "IMS-IMG-013"
	}
	messages == {
		"queued": "image img-1 is queued and not yet created (status queued); only an active (Normal) image can be used",
		"saving": "image img-1 is still being created (status saving); only an active (Normal) image can be used",
		"killed": "image img-1 is an image whose creation failed (status killed); only an active (Normal) image can be used",
		"deleted": "image img-1 is deleted (status deleted); only an active (Normal) image can be used",
	}
}

test_ims_img_013_reads_alibaba_statuses if {
	denied := {status |
		some status in ["Available", "Creating", "CreateFailed", "UnAvailable", "Waiting", "Deprecated"]
		req := _ecs_request("server.create", {"image_id": "m-1", "name": "web-2"}, {"images": {"m-1": {"status": status, "source_instance_id": null}}})
		"IMS-IMG-013" in {x.id | some x in rules.reasons} with input as req
	}
	denied == {"Creating", "CreateFailed", "UnAvailable", "Waiting", "Deprecated"}
}

test_ims_img_013_quiet_on_an_active_image if {
	every op, params in _ims_img_013_uses {
		every status in ["active", "ACTIVE"] {
			_ims_quiet(rules.reasons, "IMS-IMG-013") with input as _ims_image_request(op, params, _ims_image({"status": status}))
		}
	}
}

test_ims_img_013_quiet_when_the_status_is_not_known if {
	r := rules.reasons with input as _ims_image_request("server.create", {}, json.remove(_ims_image({}), ["status"]))
	_ims_quiet(r, "IMS-IMG-013")
}

test_ims_img_013_quiet_on_delete if {
	# Deleting an image is not using it: a failed image can be deleted.
	r := rules.reasons with input as _ims_image_request("image.delete", {}, _ims_image({"status": "killed"}))
	_ims_quiet(r, "IMS-IMG-013")
}

test_ims_img_013_quiet_on_a_disk_from_a_backup if {
	r := rules.reasons with input as _ims_request("disk.create", {"backup_id": "bk-1"}, {})
	_ims_quiet(r, "IMS-IMG-013")
}
