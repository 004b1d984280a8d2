package main

import (
	_ "embed"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// The bash and zsh scripts are urfave/cli's own (v2 autocomplete/, MIT): they
// ask imgadmit itself for the words, running the command line so far with
// --generate-bash-completion appended. The program name is filled in, so
// the script works sourced from anywhere (urfave/cli's take it from $PROG).
var (
	//go:embed completion/bash
	bashCompletion string
	//go:embed completion/zsh
	zshCompletion string
)

// completionShells are the shells `imgadmit completion` writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "bash:  source <(imgadmit completion bash)   (or save it in /etc/bash_completion.d/imgadmit)\n" +
			"zsh:   imgadmit completion zsh > \"${fpath[1]}/_imgadmit\"   (then compinit)\n" +
			"fish:  imgadmit completion fish > ~/.config/fish/completions/imgadmit.fish",
		BashComplete: func(c *cli.Context) {
			if c.NArg() == 0 {
				for _, s := range completionShells {
					fmt.Fprintln(c.App.Writer, s)
				}
			}
		},
		Action: runCompletion,
	}
}

func runCompletion(c *cli.Context) error {
	want := "want bash, zsh or fish (see 'imgadmit completion --help')"
	if c.NArg() != 1 {
		return usageError("completion: " + want)
	}
	var script string
	switch shell := c.Args().First(); shell {
	case "bash":
		script = strings.Replace(bashCompletion, ": ${PROG:=$(basename ${BASH_SOURCE})}", "PROG="+c.App.Name, 1)
	case "zsh":
		script = strings.ReplaceAll(zshCompletion, "$PROG", c.App.Name)
	case "fish":
		s, err := c.App.ToFishCompletion()
		if err != nil {
			return cli.Exit(fmt.Sprintf("completion: %v", err), exitInternal)
		}
		script = s + fishValueCompletions(c.App)
	default:
		return usageError(fmt.Sprintf("completion: unknown shell %q: %s", printable(shell), want))
	}
	_, err := fmt.Fprint(c.App.Writer, script)
	return err
}

// flagValues are the values a flag takes, for the commands whose flags take
// one of a few: --format of eval, rules, waivers and calls; eval's --explain (which
// may also stand alone).
var flagValues = map[string]map[string][]string{
	"eval":    {"format": formats, "explain": {explainReasons, explainFull}},
	"rules":   {"format": {"text", "json", "markdown"}},
	"waivers": {"format": {"text", "json"}},
	"calls":   {"format": {"text", "json", "markdown"}},
}

// completeValues answers the completion protocol for cmd: after a flag of
// flagValues, its values; otherwise urfave/cli's own answer (flags, or
// subcommands). The word before --generate-bash-completion is read from
// os.Args, as urfave/cli's DefaultCompleteWithFlags reads it.
func completeValues(cmd *cli.Command) cli.BashCompleteFunc {
	byFlag := flagValues[cmd.Name]
	fallback := cli.DefaultCompleteWithFlags(cmd)
	return func(c *cli.Context) {
		if len(os.Args) > 2 {
			last := os.Args[len(os.Args)-2]
			for _, f := range cmd.Flags {
				values, ok := byFlag[f.Names()[0]]
				if !ok {
					continue
				}
				for _, name := range f.Names() {
					if (len(name) > 1 && last == "--"+name) || (len(name) == 1 && last == "-"+name) {
						for _, v := range values {
							fmt.Fprintln(c.App.Writer, v)
						}
						return
					}
				}
			}
		}
		fallback(c)
	}
}

// fishValueCompletions adds what ToFishCompletion does not say: the values of
// the flags of flagValues, and the shells of completion.
func fishValueCompletions(app *cli.App) string {
	var b strings.Builder
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			values, ok := flagValues[cmd.Name][f.Names()[0]]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "complete -c %s -n '__fish_seen_subcommand_from %s'", app.Name, strings.Join(cmd.Names(), " "))
			for _, name := range f.Names() {
				if len(name) == 1 {
					fmt.Fprintf(&b, " -s %s", name)
				} else {
					fmt.Fprintf(&b, " -l %s", name)
				}
			}
			fmt.Fprintf(&b, " -x -a '%s'\n", strings.Join(values, " "))
		}
	}
	fmt.Fprintf(&b, "complete -c %s -n '__fish_seen_subcommand_from completion' -f -a '%s'\n", app.Name, strings.Join(completionShells, " "))
	return b.String()
}

// completionArgs is args as urfave/cli is to read them. urfave/cli answers no
// completion request with a "--" in it ("--" ends the flags), but "--" just
// before --generate-bash-completion is the word being completed (bash and zsh
// send `imgadmit eval -- --generate-bash-completion` for `imgadmit eval --<TAB>`):
// it is left out, and urfave/cli, which reads the word from os.Args, offers the
// long flags.
func completionArgs(args []string) []string {
	n := len(args)
	if n >= 3 && args[n-1] == "--generate-bash-completion" && args[n-2] == "--" {
		return append(args[:n-2:n-2], args[n-1])
	}
	return args
}
