package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"time"

	"brink"
)

// maxBody caps how much of an answer is kept for parsing; the rest is read
// and counted but not kept.
const maxBody = 1 << 20

// answer is what the built-in flow reads from a response body.
type answer struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Model     string `json:"model"`
	Usage     *struct {
		InputTokens  int32 `json:"input_tokens"`
		OutputTokens int32 `json:"output_tokens"`
	} `json:"usage"`
}

// call is one request of a virtual user.
type call struct {
	vu      int32
	session int64
	step    string
	path    string
	token   string
	body    []byte
}

// do sends one request, records its trace and returns the status and the
// parsed answer (nil unless the status was 2xx and the body JSON).
func (r *Runner) do(c call) (int, *answer) {
	wallStart := time.Now()
	start := r.opts.Clock.Scenario(wallStart)
	lvl, phase := r.levelAt(start)
	w := r.windows[lvl]
	if phase == brink.PhaseSteady {
		w.inflight.Add(1)
	}
	t := brink.Trace{
		RunID: r.opts.RunID, VU: c.vu, Session: c.session, Step: c.step,
		Level: int32(lvl), Users: int32(r.timeline[lvl].Users), Phase: phase, Start: start,
		BytesSent: int64(len(c.body)),
	}
	ans := r.send(c, wallStart, &t)
	r.requests.Add(1)
	if t.Error != "" {
		r.errors.Add(1)
	}
	if phase == brink.PhaseSteady && start.Before(r.timeline[lvl].End) {
		w.record(&t)
	}
	if phase == brink.PhaseSteady {
		w.inflight.Add(-1)
	}
	if err := r.opts.Sink.Write(t); err != nil {
		r.fail(err)
	}
	return int(t.Status), ans
}

func (r *Runner) send(c call, wallStart time.Time, t *brink.Trace) *answer {
	ctx, cancel := context.WithTimeout(r.hardCtx, r.opts.Clock.WallDuration(r.opts.Timeout))
	defer cancel()
	var firstByte time.Time
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() { firstByte = time.Now() },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+c.path, bytes.NewReader(c.body))
	if err != nil {
		t.Error = brink.ErrConnect
		return nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		r.finish(t, wallStart, firstByte)
		t.Error = classifyErr(ctx, r.hardCtx, err)
		return nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	n, rerr := io.Copy(buf, io.LimitReader(resp.Body, maxBody))
	if rerr == nil {
		var m int64
		m, rerr = io.Copy(io.Discard, resp.Body)
		n += m
	}
	resp.Body.Close()
	r.finish(t, wallStart, firstByte)
	t.Status = int32(resp.StatusCode)
	t.BytesReceived = n
	t.Error, t.Throttled = brink.ClassifyStatus(resp.StatusCode)
	if rerr != nil && t.Error == "" {
		t.Error = classifyErr(ctx, r.hardCtx, rerr)
		return nil
	}
	if t.Error != "" {
		return nil
	}
	var a answer
	if err := json.Unmarshal(buf.Bytes(), &a); err != nil {
		t.Error = brink.ErrAssert
		return nil
	}
	if a.Usage != nil {
		t.HasUsage, t.InputTokens, t.OutputTokens = true, a.Usage.InputTokens, a.Usage.OutputTokens
	}
	t.Model = a.Model
	return &a
}

func (r *Runner) finish(t *brink.Trace, wallStart, firstByte time.Time) {
	end := time.Now()
	t.LatencyMS = r.scenarioMS(end.Sub(wallStart))
	if !firstByte.IsZero() {
		t.TTFBMS = r.scenarioMS(firstByte.Sub(wallStart))
	} else {
		t.TTFBMS = t.LatencyMS
	}
}

func (r *Runner) scenarioMS(wall time.Duration) float64 {
	return float64(wall) / r.opts.Clock.Scale / float64(time.Millisecond)
}

// classifyErr maps a transport error to an error class: the run's own stop
// is canceled, the request's deadline is timeout, the rest is connect.
func classifyErr(reqCtx, runCtx context.Context, err error) string {
	switch {
	case runCtx.Err() != nil:
		return brink.ErrCanceled
	case errors.Is(err, context.DeadlineExceeded) || reqCtx.Err() != nil:
		return brink.ErrTimeout
	default:
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			return brink.ErrTimeout
		}
		return brink.ErrConnect
	}
}
