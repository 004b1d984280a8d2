package alibabacloud

import (
	"maps"
	"slices"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// newCall is a call with these parameters, in the params form (raw false)
// or the query form.
func newCall(vals map[string]string, raw bool) *call {
	c := &call{d: &calldoc.Document{}, names: slices.Sorted(maps.Keys(vals)), raw: raw}
	if raw {
		c.query, c.from = vals, "/call/query"
		return c
	}
	c.params, c.from = map[string]any{}, "/call/params"
	for k, v := range vals {
		c.params[k] = v
	}
	return c
}

// problems are the problems recorded on c, as the translator reports them.
func problems(c *call) []evaluator.FieldError {
	err := c.d.Err(evaluator.Call{})
	if err == nil {
		return nil
	}
	return err.(*evaluator.Error).Errors
}

func TestCount(t *testing.T) {
	fe := func(ptr, msg string) evaluator.FieldError { return evaluator.FieldError{Pointer: ptr, Message: msg} }
	cases := []struct {
		name   string
		list   list
		vals   map[string]string
		raw    bool
		n      int
		ok     bool
		errors []evaluator.FieldError
	}{
		{name: "absent", list: addAccounts, vals: map[string]string{"ImageId": "m-1"}, n: 0, ok: true},
		{name: "one to three", list: addAccounts, n: 3, ok: true,
			vals: map[string]string{"AddAccount.1": "1", "AddAccount.2": "2", "AddAccount.3": "3", "ImageId": "m-1"}},
		{name: "up to the limit", list: addAccounts, n: 10, ok: true, vals: func() map[string]string {
			m := map[string]string{}
			for i := 1; i <= 10; i++ {
				m[addAccounts.key(i, "")] = "x"
			}
			return m
		}()},
		{name: "another parameter with the same start", list: instanceIDs, n: 1, ok: true,
			vals: map[string]string{"InstanceId.1": "i-1", "InstanceIds": "i-2", "InstanceIdx.1": "i-3"}},
		{name: "a gap", list: addAccounts, vals: map[string]string{"AddAccount.1": "1", "AddAccount.3": "3"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.3", "parameter AddAccount.3 is given but AddAccount.2 is not: the items of AddAccount.N are numbered from 1 with no gaps")}},
		{name: "two gaps, one problem each", list: addAccounts, vals: map[string]string{"AddAccount.2": "2", "AddAccount.5": "5"},
			errors: []evaluator.FieldError{
				fe("/call/params/AddAccount.2", "parameter AddAccount.2 is given but AddAccount.1 is not: the items of AddAccount.N are numbered from 1 with no gaps"),
				fe("/call/params/AddAccount.5", "parameter AddAccount.5 is given but AddAccount.3 is not: the items of AddAccount.N are numbered from 1 with no gaps"),
			}},
		{name: "past the limit", list: addAccounts, vals: map[string]string{"AddAccount.1": "1", "AddAccount.11": "11"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.11", "parameter AddAccount.11 is past the API's limit: AddAccount.N takes N from 1 to 10")}},
		{name: "far past the limit", list: addAccounts, vals: map[string]string{"AddAccount.99999999999999999999": "1"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.99999999999999999999", "parameter AddAccount.99999999999999999999 is past the API's limit: AddAccount.N takes N from 1 to 10")}},
		{name: "index zero", list: addAccounts, vals: map[string]string{"AddAccount.0": "0"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.0", "parameter AddAccount.0: the items of AddAccount.N are numbered from 1, with no leading zeros")}},
		{name: "leading zero", list: addAccounts, vals: map[string]string{"AddAccount.01": "1"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.01", "parameter AddAccount.01: the items of AddAccount.N are numbered from 1, with no leading zeros")}},
		{name: "not a number", list: addAccounts, vals: map[string]string{"AddAccount.x": "1", "AddAccount.-1": "2", "AddAccount.": "3"},
			errors: []evaluator.FieldError{
				fe("/call/params/AddAccount.", `parameter AddAccount.: "" is not an index; the items of AddAccount.N are numbered from 1`),
				fe("/call/params/AddAccount.-1", `parameter AddAccount.-1: "-1" is not an index; the items of AddAccount.N are numbered from 1`),
				fe("/call/params/AddAccount.x", `parameter AddAccount.x: "x" is not an index; the items of AddAccount.N are numbered from 1`),
			}},
		{name: "not flattened", list: addAccounts, vals: map[string]string{"AddAccount": "1,2"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount", "parameter AddAccount is a list: the API takes it flattened, as AddAccount.1, AddAccount.2, ...")}},
		{name: "a value with a field", list: addAccounts, vals: map[string]string{"AddAccount.1.Id": "1"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.1.Id", "parameter AddAccount.1.Id: AddAccount.N is a list of values, whose items have no fields")}},
		{name: "records", list: tags, n: 2, ok: true,
			vals: map[string]string{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team"}},
		{name: "a record without a field", list: tags, vals: map[string]string{"Tag.1": "env"},
			errors: []evaluator.FieldError{fe("/call/params/Tag.1", "parameter Tag.1: the items of Tag.N have fields (Key, Value), as in Tag.1.Key")}},
		{name: "a record's field is case-sensitive", list: tags, vals: map[string]string{"Tag.1.key": "env", "Tag.1.Value": "prod"},
			errors: []evaluator.FieldError{fe("/call/params/Tag.1.key", `parameter Tag.1.key: Tag.N has no field "key"; its fields are Key, Value (names are case-sensitive)`)}},
		{name: "a record's gap names a parameter that is there", list: diskMappings,
			vals:   map[string]string{"DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.3.DiskType": "data", "DiskDeviceMapping.3.Size": "40"},
			errors: []evaluator.FieldError{fe("/call/params/DiskDeviceMapping.3.DiskType", "parameter DiskDeviceMapping.3.DiskType is given but DiskDeviceMapping.2 is not: the items of DiskDeviceMapping.N are numbered from 1 with no gaps")}},
		{name: "seventeen mappings", list: diskMappings, n: 17, ok: true, vals: func() map[string]string {
			m := map[string]string{}
			for i := 1; i <= 17; i++ {
				m[diskMappings.key(i, "SnapshotId")] = "s"
			}
			return m
		}()},
		{name: "the query form points at the query and names the parameter", list: addAccounts, raw: true,
			vals:   map[string]string{"AddAccount.2": "2"},
			errors: []evaluator.FieldError{fe("/call/query", "parameter AddAccount.2 is given but AddAccount.1 is not: the items of AddAccount.N are numbered from 1 with no gaps")}},
		{name: "a name with a slash is escaped in its pointer", list: addAccounts,
			vals:   map[string]string{"AddAccount.1/2": "1"},
			errors: []evaluator.FieldError{fe("/call/params/AddAccount.1~12", `parameter AddAccount.1/2: "1/2" is not an index; the items of AddAccount.N are numbered from 1`)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCall(tc.vals, tc.raw)
			n, ok := c.count(tc.list)
			if n != tc.n || ok != tc.ok {
				t.Errorf("count = %d, %v; want %d, %v", n, ok, tc.n, tc.ok)
			}
			if got := problems(c); !slices.Equal(got, tc.errors) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.errors)
			}
		})
	}
}

func TestValues(t *testing.T) {
	c := newCall(map[string]string{"InstanceId.2": "i-2", "InstanceId.1": "i-1", "InstanceId.10": "i-10",
		"InstanceId.3": "i-3", "InstanceId.4": "i-4", "InstanceId.5": "i-5", "InstanceId.6": "i-6",
		"InstanceId.7": "i-7", "InstanceId.8": "i-8", "InstanceId.9": "i-9"}, false)
	vals, keys, ok := c.values(instanceIDs)
	want := []string{"i-1", "i-2", "i-3", "i-4", "i-5", "i-6", "i-7", "i-8", "i-9", "i-10"}
	if !ok || !slices.Equal(vals, want) || keys[9] != "InstanceId.10" {
		t.Errorf("values = %q, %q, %v; want %q in index order", vals, keys, ok, want)
	}
}

func TestAtoi(t *testing.T) {
	for s, want := range map[string]int{"0": 0, "1": 1, "100": 100, "999999999": 999999999, "1000000000": 1 << 30} {
		if n, ok := atoi(s); !ok || n != want {
			t.Errorf("atoi(%q) = %d, %v; want %d", s, n, ok, want)
		}
	}
	for _, s := range []string{"", "-1", "+1", "1.0", "1e3", " 1", "x"} {
		if _, ok := atoi(s); ok {
			t.Errorf("atoi(%q) is a number", s)
		}
	}
}

func TestIsRead(t *testing.T) {
	for action, want := range map[string]bool{
		"DescribeImages": true, "ListTagResources": true, "QueryPrice": true, "GetInstanceConsoleOutput": true,
		"Describe": false, "Getaway": false, "describeImages": false, "DESCRIBEIMAGES": false,
		"CreateImage": false, "ModifyImageSharePermission": false, "": false,
	} {
		if got := isRead(action); got != want {
			t.Errorf("isRead(%q) = %v, want %v", action, got, want)
		}
	}
}
