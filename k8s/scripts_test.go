package k8s

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The pods run the scripts as written: Kubernetes' $(NAME) expansion
// leaves them alone only without "$(" and "$$".
func TestScriptsSurviveExpansion(t *testing.T) {
	for _, s := range []string{shardScript, analyzeScript} {
		if strings.Contains(s, "$(") || strings.Contains(s, "$$") || expand(s, map[string]string{indexEnv: "1"}) != s {
			t.Fatalf("script changes under Kubernetes' expansion:\n%s", s)
		}
	}
}

// fakeBrink puts a `brink` on PATH that appends its args to a log and
// then runs body (sh), and returns the environment and the log's path.
func fakeBrink(t *testing.T, body string) ([]string, string) {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, "brink"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH")), log
}

// sh runs script as the pod would: /bin/sh -c script brink args...
func sh(t *testing.T, env []string, script string, args ...string) (*exec.Cmd, func() int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "brink"}, args...)...)
	cmd.Env = env
	// Its own process group, so a timeout ends brink too and a stray brink
	// cannot hold the output open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, func() int {
		defer cancel()
		err := cmd.Wait()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever the script left running
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		t.Logf("output: %s", out.String())
		return cmd.ProcessState.ExitCode()
	}
}

func calls(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// A shard's pod succeeds when brink run ends normally or by a stop rule
// (3), and fails with brink's code otherwise; brink gets the args as given.
func TestShardScriptExitCodes(t *testing.T) {
	for _, c := range []struct{ brink, pod int }{{0, 0}, {3, 0}, {1, 1}, {2, 2}, {4, 4}} {
		env, log := fakeBrink(t, "exit "+strconv.Itoa(c.brink))
		_, wait := sh(t, env, shardScript, "run", "--shard", "1/3", "--target", "https://x.example/a b")
		if got := wait(); got != c.pod {
			t.Fatalf("brink exits %d: pod exits %d, want %d", c.brink, got, c.pod)
		}
		if got := calls(t, log); len(got) != 1 || got[0] != "run --shard 1/3 --target https://x.example/a b" {
			t.Fatalf("brink called with %q", got)
		}
	}
}

// SIGTERM to the pod's shell (pod deleted, node drained) reaches brink,
// and the pod exits with brink's code once brink has stopped; a stop that
// ends in exit 3 still counts as success.
func TestShardScriptForwardsSIGTERM(t *testing.T) {
	for _, c := range []struct{ brink, pod int }{{7, 7}, {3, 0}} {
		dir := t.TempDir()
		ready := filepath.Join(dir, "ready")
		// brink stands in: on SIGTERM it takes a moment to close its
		// segment, then exits.
		env, _ := fakeBrink(t, "trap 'sleep 0.2; exit "+strconv.Itoa(c.brink)+"' TERM\ntouch "+ready+"\nwhile :; do sleep 0.05; done")
		cmd, wait := sh(t, env, shardScript, "run")
		for i := 0; ; i++ {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			if i == 200 {
				t.Fatal("fake brink did not start in 10 s")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if got := wait(); got != c.pod {
			t.Fatalf("brink exits %d on SIGTERM: pod exits %d, want %d", c.brink, got, c.pod)
		}
	}
}

// The analysis waits, then collects, analyses and reports; a failed
// collect does not stop it; a failed wait ends it with waitFailed.
func TestAnalyzeScript(t *testing.T) {
	const run = "s3://b/p/20261126T102000Z-a1b2c3"
	all := []string{
		"wait --run " + run + " --timeout 2h55m",
		"collect --run " + run + " --quiet --spec /etc/brink/collect.yaml",
		"analyze --run " + run,
		"report --run " + run,
	}
	for _, c := range []struct {
		fail  string // the subcommand that exits 1
		code  int
		calls []string
	}{
		{"", 0, all},
		{"collect", 0, all},
		{"wait", waitFailed, all[:1]},
		{"analyze", 1, all[:3]},
		{"report", 1, all},
	} {
		env, log := fakeBrink(t, `[ "$1" = "`+c.fail+`" ] && exit 1; exit 0`)
		_, wait := sh(t, env, analyzeScript, run, "2h55m", "--spec", "/etc/brink/collect.yaml")
		if got := wait(); got != c.code {
			t.Fatalf("%s fails: exit %d, want %d", c.fail, got, c.code)
		}
		if got := calls(t, log); strings.Join(got, "\n") != strings.Join(c.calls, "\n") {
			t.Fatalf("%s fails: brink called with\n%s\nwant\n%s", c.fail, strings.Join(got, "\n"), strings.Join(c.calls, "\n"))
		}
	}
}
