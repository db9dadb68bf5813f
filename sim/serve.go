package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a sim serving HTTP on a TCP listener.
type Server struct {
	*Sim
	URL  string // http://host:port
	Addr string // host:port
	srv  *http.Server
	errc chan error
}

// Listen serves the sim on addr (host:port; port 0 picks a free port)
// until Shutdown or Close.
func (s *Sim) Listen(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	sv := &Server{Sim: s, URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(), errc: make(chan error, 1),
		srv: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() { sv.errc <- sv.srv.Serve(ln) }()
	return sv, nil
}

// Failed receives the error that stopped the server on its own.
func (sv *Server) Failed() <-chan error { return sv.errc }

// Shutdown stops accepting and waits for requests in flight until ctx ends.
func (sv *Server) Shutdown(ctx context.Context) error {
	if err := sv.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// Close stops the server at once.
func (sv *Server) Close() error { return sv.srv.Close() }
