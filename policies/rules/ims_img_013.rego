package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Only a ready image can be used
# description: |
#   An image is ready once its status is active (the console's "Normal";
#   Alibaba's Available). An image still queued or being saved (Alibaba
#   Creating, Waiting), one whose creation failed (killed; Alibaba
#   CreateFailed), one that is deleted, unavailable or deprecated cannot be
#   used to create a server or a disk, change an OS, or be shared, replicated,
#   exported or published. Quiet when the image's status is not known: the
#   other rules ask for what they need.
# custom:
#   id: IMS-IMG-013
#   effect: deny
#   category: lifecycle
#   providers: [huaweicloud, alibabacloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Procedure, step 3 (When the image status changes to Normal, the image creation is complete.)"
#   remediation: Wait until the image's status is Normal (active; Alibaba Available), then send the request again; an image whose creation failed or that was deleted never becomes ready, so create the image again or use another one.
reasons contains r if {
	input.operation in {"server.create", "server.change_os", "disk.create", "image.share", "image.replicate", "image.export", "image.publish"}
	input.provider in {"huaweicloud", "alibabacloud"}
	status := facts.image(input.params.image_id).status
	status != "active"
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is %s (status %s); only an active (Normal) image can be used",
		[input.params.image_id, _ims_img_status_name(status), facts.written("images", input.params.image_id, "status")],
	))
}

_ims_img_status_names := {
	"queued": "queued and not yet created",
	"saving": "still being created",
	"killed": "an image whose creation failed",
	"deleted": "deleted",
	"unavailable": "unavailable",
	"deprecated": "deprecated",
}

_ims_img_status_name(status) := _ims_img_status_names[status] if {
	_ims_img_status_names[status]
} else := "not ready"
