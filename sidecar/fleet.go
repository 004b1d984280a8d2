package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/open-policy-agent/opa/v1/server"
	opaversion "github.com/open-policy-agent/opa/v1/version"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/factstore"
	"github.com/imgadmit/imgadmit/internal/fleet"
	"github.com/imgadmit/imgadmit/policies"
)

// targetBundle is the reload target of bundle activations (metrics,
// /health/ready).
const targetBundle = "bundle"

// newFleet builds OPA's plugin manager from serve --config-file: its
// bundles go through checkBundles before they serve, its metrics into the
// sidecar's registry.
func (s *Server) newFleet() (*fleet.Fleet, error) {
	f, err := fleet.New(fleet.Options{
		Config:     s.cfg.FleetConfig,
		ID:         s.cfg.InstanceID,
		Version:    s.version(),
		Registerer: s.metrics.reg,
		Logger:     s.log,
		Check:      s.checkBundles,
	})
	if err != nil {
		return nil, configErrorf("--config-file %s: %v", s.cfg.ConfigFile, err)
	}
	return f, nil
}

// checkBundles is the gate of every bundle activation: what the bundles
// would leave (their rulebook, or the configured one when they carry none;
// their inventory when one owns data.inventory) is compiled, validated and
// given the canary decision, as a reload is. An error refuses the
// activation, and the last good bundles keep serving; done makes the
// prepared state serve once OPA has committed the activation. reloadMu is
// held from the check to done, so no other change of the inventory falls
// between them.
func (s *Server) checkBundles(ctx context.Context, snap *fleet.Snapshot) (func(bool), error) {
	s.reloadMu.Lock()
	done, err := s.prepareBundles(ctx, snap)
	if err != nil {
		s.reloadMu.Unlock()
		s.reloaded(targetBundle, err, "bundles", revisionsOf(snap.Bundles))
		return nil, err
	}
	return func(committed bool) {
		defer s.reloadMu.Unlock()
		done(committed)
	}, nil
}

func (s *Server) prepareBundles(ctx context.Context, snap *fleet.Snapshot) (func(bool), error) {
	e := s.eval.Load()
	if e == nil {
		return nil, fmt.Errorf("a bundle activated before the rulebook loaded")
	}
	if len(snap.Data) > 0 {
		return nil, fmt.Errorf("the bundles carry data.%s, which imgadmit does not read (the rulebook decides with data.inventory alone); leave it out of the bundle or put it under data.inventory's settings", strings.Join(snap.Data, ", data."))
	}
	var rulebook fs.FS
	switch {
	case snap.Modules != nil && s.cfg.Policies != "":
		return nil, fmt.Errorf("the bundles carry policies, and serve also takes the rulebook from --policies %s: give one source", s.cfg.Policies)
	case snap.Modules != nil:
		m := fstest.MapFS{}
		for p, src := range snap.Modules {
			m[p] = &fstest.MapFile{Data: src, Mode: 0o444}
		}
		rulebook = m
	case s.bundleRulebook:
		// The bundles carried the rulebook and no longer do: back to the
		// configured one.
		rulebook = policies.FS
		if s.cfg.Policies != "" {
			rulebook = os.DirFS(s.cfg.Policies)
		}
	}
	var inv map[string]any
	owned := snap.InventoryOwner != ""
	switch {
	case owned && (len(s.cfg.DataFiles) > 0 || s.cfg.Sync != nil):
		return nil, fmt.Errorf("bundle %s owns data.inventory, and serve also takes the inventory from --data or --sync: give one source", snap.InventoryOwner)
	case owned && snap.Inventory == nil:
		inv = map[string]any{}
	case owned:
		var err error
		if inv, err = cloudfacts.ParseInventory(snap.Inventory, evaluator.FormatJSON, "bundle "+snap.InventoryOwner+" data.inventory", s.cfg.DataRegion); err != nil {
			return nil, err
		}
		// A fact dated when first seen keeps the date the inventory serving
		// gives it, as a reload or a sync does.
		serving, _ := e.InventorySnapshot()
		if inv, err = cloudfacts.KeepFirstSeenFrom(serving, inv); err != nil {
			return nil, err
		}
	case s.inventoryBundle() != "":
		// The bundles owned the inventory and no longer do.
		inv = map[string]any{}
	}
	beforeRulebook, beforeInv := e.Revision(), e.InventoryRevision()
	var facts *factstore.Inventory
	if inv != nil {
		var err error
		if facts, err = evaluator.FactsOf(inv); err != nil {
			return nil, err
		}
	}
	change, err := e.Prepare(ctx, rulebook, facts)
	if err != nil {
		return nil, err
	}
	return func(committed bool) {
		if !committed {
			return
		}
		e.Apply(change)
		s.bundles.Store(newServingBundles(snap.Bundles))
		s.bundleRulebook = snap.Modules != nil
		s.invBundle.Store(snap.InventoryOwner)
		rulebookRev, invRev := change.Revisions()
		if owned {
			s.setInventoryStatus("bundle")
		}
		if invRev != beforeInv {
			_ = s.dlog.writeEvent(inventoryEvent{
				Event: eventInventory, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: "bundle",
				RequestedBy: "bundle " + snap.InventoryOwner, SHA256: sha256Hex(snap.Inventory), Bytes: int64(len(snap.Inventory)),
				PreviousRevision: beforeInv, Revision: invRev,
			})
			s.tuneMemory()
		}
		s.reloaded(targetBundle, nil, "bundles", revisionsOf(snap.Bundles),
			"revision", rulebookRev, "previous", beforeRulebook, "inventory_revision", invRev)
	}, nil
}

// revisionsOf is the bundles' revisions by name, for the server log.
func revisionsOf(bs map[string]fleet.Bundle) map[string]string {
	out := make(map[string]string, len(bs))
	for name, b := range bs {
		out[name] = b.Revision
	}
	return out
}

// inventoryBundle is the bundle that owns data.inventory; empty when none
// does.
func (s *Server) inventoryBundle() string {
	name, _ := s.invBundle.Load().(string)
	return name
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// version is imgadmit's version as the sidecar reports it.
func (s *Server) version() string {
	if s.cfg.Version == "" {
		return "dev"
	}
	return s.cfg.Version
}

// bundlesReady reports whether every configured bundle has been activated
// once: until then the sidecar does not decide, rather than decide with a
// rulebook or an inventory the fleet did not send.
func (s *Server) bundlesReady() bool { return s.fleet == nil || s.fleet.Ready() }

// startFleet starts OPA's plugins once the configured rulebook has loaded.
func (s *Server) startFleet(ctx context.Context) error {
	if s.fleet == nil {
		return nil
	}
	return s.fleet.Start(ctx)
}

// stopFleet stops the plugins: the decision-log plugin uploads what it still
// holds, within the shutdown timeout.
func (s *Server) stopFleet() {
	if s.fleet == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.fleet.Stop(ctx)
}

// ownLabels are the labels of a sidecar without --config-file, as OPA's
// would be: the instance's id and OPA's version, and imgadmit's version.
func ownLabels(id, version string) map[string]string {
	if id == "" {
		id = uuid.NewString()
	}
	return map[string]string{"id": id, "version": opaversion.Version, fleet.LabelImgadmitVersion: version}
}

// servingBundles are the bundles serving, by name, in the two shapes every
// decision carries them: OPA's provenance and decision-log line
// (revisions), and OPA's decision-log plugin (info). They are built once
// per activation, not per decision.
type servingBundles struct {
	revisions map[string]bundleRevision
	info      map[string]server.BundleInfo
}

// newServingBundles are bs in both shapes; nil when there are none, as
// OPA leaves the members out then.
func newServingBundles(bs map[string]fleet.Bundle) *servingBundles {
	if len(bs) == 0 {
		return nil
	}
	sb := &servingBundles{
		revisions: make(map[string]bundleRevision, len(bs)),
		info:      make(map[string]server.BundleInfo, len(bs)),
	}
	for name, b := range bs {
		sb.revisions[name] = bundleRevision{Revision: b.Revision}
		sb.info[name] = server.BundleInfo{Revision: b.Revision}
	}
	return sb
}

// bundleRevisions are the bundles serving, by name, as OPA's provenance and
// decision-log events give them; nil without bundles. The caller must not
// change the map.
func (s *Server) bundleRevisions() map[string]bundleRevision {
	if sb := s.bundles.Load(); sb != nil {
		return sb.revisions
	}
	return nil
}
