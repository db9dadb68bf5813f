// Package awshttp holds the HTTP client brink hands to the AWS SDK's
// clients. It works around a race in smithy-go (v1.28.9) that made about one
// call in a hundred fail to read a whole answer ("use of closed network
// connection") with the awsJson and awsQuery protocols.
//
// The race: smithy-go wraps each request body in a reader whose WriteTo
// returns io.EOF once the body has been closed, and closes that body as soon
// as the response headers arrive. net/http's transport, after writing
// Content-Length bytes of a body it does not know to be in memory, reads the
// body once more to check nothing is left (io.Copy to io.Discard, which
// calls WriteTo). When the server answers fast enough, smithy-go closes the
// body between those two steps; WriteTo's io.EOF is taken as a write error,
// the transport closes the connection, and the answer still being read
// from it is cut short. Smithy RPC v2 CBOR met it less often only because
// its body-less calls (ListMetrics without filters) have no body to race.
//
// The work-around: hand the transport a copy of the body in a
// bytes.Reader, which net/http knows to be in memory and which nobody else
// closes. It does not print and does not retry.
package awshttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Doer is what the AWS SDK calls to send a request (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client sends every request through next with its body buffered.
type Client struct{ next Doer }

// Wrap returns a client that buffers each request body before next sends
// it. A nil next is http.DefaultClient.
func Wrap(next Doer) *Client {
	if next == nil {
		next = http.DefaultClient
	}
	return &Client{next: next}
}

// maxBody bounds the copy: AWS's query APIs take a few MB at most.
const maxBody = 64 << 20

// Do buffers req's body and sends it.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.next.Do(req)
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("awshttp: buffer request body: %w", err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("awshttp: request body over %d bytes", maxBody)
	}
	r := req.Clone(req.Context())
	r.ContentLength = int64(len(b))
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return c.next.Do(r)
}
