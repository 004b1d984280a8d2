package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Image storage is charged by OBS billing standards
# description: |
#   Images are stored in OBS, and image storage fees are charged according to
#   the OBS billing standards. A full-ECS image created from a CBR backup is the
#   exception: only the CBR backup is charged for it (IMS-FE-014).
# custom:
#   id: IMS-IMG-010
#   effect: note
#   category: billing
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Differences Between Backups and Images"
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	not _ims_img_full_ecs_from_cbr_backup
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s will be stored in OBS; image storage fees are charged according to the OBS billing standards",
		[_ims_img_new_image],
	))
}

# _ims_img_full_ecs_from_cbr_backup: the image is charged as its CBR backup only.
_ims_img_full_ecs_from_cbr_backup if {
	input.params.image_type == "full_ecs"
	input.params.source.type == "cbr_backup"
}
