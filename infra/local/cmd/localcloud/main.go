// Command localcloud runs Consentflow on this machine (`make dev`): the real
// function binaries and ASL files on local stand-ins for AWS. It prints where
// everything is, reads time commands from standard input, and stops
// everything it started on Ctrl-C.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/local/idp"
	"github.com/consentflow/consentflow/infra/topology"
)

type settingFlags map[string]string

func (s settingFlags) String() string { return fmt.Sprint(map[string]string(s)) }
func (s settingFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want name=value, got %q", v)
	}
	if _, known := topology.App.Setting(k); !known {
		return fmt.Errorf("unknown setting %q", k)
	}
	s[k] = val
	return nil
}

func main() {
	started := time.Now()
	settings := settingFlags{}
	addr := flag.String("addr", "127.0.0.1:8080", "where the app (HTTP API and candidate pages) listens")
	sesAddr := flag.String("ses-addr", "127.0.0.1:8005", "where the email outbox listens")
	root := flag.String("root", ".", "the repository root")
	bootstraps := flag.String("bootstraps", "bin/local", "folder of host-built function executables")
	tokenLifetime := flag.Duration("token-lifetime", local.DefaultRecruiterTokenLifetime, "how long the printed recruiter token is valid")
	envFile := flag.String("env-file", "", "where to write the AWS_ENDPOINT_URL_<SERVICE> lines (default: local.env beside the bootstraps)")
	verbose := flag.Bool("v", false, "show the local services' own events")
	dataDir := flag.String("data", "", "keep DynamoDB tables and S3 objects in this folder across restarts (default: memory only, lost on exit)")
	flag.Var(settings, "set", "override a deployment setting, name=value (repeatable)")
	flag.Parse()

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cloud, err := local.Start(ctx, topology.App, local.Config{
		Root: *root, Bootstraps: *bootstraps, Addr: *addr, SESAddr: *sesAddr, Settings: settings,
		RecruiterTokenLifetime: *tokenLifetime, Logs: os.Stdout, Logger: logger, DataDir: *dataDir,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
		if hint := addrHint(err, *addr, *sesAddr); hint != "" {
			fmt.Fprintln(os.Stderr, hint)
		}
		os.Exit(1)
	}
	defer func() {
		if err := cloud.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "localcloud:", err)
		}
	}()
	if *envFile == "" {
		*envFile = filepath.Join(*bootstraps, "local.env")
	}
	if err := os.WriteFile(*envFile, []byte(strings.Join(cloud.Env(), "\n")+"\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
	}

	fmt.Printf(`
Consentflow local cloud is ready (%s).

  App (API and candidate pages)  %s
  Recruiter console              %s/console
  Sign-in provider (OIDC)        %s
  Email outbox                   %s
  Recruiter token                %s

  The recruiter token is a JWT from the local sign-in provider for %s,
  valid for %s; the console signs you in on its own page.

  Start here: %s/ links the outbox and the README's walk-through.
  %s

  Try:  TOKEN='%s'
        curl -s -X POST %s/api/candidates -H "Authorization: Bearer $TOKEN" \
          -H 'Content-Type: application/json' -d '{"name":"Ada Lovelace","email":"ada@example.com","locale":"en"}'

Point the AWS CLI or any SDK at the local services (export these lines, or
"set -a; . %s"):
%s
Time: type "advance 14d" (or 36h, 90m) to move workflow time forward (schedules due
run then), "next" to jump to the next waiting timer, "time" to see it. Ctrl-C stops everything.

`, time.Since(started).Round(time.Millisecond), cloud.AppURL, cloud.AppURL, cloud.SignInURL, cloud.OutboxURL, cloud.RecruiterToken,
		idp.Recruiters[0].Email, *tokenLifetime, cloud.AppURL, dataLine(*dataDir),
		cloud.RecruiterToken, cloud.AppURL, *envFile, endpointLines(cloud.Env()))

	go commands(cloud)
	<-ctx.Done()
	fmt.Println("\nStopping the local cloud…")
}

func dataLine(dir string) string {
	if dir == "" {
		return "Data lives in memory only: stopping the local cloud loses it (keep it with -data DIR)."
	}
	return "Data: DynamoDB tables and S3 objects are kept in " + dir + " (saved on Ctrl-C); running\n  workflows are not, so a request pending at exit cannot be answered after a restart."
}

// addrHint tells how to choose another port when one is taken.
func addrHint(err error, addr, sesAddr string) string {
	var inUse *local.AddrInUseError
	if !errors.As(err, &inUse) {
		return ""
	}
	flag, other, otherFlag := "-addr", sesAddr, "-ses-addr"
	if inUse.Addr == sesAddr && inUse.Addr != addr {
		flag, other, otherFlag = "-ses-addr", addr, "-addr"
	}
	return fmt.Sprintf(`Choose another port with %s, e.g.:
  make dev DEV_FLAGS='%s %s %s %s'
(-addr is the app, -ses-addr the email outbox; "ss -ltnp 'sport = :%s'" shows who holds it.)`,
		flag, flag, nextPort(inUse.Addr), otherFlag, other, portOf(inUse.Addr))
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// nextPort is addr with its port plus one, a likely free choice.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(port)
	if err != nil || err2 != nil {
		return addr
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

func endpointLines(env []string) string {
	var b strings.Builder
	for _, e := range env {
		b.WriteString("  " + e + "\n")
	}
	return b.String()
}

// commands reads time commands from standard input.
func commands(cloud *local.Cloud) {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "advance", "+":
			if len(fields) != 2 {
				fmt.Println("usage: advance 14d | 36h | 90m")
				continue
			}
			d, err := parseDuration(fields[1])
			if err != nil {
				fmt.Println(err)
				continue
			}
			fmt.Println("workflow time is now", cloud.Clock.Advance(d).Format(time.RFC3339))
		case "next":
			if cloud.Clock.AdvanceToNext() {
				fmt.Println("workflow time is now", cloud.Clock.Now().Format(time.RFC3339))
			} else {
				fmt.Println("no workflow is waiting on a timer")
			}
		case "time":
			fmt.Printf("workflow time %s (ahead by %s), %d timers waiting\n",
				cloud.Clock.Now().Format(time.RFC3339), cloud.Clock.Offset().Round(time.Second), cloud.Clock.Pending())
		default:
			fmt.Println(`commands: advance <duration>, next, time`)
		}
	}
}

// parseDuration accepts Go durations and whole days ("14d").
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d, nil
}
