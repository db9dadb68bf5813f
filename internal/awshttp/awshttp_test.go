package awshttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// closingBody is smithy-go's body as net/http sees it: once closed, WriteTo
// answers io.EOF.
type closingBody struct {
	mu     sync.Mutex
	r      *bytes.Reader
	closed bool
}

func (b *closingBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *closingBody) WriteTo(w io.Writer) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *closingBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

// TestWrapSendsACopy: the request that goes out carries the body's bytes in
// a reader the caller's Close cannot reach, with its length and GetBody.
func TestWrapSendsACopy(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
		w.Write([]byte(strings.Repeat("x", 100_000)))
	}))
	defer srv.Close()
	c := Wrap(srv.Client())
	for i := range 50 {
		body := &closingBody{r: bytes.NewReader([]byte(`{"Namespace":"AWS/Lambda"}`))}
		req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
		req.ContentLength = 26
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body.Close() // what smithy-go does as soon as the headers are in
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != 100_000 {
			t.Fatalf("call %d: read %d bytes, %v", i, n, err)
		}
	}
	if len(got) != 50 || got[49] != `{"Namespace":"AWS/Lambda"}` {
		t.Errorf("server saw %d bodies, last %q", len(got), got[len(got)-1])
	}
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("disk gone") }
func (failingBody) Close() error             { return nil }

func TestWrapBodyReadError(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1", failingBody{})
	_, err := Wrap(nil).Do(req)
	if err == nil || !strings.Contains(err.Error(), "awshttp: buffer request body: disk gone") {
		t.Errorf("error %v, want the body read error named", err)
	}
}
