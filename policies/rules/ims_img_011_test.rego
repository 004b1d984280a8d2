package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_011_reason(message) := {
	"id": "IMS-IMG-011",
	"effect": "note",
	"category": "lifecycle",
	"message": message,
	"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1",
}

test_ims_img_011_notes_server_delete if {
	r := rules.reasons with input as _ims_request("server.delete", {"server_id": "srv-1"}, {"servers": {"srv-1": _ims_server}})
	_ims_of(r, "IMS-IMG-011") == {_ims_img_011_reason("deleting server srv-1 does not delete the image it was created from or any image made from it; those images stay until you delete them")}
}

test_ims_img_011_notes_disk_delete if {
	disk := {"backup_ids": [], "image_ids": [], "region": "cn-north-4"}
	r := rules.reasons with input as _ims_request("disk.delete", {"disk_id": "disk-1"}, {"disks": {"disk-1": disk}})
	_ims_of(r, "IMS-IMG-011") == {_ims_img_011_reason("deleting disk disk-1 does not delete the image it was created from or any image made from it; those images stay until you delete them")}
}

test_ims_img_011_notes_without_facts if {
	r := rules.reasons with input as _ims_request("server.delete", {"server_id": "srv-1"}, {})
	"IMS-IMG-011" in {x.id | some x in r}
	not _ims_mentioned(r, "IMS-IMG-011")
}

test_ims_img_011_quiet_on_other_operations if {
	r := rules.reasons with input as _ims_request("server.start", {"server_id": "srv-1"}, {"servers": {"srv-1": _ims_server}})
	_ims_quiet(r, "IMS-IMG-011")
}

test_ims_img_011_quiet_on_alibaba if {
	req := json.patch(_ims_request("server.delete", {"server_id": "srv-1"}, {}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-011")
}
