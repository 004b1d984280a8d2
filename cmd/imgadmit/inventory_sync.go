package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch"
)

// inventoryCommand is `imgadmit inventory`: the inventory made from the
// clouds' own responses, fetched (sync) or from files (import).
func inventoryCommand() *cli.Command {
	cmd := &cli.Command{
		Name:  "inventory",
		Usage: "build the inventory from the clouds' own describe and list responses",
		Subcommands: []*cli.Command{
			inventorySyncCommand(),
			inventoryImportCommand(),
		},
	}
	for _, sub := range cmd.Subcommands {
		sub.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return usageError(fmt.Sprintf("inventory %s: %v (see 'imgadmit inventory %s --help')", sub.Name, err, sub.Name))
		}
	}
	return cmd
}

// Environment variables sync reads besides the SDKs' own credentials.
const (
	envHuaweiRegion  = "HUAWEICLOUD_SDK_REGION"
	envHuaweiProject = "HUAWEICLOUD_SDK_PROJECT_ID"
	envAlibabaRegion = "ALIBABA_CLOUD_REGION_ID"
	envSyncEndpoint  = "IMGADMIT_SYNC_ENDPOINT"
)

func inventorySyncCommand() *cli.Command {
	return &cli.Command{
		Name:  "sync",
		Usage: "fetch the inventory from the clouds with their official SDKs and write it",
		Description: "Lists every page of the images, backups, servers, disks and snapshots of each region\n" +
			"(Huawei IMS ListImages, CBR ListBackups, ECS ListServersDetails, EVS ListVolumes;\n" +
			"Alibaba ECS DescribeImages, DescribeSnapshots, DescribeInstances, DescribeDisks) and writes the\n" +
			"inventory they make, checked against the inventory schema, to standard output or -o FILE.\n" +
			"Credentials come from the SDKs' environment variables: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK\n" +
			"(HUAWEICLOUD_SDK_SECURITY_TOKEN); ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET\n" +
			"(ALIBABA_CLOUD_SECURITY_TOKEN) or the Alibaba SDK's default chain. Progress goes to standard\n" +
			"error on a terminal (not with CI set, nor --quiet).\n" +
			"Exit codes: 0 written; 2 a usage error (flags, no credentials, a region the SDK does not know),\n" +
			"or responses that do not make a valid inventory;\n" +
			"3 an internal error; 4 a cloud could not be read (nothing is written).",
		Flags: append(syncFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the inventory to `FILE` (replaced whole, atomically) instead of standard output", TakesFile: true},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress, even on a terminal"},
		),
		Action: runInventorySync,
	}
}

// syncFlags are how `inventory sync` and `serve --sync` reach the clouds.
func syncFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "provider", Usage: "huaweicloud or alibabacloud (default: the one whose credentials are in the environment)"},
		&cli.StringSliceFlag{Name: "region", Usage: "`REGION` to fetch; repeatable (default: " + envHuaweiRegion + " or " + envAlibabaRegion + ")"},
		&cli.StringSliceFlag{Name: "project", Usage: "Huawei `REGION=PROJECT_ID`; repeatable (default: " + envHuaweiProject + " for a single region, else the SDK asks IAM)"},
		&cli.StringFlag{Name: "endpoint", Usage: "`URL` of every API instead of the SDKs' endpoints (private clouds, tests); {service} and {region} are replaced (default: " + envSyncEndpoint + ")"},
		&cli.IntFlag{Name: "page-size", Value: fetch.DefaultPageSize, Usage: "items per page, 1 to 100"},
		&cli.IntFlag{Name: "max-retries", Value: fetch.DefaultMaxRetries, Usage: "retries of a throttled or failed (5xx) page, with exponential backoff and jitter; 0: none"},
		&cli.DurationFlag{Name: "call-timeout", Value: fetch.DefaultTimeout, Usage: "time one API call may take"},
	}
}

// readResponses reads fetched responses into an inventory (tests of what is
// done with an inventory may replace it, so as not to depend on the readers).
var readResponses = cloudfacts.Inventory

// syncSleep is how sync waits before a retry; nil is a timer (tests do not wait).
var syncSleep func(ctx context.Context, d time.Duration) error

// syncer is a sync as the flags describe it.
type syncer struct {
	targets []fetch.Target
	opts    fetch.Options
}

// newSyncer reads the sync flags (and the environment, through getenv).
func newSyncer(c *cli.Context, getenv func(string) string) (*syncer, error) {
	provider := c.String("provider")
	if provider == "" {
		hw, ali := getenv("HUAWEICLOUD_SDK_AK") != "", getenv("ALIBABA_CLOUD_ACCESS_KEY_ID") != ""
		switch {
		case hw && !ali:
			provider = fetch.Huawei
		case ali && !hw:
			provider = fetch.Alibaba
		default:
			return nil, usageError("--provider huaweicloud or alibabacloud is needed: the environment has credentials for both or neither")
		}
	}
	regions := c.StringSlice("region")
	switch provider {
	case fetch.Huawei:
		if len(regions) == 0 && getenv(envHuaweiRegion) != "" {
			regions = []string{getenv(envHuaweiRegion)}
		}
	case fetch.Alibaba:
		if len(regions) == 0 && getenv(envAlibabaRegion) != "" {
			regions = []string{getenv(envAlibabaRegion)}
		}
		if len(c.StringSlice("project")) > 0 {
			return nil, usageError("--project is for Huawei projects; Alibaba has none")
		}
	default:
		return nil, usageError(fmt.Sprintf("--provider %q: want huaweicloud or alibabacloud", provider))
	}
	if len(regions) == 0 {
		return nil, usageError("--region is needed (or " + map[string]string{fetch.Huawei: envHuaweiRegion, fetch.Alibaba: envAlibabaRegion}[provider] + ")")
	}
	seen := map[string]bool{}
	for _, r := range regions {
		if r == "" || strings.ContainsAny(r, " /=") {
			return nil, usageError(fmt.Sprintf("--region %q is not a region", r))
		}
		if seen[r] {
			return nil, usageError(fmt.Sprintf("--region %s given twice", r))
		}
		seen[r] = true
	}
	projects := map[string]string{}
	for _, p := range c.StringSlice("project") {
		region, id, ok := strings.Cut(p, "=")
		if !ok && len(regions) == 1 {
			region, id, ok = regions[0], p, true
		}
		if !ok || id == "" {
			return nil, usageError(fmt.Sprintf("--project %q: want REGION=PROJECT_ID", p))
		}
		if !seen[region] {
			return nil, usageError(fmt.Sprintf("--project %s: %s is not a --region of this sync", p, region))
		}
		projects[region] = id
	}
	if len(regions) == 1 && projects[regions[0]] == "" {
		projects[regions[0]] = getenv(envHuaweiProject)
	}
	endpoint := c.String("endpoint")
	if endpoint == "" {
		endpoint = getenv(envSyncEndpoint)
	}
	s := &syncer{opts: fetch.Options{
		Endpoint:   endpoint,
		PageSize:   c.Int("page-size"),
		MaxRetries: c.Int("max-retries"),
		Timeout:    c.Duration("call-timeout"),
		Sleep:      syncSleep,
	}}
	switch {
	case s.opts.PageSize < 1 || s.opts.PageSize > 100:
		return nil, usageError(fmt.Sprintf("--page-size %d: want 1 to 100", s.opts.PageSize))
	case s.opts.MaxRetries < 0:
		return nil, usageError("--max-retries must not be negative")
	case s.opts.Timeout <= 0:
		return nil, usageError("--call-timeout must be positive")
	}
	if s.opts.MaxRetries == 0 {
		s.opts.MaxRetries = -1 // none (fetch reads 0 as its default)
	}
	for _, r := range regions {
		t := fetch.Target{Provider: provider, Region: r}
		if provider == fetch.Huawei {
			t.Project = projects[r]
		}
		s.targets = append(s.targets, t)
	}
	return s, nil
}

// syncResult is one sync: the inventory, or why there is none.
type syncResult struct {
	inv   map[string]any
	pages int
	// fetchErr: a cloud could not be read; err: the responses make no valid
	// inventory (an *evaluator.Error) or something else went wrong.
	fetchErr, err error
}

// run fetches every page and reads them into an inventory; progress, when
// set, is told of every page.
func (s *syncer) run(ctx context.Context, progress func(fetch.Progress)) syncResult {
	opts := s.opts
	opts.Progress = progress
	responses, err := fetch.Fetch(ctx, s.targets, opts)
	if err != nil {
		return syncResult{pages: len(responses), fetchErr: err}
	}
	inv, err := readResponses(responses)
	if err != nil {
		return syncResult{pages: len(responses), err: err}
	}
	if inv == nil {
		inv = map[string]any{"resources": map[string]any{}}
	}
	return syncResult{inv: inv, pages: len(responses)}
}

// sidecarSync is a sync for serve --sync: the inventory, or an error that
// names what could not be read.
func (s *syncer) sidecarSync(ctx context.Context) (map[string]any, error) {
	res := s.run(ctx, nil)
	if res.fetchErr != nil {
		return nil, res.fetchErr
	}
	return res.inv, res.err
}

// flagNames are the names of flags (not their aliases).
func flagNames(flags []cli.Flag) []string {
	var out []string
	for _, f := range flags {
		out = append(out, f.Names()[0])
	}
	return out
}

func runInventorySync(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError(fmt.Sprintf("inventory sync takes no arguments, got %q", c.Args().Slice()))
	}
	s, err := newSyncer(c, os.Getenv)
	if err != nil {
		return err
	}
	out := c.String("output")
	if out != "" {
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			return usageError(fmt.Sprintf("-o %s is a directory", out))
		}
	}
	ctx, stop := stopOnSignal(c.Context)
	defer stop()

	start := time.Now()
	p := newProgress(c.App.ErrWriter, c.Bool("quiet") || os.Getenv("CI") != "" || !isTerminal(c.App.ErrWriter))
	res := s.run(ctx, p.report)
	p.clear()
	switch {
	case res.fetchErr != nil && setupOnly(res.fetchErr):
		// No call was made: credentials or a region the SDK does not know.
		return usageError("inventory sync: " + strings.ReplaceAll(res.fetchErr.Error(), "\n", "\n  "))
	case res.fetchErr != nil:
		return cli.Exit(fmt.Sprintf("inventory sync: a cloud could not be read; nothing written:\n  %s",
			strings.ReplaceAll(res.fetchErr.Error(), "\n", "\n  ")), exitUnavailable)
	case res.err != nil:
		return cli.Exit("inventory sync: "+res.err.Error(), codeFor(res.err))
	}
	// A fact dated by when a sync first saw it (an overdue payment) keeps
	// the date the inventory it replaces gave it.
	if out != "" {
		if prev, err := cloudfacts.ReadInventory([]string{out}, ""); err == nil {
			res.inv = cloudfacts.KeepFirstSeen(prev, res.inv)
		}
	}
	// The inventory is checked as any other before it is written.
	if _, err := evaluator.New(ctx, evaluator.Options{Inventory: res.inv}); err != nil {
		return cli.Exit("inventory sync: "+err.Error(), codeFor(err))
	}
	b, err := json.MarshalIndent(res.inv, "", "  ")
	if err != nil {
		return cli.Exit("inventory sync: "+err.Error(), exitInternal)
	}
	b = append(b, '\n')
	if out == "" {
		if _, err := c.App.Writer.Write(b); err != nil {
			return cli.Exit("inventory sync: "+err.Error(), exitInternal)
		}
	} else if err := writeFileAtomically(out, b); err != nil {
		return cli.Exit("inventory sync: "+err.Error(), exitInternal)
	}
	p.summary(res, time.Since(start), out)
	return nil
}

// setupOnly reports whether every error of a fetch is one of setting up its
// clients (a *fetch.Error with no page), none a cloud's answer.
func setupOnly(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !setupOnly(e) {
				return false
			}
		}
		return true
	}
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Page == 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// countResources is the resources of an inventory per kind.
func countResources(inv map[string]any) (total int, byKind map[string]int) {
	byKind = map[string]int{}
	res, _ := inv["resources"].(map[string]any)
	for kind, ids := range res {
		if m, ok := ids.(map[string]any); ok {
			byKind[kind] = len(m)
			total += len(m)
		}
	}
	return total, byKind
}

// progress shows a sync as it goes, on a terminal: one line per list as it
// completes, the list being fetched on a line rewritten in place.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	live  bool // a line being rewritten is showing
}

func newProgress(w io.Writer, quiet bool) *progress { return &progress{w: w, quiet: quiet} }

func (p *progress) report(ev fetch.Progress) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	where := fmt.Sprintf("%s %s %s", ev.Target.Provider, ev.Target.Region, ev.API)
	switch {
	case ev.Retry > 0:
		p.line(fmt.Sprintf("%s page %d: %s; retry %d in %s", where, ev.Page, short(ev.Err), ev.Retry, ev.Wait.Round(time.Millisecond)))
	case ev.Done && ev.Err != nil:
		p.done(fmt.Sprintf("%s: %d fetched, failed at page %d", where, ev.Total, ev.Page))
	case ev.Done:
		p.done(fmt.Sprintf("%s: %d in %d %s", where, ev.Total, ev.Page, plural(ev.Page, "page", "pages")))
	default:
		p.line(fmt.Sprintf("%s: %d so far (page %d)", where, ev.Total, ev.Page))
	}
}

// line rewrites the live line.
func (p *progress) line(s string) {
	fmt.Fprintf(p.w, "\r\x1b[K%s", printable(s))
	p.live = true
}

// done replaces the live line with a finished one.
func (p *progress) done(s string) {
	fmt.Fprintf(p.w, "\r\x1b[K%s\n", printable(s))
	p.live = false
}

func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.quiet && p.live {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.live = false
	}
}

func (p *progress) summary(res syncResult, took time.Duration, out string) {
	if p.quiet {
		return
	}
	total, byKind := countResources(res.inv)
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", byKind[k], k))
	}
	dest := "standard output"
	if out != "" {
		dest = out
	}
	detail := ""
	if len(parts) > 0 {
		detail = " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(p.w, "%d %s%s from %d %s in %s, written to %s\n", total, plural(total, "resource", "resources"), detail,
		res.pages, plural(res.pages, "page", "pages"), took.Round(time.Millisecond), printable(dest))
}

// short is an error's first line.
func short(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}
