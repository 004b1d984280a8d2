package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: Changing an ECS OS with a full-ECS image writes only the system disk
# description: |
#   When a full-ECS image is used to change an ECS OS, only its system disk
#   data is written to the ECS; its data disks are not restored.
# custom:
#   id: IMS-FE-013
#   effect: warn
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background and Follow-up Procedure"
#   remediation: To restore or migrate the data disks' data, create a new ECS from the full-ECS image instead of changing the OS.
reasons contains r if {
	input.operation == "server.change_os"
	input.provider == "huaweicloud"
	images.full_ecs(input.params.image_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image; changing the OS of server %s with it writes only the system disk data, not the data disks",
		[input.params.image_id, input.params.server_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-013", "warn") if {
	input.operation == "server.change_os"
	input.provider == "huaweicloud"
}
