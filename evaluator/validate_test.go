package evaluator

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/imgadmit/imgadmit/internal/opsgen"
	"github.com/imgadmit/imgadmit/schemas"
)

// The pairs as internal/opsgen reads them from the schema files (the list
// policies/lib/operations.rego is generated from): operations() must report
// exactly these. validParams, below, gives a valid request for every pair by
// hand, so a schema file that goes missing still fails a test.
var wantOperations = func() map[string][]string {
	pairs, err := opsgen.Pairs(schemas.FS)
	if err != nil {
		panic(err)
	}
	return pairs
}()

// The lists REQ-003's messages give: sorted, joined with ", ".
var (
	knownProviders    = strings.Join(slices.Sorted(maps.Keys(wantOperations)), ", ")
	knownOperations   = strings.Join(opsgen.All(wantOperations), ", ")
	huaweiOperations  = strings.Join(wantOperations["huaweicloud"], ", ")
	alibabaOperations = strings.Join(wantOperations["alibabacloud"], ", ")
)

const (
	huaweiImageCreateParams = "agree_disclaimer, architecture, cmk_id, description, enterprise_project_id, image_tags, " +
		"image_type, max_ram, min_disk, min_ram, name, os_version, source, vault_id"
	envelopeKeys    = "operation, params, project_id, provider, region, resources"
	serverFacts     = "backup_ids, billing_method, cloud_init, expired_at, image_creation_in_progress, image_ids, payment_overdue_since, region, status"
	huaweiNameRule  = "does not match the expected format: letters, digits, spaces, '-', '.', '_' and Chinese characters, with no leading or trailing space"
	alibabaNameRule = "does not match the expected format: a letter (or Chinese character) first, then letters, digits, Chinese characters, '.', ':', '_' and '-'"
	regionRule      = "does not match the expected format: a region id: lowercase words joined by '-', such as cn-north-4 or cn-hangzhou"
)

// The descriptions of the fact formats, as the schemas write them: an error
// quotes the description of the value it refuses.
var (
	timeRule               = schemaDescription("common.json", "/$defs/time")
	idRule                 = schemaDescription("common.json", "/$defs/id")
	serverStatusRule       = schemaDescription("facts.json", "/$defs/server/properties/status")
	backupResourceTypeRule = schemaDescription("facts.json", "/$defs/backup/properties/resource_type")
	visibilityRule         = schemaDescription("facts.json", "/$defs/image/properties/visibility")
)

// schemaDescription is the description at pointer in an embedded schema file.
func schemaDescription(file, pointer string) string {
	raw, err := fs.ReadFile(schemas.FS, file)
	if err != nil {
		panic(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	d, _ := resolvePointer(doc, pointer+"/description").(string)
	if d == "" {
		panic(file + "#" + pointer + " has no description")
	}
	return d
}

// validParams is one valid params object per pair: every schema must accept a
// realistic request, so a schema too strict to use fails here.
var validParams = map[string]map[string]string{
	"huaweicloud": {
		"image.create":     `{"name": "web-2026-11", "image_type": "full_ecs", "source": {"type": "cbr_backup", "id": "bk-7f3a"}, "agree_disclaimer": true, "image_tags": [{"key": "env", "value": "prod"}]}`,
		"image.delete":     `{"image_id": "img-1", "delete_backup": true}`,
		"image.share":      `{"image_id": "img-1", "members": ["0605767a3300d5762fb7c0186d8d2b3b", "p-2"]}`,
		"image.export":     `{"image_id": "img-1", "bucket_url": "my-bucket:exports/web.qcow2", "file_format": "qcow2"}`,
		"image.replicate":  `{"image_id": "img-1", "destination_region": "cn-east-3", "name": "web-copy", "project_name": "cn-east-3", "agency_name": "ims_admin_agency", "vault_id": "v-1"}`,
		"image.publish":    `{"image_id": "img-1", "marketplace": "koogallery"}`,
		"server.create":    `{"image_id": "img-1", "name": "web-1", "billing_method": "pay_as_you_go", "temporary": false}`,
		"server.start":     `{"server_id": "srv-1"}`,
		"server.change_os": `{"server_id": "srv-1", "image_id": "img-1"}`,
		"server.delete":    `{"server_id": "srv-1"}`,
		"disk.create":      `{"backup_id": "bk-1"}`,
		"disk.delete":      `{"disk_id": "vol-1"}`,
		"backup.create":    `{"resource_type": "server", "resource_id": "srv-1", "name": "nightly", "description": "before the upgrade"}`,
		"backup.delete":    `{"backup_id": "bk-1"}`,
		"backup.expire":    `{"backup_id": "bk-1"}`,
		"backup.restore":   `{"backup_id": "bk-1", "server_id": "srv-1", "power_on": true}`,
		"backup.export":    `{"backup_id": "bk-1"}`,
	},
	"alibabacloud": {
		"image.create":     `{"name": "web-2026:11", "image_type": "system", "source": {"type": "snapshot", "id": "s-1"}, "description": "web tier", "tags": [{"key": "env", "value": "prod"}]}`,
		"image.delete":     `{"image_id": "m-1", "delete_snapshots": false}`,
		"image.share":      `{"image_id": "m-1", "members": ["1234567890123456"]}`,
		"image.export":     `{"image_id": "m-1", "bucket_url": "my-oss-bucket", "file_format": "raw"}`,
		"image.replicate":  `{"image_id": "m-1", "destination_region": "cn-shanghai", "name": "web-copy"}`,
		"server.create":    `{"image_id": "m-1", "name": "web-1", "billing_method": "subscription"}`,
		"server.start":     `{"server_id": "i-1"}`,
		"server.change_os": `{"server_id": "i-1", "image_id": "m-1"}`,
		"server.delete":    `{"server_id": "i-1"}`,
		"disk.delete":      `{"disk_id": "d-1"}`,
		"snapshot.delete":  `{"snapshot_id": "s-1", "force": true}`,
	},
}

// mustValidator compiles every schema eagerly, once per test process.
var mustValidator = once(func() (*validator, error) { return newValidator(schemas.FS) })

// rawSchemas is every schema file as decoded JSON, by the URL the validator
// compiles it under: what the tests read the schemas' own text from.
func rawSchemas(t testing.TB) map[string]any {
	t.Helper()
	out := map[string]any{}
	err := fs.WalkDir(schemas.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		b, err := fs.ReadFile(schemas.FS, p)
		if err != nil {
			return err
		}
		out[schemaBase+p] = jsonDoc(t, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeJSON decodes the way the evaluator does: numbers stay json.Number.
func jsonDoc(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// reqDoc builds a request document around params and, optionally, the facts
// of one resource kind: reqDoc(provider, op, params, "servers", `{"s": {...}}`).
func reqDoc(provider, op, params string, kindFacts ...string) string {
	resources := ""
	if len(kindFacts) == 2 {
		resources = fmt.Sprintf(`, "resources": {%q: %s}`, kindFacts[0], kindFacts[1])
	}
	return fmt.Sprintf(`{"provider": %q, "operation": %q, "region": "cn-north-4", "params": %s%s}`, provider, op, params, resources)
}

func TestEverySchemaCompiles(t *testing.T) {

	// Every file and every $defs entry compiles on its own (a def nobody
	// references yet is compiled nowhere else), and declares draft 2020-12.
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = func(s string) (r io.ReadCloser, err error) { return nil, fmt.Errorf("unexpected load of %s", s) }
	raw := rawSchemas(t)
	for u := range raw {
		if err := c.AddResource(u, strings.NewReader(marshalString(t, raw[u]))); err != nil {
			t.Fatal(err)
		}
	}
	files := 0
	for u, doc := range raw {
		files++
		m := doc.(map[string]any)
		if m["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema = %v, want draft 2020-12", u, m["$schema"])
		}
		if _, err := c.Compile(u); err != nil {
			t.Errorf("compile %s: %v", u, err)
		}
		defs, _ := m["$defs"].(map[string]any)
		for name := range defs {
			if _, err := c.Compile(u + "#/$defs/" + name); err != nil {
				t.Errorf("compile %s#/$defs/%s: %v", u, name, err)
			}
		}
	}
	var embedded int
	fs.WalkDir(schemas.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".json" {
			embedded++
		}
		return err
	})
	if files != embedded || files != 5+len(wantOperations["huaweicloud"])+len(wantOperations["alibabacloud"]) {
		t.Errorf("validator loaded %d schema files, FS embeds %d; want 5 shared files (request, facts, inventory, identities, common) plus one per pair", files, embedded)
	}
}

func TestEveryPairSchemaIsConsistent(t *testing.T) {
	v := mustValidator(t)
	raw := rawSchemas(t)
	req := raw[schemaBase+"request.json"].(map[string]any)["properties"].(map[string]any)
	enumOf := func(prop string) []string {
		var out []string
		for _, e := range req[prop].(map[string]any)["enum"].([]any) {
			out = append(out, e.(string))
		}
		sort.Strings(out)
		return out
	}
	var providers, ops []string
	for p, o := range v.operations() {
		providers = append(providers, p)
		ops = append(ops, o...)
	}
	sort.Strings(providers)
	slices.Sort(ops)
	ops = slices.Compact(ops)
	if got := enumOf("provider"); !slices.Equal(got, providers) {
		t.Errorf("request.json provider enum = %v, but the provider directories are %v", got, providers)
	}
	if got := enumOf("operation"); !slices.Equal(got, ops) {
		t.Errorf("request.json operation enum = %v, but the pair files define %v", got, ops)
	}

	for provider, ops := range v.operations() {
		for _, op := range ops {
			name := provider + "/" + op + ".json"
			doc := raw[schemaBase+name].(map[string]any)
			props := doc["properties"].(map[string]any)
			if got := props["provider"].(map[string]any)["const"]; got != provider {
				t.Errorf("%s: provider const = %v", name, got)
			}
			if got := props["operation"].(map[string]any)["const"]; got != op {
				t.Errorf("%s: operation const = %v", name, got)
			}
			params := props["params"].(map[string]any)
			if params["additionalProperties"] != false {
				t.Errorf("%s: params must be closed (additionalProperties: false)", name)
			}
			for p, s := range params["properties"].(map[string]any) {
				if _, ok := s.(map[string]any)["$comment"]; !ok {
					t.Errorf("%s: param %s has no $comment naming its API field", name, p)
				}
			}
		}
	}
}

func TestOperations(t *testing.T) {
	v := mustValidator(t)
	got := v.operations()
	if !reflect.DeepEqual(got, wantOperations) {
		t.Errorf("operations() = %v\nwant %v", got, wantOperations)
	}
	// The result is the caller's: changing it changes nothing inside.
	got["huaweicloud"][0] = "changed"
	delete(got, "alibabacloud")
	if again := v.operations(); !reflect.DeepEqual(again, wantOperations) {
		t.Errorf("operations() after the caller changed its copy = %v", again)
	}
	for provider, ops := range wantOperations {
		for _, op := range ops {
			if _, ok := validParams[provider][op]; !ok {
				t.Errorf("no valid example for %s %s in validParams", provider, op)
			}
		}
	}
}

func TestValidateRequestValid(t *testing.T) {
	v := mustValidator(t)
	for provider, ops := range validParams {
		for op, params := range ops {
			t.Run(provider+"/"+op, func(t *testing.T) {
				if errs := v.validateRequest(jsonDoc(t, reqDoc(provider, op, params))); errs != nil {
					t.Errorf("valid request refused: %v", errs)
				}
			})
		}
	}

	more := map[string]string{
		// SPEC.md's own example, facts and all.
		"spec example": `{
		  "provider": "huaweicloud", "operation": "image.create", "region": "cn-north-4",
		  "project_id": "0605767a3300d5762fb7c0186d8d2b3b",
		  "params": {"name": "web-2026-11", "image_type": "full_ecs", "source": {"type": "cbr_backup", "id": "bk-7f3a"},
		             "agree_disclaimer": true, "image_tags": [{"key": "env", "value": "prod"}]},
		  "resources": {"backups": {"bk-7f3a": {"resource_type": "server", "status": "available",
		                "includes_system_disk": true, "image_id": null, "shared": false}}}}`,
		// The disclaimer refused is the rulebook's deny (IMS-IMG-001), not a schema error.
		"disclaimer false": reqDoc("huaweicloud", "image.create",
			`{"name": "a", "image_type": "system", "source": {"type": "server", "id": "s"}, "agree_disclaimer": false}`),
		"huawei every image.create param, Chinese name, 128 characters, numbers as written": reqDoc("huaweicloud", "image.create", `{
		  "name": "镜像 web_1.0-`+strings.Repeat("x", 115)+`", "image_type": "data", "source": {"type": "file", "id": "bucket:disk.qcow2"},
		  "agree_disclaimer": true, "description": "`+strings.Repeat("d", 1024)+`", "image_tags": [],
		  "enterprise_project_id": "default", "min_disk": 2.048e3, "os_version": "Ubuntu 22.04 server 64bit",
		  "min_ram": 0, "max_ram": 1e2, "architecture": "arm", "cmk_id": "k-1", "vault_id": "v-1"}`),
		"huawei quick export": reqDoc("huaweicloud", "image.export",
			`{"image_id": "img-1", "bucket_url": "b.example-1:file", "file_format": "", "is_quick_export": true}`),
		"huawei disk from image":   reqDoc("huaweicloud", "disk.create", `{"image_id": "img-1"}`),
		"huawei restore to a disk": reqDoc("huaweicloud", "backup.restore", `{"backup_id": "bk-1", "disk_id": "vol-1"}`),
		"alibaba name 2 and 128": reqDoc("alibabacloud", "image.replicate",
			`{"image_id": "m-1", "name": "ab", "description": "`+strings.Repeat("d", 256)+`"}`),
		"alibaba names with periods and Chinese (the API reference's set)": reqDoc("alibabacloud", "image.create",
			`{"name": "web.v2:base_1-a", "image_type": "system", "source": {"type": "server", "id": "i-1"}}`),
		"alibaba name in Chinese": reqDoc("alibabacloud", "image.replicate", `{"image_id": "m-1", "name": "镜像.v2"}`),
		"alibaba 10 members, 20 tags": reqDoc("alibabacloud", "image.share",
			`{"image_id": "m-1", "members": ["1","2","3","4","5","6","7","8","9","10"]}`),
		"every fact": `{"provider": "alibabacloud", "operation": "server.create", "params": {"image_id": "m-1"},
		  "resources": {
		    "images": {"m-1": {"image_type": "system", "visibility": "private", "owner_project_id": "p", "members": ["a"],
		      "backup_id": null, "from_shared_backup": false, "replica_of_region": null, "region": "cn-hangzhou",
		      "source_instance_id": "i-1", "snapshot_ids": ["s-1"], "status": "Available", "encrypted_with_default_key": false, "is_copied": true}},
		    "backups": {"bk-1": {"resource_type": "bare_metal_server", "resource_id": "bms-1", "status": "creating", "image_creatable": true,
		      "includes_system_disk": true, "image_id": "img-9", "shared": true, "auto_generated": true}},
		    "servers": {"i-1": {"status": "stopped", "image_creation_in_progress": false, "cloud_init": true, "region": "cn-hangzhou",
		      "billing_method": "subscription", "expired_at": "2026-01-31T16:00:00Z", "payment_overdue_since": null,
		      "backup_ids": [], "image_ids": ["m-1"]}},
		    "disks": {"d-1": {"backup_ids": ["bk-1"], "image_ids": [], "region": "cn-hangzhou"}},
		    "snapshots": {"s-1": {"disk_type": "system", "image_ids": ["m-1"], "status": "accomplished"}},
		    "account": {"in_arrears": true}}}`,
	}
	for name, doc := range more {
		t.Run(name, func(t *testing.T) {
			if errs := v.validateRequest(jsonDoc(t, doc)); errs != nil {
				t.Errorf("valid request refused: %v", errs)
			}
		})
	}
}

func TestValidateRequestErrors(t *testing.T) {
	v := mustValidator(t)
	hw := func(op, params string, facts ...string) string { return reqDoc("huaweicloud", op, params, facts...) }
	ali := func(op, params string, facts ...string) string { return reqDoc("alibabacloud", op, params, facts...) }
	hwImage := func(extra string) string {
		return hw("image.create", `{"name": "web", "image_type": "system", "source": {"type": "server", "id": "s-1"}, "agree_disclaimer": true`+extra+`}`)
	}
	aliImage := func(extra string) string {
		return ali("image.create", `{"name": "web", "image_type": "system", "source": {"type": "server", "id": "i-1"}`+extra+`}`)
	}
	long := strings.Repeat("x", 200)

	tests := []struct {
		name string
		doc  string
		want []FieldError
	}{
		// Not an object at all.
		{"array", `[]`, []FieldError{{"", "the request must be a JSON object, but got array", 0}}},
		{"string", `"image.create"`, []FieldError{{"", "the request must be a JSON object, but got string", 0}}},
		{"null", `null`, []FieldError{{"", "the request must be a JSON object, but got null", 0}}},
		{"number", `12345678901234567890123456789`, []FieldError{{"", "the request must be a JSON object, but got number", 0}}},

		// REQ-003: which schema applies cannot be told.
		{"empty object", `{}`, []FieldError{
			{"/operation", `REQ-003: missing required property "operation"; known operations: ` + knownOperations, 0},
			{"/params", `missing required property "params"`, 0},
			{"/provider", `REQ-003: missing required property "provider"; known providers: ` + knownProviders, 0},
		}},
		{"unknown provider", `{"provider": "aws", "operation": "image.create", "params": {}}`, []FieldError{
			{"/provider", `REQ-003: unknown provider "aws"; known providers: ` + knownProviders, 0},
		}},
		{"provider not a string", `{"provider": 7, "operation": "image.create", "params": {}}`, []FieldError{
			{"/provider", `REQ-003: provider must be a string, but got number; known providers: ` + knownProviders, 0},
		}},
		{"provider in the wrong case", `{"provider": "HuaweiCloud", "operation": "image.create", "params": {}}`, []FieldError{
			{"/provider", `REQ-003: unknown provider "HuaweiCloud"; known providers: ` + knownProviders, 0},
		}},
		{"unknown operation", `{"provider": "huaweicloud", "operation": "image.make", "params": {}}`, []FieldError{
			{"/operation", `REQ-003: unknown operation "image.make"; known operations: ` + knownOperations, 0},
		}},
		{"missing operation", `{"provider": "huaweicloud", "params": {}}`, []FieldError{
			{"/operation", `REQ-003: missing required property "operation"; known operations: ` + knownOperations, 0},
		}},
		{"operation not a string", `{"provider": "huaweicloud", "operation": ["image.create"], "params": {}}`, []FieldError{
			{"/operation", `REQ-003: operation must be a string, but got array; known operations: ` + knownOperations, 0},
		}},
		{"no such pair on huaweicloud", hw("snapshot.delete", `{"snapshot_id": "s-1"}`), []FieldError{
			{"/operation", `REQ-003: operation "snapshot.delete" does not exist for provider "huaweicloud"; it has: ` + huaweiOperations, 0},
		}},
		{"no such pair on alibabacloud", ali("backup.create", `{}`), []FieldError{
			{"/operation", `REQ-003: operation "backup.create" does not exist for provider "alibabacloud"; it has: ` + alibabaOperations, 0},
		}},
		{"no pair, and the envelope is wrong too", `{"provider": "gcp", "operation": "image.fly", "region": "Mars", "params": [], "extra": 1}`, []FieldError{
			{"/extra", `unknown property "extra"; allowed: ` + envelopeKeys, 0},
			{"/operation", `REQ-003: unknown operation "image.fly"; known operations: ` + knownOperations, 0},
			{"/params", "expected object, but got array", 0},
			{"/provider", `REQ-003: unknown provider "gcp"; known providers: ` + knownProviders, 0},
			{"/region", regionRule, 0},
		}},

		// Envelope.
		{"params missing", `{"provider": "huaweicloud", "operation": "server.start"}`, []FieldError{
			{"/params", `missing required property "params"`, 0},
		}},
		{"params not an object", `{"provider": "huaweicloud", "operation": "server.start", "params": "srv-1"}`, []FieldError{
			{"/params", "expected object, but got string", 0},
		}},
		{"a request cannot carry settings", `{"provider": "huaweicloud", "operation": "server.start", "params": {"server_id": "s"}, "settings": {"missing_facts": "warn"}}`, []FieldError{
			{"/settings", `unknown property "settings"; allowed: ` + envelopeKeys, 0},
		}},
		{"bad region and empty project", `{"provider": "huaweicloud", "operation": "server.start", "region": "CN North 4", "project_id": "", "params": {"server_id": "s"}}`, []FieldError{
			{"/project_id", "length must be >= 1, but got 0", 0},
			{"/region", regionRule, 0},
		}},

		// Missing required params: each at its own pointer.
		{"huawei image.create, no params", hw("image.create", `{}`), []FieldError{
			{"/params/agree_disclaimer", `missing required property "agree_disclaimer"`, 0},
			{"/params/image_type", `missing required property "image_type"`, 0},
			{"/params/name", `missing required property "name"`, 0},
			{"/params/source", `missing required property "source"`, 0},
		}},
		{"alibaba image.create, no params", ali("image.create", `{}`), []FieldError{
			{"/params/image_type", `missing required property "image_type"`, 0},
			{"/params/name", `missing required property "name"`, 0},
			{"/params/source", `missing required property "source"`, 0},
		}},
		{"share without members", hw("image.share", `{"image_id": "img-1"}`), []FieldError{
			{"/params/members", `missing required property "members"`, 0},
		}},
		{"change_os without image", ali("server.change_os", `{"server_id": "i-1"}`), []FieldError{
			{"/params/image_id", `missing required property "image_id"`, 0},
		}},
		{"source without id", hwImage(`, "source": {"type": "server"}`), []FieldError{
			{"/params/source/id", `missing required property "id"`, 0},
		}},
		{"disk.create from nothing", hw("disk.create", `{}`), []FieldError{
			{"/params", `exactly one of "image_id", "backup_id" is required, but none is given`, 0},
		}},
		{"disk.create from both", hw("disk.create", `{"image_id": "img-1", "backup_id": "bk-1"}`), []FieldError{
			{"/params", `exactly one of "image_id", "backup_id" is required, but "image_id" and "backup_id" are both given`, 0},
		}},
		{"restore to a server and a disk", hw("backup.restore", `{"backup_id": "bk-1", "server_id": "s", "disk_id": "d"}`), []FieldError{
			{"/params", `"server_id" and "disk_id" cannot be given together`, 0},
		}},

		// Wrong types and values.
		{"wrong types", hw("image.create", `{"name": 5, "image_type": "system", "source": [], "agree_disclaimer": "yes", "image_tags": {"env": "prod"}}`), []FieldError{
			{"/params/agree_disclaimer", "expected boolean, but got string", 0},
			{"/params/image_tags", "expected array, but got object", 0},
			{"/params/name", "expected string, but got number", 0},
			{"/params/source", "expected object, but got array", 0},
		}},
		{"members a string", hw("image.share", `{"image_id": "img-1", "members": "p-1"}`), []FieldError{
			{"/params/members", "expected array, but got string", 0},
		}},
		{"bad enums", hwImage(`, "image_type": "fullecs", "source": {"type": "backup", "id": "b"}, "architecture": 64`), []FieldError{
			{"/params/architecture", `value must be one of "x86", "arm", but got 64`, 0},
			{"/params/image_type", `value must be one of "system", "data", "full_ecs", "iso", but got "fullecs"`, 0},
			{"/params/source/type", `value must be one of "server", "cbr_backup", "csbs_backup", "file", "iso_file", "disk", "snapshot", but got "backup"`, 0},
		}},
		{"empty ids", hw("server.change_os", `{"server_id": "", "image_id": ""}`), []FieldError{
			{"/params/image_id", "length must be >= 1, but got 0", 0},
			{"/params/server_id", "length must be >= 1, but got 0", 0},
		}},
		{"members empty", hw("image.share", `{"image_id": "img-1", "members": []}`), []FieldError{
			{"/params/members", "must have at least 1 item, but has 0", 0},
		}},
		{"members repeated", hw("image.share", `{"image_id": "img-1", "members": ["p", "p"]}`), []FieldError{
			{"/params/members", "items at index 0 and 1 are equal", 0},
		}},
		{"alibaba shares 10 accounts per call", ali("image.share", `{"image_id": "m-1", "members": ["1","2","3","4","5","6","7","8","9","10","11"]}`), []FieldError{
			{"/params/members", "must have at most 10 items, but has 11", 0},
		}},
		{"alibaba source kinds", aliImage(`, "source": {"type": "cbr_backup", "id": "b"}`), []FieldError{
			{"/params/source/type", `value must be one of "server", "snapshot", but got "cbr_backup"`, 0},
		}},
		{"huawei export formats", hw("image.export", `{"image_id": "img-1", "bucket_url": "bucket", "file_format": "raw"}`), []FieldError{
			{"/params/bucket_url", "does not match the expected format: an OBS location written bucket:file, such as my-bucket:exports/web.qcow2", 0},
			{"/params/file_format", `value must be one of "qcow2", "vhd", "zvhd", "vmdk", "", but got "raw"`, 0},
		}},
		{"alibaba export formats", ali("image.export", `{"image_id": "m-1", "bucket_url": "My_Bucket", "file_format": "zvhd"}`), []FieldError{
			{"/params/bucket_url", "does not match the expected format: an OSS bucket name: 3-63 lowercase letters, digits and '-', starting and ending with a letter or digit", 0},
			{"/params/file_format", `value must be one of "raw", "vhd", "qcow2", "vmdk", "vdi", but got "zvhd"`, 0},
		}},
		{"publish elsewhere", hw("image.publish", `{"image_id": "img-1", "marketplace": "aws"}`), []FieldError{
			{"/params/marketplace", `value must be "koogallery", but got "aws"`, 0},
		}},
		{"backup of a bare metal server", hw("backup.create", `{"resource_type": "bare_metal_server", "resource_id": "b", "name": "`+long+`", "description": "`+strings.Repeat("d", 256)+`"}`), []FieldError{
			{"/params/description", "length must be <= 255, but got 256", 0},
			{"/params/name", "length must be <= 64, but got 200", 0},
			{"/params/resource_type", `value must be one of "server", "disk", but got "bare_metal_server"`, 0},
		}},

		// Names and descriptions, per provider.
		{"huawei name too long", hwImage(`, "name": "` + long + `"`), []FieldError{
			{"/params/name", "length must be <= 128, but got 200", 0},
		}},
		{"huawei name 129 Chinese characters", hwImage(`, "name": "` + strings.Repeat("镜", 129) + `"`), []FieldError{
			{"/params/name", "length must be <= 128, but got 129", 0},
		}},
		{"huawei name empty", hwImage(`, "name": ""`), []FieldError{
			{"/params/name", huaweiNameRule, 0},
			{"/params/name", "length must be >= 1, but got 0", 0},
		}},
		{"huawei name with a trailing space", hwImage(`, "name": "web "`), []FieldError{{"/params/name", huaweiNameRule, 0}}},
		{"huawei name with a leading space", hwImage(`, "name": " web"`), []FieldError{{"/params/name", huaweiNameRule, 0}}},
		{"huawei name with a slash", hwImage(`, "name": "web/1"`), []FieldError{{"/params/name", huaweiNameRule, 0}}},
		{"huawei description", hwImage(`, "description": "<b>web</b>"`), []FieldError{
			{"/params/description", "does not match the expected format: any text without '<', '>' or a carriage return", 0},
		}},
		{"huawei description too long", hwImage(`, "description": "` + strings.Repeat("d", 1025) + `"`), []FieldError{
			{"/params/description", "length must be <= 1024, but got 1025", 0},
		}},
		{"huawei replica name", hw("image.replicate", `{"image_id": "img-1", "name": "a\tb", "destination_region": "cn_east_3"}`), []FieldError{
			{"/params/destination_region", regionRule, 0},
			{"/params/name", huaweiNameRule, 0},
		}},
		{"huawei server name", hw("server.create", `{"image_id": "img-1", "name": "`+strings.Repeat("s", 65)+`", "billing_method": "monthly"}`), []FieldError{
			{"/params/billing_method", `value must be one of "subscription", "pay_as_you_go", but got "monthly"`, 0},
			{"/params/name", "length must be <= 64, but got 65", 0},
		}},
		{"alibaba name too long", aliImage(`, "name": "` + long + `"`), []FieldError{
			{"/params/name", "length must be <= 128, but got 200", 0},
		}},
		{"alibaba name too short", aliImage(`, "name": "a"`), []FieldError{
			{"/params/name", "length must be >= 2, but got 1", 0},
		}},
		{"alibaba name starts with a digit", aliImage(`, "name": "1web"`), []FieldError{{"/params/name", alibabaNameRule, 0}}},
		{"alibaba name is a URL", aliImage(`, "name": "https://web"`), []FieldError{{"/params/name", alibabaNameRule, 0}}},
		{"alibaba name with a space", aliImage(`, "name": "web 1"`), []FieldError{{"/params/name", alibabaNameRule, 0}}},
		{"alibaba description", aliImage(`, "description": "d"`), []FieldError{
			{"/params/description", "length must be >= 2, but got 1", 0},
		}},
		{"alibaba replica name", ali("image.replicate", `{"image_id": "m-1", "name": "-copy"}`), []FieldError{
			{"/params/name", alibabaNameRule, 0},
		}},

		// Tags.
		{"huawei tags", hwImage(`, "image_tags": [{"key": "", "value": "` + strings.Repeat("v", 256) + `"}, {"key": "env"}, {"key": "a", "value": "b", "colour": "red"}]`), []FieldError{
			{"/params/image_tags/0/key", "length must be >= 1, but got 0", 0},
			{"/params/image_tags/0/value", "length must be <= 255, but got 256", 0},
			{"/params/image_tags/1/value", `missing required property "value"`, 0},
			{"/params/image_tags/2/colour", `unknown property "colour"; allowed: key, value`, 0},
		}},
		{"huawei 21 tags", hwImage(`, "image_tags": [` + tagList(21) + `]`), []FieldError{
			{"/params/image_tags", "must have at most 20 items, but has 21", 0},
		}},
		{"alibaba tags", aliImage(`, "tags": [{"key": "aliyun-env", "value": "x"}, {"key": "see http://x", "value": "` + strings.Repeat("v", 129) + `"}]`), []FieldError{
			{"/params/tags/0/key", "does not match the expected format: a key that does not start with 'aliyun' or 'acs:' and does not contain 'http://' or 'https://'", 0},
			{"/params/tags/1/key", "does not match the expected format: a key that does not start with 'aliyun' or 'acs:' and does not contain 'http://' or 'https://'", 0},
			{"/params/tags/1/value", "length must be <= 128, but got 129", 0},
		}},
		{"alibaba uses tags, not image_tags", aliImage(`, "image_tags": []`), []FieldError{
			{"/params/image_tags", `unknown property "image_tags"; allowed: architecture, boot_mode, description, image_type, name, platform, resource_group_id, source, tags`, 0},
		}},

		// Unknown params.
		{"unknown param", hwImage(`, "colour": "blue"`), []FieldError{
			{"/params/colour", `unknown property "colour"; allowed: ` + huaweiImageCreateParams, 0},
		}},
		{"two unknown params", hw("server.start", `{"server_id": "s", "serverId": "s", "force": true}`), []FieldError{
			{"/params/force", `unknown property "force"; allowed: server_id`, 0},
			{"/params/serverId", `unknown property "serverId"; allowed: server_id`, 0},
		}},
		{"a Huawei-only param on Alibaba", ali("image.delete", `{"image_id": "m-1", "delete_backup": true}`), []FieldError{
			{"/params/delete_backup", `unknown property "delete_backup"; allowed: delete_snapshots, force, image_id`, 0},
		}},
		{"unknown key in source", hwImage(`, "source": {"type": "server", "id": "s", "kind": "ecs"}`), []FieldError{
			{"/params/source/kind", `unknown property "kind"; allowed: id, type`, 0},
		}},
		{"key needing escapes", hw("server.start", `{"server_id": "s", "a/b~c": 1}`), []FieldError{
			{"/params/a~1b~0c", `unknown property "a/b~c"; allowed: server_id`, 0},
		}},

		// Facts.
		{"unknown fact field", hw("server.start", `{"server_id": "s"}`, "servers", `{"s": {"statsu": "stopped"}}`), []FieldError{
			{"/resources/servers/s/statsu", `unknown property "statsu"; allowed: ` + serverFacts, 0},
		}},
		{"unknown resource kind", hw("server.start", `{"server_id": "s"}`, "server", `{"s": {}}`), []FieldError{
			{"/resources/server", `unknown property "server"; allowed: account, backups, disks, images, servers, snapshots`, 0},
		}},
		{"fact types and enums", hw("server.start", `{"server_id": "s"}`, "servers",
			`{"s": {"status": "HIBERNATED", "cloud_init": "yes", "expired_at": "yesterday", "backup_ids": "bk-1", "region": "Beijing"}}`), []FieldError{
			{"/resources/servers/s/backup_ids", "expected array, but got string", 0},
			{"/resources/servers/s/cloud_init", "expected boolean, but got string", 0},
			{"/resources/servers/s/expired_at", "does not match the expected format: " + timeRule, 0},
			{"/resources/servers/s/region", regionRule, 0},
			{"/resources/servers/s/status", "does not match the expected format: " + serverStatusRule + `, but got "HIBERNATED"`, 0},
		}},
		{"backup facts", hw("backup.delete", `{"backup_id": "bk 1"}`, "backups",
			`{"bk 1": {"resource_type": "OS::Trove::Instance", "status": "available", "image_id": "", "shared": null}}`), []FieldError{
			{"/resources/backups/bk 1/image_id", "length must be >= 1, but got 0", 0},
			{"/resources/backups/bk 1/resource_type", "does not match the expected format: " + backupResourceTypeRule + `, but got "OS::Trove::Instance"`, 0},
			{"/resources/backups/bk 1/shared", "expected boolean, but got null", 0},
		}},
		{"empty resource id", hw("server.start", `{"server_id": "s"}`, "servers", `{"": {}}`), []FieldError{
			{"/resources/servers", "invalid property name: length must be >= 1, but got 0", 0},
		}},
		{"facts for a resource not an object", ali("snapshot.delete", `{"snapshot_id": "s-1"}`, "snapshots", `{"s-1": ["system"]}`), []FieldError{
			{"/resources/snapshots/s-1", "expected object, but got array", 0},
		}},
		{"account", ali("snapshot.delete", `{"snapshot_id": "s-1"}`, "account", `{"in_arrears": 1, "overdue": true}`), []FieldError{
			{"/resources/account/in_arrears", "expected boolean, but got number", 0},
			{"/resources/account/overdue", `unknown property "overdue"; allowed: in_arrears`, 0},
		}},

		// Numbers stay exact: json.Number, never float64.
		{"huge integer", hwImage(`, "min_disk": 123456789012345678901234567890`), []FieldError{
			{"/params/min_disk", "must be <= 1024 but found 123456789012345678901234567890", 0},
		}},
		{"huge exponent", hwImage(`, "min_disk": 1e400`), []FieldError{
			{"/params/min_disk", "must be <= 1024 but found 1e400", 0},
		}},
		{"data disk images go to 2048", hwImage(`, "image_type": "data", "min_disk": 2049`), []FieldError{
			{"/params/min_disk", "must be <= 2048 but found 2049", 0},
		}},
		{"not an integer", hwImage(`, "min_disk": 40.5, "min_ram": -1`), []FieldError{
			{"/params/min_disk", "expected integer, but got number", 0},
			{"/params/min_ram", "must be >= 0 but found -1", 0},
		}},
		{"a number for an id", hw("server.start", `{"server_id": 12345678901234567890123456789}`), []FieldError{
			{"/params/server_id", "expected string, but got number", 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := v.validateRequest(jsonDoc(t, tc.doc))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("validateRequest(%s)\n got: %s\nwant: %s", tc.doc, showErrors(got), showErrors(tc.want))
			}
		})
	}
}

func TestValidateInventory(t *testing.T) {
	v := mustValidator(t)
	tests := []struct {
		name string
		doc  string
		want []FieldError
	}{
		{"empty", `{}`, nil},
		{"full", `{"resources": {"images": {"img-1": {"image_type": "full_ecs", "backup_id": "bk-1", "replica_of_region": "cn-north-4"}}},
		  "settings": {"full_ecs_cross_region_regions": ["cn-north-4", "cn-east-3"],
		               "image_tag_policy": {"required_keys": ["env"], "allowed_values": {"env": ["prod", "test"]}},
		               "missing_facts": "warn", "trust_request_facts": false}}`, nil},
		{"not an object", `["cn-north-4"]`, []FieldError{{"", "expected object, but got array", 0}}},
		{"unknown keys", `{"resource": {}, "settings": {"missing_fact": "warn"}}`, []FieldError{
			{"/resource", `unknown property "resource"; allowed: resources, settings`, 0},
			{"/settings/missing_fact", `unknown property "missing_fact"; allowed: enforcement, full_ecs_cross_region_regions, image_tag_policy, missing_facts, trust_request_facts, waivers`, 0},
		}},
		{"bad settings", `{"settings": {"full_ecs_cross_region_regions": ["cn-north-4", "cn-north-4", "CN"],
		  "image_tag_policy": {"required_keys": "env", "allowed_values": {"env": "prod"}, "deny": true},
		  "missing_facts": "ignore", "trust_request_facts": "no"}}`, []FieldError{
			{"/settings/full_ecs_cross_region_regions", "items at index 0 and 1 are equal", 0},
			{"/settings/full_ecs_cross_region_regions/2", regionRule, 0},
			{"/settings/image_tag_policy/allowed_values/env", "expected array, but got string", 0},
			{"/settings/image_tag_policy/deny", `unknown property "deny"; allowed: allowed_values, required_keys`, 0},
			{"/settings/image_tag_policy/required_keys", "expected array, but got string", 0},
			{"/settings/missing_facts", `value must be one of "deny", "warn", but got "ignore"`, 0},
			{"/settings/trust_request_facts", "expected boolean, but got string", 0},
		}},
		{"bad facts", `{"resources": {"images": {"img-1": {"visibility": "secret", "replica_of_region": "north"}}}}`, []FieldError{
			{"/resources/images/img-1/replica_of_region", regionRule, 0},
			{"/resources/images/img-1/visibility", "does not match the expected format: " + visibilityRule + `, but got "secret"`, 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := v.validateInventory(jsonDoc(t, tc.doc))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("validateInventory(%s)\n got: %s\nwant: %s", tc.doc, showErrors(got), showErrors(tc.want))
			}
		})
	}
}

// A value no JSON decoder produces is reported, not validated as if fine.
func TestValidateRequestNonJSONValue(t *testing.T) {
	v := mustValidator(t)
	doc := map[string]any{"provider": "huaweicloud", "operation": "server.start", "params": map[string]any{"server_id": struct{}{}}}
	got := v.validateRequest(doc)
	if len(got) != 1 || got[0].Pointer != "" || !strings.Contains(got[0].Message, "invalid jsonType") {
		t.Errorf("validateRequest(non-JSON value) = %v, want one error at the root", got)
	}
}

func TestNewValidatorRejectsBrokenSchemas(t *testing.T) {
	base := fstest.MapFS{}
	fs.WalkDir(schemas.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(schemas.FS, p)
			base[p] = &fstest.MapFile{Data: b}
		}
		return err
	})
	if _, err := newValidator(base); err != nil {
		t.Fatalf("a copy of the embedded schemas: %v", err)
	}
	with := func(p, content string) fstest.MapFS {
		m := maps.Clone(base)
		if content == "" {
			delete(m, p)
		} else {
			m[p] = &fstest.MapFile{Data: []byte(content)}
		}
		return m
	}
	tests := map[string]struct {
		fsys fs.FS
		want string
	}{
		"no request.json":     {with("request.json", ""), "compile schema request.json"},
		"not JSON":            {with("huaweicloud/image.create.json", "{"), "schema huaweicloud/image.create.json"},
		"bad regex":           {with("huaweicloud/x.json", `{"$schema": "https://json-schema.org/draft/2020-12/schema", "pattern": "("}`), "compile schema huaweicloud/x.json"},
		"dangling $ref":       {with("huaweicloud/x.json", `{"$ref": "../nowhere.json"}`), "compile schema huaweicloud/x.json"},
		"nested too deep":     {with("huaweicloud/v2/x.json", `{}`), "nested too deep"},
		"no inventory.json":   {with("inventory.json", ""), "compile schema inventory.json"},
		"not a schema at all": {with("alibabacloud/x.json", `{"type": 5}`), "compile schema alibabacloud/x.json"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := newValidator(tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("newValidator: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// A new file is a new pair.
	v, err := newValidator(with("alibabacloud/backup.create.json", `{"allOf": [{"$ref": "../request.json"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ops := v.operations()["alibabacloud"]; !slices.Contains(ops, "backup.create") {
		t.Errorf("operations after adding alibabacloud/backup.create.json: %v", ops)
	}
}

// One validator, many goroutines: run with -race.
func TestValidateRequestConcurrent(t *testing.T) {
	v := mustValidator(t)
	valid := jsonDoc(t, reqDoc("huaweicloud", "image.create", validParams["huaweicloud"]["image.create"]))
	invalid := jsonDoc(t, reqDoc("huaweicloud", "image.create", `{"colour": 1}`))
	wantInvalid := v.validateRequest(invalid)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if errs := v.validateRequest(valid); errs != nil {
					t.Errorf("valid: %v", errs)
					return
				}
				if errs := v.validateRequest(invalid); !reflect.DeepEqual(errs, wantInvalid) {
					t.Errorf("invalid: %v", errs)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkValidateRequest(b *testing.B) {
	v := mustValidator(b)
	for _, bc := range []struct{ name, doc string }{
		{"valid", `{
		  "provider": "huaweicloud", "operation": "image.create", "region": "cn-north-4",
		  "project_id": "0605767a3300d5762fb7c0186d8d2b3b",
		  "params": {"name": "web-2026-11", "image_type": "full_ecs", "source": {"type": "cbr_backup", "id": "bk-7f3a"},
		             "agree_disclaimer": true, "image_tags": [{"key": "env", "value": "prod"}]},
		  "resources": {"backups": {"bk-7f3a": {"resource_type": "server", "status": "available",
		                "includes_system_disk": true, "image_id": null, "shared": false}}}}`},
		{"invalid", reqDoc("huaweicloud", "image.create", `{"name": " x", "colour": 1}`)},
		{"unknown pair", reqDoc("huaweicloud", "snapshot.delete", `{}`)},
	} {
		doc := jsonDoc(b, bc.doc)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.validateRequest(doc)
			}
		})
	}
}

func tagList(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf(`{"key": "k%d", "value": "v"}`, i)
	}
	return strings.Join(s, ", ")
}

func showErrors(errs []FieldError) string {
	if errs == nil {
		return "nil"
	}
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  {%q, %q, %d}", e.Pointer, e.Message, e.Line)
	}
	return b.String()
}

func marshalString(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
