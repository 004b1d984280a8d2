package sidecar

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Roles an identity can hold.
const (
	// RoleDecide may ask for decisions.
	RoleDecide = "decide"
	// RoleInventory may change the inventory.
	RoleInventory = "inventory"
)

// anonymous is who asks when the sidecar takes no tokens (neither
// --identities nor --token-file): the loopback development mode.
const anonymous = "anonymous"

// Identity is one caller the sidecar knows: a name, the digest of its bearer
// token, its roles and the projects it may ask as, by provider.
type Identity struct {
	Name   string
	digest [sha256.Size]byte
	roles  []string
	// projects, by provider; nil binds no project (the --token-file
	// development identity, and the anonymous one): the request says.
	projects map[string][]string
}

// has reports whether the identity holds role.
func (id *Identity) has(role string) bool { return slices.Contains(id.roles, role) }

// projectFor is the project a request of provider that names project (empty:
// none) is decided as: the named one when the identity may ask as it, else
// the identity's one project for provider when the request names none. ok is
// false when the request names a project the identity is not bound to.
func (id *Identity) projectFor(provider, project string) (asked string, ok bool) {
	if id.projects == nil {
		return project, true
	}
	bound := id.projects[provider]
	if project != "" {
		return project, slices.Contains(bound, project)
	}
	if len(bound) == 1 {
		return bound[0], true
	}
	return "", true
}

// identities are the callers the sidecar knows; nil means it takes no token.
type identities struct {
	list []*Identity
	// source is where they came from: "--identities FILE" or "--token-file FILE".
	source string
}

// authenticate finds the identity whose token r carries. Every digest is
// compared, in constant time and at the same length (a token's digest, not
// the token), so how long the search takes says nothing of which one, if
// any, matched or how long the token is.
func (ids *identities) authenticate(r *http.Request) *Identity {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	var found *Identity
	for _, id := range ids.list {
		if subtle.ConstantTimeCompare(sum[:], id.digest[:]) == 1 {
			found = id
		}
	}
	return found
}

// loadIdentities reads an --identities file (JSON or YAML), checked against
// schemas/identities.json; names and token digests must be unique.
func loadIdentities(path string) (*identities, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--identities: %w", err)
	}
	doc, err := evaluator.ParseIdentities(raw, evaluator.FormatForName(path))
	if err != nil {
		return nil, fmt.Errorf("--identities %s: %w", path, err)
	}
	ids := &identities{source: "--identities " + path}
	names := map[string]bool{}
	digests := map[[sha256.Size]byte]string{}
	for i, item := range doc["identities"].([]any) {
		m := item.(map[string]any)
		id := &Identity{Name: m["name"].(string), projects: map[string][]string{}}
		where := fmt.Sprintf("--identities %s: /identities/%d", path, i)
		if names[id.Name] {
			return nil, fmt.Errorf("%s: the name %q is used twice", where, id.Name)
		}
		names[id.Name] = true
		if _, err := hex.Decode(id.digest[:], []byte(strings.ToLower(m["token_sha256"].(string)))); err != nil {
			return nil, fmt.Errorf("%s/token_sha256: %v", where, err) // the schema checked 64 hex digits
		}
		if other, dup := digests[id.digest]; dup {
			return nil, fmt.Errorf("%s: %q has the same token as %q; one token is one identity", where, id.Name, other)
		}
		digests[id.digest] = id.Name
		for _, r := range m["roles"].([]any) {
			id.roles = append(id.roles, r.(string))
		}
		projects, _ := m["projects"].(map[string]any)
		for provider, list := range projects {
			for _, p := range list.([]any) {
				id.projects[provider] = append(id.projects[provider], p.(string))
			}
		}
		ids.list = append(ids.list, id)
	}
	return ids, nil
}

// tokenIdentity is the --token-file development identity: every role, no
// project binding (a request asks as whichever project it names).
func tokenIdentity(token []byte, path string) *identities {
	return &identities{
		source: "--token-file " + path,
		list:   []*Identity{{Name: "token-file", digest: sha256.Sum256(token), roles: []string{RoleDecide, RoleInventory}}},
	}
}

// anonymousIdentity asks when the sidecar takes no tokens.
var anonymousIdentity = &Identity{Name: anonymous, roles: []string{RoleDecide, RoleInventory}}
