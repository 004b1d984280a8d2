package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/tfplan"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:      "eval",
		Usage:     "evaluate request files and print their decisions",
		ArgsUsage: "FILE|DIR|- ...",
		Description: "A directory means every .json, .yaml and .yml file below it. '-' reads one request from standard input.\n" +
			"Exit codes: 0 every request allowed; 1 some request denied (or warned, with --fail-on warn);\n" +
			"2 some request invalid, or a usage error; 3 an internal error.",
		Flags: append(append(evaluatorFlags(), inputFlags()...),
			&cli.StringFlag{Name: "region", Aliases: []string{"data-region"}, Usage: "the `REGION` of inputs that do not say theirs: cloud responses given as --data (Huawei's), Terraform plans whose resources and provider configuration do not"},
			&cli.StringFlag{Name: "project-id", Usage: "the `PROJECT` (Huawei) or account (Alibaba) a Terraform plan's changes are made as: a plan carries no identity"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list on standard error the plan changes left alone (ungoverned types, no-op, updates no operation judges)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output: text, json, junit, sarif (GitHub code scanning), github (workflow annotations), tap or table"},
			&cli.StringFlag{Name: "fail-on", Value: "deny", Usage: "exit 1 on: deny, or warn (a warning or a deny)"},
			&cli.StringFlag{Name: "now", Usage: "the time time-based rules see, RFC 3339 between 1678 and 2262 (replay and tests); default: now"},
			&cli.GenericFlag{Name: "explain", Value: &explainFlag{}, Usage: "under each reason, the rule that gave it and the facts it read (inventory or request); --explain full adds OPA's trace (text and json only)"},
		),
		Action: runEval,
	}
}

// evaluatorFlags are the flags of every command that builds an evaluator.
func evaluatorFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "data", Aliases: []string{"d"}, Usage: "inventory `FILE` (JSON or YAML), or a cloud's describe or list response; repeatable, merged in order"},
		&cli.StringFlag{Name: "policies", Usage: "rulebook `DIR` to use instead of the embedded one"},
		&cli.BoolFlag{Name: "lenient", Usage: "a missing fact warns instead of denying"},
		&cli.BoolFlag{Name: "trust-request-facts", Value: true, Usage: "use facts the request carries (the inventory always wins); false ignores them"},
	}
}

// DefaultMaxInput bounds one input file (or standard input).
const DefaultMaxInput = 16 << 20

// inputFlags are the flags of every command that reads request files.
func inputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.Int64Flag{Name: "max-input", Value: DefaultMaxInput, Usage: "largest input in `BYTES`; a larger one is that input's error"},
	}
}

// maxInput reads --max-input.
func maxInput(c *cli.Context) (int64, error) {
	n := c.Int64("max-input")
	if n <= 0 {
		return 0, usageError(fmt.Sprintf("--max-input %d: want a positive number of bytes", n))
	}
	return n, nil
}

// newEvaluator builds the evaluator from the common flags. Its errors carry
// their exit code: a bad inventory or rulebook is the caller's input (2).
func newEvaluator(c *cli.Context) (*evaluator.Evaluator, error) {
	opts := evaluator.Options{Lenient: c.Bool("lenient"), Translator: calls.Translator}
	if c.IsSet("trust-request-facts") {
		t := c.Bool("trust-request-facts")
		opts.TrustRequestFacts = &t
	}
	if dir := c.String("policies"); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usageError(fmt.Sprintf("--policies %s: not a directory", dir))
		}
		opts.Policies = os.DirFS(dir)
	}
	if files := c.StringSlice("data"); len(files) > 0 {
		// As serve reads them: one JSON inventory streamed, a fleet's
		// included.
		inv, err := cloudfacts.ReadInventoryFacts(files, c.String("region"))
		if err != nil {
			return nil, cli.Exit(err.Error(), codeFor(err))
		}
		opts.Facts = inv
	}
	e, err := evaluator.New(c.Context, opts)
	if err != nil {
		return nil, cli.Exit(inDataFiles(err, c.StringSlice("data")).Error(), codeFor(err))
	}
	return e, nil
}

// inDataFiles names the --data files in an invalid_inventory error that
// names none: the evaluator holds the settings (waivers, enforcement) to the
// rulebook after the files are read and merged, so its pointers are into
// their merge.
func inDataFiles(err error, files []string) error {
	var ee *evaluator.Error
	if len(files) == 0 || !errors.As(err, &ee) || ee.Code != evaluator.CodeInvalidInventory || ee.File != "" {
		return err
	}
	named := *ee
	named.File = strings.Join(files, ", ")
	return &named
}

// codeFor maps an evaluator error to an exit code.
func codeFor(err error) int {
	switch evaluator.CodeOf(err) {
	case evaluator.CodeInvalidRequest, evaluator.CodeInvalidInventory, evaluator.CodeInvalidRulebook:
		return exitInvalid
	}
	return exitInternal
}

// result is one outcome: a request file's (or call's) decision or error, or
// for a Terraform plan one resource change's (Address, Action).
type result struct {
	File string `json:"file"`
	// Address and Action name a plan's resource change: its resource
	// address and create, delete or update (a replace gives a delete result
	// and a create result). Empty for a request or a call.
	Address  string              `json:"address,omitempty"`
	Action   string              `json:"action,omitempty"`
	Decision *evaluator.Decision `json:"decision,omitempty"`
	Error    *evaluator.Error    `json:"error,omitempty"`
	// Explanation is set with --explain.
	Explanation *explanation `json:"explanation,omitempty"`
}

func runEval(c *cli.Context) error {
	format := c.String("format")
	if !slices.Contains(formats, format) {
		return usageError(fmt.Sprintf("--format %q: want %s or %s", format, strings.Join(formats[:len(formats)-1], ", "), formats[len(formats)-1]))
	}
	failOn := c.String("fail-on")
	if failOn != "deny" && failOn != "warn" {
		return usageError(fmt.Sprintf("--fail-on %q: want deny or warn", failOn))
	}
	now, err := nowFlag(c)
	if err != nil {
		return err
	}
	limit, err := maxInput(c)
	if err != nil {
		return err
	}
	explainMode, args := explainOff, c.Args().Slice()
	if f, ok := c.Generic("explain").(*explainFlag); ok {
		explainMode = f.mode
	}
	if explainMode != explainOff && format != "text" && format != "json" {
		return usageError(fmt.Sprintf("--explain is shown by --format text and json, not %s", format))
	}
	if len(args) == 0 {
		return usageError("eval needs at least one FILE, DIR or - (see 'imgadmit eval --help')")
	}
	inputs, err := collectInputs(args)
	if err != nil {
		return err
	}
	e, err := newEvaluator(c)
	if err != nil {
		return err
	}
	if _, tune := gcPercent(os.Getenv); tune && len(inputs) >= batchInputs {
		// A batch allocates some 40 kB per request and keeps little of it:
		// collect less often still than a server would (main.go); the
		// process is short.
		debug.SetGCPercent(batchGCPercent)
	}
	ev := evaluation{e: e, read: inputReader{stdin: c.App.Reader, max: limit}, opts: evaluator.DecideOptions{Now: now, Explain: explainMode != explainOff},
		planOpts: tfplan.Options{Region: c.String("region"), ProjectID: c.String("project-id")}}
	if c.Bool("verbose") {
		ev.leftAlone = c.App.ErrWriter
	}
	results := ev.all(c.Context, inputs)
	explain(results, explainMode)
	if err := writeResults(c.App.Writer, format, results, e.Rules(), colorEnabled(c.App.Writer)); err != nil {
		return cli.Exit(fmt.Sprintf("write output: %v", err), exitInternal)
	}
	return exitForResults(results, failOn)
}

// nowFlag reads --now: the time time-based rules see; zero (the clock's
// time) when not given.
func nowFlag(c *cli.Context) (time.Time, error) {
	s := c.String("now")
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError(fmt.Sprintf("--now %q: want an RFC 3339 time such as 2026-11-24T00:00:00Z", s))
	}
	if !evaluator.InRuleTimeRange(t) {
		return time.Time{}, usageError(fmt.Sprintf("--now %q: the rulebook compares times between 1678 and 2262", s))
	}
	return t, nil
}

// exitForResults picks the exit code: the worst outcome wins, internal over
// invalid over denied.
func exitForResults(results []result, failOn string) error {
	code := exitAllowed
	for _, r := range results {
		switch {
		case r.Error != nil && r.Error.Code == evaluator.CodeInternal:
			code = max(code, exitInternal)
		case r.Error != nil:
			code = max(code, exitInvalid)
		case !r.Decision.Allowed, failOn == "warn" && r.Decision.Warned():
			code = max(code, exitDenied)
		}
	}
	if code == exitAllowed {
		return nil
	}
	return cli.Exit("", code)
}

// batchInputs is how many inputs make a batch, for the garbage collector,
// and batchGCPercent the GC target of a batch (unless GOGC or GOMEMLIMIT is set).
const (
	batchInputs    = 64
	batchGCPercent = 400
)

// input is one request to read: a file path, or "-" for standard input.
type input struct {
	name string
	// missing is set for a named path that does not exist or is an empty
	// directory: reported as that file's error, so the rest still run.
	missing string
}

// collectInputs expands directories (recursively, .json/.yaml/.yml, sorted)
// and keeps the order of the arguments.
func collectInputs(args []string) ([]input, error) {
	var out []input
	stdin := 0
	for _, a := range args {
		if a == "-" {
			stdin++
			if stdin > 1 {
				return nil, usageError("'-' (standard input) can be given once")
			}
			out = append(out, input{name: "-"})
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			out = append(out, input{name: a, missing: fmt.Sprintf("cannot read %s: %v", a, unwrapPathError(err))})
			continue
		}
		if !st.IsDir() {
			out = append(out, input{name: a})
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isRequestFile(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			out = append(out, input{name: a, missing: fmt.Sprintf("cannot read directory %s: %v", a, unwrapPathError(err))})
			continue
		}
		if len(found) == 0 {
			out = append(out, input{name: a, missing: fmt.Sprintf("directory %s holds no request files (.json, .yaml, .yml)", a)})
			continue
		}
		sort.Strings(found)
		for _, f := range found {
			out = append(out, input{name: f})
		}
	}
	return out, nil
}

func isRequestFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// evaluation is what every input of one eval is decided with.
type evaluation struct {
	e    *evaluator.Evaluator
	read inputReader
	opts evaluator.DecideOptions
	// plan says what a Terraform plan does not: its region and project.
	planOpts tfplan.Options
	// leftAlone, when set (--verbose), lists a plan's changes that nothing
	// judges.
	leftAlone io.Writer
	mu        sync.Mutex // serializes leftAlone
}

// all decides every input on all cores, keeping the input order. One bad
// file is that file's error; it never stops the others. An input gives one
// result, or one per resource change for a Terraform plan.
func (ev *evaluation) all(ctx context.Context, inputs []input) []result {
	perInput := make([][]result, len(inputs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(inputs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				perInput[i] = ev.one(ctx, inputs[i])
			}
		}()
	}
	for i := range inputs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	results := make([]result, 0, len(inputs))
	for _, rs := range perInput {
		results = append(results, rs...)
	}
	return results
}

func (ev *evaluation) one(ctx context.Context, in input) []result {
	r := result{File: in.name}
	raw, err := ev.read.read(in)
	if err != nil {
		r.Error = &evaluator.Error{Code: evaluator.CodeInvalidRequest, Message: err.Error(), File: in.name}
		return []result{r}
	}
	if tfplan.LooksLikePlan(raw) {
		return ev.plan(ctx, in, raw)
	}
	d, err := ev.e.Decide(ctx, raw, formatOf(in), ev.opts)
	if err != nil {
		r.Error = asError(err, in.name)
		return []result{r}
	}
	r.Decision = d
	return []result{r}
}

// plan decides a Terraform plan: one result per resource change of a
// governed type (a replace gives a delete result and a create result); the
// changes nothing judges are listed with --verbose. A plan that cannot be
// read is the file's one error.
func (ev *evaluation) plan(ctx context.Context, in input, raw []byte) []result {
	changes, err := tfplan.TranslateJSON(raw, ev.planOpts)
	if err != nil {
		return []result{{File: in.name, Error: asError(err, in.name)}}
	}
	var out []result
	for _, c := range changes {
		if c.Translation == nil && c.Err == nil {
			ev.skipped(in.name, c)
			continue
		}
		r := result{File: in.name, Address: c.Address, Action: c.Action}
		req, err := c.Request(ev.e)
		if err == nil {
			r.Decision, err = ev.e.DecideRequest(ctx, req, ev.opts)
		}
		if err != nil {
			r.Decision, r.Error = nil, asError(err, in.name)
		}
		out = append(out, r)
	}
	if len(out) == 0 && ev.leftAlone != nil {
		// A plan with nothing to judge: allowed, and said so.
		ev.mu.Lock()
		fmt.Fprintf(ev.leftAlone, "%s: no change to judge\n", printable(in.name))
		ev.mu.Unlock()
	}
	return out
}

// skipped lists a change nothing judges (--verbose).
func (ev *evaluation) skipped(file string, c tfplan.Change) {
	if ev.leftAlone == nil {
		return
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	fmt.Fprintf(ev.leftAlone, "%s: %s (%s): left alone: %s\n", printable(file), printable(c.Address), printable(c.Action), printable(c.Skipped))
}

// asError is err as the evaluator's error of the named file.
func asError(err error, file string) *evaluator.Error {
	var ee *evaluator.Error
	if !errors.As(err, &ee) {
		ee = &evaluator.Error{Code: evaluator.CodeInternal, Message: err.Error()}
	}
	ee.File = file
	return ee
}

// inputReader reads inputs: standard input for "-", else regular files only,
// at most max bytes each.
type inputReader struct {
	stdin io.Reader
	max   int64
}

// read reads one input. A FIFO, a device (/dev/zero), a socket or anything
// else that is not a regular file is that input's error, found without
// blocking: the file is opened non-blocking (a FIFO with no writer would
// otherwise hang the open) and judged by what was opened, not by a name
// that could change in between.
func (ir inputReader) read(in input) ([]byte, error) {
	if in.missing != "" {
		return nil, errors.New(in.missing)
	}
	src := ir.stdin
	if in.name != "-" {
		f, err := os.OpenFile(in.name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot read: %v", unwrapPathError(err))
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("cannot read: %v", unwrapPathError(err))
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("cannot read: not a regular file (%s)", fileKind(st.Mode()))
		}
		if st.Size() > ir.max {
			return nil, fmt.Errorf("cannot read: %d bytes, larger than --max-input %d", st.Size(), ir.max)
		}
		src = f
	}
	raw, err := io.ReadAll(io.LimitReader(src, ir.max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %v", unwrapPathError(err))
	}
	if int64(len(raw)) > ir.max {
		return nil, fmt.Errorf("cannot read: larger than --max-input %d bytes", ir.max)
	}
	return raw, nil
}

// fileKind names what a path is when it is not a regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return m.Type().String()
}

func readInput(c *cli.Context, in input) ([]byte, error) {
	limit, err := maxInput(c)
	if err != nil {
		return nil, err
	}
	return inputReader{stdin: c.App.Reader, max: limit}.read(in)
}

// formatOf is the input's format: by extension, sniffed for standard input.
func formatOf(in input) evaluator.Format {
	if in.name == "-" {
		return evaluator.FormatAuto
	}
	return evaluator.FormatForName(in.name)
}
