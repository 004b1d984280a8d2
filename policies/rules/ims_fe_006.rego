package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Do not start a stopped ECS while a full-ECS image is created from it
# description: |
#   While a full-ECS image is being created from an ECS that is stopped, the
#   ECS must stay stopped.
# custom:
#   id: IMS-FE-006
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Wait until the full-ECS image is created (its status is Normal), then start the server.
reasons contains r if {
	input.operation == "server.start"
	input.provider == "huaweicloud"
	s := facts.server(input.params.server_id)
	s.status == "stopped"
	s.image_creation_in_progress == true
	r := reason.from(rego.metadata.rule(), sprintf(
		"server %s is stopped and a full-ECS image is being created from it; do not start it until the image is created",
		[input.params.server_id],
	))
}

missing_facts contains facts.missing("servers", input.params.server_id, "status", "IMS-FE-006", "deny") if {
	input.operation == "server.start"
	input.provider == "huaweicloud"
}

# Whether an image is being made matters only for a server that may be stopped.
missing_facts contains facts.missing("servers", input.params.server_id, "image_creation_in_progress", "IMS-FE-006", "deny") if {
	input.operation == "server.start"
	input.provider == "huaweicloud"
	not _fe_server_known_not_stopped
}

_fe_server_known_not_stopped if facts.server(input.params.server_id).status != "stopped"
