package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_001_denies_disk_backup if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"resource_type": "disk"}))
	some x in r
	x == {
		"id": "IMS-FE-001",
		"effect": "deny",
		"category": "constraint",
		"message": "backup bk-1 is a backup of an EVS disk; only ECS (cloud server) backups can be used to create images",
		"remediation": "Use a CBR backup of an ECS (cloud server backup); to make an image from a disk, create a data disk image from the disk instead.",
		"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background",
	}
}

test_ims_fe_001_denies_bms_backup if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"resource_type": "bare_metal_server"}))
	some x in r
	x.id == "IMS-FE-001"
	contains(x.message, "a bare metal server (BMS)")
}

test_ims_fe_001_quiet_on_ecs_backup if {
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	not "IMS-FE-001" in {x.id | some x in r}
	not "REQ-002" in {x.id | some x in r; contains(x.message, "IMS-FE-001")}
}

test_ims_fe_001_quiet_for_other_image_types if {
	req := json.patch(_backup_request(object.union(_usable_server_backup, {"resource_type": "disk"})), [
		{"op": "replace", "path": "/params/image_type", "value": "system"},
		{"op": "replace", "path": "/params/source", "value": {"type": "server", "id": "srv-1"}},
	])
	r := rules.reasons with input as req
	not "IMS-FE-001" in {x.id | some x in r}
}

test_ims_fe_001_quiet_on_alibaba if {
	req := json.patch(_backup_request(object.union(_usable_server_backup, {"resource_type": "disk"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	not "IMS-FE-001" in {x.id | some x in r}
}
