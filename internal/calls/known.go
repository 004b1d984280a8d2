package calls

import (
	"github.com/imgadmit/imgadmit/internal/calls/alibabacloud"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
	"github.com/imgadmit/imgadmit/internal/calls/huaweicloud"
)

// Provider is one provider's known calls.
type Provider struct {
	Name  string
	Calls []calldoc.Known
}

// Known lists every call the translators know, by provider (sorted by name):
// what `imgadmit calls` prints and docs/calls.md lists.
func Known() []Provider {
	return []Provider{
		{Name: "alibabacloud", Calls: alibabacloud.Calls()},
		{Name: "huaweicloud", Calls: huaweicloud.Calls()},
	}
}
