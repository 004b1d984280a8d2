package imgadmit.rules_test

import data.imgadmit.rules

# Helpers shared by the IMS-IMG and IMS-API tests.

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

_ims_img_001_reason(message) := {
	"id": "IMS-IMG-001",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Read the Image Disclaimer and agree to it (set agree_disclaimer to true).",
	"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 2",
}

test_ims_img_001_denies_disclaimer_false if {
	r := rules.reasons with input as _ims_create_request({"agree_disclaimer": false})
	_ims_of(r, "IMS-IMG-001") == {_ims_img_001_reason("image \"web\" cannot be created: agree_disclaimer is false; the Image Disclaimer must be read and agreed to")}
}

test_ims_img_001_denies_disclaimer_absent if {
	r := rules.reasons with input as json.remove(_ims_create_request({}), ["params/agree_disclaimer"])
	_ims_of(r, "IMS-IMG-001") == {_ims_img_001_reason("image \"web\" cannot be created: agree_disclaimer is not set; the Image Disclaimer must be read and agreed to")}
}

test_ims_img_001_denies_non_boolean_agreement if {
	r := rules.reasons with input as json.remove(_ims_create_request({"agree_disclaimer": "yes"}), ["params/name"])
	_ims_of(r, "IMS-IMG-001") == {_ims_img_001_reason("image (unnamed) cannot be created: agree_disclaimer is \"yes\"; the Image Disclaimer must be read and agreed to")}
}

test_ims_img_001_quiet_when_agreed if {
	r := rules.reasons with input as _ims_create_request({})
	_ims_quiet(r, "IMS-IMG-001")
}

test_ims_img_001_quiet_on_alibaba if {
	req := json.patch(_ims_create_request({"agree_disclaimer": false}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-001")
}

test_ims_img_001_quiet_on_other_operations if {
	r := rules.reasons with input as _ims_image_request("image.delete", {"agree_disclaimer": false}, _ims_image({}))
	_ims_quiet(r, "IMS-IMG-001")
}
