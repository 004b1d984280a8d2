package fleet

import "testing"

// TestOwnsInventory: which bundle roots cover data.inventory.
func TestOwnsInventory(t *testing.T) {
	cases := []struct {
		roots []string
		want  bool
	}{
		{nil, false},
		{[]string{""}, true},
		{[]string{"/"}, true},
		{[]string{"inventory"}, true},
		{[]string{"/inventory/"}, true},
		{[]string{"inventory/settings"}, true},
		{[]string{"imgadmit", "inventory/images"}, true},
		{[]string{"imgadmit"}, false},
		{[]string{"inventoryx"}, false},
		{[]string{"inv"}, false},
		{[]string{"system", "imgadmit/inventory"}, false},
	}
	for _, c := range cases {
		if got := ownsInventory(c.roots); got != c.want {
			t.Errorf("ownsInventory(%q) = %v, want %v", c.roots, got, c.want)
		}
	}
}
