package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: The image type must fit its source
# description: |
#   Each Huawei Cloud image type is made from its own kinds of source: a system
#   disk image from a cloud server, an external image file or a data disk that
#   carries an OS (IMS CreateImage with volume_id and os_version); a data disk
#   image from a server's data disk (source server or disk) or an external
#   image file; a full-ECS image from a cloud server, a CSBS backup or a CBR
#   backup; an ISO image from an external ISO file only. The source is what the
#   inventory knows it as (facts.source_type), whatever the request calls it.
# custom:
#   id: IMS-IMG-002
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1; Huawei Cloud IMS, Images: Image Types; Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1"
#   remediation: "Choose a source that fits the image type: a system disk image from a cloud server, an external image file or a data disk that carries an OS (with os_version); a data disk image from a server's data disk or an external image file; a full-ECS image from a cloud server, a CSBS backup or a CBR backup; an ISO image from an external ISO file only."
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	not _ims_img_source_fits
	r := reason.from(rego.metadata.rule(), _ims_img_source_message)
}

# _ims_img_sources: the source types each image type is made from, in the
# documents' order.
_ims_img_sources := {
	"system": ["server", "file", "disk"],
	"data": ["server", "disk", "file"],
	"full_ecs": ["server", "csbs_backup", "cbr_backup"],
	"iso": ["iso_file"],
}

_ims_img_source_names := {
	"server": "a cloud server",
	"disk": "a server's data disk",
	"file": "an external image file",
	"iso_file": "an external ISO file",
	"csbs_backup": "a CSBS backup",
	"cbr_backup": "a CBR backup",
	"snapshot": "a snapshot",
}

# _ims_img_source_type is the source's type as the inventory knows it; null
# when the request gives none.
_ims_img_source_type := t if {
	t := facts.source_type(input.params.source)
} else := null

_ims_img_source_fits if _ims_img_source_type in _ims_img_sources[input.params.image_type]

_ims_img_source_message := sprintf(
	"image %s is %s and cannot be made from %s (source type %s); %s is made from %s",
	[
		request.new_image_name,
		images.type_names[input.params.image_type],
		_ims_img_source_name,
		json.marshal(_ims_img_source_type),
		images.type_names[input.params.image_type],
		_ims_img_or([_ims_img_source_phrase(input.params.image_type, s) | some s in _ims_img_sources[input.params.image_type]]),
	],
) if {
	images.type_names[input.params.image_type]
} else := sprintf(
	"image %s has image type %s, which is not one of data, full_ecs, iso, system",
	[request.new_image_name, json.marshal(object.get(input, ["params", "image_type"], null))],
)

# _ims_img_source_phrase(image_type, s) names source type s as a source of
# image_type: a system disk image comes from a disk only when it carries an OS.
_ims_img_source_phrase("system", "disk") := "a data disk that carries an OS (with os_version)"

_ims_img_source_phrase(image_type, s) := _ims_img_source_names[s] if not [image_type, s] == ["system", "disk"]

_ims_img_source_name := _ims_img_source_names[_ims_img_source_type] if {
	_ims_img_source_names[_ims_img_source_type]
} else := "an unknown source"

# _ims_img_or joins names as "a, b or c".
_ims_img_or(names) := names[0] if {
	count(names) == 1
} else := sprintf("%s or %s", [concat(", ", array.slice(names, 0, count(names) - 1)), names[count(names) - 1]])
