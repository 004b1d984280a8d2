package tfplan

import "testing"

const (
	cbrBefore = `{"id": "img-1", "backup_id": "bk-1", "__imagetype": "private", "visibility": "private", "is_delete_backup": null, "name": "web", "region": "cn-north-4"}`
	srvBefore = `{"id": "srv-1", "name": "web-01", "image_id": "img-1", "charging_mode": "prePaid", "status": "ACTIVE", "power_action": null, "region": "cn-north-4"}`
	aliImage  = `{"id": "m-1", "delete_auto_snapshot": true, "force": false, "image_name": "web", "instance_id": "i-1",
	  "disk_device_mapping": [{"disk_type": "system", "snapshot_id": "s-1"}, {"disk_type": "data", "snapshot_id": "s-2"}]}`
	aliInst = `{"id": "i-1", "instance_name": "web-01", "image_id": "m-1", "instance_charge_type": "PostPaid", "status": "Stopped"}`
)

func TestHuaweiTypes(t *testing.T) {
	runCases(t, []planCase{
		{name: "create", typ: "huaweicloud_ims_cbr_whole_image", actions: `["create"]`, before: `null`,
			after:   `{"backup_id": "bk-1", "description": "web tier", "is_delete_backup": null, "name": "web-2026-11", "tags": {"env": "prod"}, "max_ram": 0}`,
			unknown: `{"id": true, "region": true, "enterprise_project_id": true, "min_ram": true, "tags": {}}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"description":"web tier","image_tags":[{"key":"env","value":"prod"}],"image_type":"full_ecs","max_ram":0,"name":"web-2026-11","source":{"id":"bk-1","type":"cbr_backup"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002,note IMS-FE-014,note IMS-FE-018,warn IMS-FE-005,warn REQ-002"},
			}},
		{name: "delete", typ: "huaweicloud_ims_cbr_whole_image", actions: `["delete"]`, before: cbrBefore, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_backup":false,"image_id":"img-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"images":{"img-1":{"backup_id":"bk-1","image_type":"full_ecs","visibility":"private"}}}}]`, reasons: "deny REQ-002,warn IMS-FE-015"},
			}},
		{name: "replace", typ: "huaweicloud_ims_cbr_whole_image", actions: `["delete","create"]`, before: cbrBefore,
			after: `{"backup_id": "bk-2", "name": "web", "region": "cn-north-4"}`, unknown: `{"id": true}`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_backup":false,"image_id":"img-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"images":{"img-1":{"backup_id":"bk-1","image_type":"full_ecs","visibility":"private"}}}}]`, reasons: "deny REQ-002,warn IMS-FE-015"},
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"full_ecs","name":"web","source":{"id":"bk-2","type":"cbr_backup"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002,note IMS-FE-014,note IMS-FE-018,warn IMS-FE-005,warn REQ-002"},
			}},
		{name: "update", typ: "huaweicloud_ims_cbr_whole_image", actions: `["update"]`, before: cbrBefore,
			after: `{"id": "img-1", "backup_id": "bk-1", "__imagetype": "private", "visibility": "private", "is_delete_backup": null, "name": "web2", "region": "cn-north-4"}`,
			want: []outcome{
				{action: "update", skipped: "update of name: no operation stands for it"},
			}},
		{name: "create", typ: "huaweicloud_ims_ecs_whole_image", actions: `["create"]`, before: `null`,
			after: `{"instance_id": "srv-1", "vault_id": "vault-1", "name": "app", "is_delete_backup": true}`, unknown: `{"backup_id": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"full_ecs","name":"app","source":{"id":"srv-1","type":"server"},"vault_id":"vault-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-FE-017,warn IMS-FE-005"},
			}},
		{name: "delete", typ: "huaweicloud_ims_ecs_whole_image", actions: `["delete"]`, before: `{"id": "img-2", "instance_id": "srv-1", "vault_id": "vault-1", "backup_id": "bk-9", "is_delete_backup": true, "__imagetype": "private"}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_backup":true,"image_id":"img-2"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"images":{"img-2":{"backup_id":"bk-9","image_type":"full_ecs","visibility":"private"}}}}]`, reasons: "deny REQ-002"},
			}},
		{name: "create", typ: "huaweicloud_ims_ecs_system_image", actions: `["create"]`, before: `null`, after: `{"instance_id": "srv-1", "name": "base", "max_ram": 8192, "min_ram": 1024}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"system","max_ram":8192,"min_ram":1024,"name":"base","source":{"id":"srv-1","type":"server"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "delete", typ: "huaweicloud_ims_ecs_system_image", actions: `["delete"]`, before: `{"id": "img-3", "instance_id": "srv-1", "name": "base", "__imagetype": "gold"}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"image_id":"img-3"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"images":{"img-3":{"image_type":"system","visibility":"gold"}}}}]`, allowed: true},
			}},
		{name: "create", typ: "huaweicloud_ims_obs_system_image", actions: `["create"]`, before: `null`,
			after: `{"image_url": "bkt:a.qcow2", "min_disk": 40, "os_version": "Ubuntu 24.04 server 64bit", "name": "golden", "cmk_id": "key-1", "type": "ECS"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"cmk_id":"key-1","image_type":"system","min_disk":40,"name":"golden","os_version":"Ubuntu 24.04 server 64bit","source":{"id":"bkt:a.qcow2","type":"file"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "create", typ: "huaweicloud_ims_quickimport_system_image", actions: `["create"]`, before: `null`,
			after: `{"image_url": "bkt:a.zvhd2", "min_disk": 50, "os_version": "CentOS 7.9 64bit", "name": "fast", "architecture": "arm"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"architecture":"arm","image_type":"system","min_disk":50,"name":"fast","os_version":"CentOS 7.9 64bit","source":{"id":"bkt:a.zvhd2","type":"file"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "create", typ: "huaweicloud_ims_evs_system_image", actions: `["create"]`, before: `null`, after: `{"volume_id": "vol-1", "os_version": "EulerOS 2.5 64bit", "name": "fromdisk"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"system","name":"fromdisk","os_version":"EulerOS 2.5 64bit","source":{"id":"vol-1","type":"disk"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "create", typ: "huaweicloud_ims_evs_data_image", actions: `["create"]`, before: `null`, after: `{"volume_id": "vol-2", "name": "logs"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"data","name":"logs","source":{"id":"vol-2","type":"disk"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "delete", typ: "huaweicloud_ims_evs_data_image", actions: `["delete"]`, before: `{"id": "img-4", "volume_id": "vol-2", "name": "logs"}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"image_id":"img-4"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"images":{"img-4":{"image_type":"data"}}}}]`, reasons: "deny REQ-002"},
			}},
		{name: "create", typ: "huaweicloud_ims_obs_data_image", actions: `["create"]`, before: `null`, after: `{"image_url": "bkt:d.qcow2", "min_disk": 100, "os_type": "Linux", "name": "archive"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"data","min_disk":100,"name":"archive","source":{"id":"bkt:d.qcow2","type":"file"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "create", typ: "huaweicloud_ims_quickimport_data_image", actions: `["create"]`, before: `null`, after: `{"image_url": "bkt:d.zvhd2", "min_disk": 500, "os_type": "Linux", "name": "bulk"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"data","min_disk":500,"name":"bulk","source":{"id":"bkt:d.zvhd2","type":"file"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "create", typ: "huaweicloud_ims_obs_iso_image", actions: `["create"]`, before: `null`, after: `{"image_url": "bkt:d.iso", "min_disk": 40, "os_version": "Debian 12", "name": "iso"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"iso","min_disk":40,"name":"iso","os_version":"Debian 12","source":{"id":"bkt:d.iso","type":"iso_file"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "create from backup", typ: "huaweicloud_images_image", actions: `["create"]`, before: `null`, after: `{"name": "legacy", "backup_id": "bk-1", "instance_id": null}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"full_ecs","name":"legacy","source":{"id":"bk-1","type":"cbr_backup"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002,note IMS-FE-014,note IMS-FE-018,warn IMS-FE-005,warn REQ-002"},
			}},
		{name: "create from file", typ: "huaweicloud_images_image", actions: `["create"]`, before: `null`, after: `{"name": "legacy", "image_url": "bkt:f.qcow2", "min_disk": 40}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"agree_disclaimer":true,"image_type":"system","min_disk":40,"name":"legacy","source":{"id":"bkt:f.qcow2","type":"file"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-010"},
			}},
		{name: "delete", typ: "huaweicloud_images_image", actions: `["delete"]`, before: `{"id": "img-5", "name": "legacy", "volume_id": "vol-1"}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"image_id":"img-5"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"images":{"img-5":{"image_type":"data"}}}}]`, reasons: "deny REQ-002"},
			}},
		{name: "create cross region", typ: "huaweicloud_images_image_copy", actions: `["create"]`, before: `null`,
			after: `{"source_image_id": "img-1", "name": "dr", "target_region": "cn-east-3", "agency_name": "agency", "vault_id": "vault-2", "region": "cn-north-4", "kms_key_id": null}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.replicate","params":{"agency_name":"agency","destination_region":"cn-east-3","image_id":"img-1","name":"dr","project_name":"cn-east-3","vault_id":"vault-2"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "create within region", typ: "huaweicloud_images_image_copy", actions: `["create"]`, before: `null`,
			after: `{"source_image_id": "img-1", "name": "copy", "kms_key_id": "key-1"}`, unknown: `{"region": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.replicate","params":{"cmk_id":"key-1","image_id":"img-1","name":"copy"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete in the target region", typ: "huaweicloud_images_image_copy", actions: `["delete"]`, before: `{"id": "img-6", "source_image_id": "img-1", "target_region": "cn-east-3", "region": "cn-north-4"}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"image_id":"img-6"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-east-3"}]`, reasons: "deny REQ-002,warn REQ-002"},
			}},
		{name: "create", typ: "huaweicloud_images_image_share", actions: `["create"]`, before: `null`, after: `{"source_image_id": "img-1", "target_project_ids": ["p-2", "p-3"]}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.share","params":{"image_id":"img-1","members":["p-2","p-3"]},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "update adds", typ: "huaweicloud_images_image_share", actions: `["update"]`, before: `{"id": "img-1", "source_image_id": "img-1", "target_project_ids": ["p-2"]}`,
			after: `{"id": "img-1", "source_image_id": "img-1", "target_project_ids": ["p-2", "p-4"]}`,
			want: []outcome{
				{action: "update", requests: `[{"operation":"image.share","params":{"image_id":"img-1","members":["p-4"]},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "update removes", typ: "huaweicloud_images_image_share", actions: `["update"]`, before: `{"id": "img-1", "source_image_id": "img-1", "target_project_ids": ["p-2", "p-4"]}`,
			after: `{"id": "img-1", "source_image_id": "img-1", "target_project_ids": ["p-2"]}`,
			want: []outcome{
				{action: "update", skipped: "update of huaweicloud_images_image_share removes members only (DELETE /v1/cloudimages/members): no operation stands for it"},
			}},
		{name: "delete", typ: "huaweicloud_images_image_share", actions: `["delete"]`, before: `{"id": "img-1", "source_image_id": "img-1", "target_project_ids": ["p-2"]}`, after: `null`,
			want: []outcome{
				{action: "delete", skipped: "delete of huaweicloud_images_image_share unshares the image (DELETE /v1/cloudimages/members): no operation stands for it"},
			}},
		{name: "create", typ: "huaweicloud_ims_image_export", actions: `["create"]`, before: `null`, after: `{"image_id": "img-1", "bucket_url": "export-bkt:web.qcow2", "file_format": "qcow2", "is_quick_export": false}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.export","params":{"bucket_url":"export-bkt:web.qcow2","file_format":"qcow2","image_id":"img-1","is_quick_export":false},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete", typ: "huaweicloud_ims_image_export", actions: `["delete"]`, before: `{"id": "x", "image_id": "img-1", "bucket_url": "export-bkt:web.qcow2"}`, after: `null`,
			want: []outcome{
				{action: "delete", skipped: "delete of huaweicloud_ims_image_export calls nothing (an export is a one-time action)"},
			}},
		{name: "create", typ: "huaweicloud_cbr_checkpoint", actions: `["create"]`, before: `null`,
			after:   `{"vault_id": "vault-1", "name": "nightly", "incremental": true, "backups": [{"type": "OS::Nova::Server", "resource_id": "srv-1"}, {"type": "OS::Cinder::Volume", "resource_id": "vol-1"}]}`,
			unknown: `{"id": true, "backups": [{"id": true, "status": true}, {"id": true, "status": true}]}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"backup.create","params":{"incremental":true,"name":"nightly","resource_id":"srv-1","resource_type":"server","vault_id":"vault-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"},{"operation":"backup.create","params":{"incremental":true,"name":"nightly","resource_id":"vol-1","resource_type":"disk","vault_id":"vault-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note CBR-006,warn CBR-005"},
			}},
		{name: "delete", typ: "huaweicloud_cbr_checkpoint", actions: `["delete"]`,
			before: `{"id": "ck-1", "vault_id": "vault-1", "backups": [{"id": "bk-7", "type": "OS::Nova::Server", "resource_id": "srv-1", "status": "available"}, {"id": "bk-8", "type": "OS::Cinder::Volume", "resource_id": "vol-1", "status": "protecting"}]}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"backup.delete","params":{"backup_id":"bk-7"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"backups":{"bk-7":{"resource_id":"srv-1","resource_type":"OS::Nova::Server","status":"available"},"bk-8":{"resource_id":"vol-1","resource_type":"OS::Cinder::Volume","status":"protecting"}}}},{"operation":"backup.delete","params":{"backup_id":"bk-8"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"backups":{"bk-7":{"resource_id":"srv-1","resource_type":"OS::Nova::Server","status":"available"},"bk-8":{"resource_id":"vol-1","resource_type":"OS::Cinder::Volume","status":"protecting"}}}}]`, reasons: "deny REQ-002"},
			}},
		{name: "create", typ: "huaweicloud_cbr_restore", actions: `["create"]`, before: `null`, after: `{"backup_id": "bk-7", "server_id": "srv-1", "power_on": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"backup.restore","params":{"backup_id":"bk-7","power_on":true,"server_id":"srv-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete", typ: "huaweicloud_cbr_restore", actions: `["delete"]`, before: `{"id": "r-1", "backup_id": "bk-7"}`, after: `null`,
			want: []outcome{
				{action: "delete", skipped: "delete of huaweicloud_cbr_restore calls nothing (a restore is a one-time action)"},
			}},
		{name: "create", typ: "huaweicloud_compute_instance", actions: `["create"]`, before: `null`, after: `{"name": "web-01", "image_id": "img-1", "charging_mode": "prePaid"}`, unknown: `{"id": true, "region": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"server.create","params":{"billing_method":"subscription","image_id":"img-1","name":"web-01","temporary":true},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete", typ: "huaweicloud_compute_instance", actions: `["delete"]`, before: srvBefore, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"server.delete","params":{"server_id":"srv-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"servers":{"srv-1":{"billing_method":"subscription","status":"ACTIVE"}}}}]`, allowed: true, reasons: "note IMS-IMG-011,warn REQ-002"},
			}},
		{name: "replace", typ: "huaweicloud_compute_instance", actions: `["create","delete"]`, before: srvBefore, after: `{"name": "web-01", "image_id": "img-1", "charging_mode": "spot"}`, unknown: `{"id": true}`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"server.delete","params":{"server_id":"srv-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"servers":{"srv-1":{"billing_method":"subscription","status":"ACTIVE"}}}}]`, allowed: true, reasons: "note IMS-IMG-011,warn REQ-002"},
				{action: "create", requests: `[{"operation":"server.create","params":{"billing_method":"pay_as_you_go","image_id":"img-1","name":"web-01","temporary":true},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "update image", typ: "huaweicloud_compute_instance", actions: `["update"]`, before: srvBefore,
			after: `{"id": "srv-1", "name": "web-01", "image_id": "img-2", "charging_mode": "prePaid", "status": "ACTIVE", "power_action": null, "region": "cn-north-4"}`,
			want: []outcome{
				{action: "update", requests: `[{"operation":"server.change_os","params":{"image_id":"img-2","server_id":"srv-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "update image name", typ: "huaweicloud_compute_instance", actions: `["update"]`, before: srvBefore,
			after: `{"id": "srv-1", "name": "web-01", "image_name": "new", "charging_mode": "prePaid", "status": "ACTIVE", "power_action": null, "region": "cn-north-4"}`, unknown: `{"image_id": true}`,
			want: []outcome{
				{action: "update", reasons: "deny REQ-003", unknown: "huaweicloud_compute_instance.x: image_id is unknown until apply (after_unknown), and the server.change_os needs it: imgadmit does not guess it; plan again once it is known (apply what it depends on first, or set it in the configuration)"},
			}},
		{name: "update power on", typ: "huaweicloud_compute_instance", actions: `["update"]`, before: `{"id": "srv-1", "image_id": "img-1", "status": "SHUTOFF", "power_action": "OFF"}`,
			after: `{"id": "srv-1", "image_id": "img-1", "status": "SHUTOFF", "power_action": "ON"}`,
			want: []outcome{
				{action: "update", requests: `[{"operation":"server.start","params":{"server_id":"srv-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4","resources":{"servers":{"srv-1":{"status":"SHUTOFF"}}}}]`, reasons: "deny REQ-002"},
			}},
		{name: "update power off", typ: "huaweicloud_compute_instance", actions: `["update"]`, before: srvBefore,
			after: `{"id": "srv-1", "name": "web-01", "image_id": "img-1", "charging_mode": "prePaid", "status": "ACTIVE", "power_action": "OFF", "region": "cn-north-4"}`,
			want: []outcome{
				{action: "update", skipped: "update of power_action: no operation stands for it"},
			}},
		{name: "create from image", typ: "huaweicloud_evs_volume", actions: `["create"]`, before: `null`, after: `{"name": "d", "size": 100, "image_id": "img-4", "backup_id": null}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"disk.create","params":{"image_id":"img-4"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, reasons: "deny REQ-002"},
			}},
		{name: "create blank", typ: "huaweicloud_evs_volume", actions: `["create"]`, before: `null`, after: `{"name": "d", "size": 100}`,
			want: []outcome{
				{action: "create", skipped: "create of an huaweicloud_evs_volume from no image and no backup (a blank disk or one from a snapshot): no operation stands for it"},
			}},
		{name: "delete", typ: "huaweicloud_evs_volume", actions: `["delete"]`, before: `{"id": "vol-1", "name": "d", "region": "cn-north-4"}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"disk.delete","params":{"disk_id":"vol-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"huaweicloud","region":"cn-north-4"}]`, allowed: true, reasons: "note IMS-IMG-011,warn REQ-002"},
			}},
	})
}

func TestAlibabaTypes(t *testing.T) {
	runCases(t, []planCase{
		{name: "create from instance", typ: "alicloud_image", actions: `["create"]`, before: `null`,
			after:   `{"architecture": "x86_64", "delete_auto_snapshot": true, "description": "golden", "image_name": "web-2026-11", "instance_id": "i-1", "snapshot_id": null, "tags": {"env": "prod"}}`,
			unknown: `{"disk_device_mapping": true, "id": true, "platform": true, "boot_mode": true, "tags": {}}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"architecture":"x86_64","description":"golden","image_type":"system","name":"web-2026-11","source":{"id":"i-1","type":"server"},"tags":[{"key":"env","value":"prod"}]},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, allowed: true, reasons: "note ECS-IMG-002"},
			}},
		{name: "create from mapping", typ: "alicloud_image", actions: `["create"]`, before: `null`,
			after: `{"image_name": "db", "platform": "Ubuntu", "disk_device_mapping": [{"disk_type": "data", "snapshot_id": "s-4"}, {"disk_type": "system", "snapshot_id": "s-3"}]}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.create","params":{"image_type":"system","name":"db","platform":"Ubuntu","source":{"id":"s-3","type":"snapshot"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete with snapshots", typ: "alicloud_image", actions: `["delete"]`, before: aliImage, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_snapshots":true,"force":false,"image_id":"m-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1","s-2"]}},"snapshots":{"s-1":{"disk_type":"system"},"s-2":{"disk_type":"data"}}}},{"operation":"snapshot.delete","params":{"force":true,"snapshot_id":"s-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1","s-2"]}},"snapshots":{"s-1":{"disk_type":"system"},"s-2":{"disk_type":"data"}}}},{"operation":"snapshot.delete","params":{"force":true,"snapshot_id":"s-2"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1","s-2"]}},"snapshots":{"s-1":{"disk_type":"system"},"s-2":{"disk_type":"data"}}}}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete keeping snapshots", typ: "alicloud_image", actions: `["delete"]`,
			before: `{"id": "m-1", "delete_auto_snapshot": false, "force": true, "disk_device_mapping": [{"disk_type": "system", "snapshot_id": "s-1"}]}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_snapshots":false,"force":true,"image_id":"m-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1"]}},"snapshots":{"s-1":{"disk_type":"system"}}}}]`, allowed: true, reasons: "warn ECS-IMG-003"},
			}},
		{name: "replace", typ: "alicloud_image", actions: `["delete","create"]`, before: aliImage,
			after: `{"image_name": "web", "instance_id": "i-1", "architecture": "arm64", "delete_auto_snapshot": true}`, unknown: `{"id": true, "disk_device_mapping": true}`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_snapshots":true,"force":false,"image_id":"m-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1","s-2"]}},"snapshots":{"s-1":{"disk_type":"system"},"s-2":{"disk_type":"data"}}}},{"operation":"snapshot.delete","params":{"force":true,"snapshot_id":"s-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1","s-2"]}},"snapshots":{"s-1":{"disk_type":"system"},"s-2":{"disk_type":"data"}}}},{"operation":"snapshot.delete","params":{"force":true,"snapshot_id":"s-2"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"images":{"m-1":{"snapshot_ids":["s-1","s-2"]}},"snapshots":{"s-1":{"disk_type":"system"},"s-2":{"disk_type":"data"}}}}]`, reasons: "deny REQ-002"},
				{action: "create", requests: `[{"operation":"image.create","params":{"architecture":"arm64","image_type":"system","name":"web","source":{"id":"i-1","type":"server"}},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, allowed: true, reasons: "note ECS-IMG-002"},
			}},
		{name: "update", typ: "alicloud_image", actions: `["update"]`, before: aliImage,
			after: `{"id": "m-1", "delete_auto_snapshot": true, "force": false, "image_name": "web2", "instance_id": "i-1", "disk_device_mapping": [{"disk_type": "system", "snapshot_id": "s-1"}, {"disk_type": "data", "snapshot_id": "s-2"}]}`,
			want: []outcome{
				{action: "update", skipped: "update of image_name: no operation stands for it"},
			}},
		{name: "create", typ: "alicloud_image_copy", actions: `["create"]`, before: `null`,
			after: `{"source_image_id": "m-1", "source_region_id": "cn-beijing", "image_name": "dr", "encrypted": true, "kms_key_id": "key-1"}`, unknown: `{"id": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.replicate","params":{"destination_region":"cn-hangzhou","encrypted":true,"image_id":"m-1","kms_key_id":"key-1","name":"dr"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-beijing"}]`, allowed: true},
			}},
		{name: "delete", typ: "alicloud_image_copy", actions: `["delete"]`, before: `{"id": "m-9", "source_image_id": "m-1", "source_region_id": "cn-beijing", "delete_auto_snapshot": true, "force": false}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"image.delete","params":{"delete_snapshots":true,"force":false,"image_id":"m-9"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, allowed: true},
			}},
		{name: "create", typ: "alicloud_image_share_permission", actions: `["create"]`, before: `null`, after: `{"image_id": "m-1", "account_id": "1234567890123456"}`, unknown: `{"id": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.share","params":{"image_id":"m-1","members":["1234567890123456"]},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, allowed: true},
			}},
		{name: "delete", typ: "alicloud_image_share_permission", actions: `["delete"]`, before: `{"id": "m-1:1234567890123456", "image_id": "m-1", "account_id": "1234567890123456"}`, after: `null`,
			want: []outcome{
				{action: "delete", skipped: "delete of alicloud_image_share_permission unshares the image (RemoveAccount): no operation stands for it"},
			}},
		{name: "create", typ: "alicloud_image_export", actions: `["create"]`, before: `null`, after: `{"image_id": "m-1", "oss_bucket": "exports", "oss_prefix": "web"}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"image.export","params":{"bucket_url":"exports","image_id":"m-1","oss_prefix":"web"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, allowed: true},
			}},
		{name: "delete", typ: "alicloud_image_export", actions: `["delete"]`, before: `{"id": "m-1", "image_id": "m-1", "oss_bucket": "exports"}`, after: `null`,
			want: []outcome{
				{action: "delete", skipped: "delete of alicloud_image_export deletes the exported OSS object: no operation stands for it"},
			}},
		{name: "delete", typ: "alicloud_ecs_snapshot", actions: `["delete"]`, before: `{"id": "s-9", "disk_id": "d-1", "force": true}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"snapshot.delete","params":{"force":true,"snapshot_id":"s-9"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, reasons: "deny REQ-002"},
			}},
		{name: "create", typ: "alicloud_ecs_snapshot", actions: `["create"]`, before: `null`, after: `{"disk_id": "d-1"}`,
			want: []outcome{
				{action: "create", skipped: "create of a snapshot (CreateSnapshot): no operation stands for it"},
			}},
		{name: "replace", typ: "alicloud_snapshot", actions: `["delete","create"]`, before: `{"id": "s-9", "disk_id": "d-1"}`, after: `{"disk_id": "d-2"}`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"snapshot.delete","params":{"snapshot_id":"s-9"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, reasons: "deny REQ-002"},
				{action: "create", skipped: "create of a snapshot (CreateSnapshot): no operation stands for it"},
			}},
		{name: "create", typ: "alicloud_instance", actions: `["create"]`, before: `null`, after: `{"instance_name": "web-01", "image_id": "m-1", "instance_charge_type": "PrePaid"}`, unknown: `{"id": true}`,
			want: []outcome{
				{action: "create", requests: `[{"operation":"server.create","params":{"billing_method":"subscription","image_id":"m-1","name":"web-01"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, reasons: "deny REQ-002"},
			}},
		{name: "delete", typ: "alicloud_instance", actions: `["delete"]`, before: aliInst, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"server.delete","params":{"server_id":"i-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"servers":{"i-1":{"billing_method":"pay_as_you_go","status":"Stopped"}}}}]`, allowed: true, reasons: "note ECS-IMG-007"},
			}},
		{name: "replace", typ: "alicloud_instance", actions: `["delete","create"]`, before: aliInst, after: `{"instance_name": "web-01", "image_id": "m-2"}`, unknown: `{"id": true}`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"server.delete","params":{"server_id":"i-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"servers":{"i-1":{"billing_method":"pay_as_you_go","status":"Stopped"}}}}]`, allowed: true, reasons: "note ECS-IMG-007"},
				{action: "create", requests: `[{"operation":"server.create","params":{"image_id":"m-2","name":"web-01"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, reasons: "deny REQ-002"},
			}},
		{name: "update image", typ: "alicloud_instance", actions: `["update"]`, before: aliInst,
			after: `{"id": "i-1", "instance_name": "web-01", "image_id": "m-2", "instance_charge_type": "PostPaid", "status": "Stopped"}`,
			want: []outcome{
				{action: "update", requests: `[{"operation":"server.change_os","params":{"image_id":"m-2","server_id":"i-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, reasons: "deny REQ-002"},
			}},
		{name: "update start", typ: "alicloud_instance", actions: `["update"]`, before: aliInst,
			after: `{"id": "i-1", "instance_name": "web-01", "image_id": "m-1", "instance_charge_type": "PostPaid", "status": "Running"}`,
			want: []outcome{
				{action: "update", requests: `[{"operation":"server.start","params":{"server_id":"i-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou","resources":{"servers":{"i-1":{"status":"Stopped"}}}}]`, allowed: true},
			}},
		{name: "update stop", typ: "alicloud_instance", actions: `["update"]`, before: `{"id": "i-1", "image_id": "m-1", "status": "Running"}`, after: `{"id": "i-1", "image_id": "m-1", "status": "Stopped"}`,
			want: []outcome{
				{action: "update", skipped: "update of status: no operation stands for it"},
			}},
		{name: "delete", typ: "alicloud_ecs_disk", actions: `["delete"]`, before: `{"id": "d-1", "size": 40}`, after: `null`,
			want: []outcome{
				{action: "delete", requests: `[{"operation":"disk.delete","params":{"disk_id":"d-1"},"project_id":"0605767a3300d5762fb7c0186d8d2b3b","provider":"alibabacloud","region":"cn-hangzhou"}]`, allowed: true},
			}},
		{name: "create", typ: "alicloud_ecs_disk", actions: `["create"]`, before: `null`, after: `{"size": 40, "snapshot_id": "s-1"}`,
			want: []outcome{
				{action: "create", skipped: "create of alicloud_ecs_disk (CreateDisk): Alibaba has no disk.create operation"},
			}},
	})
}
