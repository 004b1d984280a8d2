# Helpers shared by the rules' tests. Keep each rule's own helpers in its own
# test file, prefixed with the rule's subject.
package imgadmit.rules_test

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

_ids_by_effect(reasons, effect) := {r.id | some r in reasons; r.effect == effect}
