package main

import "github.com/urfave/cli/v2"

// inventoryCommand groups what makes an inventory from the clouds.
func inventoryCommand() *cli.Command {
	return &cli.Command{
		Name:        "inventory",
		Usage:       "make an inventory from the clouds' own describe and list responses",
		Subcommands: []*cli.Command{inventoryImportCommand()},
	}
}
