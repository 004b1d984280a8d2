# METADATA
# title: Operations
# description: |
#   The provider/operation pairs that exist. The JSON Schemas in schemas/ hold
#   the same list (one file per pair); a Go test keeps the two equal.
package imgadmit.lib.operations

known := {
	"huaweicloud": {
		"backup.create", "backup.delete", "backup.expire", "backup.export", "backup.restore",
		"disk.create", "disk.delete",
		"image.create", "image.delete", "image.export", "image.publish", "image.replicate", "image.share",
		"server.change_os", "server.create", "server.delete", "server.start",
	},
	"alibabacloud": {
		"disk.delete",
		"image.create", "image.delete", "image.export", "image.replicate", "image.share",
		"server.change_os", "server.create", "server.delete", "server.start",
		"snapshot.delete",
	},
}

# exists(provider, operation) holds for a pair that exists.
exists(provider, operation) if operation in known[provider]
