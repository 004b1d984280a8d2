package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_003_denies_backup_in_error if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": "error"}))
	_fe_reasons(r, "IMS-FE-003") == {{
		"id": "IMS-FE-003",
		"effect": "deny",
		"category": "constraint",
		"message": "backup bk-1 is in status error; only an available backup, or one being created that is marked \"Image can be created\", can be used to create an image",
		"remediation": "Wait until the backup is available, or until it is marked \"Image can be created\" while it is being created; if the backup is in error, back up the ECS again and use the new backup.",
		"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites",
	}}
}

test_ims_fe_003_denies_other_statuses if {
	every status in ["deleting", "restoring", "waiting_protect", "waiting_delete", "waiting_restore"] {
		r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": status, "image_creatable": true}))
		{x.message | some x in _fe_reasons(r, "IMS-FE-003")} == {sprintf(
			"backup bk-1 is in status %s; only an available backup, or one being created that is marked \"Image can be created\", can be used to create an image",
			[status],
		)}
	}
}

test_ims_fe_003_denies_protecting_without_the_mark if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": "protecting", "image_creatable": false}))
	{x.message | some x in _fe_reasons(r, "IMS-FE-003")} == {"backup bk-1 is still being created (status protecting) and is not marked \"Image can be created\"; only an available backup, or one being created with that mark, can be used to create an image"}
}

test_ims_fe_003_quiet_on_protecting_with_the_mark if {
	# CBR has no "creating": a backup being made is protecting, and seed 003
	# lets one marked "Image can be created" make an image.
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": "protecting", "image_creatable": true}))
	_fe_quiet(r, "IMS-FE-003")
}

test_ims_fe_003_reads_the_consoles_creating_as_protecting if {
	every status in ["creating", "Creating", "PROTECTING"] {
		r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": status, "image_creatable": true}))
		_fe_quiet(r, "IMS-FE-003")
	}
}

test_ims_fe_003_denies_waiting_protect_even_with_the_mark if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": "waiting_protect", "image_creatable": true}))
	{x.message | some x in _fe_reasons(r, "IMS-FE-003")} == {"backup bk-1 is in status waiting_protect; only an available backup, or one being created that is marked \"Image can be created\", can be used to create an image"}
}

test_ims_fe_003_quiet_on_available_backup_without_the_mark if {
	# The mark matters only while the backup is being created: not asked for here.
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	_fe_quiet(r, "IMS-FE-003")
}

test_ims_fe_003_missing_mark_while_creating if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"status": "protecting"}))
	not "IMS-FE-003" in {x.id | some x in r}
	"backup bk-1 is missing fact \"image_creatable\", needed by IMS-FE-003" in _fe_missing(r)
	not _fe_quiet(r, "IMS-FE-003") # the quiet check sees a missing fact too
}

test_ims_fe_003_missing_status if {
	r := rules.reasons with input as _backup_request(object.remove(_usable_server_backup, ["status"]))
	not "IMS-FE-003" in {x.id | some x in r}
	{m | some m in _fe_missing(r); contains(m, "IMS-FE-003")} == {"backup bk-1 is missing fact \"status\", needed by IMS-FE-003"}
}

test_ims_fe_003_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_backup_request(object.union(_usable_server_backup, {"status": "error"})))
	_fe_quiet(r, "IMS-FE-003")
}
