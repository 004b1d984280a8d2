# METADATA
# title: Images
# description: |
#   What the facts say about an image, for the rules of several ids: its type
#   (and the documents' names for image types), its owner, its source
#   instance, the image made from a backup. A helper that only one rule needs
#   stays in that rule's file.
package imgadmit.lib.images

import data.imgadmit.lib.facts

# full_ecs(id): image id is known to be a full-ECS image.
full_ecs(id) if facts.image(id).image_type == "full_ecs"

# may_be_full_ecs(id): image id is not known to be of another type, so a rule
# about full-ECS images still needs its other facts.
may_be_full_ecs(id) if not _other_type(id)

_other_type(id) if facts.image(id).image_type != "full_ecs"

# type_names: image types as the documents name them.
type_names := {
	"system": "a system disk image",
	"data": "a data disk image",
	"full_ecs": "a full-ECS image",
	"iso": "an ISO image",
}

# type_name(t) names image type t, or quotes a type the documents do not know.
type_name(t) := type_names[t] if {
	type_names[t]
} else := sprintf("of image type %s", [json.marshal(t)])

# owner(img) is the owning project of image facts img; undefined when not
# known (a public image has none: owner_project_id null).
owner(img) := img.owner_project_id if img.owner_project_id != null

# may_be_private(id): image id is private or not known to be anything else:
# its owner, and for use its members, decide.
may_be_private(id) if not facts.has("images", id, "visibility")

may_be_private(id) if facts.image(id).visibility == "private"

# source_instance(id) is the instance image id was created from; undefined
# when the image was not created from an instance (null) or that is not known.
source_instance(id) := src if {
	src := facts.image(id).source_instance_id
	src != null
}

# from_backup(id) is the image created from backup id; undefined when no
# image was created from it (image_id null) or that is not known.
from_backup(id) := image_id if {
	image_id := facts.backup(id).image_id
	image_id != null
}
