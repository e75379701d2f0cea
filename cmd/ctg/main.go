// Command ctg runs a Convention Territoriale Globale as live data.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ctg-territoires/ctg/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}
