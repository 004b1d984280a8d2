# Helpers the rules' tests share: every test helper that more than one test
# file uses lives here, by family, so that a test's author finds them in one
# place. A helper only one test file uses stays in that file, prefixed with its
# rule's subject. (Some keep the name of the rule whose tests first wrote them,
# _ecs_img_005_create for one.)
#
# Why this file: it is in package imgadmit.rules_test like every test, so the
# tests call its helpers unqualified, and its name ends in _test.rego, so
# `opa test policies` and `opa check --strict policies` load it while the
# evaluator, which leaves *_test.rego out of the rulebook, never does.
package imgadmit.rules_test

import data.imgadmit.rules

# _ids_by_effect(reasons, effect) is the ids of the reasons of that effect.
_ids_by_effect(reasons, effect) := {r.id | some r in reasons; r.effect == effect}

# --- Full-ECS images and the requests around them (IMS-FE-*, CBR-008, REQ-002).

# _fe_request is a Huawei full-ECS image.create from CBR backup bk-1.
_fe_request(resources) := {
	"provider": "huaweicloud",
	"operation": "image.create",
	"params": {
		"name": "web",
		"image_type": "full_ecs",
		"source": {"type": "cbr_backup", "id": "bk-1"},
		"agree_disclaimer": true,
	},
	"resources": resources,
}

_backup_request(backup) := _fe_request({"backups": {"bk-1": backup}})

_usable_server_backup := {
	"resource_type": "server",
	"resource_id": "srv-1",
	"status": "available",
	"includes_system_disk": true,
	"image_id": null,
	"shared": false,
}

_fe_project := "0605767a3300d5762fb7c0186d8d2b3b"

# _fe_quiet(reasons, id): the rule id gave no reason and asked for no fact.
_fe_quiet(reasons, id) if {
	not id in {x.id | some x in reasons}
	not _fe_asks_fact(reasons, id)
}

_fe_asks_fact(reasons, id) if {
	some x in reasons
	x.id == "REQ-002"
	contains(x.message, id)
}

# _fe_reasons(reasons, id) is every reason the rule id gave.
_fe_reasons(reasons, id) := {x | some x in reasons; x.id == id}

# _fe_missing(reasons) is the messages of the REQ-002 reasons.
_fe_missing(reasons) := {x.message | some x in reasons; x.id == "REQ-002"}

_fe_alibaba(req) := object.union(req, {"provider": "alibabacloud"})

# _fe_image is a full-ECS image img-1 of the requesting project, made from CBR
# backup bk-1 of server srv-1.
_fe_image := {
	"image_type": "full_ecs",
	"visibility": "private",
	"owner_project_id": _fe_project,
	"members": [],
	"backup_id": "bk-1",
	"from_shared_backup": false,
	"replica_of_region": null,
	"region": "cn-north-4",
	"source_instance_id": "srv-1",
	"snapshot_ids": [],
	"status": "active",
	"encrypted_with_default_key": false,
	"is_copied": false,
}

_fe_system_image := object.union(_fe_image, {"image_type": "system", "backup_id": null})

# _fe_image_request is a Huawei request in cn-north-4 on image img-1.
_fe_image_request(operation, params, image) := {
	"provider": "huaweicloud",
	"operation": operation,
	"region": "cn-north-4",
	"project_id": _fe_project,
	"params": object.union({"image_id": "img-1"}, params),
	"resources": {"images": {"img-1": image}},
}

# _fe_server is server srv-1, configured, running, with nothing in progress.
_fe_server := {
	"status": "active",
	"image_creation_in_progress": false,
	"cloud_init": true,
	"region": "cn-north-4",
	"billing_method": "pay_as_you_go",
	"expired_at": null,
	"payment_overdue_since": null,
	"backup_ids": ["bk-1"],
	"image_ids": [],
}

# _fe_backup_request_with is _backup_request with more resources beside bk-1.
_fe_backup_request_with(backup, resources) := _fe_request(object.union({"backups": {"bk-1": backup}}, resources))

_fe_from_server_request(server) := json.patch(
	_fe_request({"servers": {"srv-1": server}}),
	[{"op": "replace", "path": "/params/source", "value": {"type": "server", "id": "srv-1"}}],
)

# _fe_replicate_request replicates img-1 from cn-north-4 (to destination, or
# within the region when destination is null).
_fe_replicate_request(destination, image) := _fe_image_request("image.replicate", params, image) if {
	destination != null
	params := {"name": "web-copy", "destination_region": destination}
} else := _fe_image_request("image.replicate", {"name": "web-copy"}, image)

# --- CBR backups (CBR-*).

# _cbr_request is a Huawei request in cn-north-4.
_cbr_request(operation, params, resources) := {
	"provider": "huaweicloud",
	"operation": operation,
	"region": "cn-north-4",
	"project_id": "0605767a3300d5762fb7c0186d8d2b3b",
	"params": params,
	"resources": resources,
}

# _cbr_backup_request is a request on backup bk-1 with the given facts.
_cbr_backup_request(operation, backup) := _cbr_request(operation, {"backup_id": "bk-1"}, {"backups": {"bk-1": backup}})

# _cbr_backup is an available manual ECS backup with no image made from it.
_cbr_backup := {
	"resource_type": "server",
	"resource_id": "srv-1",
	"status": "available",
	"image_creatable": true,
	"includes_system_disk": true,
	"image_id": null,
	"shared": false,
	"auto_generated": false,
}

# _cbr_with(patch) is _cbr_backup with some facts changed.
_cbr_with(patch) := object.union(_cbr_backup, patch)

# _cbr_of(reasons, id) is the set of reasons with that id.
_cbr_of(reasons, id) := {x | some x in reasons; x.id == id}

# _cbr_missing_of(id) is the set of missing-fact records declared by rule id.
_cbr_missing_of(id) := {m | some m in rules.missing_facts; m.rule == id}

# --- Alibaba Cloud ECS images and snapshots (ECS-*; also IMS-API-005, IMS-IMG-013).

# _ecs_request is an Alibaba request in cn-hangzhou.
_ecs_request(operation, params, resources) := {
	"provider": "alibabacloud",
	"operation": operation,
	"region": "cn-hangzhou",
	"project_id": "0605767a3300d5762fb7c0186d8d2b3b",
	"params": params,
	"resources": resources,
}

# _ecs_on_huawei is the same request made to Huawei Cloud.
_ecs_on_huawei(req) := json.patch(req, [{"op": "replace", "path": "/provider", "value": "huaweicloud"}])

# _ecs_of(reasons, id) is the set of reasons with that id.
_ecs_of(reasons, id) := {x | some x in reasons; x.id == id}

# _ecs_missing_of(id) is the set of missing-fact records declared by rule id.
_ecs_missing_of(id) := {m | some m in rules.missing_facts; m.rule == id}

_ecs_img_001_create(source, resources) := _ecs_request(
	"image.create",
	{"name": "web-2026-11", "image_type": "system", "source": source},
	resources,
)

_ecs_img_001_from_snapshot(disk_type) := _ecs_img_001_create(
	{"type": "snapshot", "id": "s-1"},
	{"snapshots": {"s-1": {"disk_type": disk_type, "image_ids": [], "status": "accomplished"}}},
)

_ecs_img_005_now := time.parse_rfc3339_ns("2026-11-24T00:00:00Z")

_ecs_img_005_source(patch) := object.union(
	{
		"status": "stopped",
		"region": "cn-hangzhou",
		"billing_method": "subscription",
		"expired_at": null,
		"payment_overdue_since": null,
		"image_ids": ["m-1"],
	},
	patch,
)

_ecs_img_005_resources(source) := {
	"images": {"m-1": {"region": "cn-hangzhou", "source_instance_id": "i-src", "snapshot_ids": ["s-1", "s-2"]}},
	"servers": {
		"i-src": source,
		"i-1": {"region": "cn-hangzhou", "status": "stopped"},
	},
}

_ecs_img_005_create(source) := _ecs_request(
	"server.create",
	{"image_id": "m-1", "name": "web-2", "billing_method": "subscription"},
	_ecs_img_005_resources(source),
)

_ecs_img_005_change_os(source) := _ecs_request(
	"server.change_os",
	{"server_id": "i-1", "image_id": "m-1"},
	_ecs_img_005_resources(source),
)

# --- IMS images (IMS-IMG-*, IMS-API-*).

_ims_project := "0605767a3300d5762fb7c0186d8d2b3b"

_ims_other_project := "9d2f1c0b6a7e48c5b3e1f0a2d4c6e8f1"

# _ims_image(overrides): facts of a private system disk image img-1 owned by
# the requesting project, with overrides.
_ims_image(overrides) := object.union(
	{
		"image_type": "system",
		"visibility": "private",
		"owner_project_id": _ims_project,
		"members": [],
		"backup_id": null,
		"from_shared_backup": false,
		"replica_of_region": null,
		"region": "cn-north-4",
		"source_instance_id": "srv-1",
		"snapshot_ids": [],
		"status": "active",
		"encrypted_with_default_key": false,
		"is_copied": false,
	},
	overrides,
)

_ims_server := {
	"status": "active",
	"image_creation_in_progress": false,
	"cloud_init": true,
	"region": "cn-north-4",
	"billing_method": "pay_as_you_go",
	"expired_at": null,
	"payment_overdue_since": null,
	"backup_ids": [],
	"image_ids": [],
}

# _ims_request is a Huawei request from project _ims_project in cn-north-4.
_ims_request(operation, params, resources) := {
	"provider": "huaweicloud",
	"operation": operation,
	"region": "cn-north-4",
	"project_id": _ims_project,
	"params": params,
	"resources": resources,
}

# _ims_image_request is a request on image img-1 with the given facts.
_ims_image_request(operation, params, image) := _ims_request(
	operation,
	object.union({"image_id": "img-1"}, params),
	{"images": {"img-1": image}},
)

# _ims_create_request is image.create of system disk image "web" from server srv-1, with overrides.
_ims_create_request(params) := _ims_request(
	"image.create",
	object.union(
		{
			"name": "web",
			"image_type": "system",
			"source": {"type": "server", "id": "srv-1"},
			"agree_disclaimer": true,
			"image_tags": [{"key": "env", "value": "prod"}],
		},
		params,
	),
	{"servers": {"srv-1": _ims_server}},
)

# _ims_of(reasons, id) is the set of reasons with that id.
_ims_of(reasons, id) := {x | some x in reasons; x.id == id}

# _ims_needs(reasons, field, rule_id): a REQ-002 says rule_id needs field.
_ims_needs(reasons, field, rule_id) if {
	some x in reasons
	x.id == "REQ-002"
	contains(x.message, sprintf("%q", [field]))
	contains(x.message, rule_id)
}

# _ims_quiet(reasons, rule_id): the rule neither fired nor asked for a fact.
_ims_quiet(reasons, rule_id) if {
	not rule_id in {x.id | some x in reasons}
	not _ims_mentioned(reasons, rule_id)
}

_ims_mentioned(reasons, rule_id) if {
	some x in reasons
	x.id == "REQ-002"
	contains(x.message, rule_id)
}
