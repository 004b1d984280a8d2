package imgadmit.rules

import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Image storage is charged by OBS billing standards
# description: |
#   System disk, data disk and ISO images are stored in OBS, and image storage
#   fees are charged according to the OBS billing standards. Not full-ECS
#   images: they are charged as their backup (IMS-FE-014, IMS-FE-017), and two
#   billing notes never contradict each other.
# custom:
#   id: IMS-IMG-010
#   effect: note
#   category: billing
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Differences Between Backups and Images; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background"
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type != "full_ecs"
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s will be stored in OBS; image storage fees are charged according to the OBS billing standards",
		[request.new_image_name],
	))
}
