package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// Exit codes (SPEC "The commands"): one meaning each.
const (
	exitAllowed  = 0
	exitDenied   = 1
	exitInvalid  = 2 // some request invalid, or a usage error
	exitInternal = 3
	// exitUnavailable: a cloud could not be read (inventory sync): refused,
	// unreachable, or throttled past the retries. Nothing was written.
	exitUnavailable = 4
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// run is main without the process: it returns the exit code, so the
// end-to-end tests can drive every command in-process as well as through the
// built binary.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:      "imgadmit",
		Usage:     "admission checks for cloud image, backup and snapshot operations",
		Version:   version,
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		// Shell completion (imgadmit completion): urfave/cli answers a command
		// line ending in --generate-bash-completion with the words that may come next.
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			evalCommand(),
			validateCommand(),
			rulesCommand(),
			waiversCommand(),
			callsCommand(),
			serveCommand(),
			inventoryCommand(),
			completionCommand(),
		},
		// Errors are turned into exit codes below, not by urfave/cli calling os.Exit.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError(err.Error())
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "imgadmit: unknown command %q (try 'imgadmit --help')\n", name)
		},
	}
	for _, cmd := range app.Commands {
		if cmd.BashComplete == nil {
			cmd.BashComplete = completeValues(cmd)
		}
		// A usage error says what is wrong on stderr; the help is one flag away.
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return usageError(fmt.Sprintf("%s: %v (see 'imgadmit %s --help')", cmd.Name, err, cmd.Name))
		}
	}
	err := app.Run(explainArgs(completionArgs(args)))
	if err == nil {
		if len(args) > 1 && app.Command(args[1]) == nil && args[1] != "help" && args[1] != "h" && args[1][0] != '-' {
			return exitInvalid
		}
		return exitAllowed
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "imgadmit:", msg)
		}
		return ec.ExitCode()
	}
	// Anything urfave/cli reports itself (an unknown flag, a bad value) is a usage error.
	fmt.Fprintln(stderr, "imgadmit:", err)
	return exitInvalid
}

func usageError(msg string) error { return cli.Exit(msg, exitInvalid) }
