package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchConfig is a sim with limits out of the way, so every request of the
// memory benchmarks is a real turn through every model part.
const benchConfig = `
lambda: {concurrency_limit: 5000, reserved: false, account_concurrency: 10000}
dynamodb: {mode: on_demand, on_demand_initial_peak: 1000000}
bedrock: {tokens_per_minute: 1000000000, requests_per_minute: 1000000, degrade_at: 100000, time_to_first_token: 100ms,
          tokens_per_second: 2000, output_median: 60, max_tokens: 200}
`

// BenchmarkHourAt200PerSecond: 720,000 requests (log in, new chat, ten
// turns, new chat, ...) paced at 200 a second of scenario time, so they
// cover at least an hour of it, against a sim in its own process. Reports
// the sim's peak RSS and fails above 200 MB: the metric store keeps
// per-second statistic sets, not samples, and the tables are bounded.
func BenchmarkHourAt200PerSecond(b *testing.B) {
	if testing.Short() {
		b.Skip("one hour of scenario time (a few minutes of wall time): skipped with -short")
	}
	const total, rate, workers = 720_000, 200, 256
	for b.Loop() {
		c := startChild(b, 0.05, benchConfig)
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: time.Minute}
		var next, failed, expired atomic.Int64
		var statusMu sync.Mutex
		statuses := map[int]int{}
		take := func() bool {
			i := next.Add(1) - 1
			if i >= total {
				return false
			}
			time.Sleep(time.Until(c.clock.Wall(c.clock.Epoch.Add(time.Duration(i) * time.Second / rate))))
			return true
		}
		post := func(path, tok string, body any) []byte {
			bb, _ := json.Marshal(body)
			req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(bb))
			req.Header.Set("Content-Type", "application/json")
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := hc.Do(req)
			if err != nil {
				failed.Add(1)
				return nil
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode == http.StatusUnauthorized {
				expired.Add(1) // the hour's tokens expire: log in again
				return nil
			}
			if resp.StatusCode >= 300 {
				failed.Add(1)
				statusMu.Lock()
				statuses[resp.StatusCode]++
				statusMu.Unlock()
				return nil
			}
			return out
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				var tok, chat string
				for turn := 0; take(); turn++ {
					switch {
					case tok == "":
						var o struct{ Token string }
						json.Unmarshal(post("/auth/login", "", LoginRequest{Username: fmt.Sprint("user", w)}), &o)
						tok = o.Token
					case chat == "" || turn%12 == 0:
						var o struct {
							SessionID string `json:"session_id"`
						}
						json.Unmarshal(post("/chat/sessions", tok, map[string]any{}), &o)
						chat = o.SessionID
					default:
						if post("/chat/sessions/"+chat+"/messages", tok, MessageRequest{Content: strings.Repeat("how much will it cost ", 3)}) == nil {
							tok, chat = "", ""
						}
					}
				}
			})
		}
		wg.Wait()
		span := c.clock.Now().Sub(c.clock.Epoch)
		rss := c.peakRSS(b)
		b.ReportMetric(float64(rss)/(1<<20), "sim_peak_rss_MiB")
		b.ReportMetric(span.Hours(), "scenario_hours")
		b.ReportMetric(float64(failed.Load()), "failed")
		b.ReportMetric(float64(expired.Load()), "expired_tokens")
		if span < time.Hour {
			b.Fatalf("the requests covered %v of scenario time, want an hour", span)
		}
		if failed.Load() > total/1000 {
			b.Fatalf("%d of %d requests failed: statuses %v", failed.Load(), total, statuses)
		}
		if rss > 200<<20 {
			b.Fatalf("sim peak RSS %d MiB after %d requests over %v: over 200 MB", rss>>20, total, span)
		}
	}
}

// BenchmarkLoginFlood60KB: 20 s (wall) of logins with 60 KB user names from
// 32 clients at once. Reports the sim's peak RSS and fails above 600 MB:
// the token table keeps a hash of the name and is bounded.
func BenchmarkLoginFlood60KB(b *testing.B) {
	if testing.Short() {
		b.Skip("20 s flood: skipped with -short")
	}
	for b.Loop() {
		c := startChild(b, 0.01, "")
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}, Timeout: time.Minute}
		body, _ := json.Marshal(LoginRequest{Username: strings.Repeat("n", 60<<10), Password: "x"})
		stop := time.Now().Add(20 * time.Second)
		var ok, other atomic.Int64
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for time.Now().Before(stop) {
					resp, err := hc.Post(c.base+"/auth/login", "application/json", bytes.NewReader(body))
					if err != nil {
						other.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						ok.Add(1)
					} else {
						other.Add(1)
					}
				}
			})
		}
		wg.Wait()
		rss := c.peakRSS(b)
		b.ReportMetric(float64(rss)/(1<<20), "sim_peak_rss_MiB")
		b.ReportMetric(float64(ok.Load()), "logins")
		b.ReportMetric(float64(other.Load()), "other")
		if rss > 600<<20 {
			b.Fatalf("sim peak RSS %d MiB after %d logins: over 600 MB", rss>>20, ok.Load())
		}
	}
}
