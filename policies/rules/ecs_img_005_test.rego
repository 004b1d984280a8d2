package imgadmit.rules_test

import data.imgadmit.rules

_ecs_img_005_reason(effect, message) := {
	"id": "ECS-IMG-005",
	"effect": effect,
	"category": "lifecycle",
	"message": message,
	"remediation": "Before the release date, keep a sufficient balance in your account and renew the source instance or settle its overdue payment; once the image's snapshots have been released, use another image.",
	"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: If an image was manually created from an ECS instance, can I retrieve instance data after the instance is released on expiration?; What happens to a custom image when the instance from which the image was created is released?",
}

_ecs_img_005_warn_20 := _ecs_img_005_reason("warn", "image m-1 was created from instance i-src, which expired on 2026-11-20; the image's snapshots will be released on 2026-12-05, 15 days after that, unless you keep the account balance sufficient and renew the instance")

test_ecs_img_005_warns_before_release if {
	d := data.imgadmit.decision with input as _ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-20T00:00:00Z"}))
		with time.now_ns as _ecs_img_005_now
	d == {
		"allowed": true,
		"provider": "alibabacloud",
		"operation": "server.create",
		"reasons": [_ecs_img_005_warn_20],
	}
}

test_ecs_img_005_denies_after_release if {
	d := data.imgadmit.decision with input as _ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-01T00:00:00Z"}))
		with time.now_ns as _ecs_img_005_now
	d == {
		"allowed": false,
		"provider": "alibabacloud",
		"operation": "server.create",
		"reasons": [_ecs_img_005_reason("deny", "image m-1 was created from instance i-src, which expired on 2026-11-01; the image's snapshots were due to be released on 2026-11-16, 15 days after that, and are not known to still exist")],
	}
}

test_ecs_img_005_denies_exactly_15_days_later if {
	req := _ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-09T00:00:00Z"}))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_005_reason("deny", "image m-1 was created from instance i-src, which expired on 2026-11-09; the image's snapshots were due to be released on 2026-11-24, 15 days after that, and are not known to still exist")}
}

test_ecs_img_005_warns_just_before_15_days if {
	req := _ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-09T00:00:00Z"}))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now - 1
	r == {_ecs_img_005_reason("warn", "image m-1 was created from instance i-src, which expired on 2026-11-09; the image's snapshots will be released on 2026-11-24, 15 days after that, unless you keep the account balance sufficient and renew the instance")}
}

test_ecs_img_005_warns_on_overdue_payment if {
	req := _ecs_img_005_create(_ecs_img_005_source({"billing_method": "pay_as_you_go", "payment_overdue_since": "2026-11-22T08:30:00+08:00"}))
	r := rules.reasons with input as json.patch(req, [{"op": "replace", "path": "/params/billing_method", "value": "pay_as_you_go"}])
		with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_005_reason("warn", "image m-1 was created from instance i-src, whose payment has been overdue since 2026-11-22; the image's snapshots will be released on 2026-12-07, 15 days after that, unless you keep the account balance sufficient and settle the overdue payment")}
}

test_ecs_img_005_takes_the_earliest if {
	req := _ecs_img_005_create(_ecs_img_005_source({
		"expired_at": "2026-11-20T00:00:00Z",
		"payment_overdue_since": "2026-11-05T00:00:00Z",
	}))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_005_reason("deny", "image m-1 was created from instance i-src, whose payment has been overdue since 2026-11-05; the image's snapshots were due to be released on 2026-11-20, 15 days after that, and are not known to still exist")}
}

test_ecs_img_005_quiet_on_future_expiry if {
	# Every subscription has an ExpiredTime: one still to come is no risk yet.
	req := _ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-12-01T00:00:00Z"}))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
}

test_ecs_img_005_quiet_on_pay_as_you_go_sentinel if {
	# Alibaba's PostPaid ExpiredTime, as DescribeInstances returns it: never expires.
	req := _ecs_img_005_create(_ecs_img_005_source({"billing_method": "PostPaid", "expired_at": "2099-12-31T15:59Z"}))
	r := rules.reasons with input as req with time.now_ns as time.parse_rfc3339_ns("2100-06-01T00:00:00Z")
	_ecs_of(r, "ECS-IMG-005") == set()
	_ecs_missing_of("ECS-IMG-005") == set() with input as req
}

test_ecs_img_005_reads_alibabas_time_without_seconds if {
	r := rules.reasons with input as _ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-20T00:00Z"}))
		with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_005_warn_20}
}

test_ecs_img_005_quiet_on_released_source_instance if {
	# Seed 002: the custom images of a released instance are not affected.
	req := _ecs_img_005_create(_ecs_img_005_source({"status": "deleted", "expired_at": "2026-11-01T00:00:00Z"}))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
	_ecs_missing_of("ECS-IMG-005") == set() with input as req
}

test_ecs_img_005_warns_after_release_while_snapshots_exist if {
	req := json.patch(_ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-01T00:00:00Z"})), [{
		"op": "add", "path": "/resources/snapshots",
		"value": {"s-1": {"disk_type": "system", "status": "accomplished"}, "s-2": {"disk_type": "data"}},
	}])
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_005_reason("warn", "image m-1 was created from instance i-src, which expired on 2026-11-01; the image's snapshots were due to be released on 2026-11-16, 15 days after that; they still exist, but may be released at any time unless you keep the account balance sufficient and renew the instance")}
}

test_ecs_img_005_denies_after_release_when_a_snapshot_failed if {
	req := json.patch(_ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-01T00:00:00Z"})), [{
		"op": "add", "path": "/resources/snapshots",
		"value": {"s-1": {"disk_type": "system", "status": "failed"}, "s-2": {"disk_type": "data"}},
	}])
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	{x.effect | some x in _ecs_of(r, "ECS-IMG-005")} == {"deny"}
}

test_ecs_img_005_change_os if {
	r := rules.reasons with input as _ecs_img_005_change_os(_ecs_img_005_source({"expired_at": "2026-11-20T00:00:00Z"}))
		with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_005_warn_20}
}

test_ecs_img_005_quiet_without_expiry if {
	req := _ecs_img_005_create(_ecs_img_005_source({}))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
	_ecs_missing_of("ECS-IMG-005") == set() with input as req
}

test_ecs_img_005_quiet_on_image_not_made_from_an_instance if {
	req := json.patch(_ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-01T00:00:00Z"})), [{"op": "replace", "path": "/resources/images/m-1/source_instance_id", "value": null}])
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
	_ecs_missing_of("ECS-IMG-005") == set() with input as req
}

test_ecs_img_005_missing_source_instance_id if {
	req := _ecs_request("server.change_os", {"server_id": "i-1", "image_id": "m-9"}, {"servers": {"i-1": {"region": "cn-hangzhou"}}})
	_ecs_missing_of("ECS-IMG-005") == {{"kind": "images", "id": "m-9", "field": "source_instance_id", "rule": "ECS-IMG-005", "effect": "deny"}} with input as req
}

test_ecs_img_005_asks_at_warning_strength_about_an_unknown_source_instance if {
	# A source instance nothing is known about may well be released: no reason
	# to deny (seed 002), so its facts are asked for with a warning.
	req := json.patch(_ecs_img_005_create(_ecs_img_005_source({})), [{"op": "remove", "path": "/resources/servers/i-src"}])
	_ecs_missing_of("ECS-IMG-005") == {
		{"kind": "servers", "id": "i-src", "field": "expired_at", "rule": "ECS-IMG-005", "effect": "warn"},
		{"kind": "servers", "id": "i-src", "field": "payment_overdue_since", "rule": "ECS-IMG-005", "effect": "warn"},
	} with input as req
	d := data.imgadmit.decision with input as req with time.now_ns as _ecs_img_005_now
	d.allowed == true
	{[x.effect, x.message] | some x in d.reasons} == {
		["warn", "nothing is known about server i-src (fact \"billing_method\" is needed by ECS-IMG-006)"],
		["warn", "nothing is known about server i-src (fact \"expired_at\" is needed by ECS-IMG-005)"],
		["warn", "nothing is known about server i-src (fact \"payment_overdue_since\" is needed by ECS-IMG-005)"],
	}
}

test_ecs_img_005_missing_source_instance_id_warns_while_snapshots_exist if {
	req := _ecs_request("server.change_os", {"server_id": "i-1", "image_id": "m-9"}, {
		"images": {"m-9": {"region": "cn-hangzhou", "snapshot_ids": ["s-1"]}},
		"snapshots": {"s-1": {"disk_type": "system"}},
		"servers": {"i-1": {"region": "cn-hangzhou"}},
	})
	_ecs_missing_of("ECS-IMG-005") == {{"kind": "images", "id": "m-9", "field": "source_instance_id", "rule": "ECS-IMG-005", "effect": "warn"}} with input as req
}

test_ecs_img_005_missing_overdue_fact if {
	req := _ecs_img_005_create(object.remove(_ecs_img_005_source({"expired_at": "2026-11-20T00:00:00Z"}), ["payment_overdue_since"]))
	_ecs_missing_of("ECS-IMG-005") == {{"kind": "servers", "id": "i-src", "field": "payment_overdue_since", "rule": "ECS-IMG-005", "effect": "deny"}} with input as req
}

test_ecs_img_005_quiet_on_huawei if {
	req := _ecs_on_huawei(_ecs_img_005_create(_ecs_img_005_source({"expired_at": "2026-11-01T00:00:00Z"})))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	_ecs_of(r, "ECS-IMG-005") == set()
	_ecs_missing_of("ECS-IMG-005") == set() with input as req
}
