package imgadmit.lib.facts_test

import data.imgadmit.lib.facts

# Facts in the clouds' own spellings read as imgadmit's one word, whether they
# come from the request or from the inventory.

_req(resources) := {
	"provider": "huaweicloud",
	"operation": "server.start",
	"params": {"server_id": "srv-1"},
	"resources": resources,
}

test_server_status_in_every_spelling if {
	spellings := {
		"ACTIVE": "active", "Running": "active", "active": "active", "running": "active",
		"SHUTOFF": "stopped", "Stopped": "stopped", "stopped": "stopped", "shutoff": "stopped",
		"BUILD": "building", "Pending": "building", "Starting": "starting", "Stopping": "stopping",
		"REBOOT": "rebooting", "HARD_REBOOT": "rebooting", "RESIZE": "resizing",
		"VERIFY_RESIZE": "resizing", "REVERT_RESIZE": "resizing", "MIGRATING": "migrating",
		"REBUILD": "rebuilding", "PAUSED": "paused", "SUSPENDED": "suspended", "SHELVED": "shelved",
		"SHELVED_OFFLOADED": "shelved_offloaded", "SOFT_DELETED": "soft_deleted",
		"ERROR": "error", "DELETED": "deleted", "UNKNOWN": "unknown",
	}
	every written, word in spellings {
		facts.server("srv-1").status == word with input as _req({"servers": {"srv-1": {"status": written}}})
		facts.server("srv-1").status == word with data.inventory.resources.servers as {"srv-1": {"status": written}}
	}
}

test_backup_status_protecting_and_creating_are_one_state if {
	every written in ["protecting", "creating", "Creating", "PROTECTING"] {
		facts.backup("bk-1").status == "protecting" with input as _req({"backups": {"bk-1": {"status": written}}})
	}
	facts.backup("bk-1").status == "waiting_protect" with input as _req({"backups": {"bk-1": {"status": "waiting_protect"}}})
}

test_backup_resource_type_as_cbr_writes_it if {
	types := {
		"OS::Nova::Server": "server",
		"OS::Cinder::Volume": "disk",
		"OS::Ironic::BareMetalServer": "bare_metal_server",
		"OS::Native::Server": "native_server",
		"OS::Sfs::Turbo": "sfs_turbo",
		"OS::Workspace::DesktopV2": "workspace_desktop",
		"server": "server",
	}
	every written, word in types {
		facts.backup("bk-1").resource_type == word with input as _req({"backups": {"bk-1": {"resource_type": written}}})
	}
}

test_image_visibility_and_status_as_the_clouds_write_them if {
	visibilities := {"gold": "public", "self": "private", "system": "public", "others": "shared", "marketplace": "market", "Private": "private"}
	every written, word in visibilities {
		facts.image("img-1").visibility == word with input as _req({"images": {"img-1": {"visibility": written}}})
	}
	statuses := {"Available": "active", "active": "active", "Creating": "saving", "Waiting": "queued", "CreateFailed": "killed", "UnAvailable": "unavailable", "Deprecated": "deprecated", "killed": "killed"}
	every written, word in statuses {
		facts.image("img-1").status == word with input as _req({"images": {"img-1": {"status": written}}})
	}
}

test_billing_and_disk_type_as_the_clouds_write_them if {
	every written, word in {"PrePaid": "subscription", "postPaid": "pay_as_you_go", "subscription": "subscription"} {
		facts.server("i-1").billing_method == word with input as _req({"servers": {"i-1": {"billing_method": written}}})
	}
	every written, word in {"System": "system", "data": "data", "DATA": "data"} {
		facts.snapshot("s-1").disk_type == word with input as _req({"snapshots": {"s-1": {"disk_type": written}}})
	}
}

test_alibaba_times_and_the_pay_as_you_go_sentinel if {
	facts.server("i-1").expired_at == "2026-12-31T16:00:00Z" with input as _req({"servers": {"i-1": {"expired_at": "2026-12-31T16:00Z"}}})
	facts.server("i-1").expired_at == null with input as _req({"servers": {"i-1": {"expired_at": "2099-12-31T15:59Z"}}})
	facts.server("i-1").payment_overdue_since == "2026-11-20T08:00:00Z" with input as _req({"servers": {"i-1": {"payment_overdue_since": "2026-11-20T08:00Z"}}})

	# RFC 3339 stays as written, offsets and fractions included.
	facts.server("i-1").expired_at == "2026-11-20T08:00:00.5+08:00" with input as _req({"servers": {"i-1": {"expired_at": "2026-11-20T08:00:00.5+08:00"}}})
}

test_empty_means_none if {
	img := facts.image("img-1") with input as _req({"images": {"img-1": {"backup_id": "", "owner_project_id": ""}}})
	img == {"backup_id": null, "owner_project_id": null}
}

test_other_values_are_kept if {
	img := facts.image("img-1") with input as _req({"images": {"img-1": {"image_type": "full_ecs", "members": ["p"], "region": "cn-north-4"}}})
	img == {"image_type": "full_ecs", "members": ["p"], "region": "cn-north-4"}
}

test_inventory_wins_and_is_normalized_too if {
	s := facts.server("srv-1") with input as _req({"servers": {"srv-1": {"status": "ACTIVE"}}})
		with data.inventory.resources.servers as {"srv-1": {"status": "SHUTOFF"}}
	s == {"status": "stopped"}
}

test_unknown_resource_is_undefined if {
	not facts.server("srv-1") with input as _req({})
}

test_the_inventory_decides_the_source_type if {
	# A backup the inventory holds is a CBR backup, whatever the request calls it.
	facts.source_type({"type": "csbs_backup", "id": "bk-1"}) == "cbr_backup" with data.inventory.resources.backups as {"bk-1": {}}
	facts.source_type({"type": "server", "id": "bk-1"}) == "cbr_backup" with data.inventory.resources.backups as {"bk-1": {}}
	facts.source_type({"type": "file", "id": "srv-1"}) == "server" with data.inventory.resources.servers as {"srv-1": {}}

	# The request's own facts do not decide it.
	facts.source_type({"type": "csbs_backup", "id": "bk-1"}) == "csbs_backup" with input as _req({"backups": {"bk-1": {}}})

	# An id the inventory holds twice keeps the request's word when it is one of them.
	facts.source_type({"type": "server", "id": "x"}) == "server" with data.inventory.resources as {"backups": {"x": {}}, "servers": {"x": {}}}
	facts.source_type({"type": "file", "id": "x"}) == "cbr_backup" with data.inventory.resources as {"backups": {"x": {}}, "servers": {"x": {}}}
}

test_image_region_inventory_first if {
	facts.image_region("img-1") == "cn-north-4" with input as _req({"images": {"img-1": {"region": "cn-east-3"}}})
		with data.inventory.resources.images as {"img-1": {"region": "cn-north-4"}}
	not facts.image_region("img-1") with input as _req({"images": {"img-1": {}}})
}

test_missing_records_carry_the_rules_strength if {
	facts.missing("images", "img-1", "status", "R-1", "warn") == {"kind": "images", "id": "img-1", "field": "status", "rule": "R-1", "effect": "warn"} with input as _req({})
	not facts.missing("images", "img-1", "status", "R-1", "warn") with input as _req({"images": {"img-1": {"status": "active"}}})

	# null is a known value to missing, not to missing_or_null.
	not facts.missing("images", "img-1", "owner_project_id", "R-1", "deny") with input as _req({"images": {"img-1": {"owner_project_id": null}}})
	facts.missing_or_null("images", "img-1", "owner_project_id", "R-1", "deny").field == "owner_project_id" with input as _req({"images": {"img-1": {"owner_project_id": null}}})
	not facts.missing_or_null("images", "img-1", "owner_project_id", "R-1", "deny") with input as _req({"images": {"img-1": {"owner_project_id": "p"}}})
}

test_written_keeps_the_callers_spelling if {
	facts.written("images", "img-1", "status") == "CreateFailed" with input as _req({"images": {"img-1": {"status": "CreateFailed"}}})
	facts.image("img-1").status == "killed" with input as _req({"images": {"img-1": {"status": "CreateFailed"}}})
}
