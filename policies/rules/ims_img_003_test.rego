package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_003_policy := {"required_keys": ["env"], "allowed_values": {"env": ["prod", "staging", "dev"]}}

_ims_img_003_reason(message) := {
	"id": "IMS-IMG-003",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Tag the image as the organization's tag policy requires (every required key, each with an allowed value), or have the administrator change the policy.",
	"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 2",
}

test_ims_img_003_denies_value_not_allowed if {
	r := rules.reasons with input as _ims_create_request({"image_tags": [{"key": "env", "value": "test"}]})
		with data.inventory.settings.image_tag_policy as _ims_img_003_policy
	_ims_of(r, "IMS-IMG-003") == {_ims_img_003_reason("image \"web\" has tag \"env\" with value \"test\", which the image tag policy does not allow (allowed values: dev, prod, staging)")}
}

test_ims_img_003_denies_missing_required_key if {
	r := rules.reasons with input as _ims_create_request({"image_tags": [{"key": "team", "value": "web"}]})
		with data.inventory.settings.image_tag_policy as _ims_img_003_policy
	_ims_of(r, "IMS-IMG-003") == {_ims_img_003_reason("image \"web\" has no tag with key \"env\", which the image tag policy requires (allowed values: dev, prod, staging)")}
}

test_ims_img_003_denies_without_any_tags if {
	policy := {"required_keys": ["env", "owner"], "allowed_values": {"env": ["prod"]}}
	r := rules.reasons with input as json.remove(_ims_create_request({}), ["params/image_tags"])
		with data.inventory.settings.image_tag_policy as policy
	{x.message | some x in _ims_of(r, "IMS-IMG-003")} == {
		"image \"web\" has no tag with key \"env\", which the image tag policy requires (allowed values: prod)",
		"image \"web\" has no tag with key \"owner\", which the image tag policy requires",
	}
}

test_ims_img_003_one_reason_per_violation if {
	policy := {"required_keys": ["env", "owner"], "allowed_values": {"env": ["prod"], "tier": ["web", "db"]}}
	tags := [{"key": "env", "value": "dev"}, {"key": "tier", "value": "cache"}, {"key": "cost", "value": "any"}]
	r := rules.reasons with input as _ims_create_request({"image_tags": tags})
		with data.inventory.settings.image_tag_policy as policy
	{x.message | some x in _ims_of(r, "IMS-IMG-003")} == {
		"image \"web\" has no tag with key \"owner\", which the image tag policy requires",
		"image \"web\" has tag \"env\" with value \"dev\", which the image tag policy does not allow (allowed values: prod)",
		"image \"web\" has tag \"tier\" with value \"cache\", which the image tag policy does not allow (allowed values: db, web)",
	}
}

test_ims_img_003_quiet_when_tags_satisfy_policy if {
	tags := [{"key": "env", "value": "staging"}, {"key": "team", "value": "web"}]
	r := rules.reasons with input as _ims_create_request({"image_tags": tags})
		with data.inventory.settings.image_tag_policy as _ims_img_003_policy
	_ims_quiet(r, "IMS-IMG-003")
}

test_ims_img_003_quiet_without_policy if {
	r := rules.reasons with input as _ims_create_request({"image_tags": [{"key": "env", "value": "test"}]})
	_ims_quiet(r, "IMS-IMG-003")
}

test_ims_img_003_partial_policy if {
	# A policy with allowed values only: no key is required.
	r1 := rules.reasons with input as json.remove(_ims_create_request({}), ["params/image_tags"])
		with data.inventory.settings.image_tag_policy as {"allowed_values": {"env": ["prod"]}}
	_ims_quiet(r1, "IMS-IMG-003")

	# A policy with required keys only: any value will do.
	r2 := rules.reasons with input as _ims_create_request({"image_tags": [{"key": "env", "value": "anything"}]})
		with data.inventory.settings.image_tag_policy as {"required_keys": ["env"]}
	_ims_quiet(r2, "IMS-IMG-003")
}

test_ims_img_003_quiet_on_alibaba if {
	req := json.patch(_ims_create_request({"image_tags": [{"key": "env", "value": "test"}]}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
		with data.inventory.settings.image_tag_policy as _ims_img_003_policy
	_ims_quiet(r, "IMS-IMG-003")
}
