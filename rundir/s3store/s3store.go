// Package s3store keeps run directories in Amazon S3 (or any S3-compatible
// store): `--runs-dir s3://bucket/prefix`. It is the only package that
// imports the S3 client and its transfer manager, and registers the s3://
// scheme with package rundir when it is linked in (brink's command links
// it).
//
// Credentials and region come from the AWS SDK's default chain; the SDK's
// standard AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL select another endpoint
// (MinIO, a test server), which is then addressed path-style. Objects
// appear whole when their upload completes, so a reader never sees half a
// file; a rename is a copy, then a delete.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"brink/rundir"
)

func init() {
	rundir.Register("s3", func(ctx context.Context, bucket, prefix string) (rundir.Store, error) {
		return New(ctx, bucket, prefix)
	})
}

// Store is the run directories under s3://Bucket/Prefix.
type Store struct {
	Bucket, Prefix string
	s3             *s3.Client
	tm             *transfermanager.Client
}

var _ rundir.Store = (*Store)(nil)

// New connects to the bucket with the SDK's default configuration and
// checks that credentials can be had, so a missing login fails here, once.
func New(ctx context.Context, bucket, prefix string) (*Store, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: load AWS configuration: %w", bucket, prefix, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // S3 answers any region's name with a redirect; the SDK needs one
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("s3://%s/%s: no AWS credentials: the SDK's default chain was tried (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "+
			"AWS_PROFILE and ~/.aws/config and credentials, SSO, web identity (AWS_WEB_IDENTITY_TOKEN_FILE, as on EKS), container and instance roles): %v",
			bucket, prefix, firstLine(err))
	}
	_, custom := os.LookupEnv("AWS_ENDPOINT_URL_S3")
	_, any := os.LookupEnv("AWS_ENDPOINT_URL")
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = custom || any })
	return &Store{Bucket: bucket, Prefix: strings.Trim(prefix, "/"), s3: client, tm: transfermanager.New(client)}, nil
}

func (s *Store) key(name string) string { return path.Join(s.Prefix, name) }

func (s *Store) url(name string) string { return "s3://" + s.Bucket + "/" + s.key(name) }

// Create buffers name in a temporary file and uploads it on Close.
func (s *Store) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	f, err := os.CreateTemp("", "brink-s3-*")
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.url(name), err)
	}
	return &upload{s: s, ctx: ctx, name: name, f: f}, nil
}

type upload struct {
	s    *Store
	ctx  context.Context
	name string
	f    *os.File
}

func (u *upload) Write(b []byte) (int, error) { return u.f.Write(b) }

func (u *upload) Close() error {
	defer os.Remove(u.f.Name())
	defer u.f.Close()
	if _, err := u.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store %s: %w", u.s.url(u.name), err)
	}
	_, err := u.s.tm.UploadObject(u.ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(u.s.Bucket), Key: aws.String(u.s.key(u.name)), Body: u.f})
	if err != nil {
		return fmt.Errorf("store %s: %s", u.s.url(u.name), explain(err))
	}
	return nil
}

// Open reads name; a missing object is fs.ErrNotExist.
func (s *Store) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.key(name))})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) || isCode(err, "NotFound", "NoSuchKey") {
			return nil, fmt.Errorf("%s: %w", s.url(name), fs.ErrNotExist)
		}
		return nil, fmt.Errorf("read %s: %s", s.url(name), explain(err))
	}
	return out.Body, nil
}

// List lists the objects under the folder prefix, sorted, as names.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	p := s.key(prefix) + "/"
	var out []string
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(p)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %s", s.url(prefix), explain(err))
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(strings.TrimPrefix(aws.ToString(o.Key), s.Prefix), "/")
			if hidden(strings.TrimPrefix(name, strings.TrimPrefix(prefix, "/"))) {
				continue // below the folder asked for, only whole files count
			}
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// hidden names are temporary or staging names, never listed.
func hidden(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// Remove deletes name, or every object under it.
func (s *Store) Remove(ctx context.Context, name string) error {
	names, err := s.List(ctx, name)
	if err != nil {
		return err
	}
	for _, n := range append(names, name) {
		if _, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.key(n))}); err != nil {
			return fmt.Errorf("remove %s: %s", s.url(n), explain(err))
		}
	}
	return nil
}

// Rename copies every object under from to to, then deletes the originals.
func (s *Store) Rename(ctx context.Context, from, to string) error {
	names, err := s.List(ctx, from)
	if err != nil {
		return err
	}
	for _, n := range names {
		dst := to + strings.TrimPrefix(n, from)
		_, err := s.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.key(dst)),
			CopySource: aws.String(s.Bucket + "/" + s.key(n))})
		if err != nil {
			return fmt.Errorf("rename %s: %s", s.url(n), explain(err))
		}
	}
	return s.Remove(ctx, from)
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// explain turns the errors a user can fix into what to do.
func explain(err error) string {
	switch {
	case isCode(err, "NoSuchBucket"):
		return "no such bucket: create it, or check the name and the region (AWS_REGION)"
	case isCode(err, "AccessDenied", "Forbidden"):
		return "access denied: the role needs s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on the prefix (docs/scale-out.md)"
	case isCode(err, "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
		return "the credentials were refused (" + firstLine(err) + "): log in again"
	}
	return firstLine(err)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
