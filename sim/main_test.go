package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"brink"
)

// TestMain doubles as a sim server for the benchmarks that measure the
// sim's own memory: with BRINK_SIM_CHILD set to a scale it serves the sim
// (config from BRINK_SIM_CHILD_CONFIG, YAML) on loopback, prints the address
// and serves until its standard input closes.
func TestMain(m *testing.M) {
	if scale := os.Getenv("BRINK_SIM_CHILD"); scale != "" {
		os.Exit(serveChild(scale, os.Getenv("BRINK_SIM_CHILD_CONFIG")))
	}
	os.Exit(m.Run())
}

func serveChild(scale, config string) int {
	cfg := DefaultConfig()
	if config != "" {
		var err error
		if cfg, err = ParseConfig("child", []byte(config)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	sc, _ := strconv.ParseFloat(scale, 64)
	s, err := New(cfg, sc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Println(ln.Addr().String())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	return 0
}

// child is a sim in another process, so its memory can be measured alone.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	base  string
	clock brink.Clock
}

func startChild(b *testing.B, scale float64, config string) *child {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BRINK_SIM_CHILD="+strconv.FormatFloat(scale, 'g', -1, 64), "BRINK_SIM_CHILD_CONFIG="+config)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	b.Cleanup(c.stop)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("sim child: %v", err)
	}
	c.base = "http://" + strings.TrimSpace(line)
	resp, err := http.Get(c.base + brink.ClockPath)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var ci brink.ClockInfo
	if err := json.NewDecoder(resp.Body).Decode(&ci); err != nil {
		b.Fatal(err)
	}
	c.clock = brink.Clock{Epoch: ci.Epoch, Scale: ci.TimeScale}
	return c
}

func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// peakRSS is the child's peak resident set (VmHWM), bytes.
func (c *child) peakRSS(b *testing.B) int64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	b.Skip("no VmHWM")
	return 0
}
