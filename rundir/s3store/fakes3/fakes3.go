// Package fakes3 serves an in-process S3 for tests (gofakes3 with its
// memory backend; MinIO is archived) and points the AWS SDK at it through
// the standard environment variables, so child processes reach it too.
package fakes3

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Start serves an in-process S3 (gofakes3, memory backend) with bucket
// and points the SDK at it through the standard environment variables.
func Start(t testing.TB, bucket string) {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "brinktest")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "brinktest")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("BRINK_CACHE_DIR", t.TempDir())
}
