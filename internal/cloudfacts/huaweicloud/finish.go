package huaweicloud

import (
	"slices"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// state is what the Huawei responses read into one Set say beyond their own
// facts, for the cross-references made once every response is read.
type state struct {
	images  []imageRef
	backups []backupRef
	servers []string
	disks   []string
	// backupCount is the count of backups ListBackups pages gave (the
	// total; 0 when none was read), listedBackups the ids they listed: when
	// they add up, the backups read are every backup there is, and a
	// resource none of them is of has none.
	backupCount   int64
	backupCounted bool
	listedBackups map[string]bool
	// sawImageList: an IMS ListImages page was read, so an image made from a
	// backup would be among the images (GlanceShowImage says nothing of the
	// others).
	sawImageList bool
}

type imageRef struct {
	id, backupID, owner, status string
	backupKnown                 bool // __backup_id was read ("" = none)
}

type backupRef struct {
	id, resourceType, resourceID, status, projectID string
	// imageIDNull: os_images_data names no image.
	imageIDNull bool
}

// stateKey is the key of the Huawei state of a Set.
type stateKey struct{}

// stateOf is set's state, made (and its finisher registered) on first use.
func stateOf(set *facts.Set) *state {
	return set.State(stateKey{}, func() any {
		st := &state{}
		set.Finish(st.finish)
		return st
	}).(*state)
}

// derived is the "response" a cross-referenced fact is put from.
var derived = facts.Response{Name: "huaweicloud cross-reference"}

// finish puts the facts one response completes in another:
//
//   - servers[id].backup_ids, disks[id].backup_ids: the ids of the CBR
//     backups whose resource_id is the server (resource_type
//     OS::Nova::Server) or the disk (OS::Cinder::Volume); [] when CBR
//     responses were read and none is of it. Only for servers and disks an
//     ECS or EVS response named: a backup's resource_id alone does not make a
//     server known.
//   - servers[id].image_creation_in_progress (no real attribute,
//     REAL-SHAPES §2.4; an approximation): true when an IMS image in queued
//     or saving was made from a backup of the server (__backup_id), or a CBR
//     backup of the server is being made (protecting, which also holds for
//     a plain scheduled backup: it errs toward "in progress"); false
//     otherwise, once CBR responses were read; left out when none was.
//   - backups[id].image_id: when os_images_data names no image, the IMS image
//     whose __backup_id is the backup (not deleted or killed; the smallest id
//     if several), else null.
//   - images[id].from_shared_backup: the backup it was made from belongs to
//     another project (the backup's project_id is not the image's owner);
//     false for an image made from no backup (other than a full-ECS one,
//     which always is); left out when the backup or either project is not
//     known.
func (st *state) finish(set *facts.Set) {
	backups := make(map[string]*backupRef, len(st.backups))
	ofServer := map[string][]string{}
	ofDisk := map[string][]string{}
	busy := map[string]bool{} // servers an image is being made from
	for i := range st.backups {
		b := &st.backups[i]
		if _, dup := backups[b.id]; dup {
			continue
		}
		backups[b.id] = b
		switch b.resourceType {
		case "OS::Nova::Server":
			ofServer[b.resourceID] = append(ofServer[b.resourceID], b.id)
			if b.status == "protecting" {
				busy[b.resourceID] = true
			}
		case "OS::Cinder::Volume":
			ofDisk[b.resourceID] = append(ofDisk[b.resourceID], b.id)
		}
	}

	imageOf := map[string]string{} // backup id -> image made from it
	for _, img := range st.images {
		if img.backupID == "" {
			continue
		}
		if img.status != "deleted" && img.status != "killed" {
			if cur, ok := imageOf[img.backupID]; !ok || img.id < cur {
				imageOf[img.backupID] = img.id
			}
		}
		if b := backups[img.backupID]; b != nil && (img.status == "queued" || img.status == "saving") &&
			b.resourceType == "OS::Nova::Server" {
			busy[b.resourceID] = true
		}
	}

	for _, img := range st.images {
		switch b := backups[img.backupID]; {
		case !img.backupKnown:
		case img.backupID == "":
			if t, _ := set.Lookup("images", img.id)["image_type"].(string); t != "full_ecs" {
				set.Put(derived, "", "images", img.id, "from_shared_backup", false)
			}
		case b != nil && b.projectID != "" && img.owner != "":
			set.Put(derived, "", "images", img.id, "from_shared_backup", b.projectID != img.owner)
		}
	}

	for id, b := range backups {
		if !b.imageIDNull {
			continue
		}
		switch img, ok := imageOf[id]; {
		case ok:
			set.Put(derived, "", "backups", id, "image_id", img)
		case st.sawImageList:
			// No image names the backup, and the images were listed.
			set.Put(derived, "", "backups", id, "image_id", nil)
		}
		// Else the fact is left out: os_images_data can lag behind the
		// image, and with no images listed "none" cannot be told (CBR-001
		// would go quiet on a guess).
	}

	// With every backup read (ListBackups pages adding up to their count),
	// a resource none of them is of has none, and one none of them (nor an
	// image listed) shows busy is not busy. With some read only (one page,
	// a ShowBackup) "none" and "not busy" cannot be told, and are left out;
	// "busy" can.
	complete := st.backupCounted && int64(len(st.listedBackups)) >= st.backupCount
	for _, id := range st.servers {
		if complete {
			set.Put(derived, "", "servers", id, "backup_ids", idList(ofServer[id]))
		}
		if busy[id] || (complete && st.sawImageList) {
			set.Put(derived, "", "servers", id, "image_creation_in_progress", busy[id])
		}
	}
	if !complete {
		return
	}
	for _, id := range st.disks {
		set.Put(derived, "", "disks", id, "backup_ids", idList(ofDisk[id]))
	}
}

// idList is ids sorted, as the []any a decoded inventory holds; [] for none.
func idList(ids []string) []any {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
