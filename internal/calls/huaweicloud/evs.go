package huaweicloud

import (
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// createVolume: CreateVolume. A disk from an image or a backup is a
// disk.create per disk made; a disk from a snapshot, or an empty one, is a
// write no rule governs: no canonical request, allowed with no reasons (the
// canonical disk.create needs an image or a backup to judge).
func createVolume(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pVolume = pBody + "/volume"
	v, ok := c.member(b, "volume", pVolume)
	if !ok {
		return result{}
	}
	image, fromImage := c.d.NonEmpty(v, "imageRef", pVolume+"/imageRef")
	backup, fromBackup := c.d.NonEmpty(v, "backup_id", pVolume+"/backup_id")
	_, fromSnapshot := c.d.NonEmpty(v, "snapshot_id", pVolume+"/snapshot_id")
	n := c.count(v, "count", pVolume+"/count")
	if count(fromImage, fromBackup, fromSnapshot) > 1 {
		c.d.Add(pVolume, "more than one of imageRef, backup_id and snapshot_id is given; a disk is made from one source")
	}
	if c.d.Failed() {
		return result{}
	}
	if !fromImage && !fromBackup {
		return result{op: "disk.create"}
	}
	p := c.d.NewPart("disk.create", pVolume)
	if fromImage {
		p.Set("image_id", image, pVolume+"/imageRef")
	} else {
		p.Set("backup_id", backup, pVolume+"/backup_id")
	}
	return result{op: "disk.create", parts: repeat(p, n)}
}

// deleteVolume: DeleteVolume.
func deleteVolume(c *call) result {
	p := c.d.NewPart("disk.delete", pPath)
	p.Set("disk_id", c.param("volume_id"), pPath)
	return result{op: "disk.delete", parts: []*calldoc.Part{p}}
}
