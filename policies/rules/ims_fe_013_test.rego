package imgadmit.rules_test

import data.imgadmit.rules

_fe_change_os_request(image) := object.union(
	_fe_image_request("server.change_os", {"server_id": "srv-2"}, image),
	{"resources": {"servers": {"srv-2": _fe_server}}},
)

test_ims_fe_013_warns_on_full_ecs_image if {
	r := rules.reasons with input as _fe_change_os_request(_fe_image)
	_fe_reasons(r, "IMS-FE-013") == {{
		"id": "IMS-FE-013",
		"effect": "warn",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image; changing the OS of server srv-2 with it writes only the system disk data, not the data disks",
		"remediation": "To restore or migrate the data disks' data, create a new ECS from the full-ECS image instead of changing the OS.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background and Follow-up Procedure",
	}}
}

test_ims_fe_013_quiet_on_system_disk_image if {
	r := rules.reasons with input as _fe_change_os_request(_fe_system_image)
	_fe_quiet(r, "IMS-FE-013")
}

test_ims_fe_013_missing_image_type if {
	r := rules.reasons with input as _fe_change_os_request({})
	not "IMS-FE-013" in {x.id | some x in r}
	some m in _fe_missing(r)
	startswith(m, "image img-1 is missing fact \"image_type\", needed by ")
	contains(m, "IMS-FE-013")
}

test_ims_fe_013_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_change_os_request(_fe_image))
	_fe_quiet(r, "IMS-FE-013")
}
