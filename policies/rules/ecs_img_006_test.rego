package imgadmit.rules_test

import data.imgadmit.rules

_ecs_img_006_create(billing_method, source_billing_method) := json.patch(
	_ecs_img_005_create(_ecs_img_005_source({"billing_method": source_billing_method})),
	[{"op": "replace", "path": "/params/billing_method", "value": billing_method}],
)

_ecs_img_006_reason(message) := {
	"id": "ECS-IMG-006",
	"effect": "note",
	"category": "billing",
	"message": message,
	"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: Can a custom image created from a subscription instance be used to create a pay-as-you-go instance?",
}

test_ecs_img_006_notes_pay_as_you_go_from_subscription if {
	d := data.imgadmit.decision with input as _ecs_img_006_create("pay_as_you_go", "subscription")
		with time.now_ns as _ecs_img_005_now
	d == {
		"allowed": true,
		"provider": "alibabacloud",
		"operation": "server.create",
		"reasons": [_ecs_img_006_reason("the new instance is pay-as-you-go while image m-1 was created from subscription instance i-src; that is allowed, custom images do not depend on the billing methods of instances")],
	}
}

test_ecs_img_006_notes_subscription_from_pay_as_you_go if {
	r := rules.reasons with input as _ecs_img_006_create("subscription", "pay_as_you_go")
		with time.now_ns as _ecs_img_005_now
	r == {_ecs_img_006_reason("the new instance is subscription while image m-1 was created from pay-as-you-go instance i-src; that is allowed, custom images do not depend on the billing methods of instances")}
}

test_ecs_img_006_quiet_on_same_billing_method if {
	req := _ecs_img_006_create("subscription", "subscription")
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
	_ecs_missing_of("ECS-IMG-006") == set() with input as req
}

test_ecs_img_006_quiet_without_billing_method if {
	req := _ecs_request("server.create", {"image_id": "m-1", "name": "web-2"}, {"images": {"m-1": {"source_instance_id": "i-src"}}, "servers": {"i-src": {"billing_method": "subscription"}}})
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	_ecs_of(r, "ECS-IMG-006") == set()
	_ecs_missing_of("ECS-IMG-006") == set() with input as req
}

test_ecs_img_006_quiet_on_image_not_made_from_an_instance if {
	req := _ecs_request("server.create", {"image_id": "m-1", "billing_method": "pay_as_you_go"}, {"images": {"m-1": {"source_instance_id": null}}})
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
	_ecs_missing_of("ECS-IMG-006") == set() with input as req
}

test_ecs_img_006_missing_facts if {
	unknown_image := _ecs_request("server.create", {"image_id": "m-9", "billing_method": "pay_as_you_go"}, {})
	_ecs_missing_of("ECS-IMG-006") == {{"kind": "images", "id": "m-9", "field": "source_instance_id", "rule": "ECS-IMG-006", "effect": "note"}} with input as unknown_image
	unknown_billing := json.patch(_ecs_img_006_create("pay_as_you_go", "subscription"), [{"op": "remove", "path": "/resources/servers/i-src/billing_method"}])
	_ecs_missing_of("ECS-IMG-006") == {{"kind": "servers", "id": "i-src", "field": "billing_method", "rule": "ECS-IMG-006", "effect": "note"}} with input as unknown_billing
	r := rules.reasons with input as unknown_billing with time.now_ns as _ecs_img_005_now
	{[x.id, x.message] | some x in r} == {["REQ-002", "server i-src is missing fact \"billing_method\", needed by ECS-IMG-006"]}
}

test_ecs_img_006_quiet_on_change_os if {
	req := json.patch(_ecs_img_005_change_os(_ecs_img_005_source({"billing_method": "pay_as_you_go"})), [{"op": "add", "path": "/params/billing_method", "value": "subscription"}])
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	r == set()
}

test_ecs_img_006_quiet_on_huawei if {
	req := _ecs_on_huawei(_ecs_img_006_create("pay_as_you_go", "subscription"))
	r := rules.reasons with input as req with time.now_ns as _ecs_img_005_now
	_ecs_of(r, "ECS-IMG-006") == set()
	_ecs_missing_of("ECS-IMG-006") == set() with input as req
}
