package imgadmit.rules_test

import data.imgadmit.rules

_ims_api_004_export(image) := _ims_image_request("image.export", {"bucket_url": "img-export:installer.qcow2", "file_format": "qcow2"}, image)

test_ims_api_004_denies_iso_export if {
	r := rules.reasons with input as _ims_api_004_export(_ims_image({"image_type": "iso"}))
	r == {{
		"id": "IMS-API-004",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is an ISO image; ISO images cannot be exported",
		"remediation": "Keep the ISO file the image was created from and use that; system disk and data disk images can be exported.",
		"source": "Huawei Cloud IMS API reference, ExportImage (POST /v1/cloudimages/{image_id}/file)",
	}}
}

test_ims_api_004_quiet_on_disk_images if {
	every t in ["system", "data"] {
		_ims_quiet(rules.reasons, "IMS-API-004") with input as _ims_api_004_export(_ims_image({"image_type": t}))
	}
}

test_ims_api_004_needs_image_type if {
	r := rules.reasons with input as _ims_request("image.export", {"image_id": "img-1", "bucket_url": "b:f"}, {})
	_ims_needs(r, "image_type", "IMS-API-004")
	not "IMS-API-004" in {x.id | some x in r}
}

test_ims_api_004_quiet_on_alibaba if {
	req := json.patch(_ims_api_004_export(_ims_image({"image_type": "iso"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-004")
}
