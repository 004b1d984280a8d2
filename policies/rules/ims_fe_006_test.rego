package imgadmit.rules_test

import data.imgadmit.rules

_fe_start_request(server) := {
	"provider": "huaweicloud",
	"operation": "server.start",
	"region": "cn-north-4",
	"project_id": _fe_project,
	"params": {"server_id": "srv-1"},
	"resources": {"servers": {"srv-1": server}},
}

_fe_stopped_imaging := object.union(_fe_server, {"status": "stopped", "image_creation_in_progress": true})

test_ims_fe_006_denies_start_while_imaging if {
	r := rules.reasons with input as _fe_start_request(_fe_stopped_imaging)
	_fe_reasons(r, "IMS-FE-006") == {{
		"id": "IMS-FE-006",
		"effect": "deny",
		"category": "constraint",
		"message": "server srv-1 is stopped and a full-ECS image is being created from it; do not start it until the image is created",
		"remediation": "Wait until the full-ECS image is created (its status is Normal), then start the server.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
}

test_ims_fe_006_quiet_on_stopped_server_not_imaging if {
	r := rules.reasons with input as _fe_start_request(object.union(_fe_stopped_imaging, {"image_creation_in_progress": false}))
	_fe_quiet(r, "IMS-FE-006")
}

test_ims_fe_006_quiet_on_running_server_without_asking_more if {
	r := rules.reasons with input as _fe_start_request({"status": "active"})
	_fe_quiet(r, "IMS-FE-006")
}

test_ims_fe_006_missing_facts if {
	r := rules.reasons with input as _fe_start_request({"region": "cn-north-4"})
	not "IMS-FE-006" in {x.id | some x in r}
	{m | some m in _fe_missing(r); contains(m, "IMS-FE-006")} == {
		"server srv-1 is missing fact \"status\", needed by IMS-FE-006",
		"server srv-1 is missing fact \"image_creation_in_progress\", needed by IMS-FE-006",
	}
}

test_ims_fe_006_missing_progress_of_stopped_server if {
	r := rules.reasons with input as _fe_start_request({"status": "stopped"})
	not "IMS-FE-006" in {x.id | some x in r}
	{m | some m in _fe_missing(r); contains(m, "IMS-FE-006")} == {"server srv-1 is missing fact \"image_creation_in_progress\", needed by IMS-FE-006"}
}

test_ims_fe_006_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_start_request(_fe_stopped_imaging))
	_fe_quiet(r, "IMS-FE-006")
}
