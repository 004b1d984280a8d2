package main

import (
	"encoding/json"
	"fmt"

	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

func inventoryImportCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "write the inventory the clouds' describe and list responses make",
		ArgsUsage: "RESPONSE...",
		Description: "Each RESPONSE is a file (JSON or YAML) holding one response as the cloud sent it: Huawei IMS ListImages or\n" +
			"GlanceShowImage, CBR ListBackups or ShowBackup, ECS ListServersDetails or ShowServer, EVS volumes; Alibaba\n" +
			"DescribeImages, DescribeSnapshots, DescribeInstances, DescribeDisks (docs/facts.md). They are read together,\n" +
			"so one completes another (a server's backups from a backups list). Huawei responses do not say their region:\n" +
			"--region does. The inventory is checked against its schema before it is written.",
		Flags: append(inputFlags(),
			&cli.StringFlag{Name: "region", Usage: "the `REGION` of the responses that do not say theirs (Huawei's)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the inventory to `FILE` (replaced whole, never half written) instead of standard output", TakesFile: true},
		),
		Action: runInventoryImport,
	}
}

func runInventoryImport(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("inventory import needs at least one RESPONSE file (see 'imgadmit inventory import --help')")
	}
	limit, err := maxInput(c)
	if err != nil {
		return err
	}
	read := inputReader{stdin: c.App.Reader, max: limit}
	var responses []facts.Response
	for _, name := range c.Args().Slice() {
		in := input{name: name}
		raw, err := read.read(in)
		if err != nil {
			return cli.Exit(fmt.Sprintf("%s: %v", printable(name), err), exitInvalid)
		}
		doc, err := evaluator.DecodeDocument(raw, formatOf(in), evaluator.CodeInvalidInventory)
		if err != nil {
			return cli.Exit(fmt.Sprintf("%s: %s", printable(name), describeError(err)), exitInvalid)
		}
		obj, _ := doc.(map[string]any)
		if obj == nil || cloudfacts.Recognize(obj) == nil {
			return cli.Exit(fmt.Sprintf("%s: not a response imgadmit reads (docs/facts.md lists them); an imgadmit inventory needs no import", printable(name)), exitInvalid)
		}
		responses = append(responses, facts.Response{Name: name, Doc: obj, Region: c.String("region")})
	}
	inv, err := cloudfacts.Inventory(responses)
	if path := c.String("output"); err == nil && path != "" {
		// A fact dated by when it was first seen (an overdue payment) keeps
		// the date the inventory it replaces gave it.
		if prev, perr := cloudfacts.ReadInventory([]string{path}, ""); perr == nil {
			inv = cloudfacts.KeepFirstSeen(prev, inv)
		}
	}
	if err == nil {
		// The inventory is checked as --data checks it: a file import writes
		// can always be served.
		_, err = evaluator.New(c.Context, evaluator.Options{Inventory: inv})
	}
	if err != nil {
		return cli.Exit(describeError(err), codeFor(err))
	}
	out, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		return cli.Exit(fmt.Sprintf("encode the inventory: %v", err), exitInternal)
	}
	out = append(out, '\n')
	if path := c.String("output"); path != "" {
		if err := writeFileAtomically(path, out); err != nil {
			return cli.Exit(fmt.Sprintf("write %s: %v", printable(path), err), exitInternal)
		}
		return nil
	}
	if _, err := c.App.Writer.Write(out); err != nil {
		return cli.Exit(fmt.Sprintf("write the inventory: %v", err), exitInternal)
	}
	return nil
}

// writeFileAtomically writes b to path through a temporary file in the same
// directory and a rename: a reader (a sidecar watching it) sees the old file
// or the new one, never half of one, and a failed write leaves the old.
func writeFileAtomically(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
