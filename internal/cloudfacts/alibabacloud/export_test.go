package alibabacloud

// EnumFact is one enum fact a reader keeps as the cloud wrote it, with the
// values it keeps (for TestWordsAreTheSchemas).
type EnumFact struct {
	Kind, Fact string // facts.json's $defs name (image) and the fact
	Words      []string
}

func EnumFacts() []EnumFact {
	return []EnumFact{
		{"image", "visibility", visibilities},
		{"image", "status", imageStatuses},
		{"server", "status", serverStatuses},
		{"server", "billing_method", billingMethods},
		{"snapshot", "disk_type", diskTypes},
		{"snapshot", "status", snapshotStatuses},
	}
}
