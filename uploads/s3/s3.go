// Package s3 keeps the blobs of uploads (runtime.BlobStore) in a bucket
// of an S3-compatible object store (Amazon S3, MinIO, Ceph, R2, …), with
// github.com/minio/minio-go/v7, so that several nodes share files without
// sharing a disk. cmd wires it in for --upload-store s3://…
// (docs/uploads.md#storage).
package s3

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"parley/runtime"
)

// Config is where the blobs are kept and how to reach them.
type Config struct {
	Endpoint string // host or host:port of the S3 API
	Secure   bool   // HTTPS
	// Region is the bucket's; empty asks the server once (a request,
	// then cached).
	Region string
	Bucket string
	// Prefix, when set, starts the name of every object: PREFIX/ab/abcdef….
	Prefix string

	AccessKey    string
	SecretKey    string
	SessionToken string // temporary credentials only

	// Transport carries the requests; nil is minio's default.
	Transport http.RoundTripper
}

// ParseURL reads
//
//	s3://[ACCESS_KEY:SECRET_KEY@]HOST[:PORT]/BUCKET[/PREFIX][?secure=false&region=REGION]
//
// secure defaults to true (HTTPS). The keys are percent-decoded, so a
// secret with "/" in it is written %2F. Credentials absent from the URL
// are left empty, for the caller to take from elsewhere. No error repeats
// the URL: it may hold a secret.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("not a URL of the form s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]")
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("the URL must start with s3://")
	}
	c := Config{Endpoint: u.Host, Secure: true}
	if u.Hostname() == "" || strings.HasSuffix(c.Endpoint, ":") {
		return Config{}, fmt.Errorf("the s3:// URL names no host: write s3://HOST[:PORT]/BUCKET")
	}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
		if c.AccessKey == "" || c.SecretKey == "" {
			return Config{}, fmt.Errorf("the s3:// URL has an access key or a secret key without the other: write s3://ACCESS_KEY:SECRET_KEY@HOST/BUCKET")
		}
	}
	c.Bucket, c.Prefix, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if c.Bucket == "" {
		return Config{}, fmt.Errorf("the s3:// URL names no bucket: write s3://HOST[:PORT]/BUCKET[/PREFIX]")
	}
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return Config{}, fmt.Errorf("%q is not a bucket name: %v", c.Bucket, err)
	}
	c.Prefix = strings.TrimSuffix(c.Prefix, "/")
	for _, seg := range strings.Split(c.Prefix, "/") {
		if c.Prefix != "" && (seg == "" || seg == "." || seg == "..") {
			return Config{}, fmt.Errorf("the prefix %q has an empty, . or .. element", c.Prefix)
		}
	}
	if u.Fragment != "" {
		return Config{}, fmt.Errorf("the s3:// URL has a #fragment; percent-encode a # in a secret key as %%23")
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "secure":
			if c.Secure, err = strconv.ParseBool(v); err != nil {
				return Config{}, fmt.Errorf("secure=%s: want true or false", v)
			}
		case "region":
			c.Region = v
		default:
			return Config{}, fmt.Errorf("unknown parameter %q in the s3:// URL (known: secure, region)", k)
		}
	}
	return c, nil
}

// partSize is the size of the parts of a blob of unknown size, the
// memory one such Put holds (minio's default, for a stream up to 5 TiB,
// is over 500 MiB), and of the parts of a large one of known size.
const partSize = 16 << 20

// checkTimeout bounds New's check of the bucket.
const checkTimeout = 15 * time.Second

// Store is a runtime.BlobStore on a bucket: the blob of key "abcdef…" is
// the object PREFIX/ab/abcdef…, as on disk. Keys are hex digests made by
// the runtime, and Store refuses anything else, so no object name is of
// anyone's choosing.
//
// An object is written in one PUT (or a multipart upload completed at
// once), so a reader sees it whole or not at all, from any node.
type Store struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	where  string // for errors: endpoint/bucket
}

// New connects to the store and checks that the bucket exists and the
// credentials may read it. It does not create a missing bucket: where a
// bucket lives, who may reach it and how long it keeps objects are the
// operator's choices, and a typo would otherwise quietly store files in
// a new bucket.
func New(ctx context.Context, c Config) (*Store, error) {
	if c.AccessKey == "" || c.SecretKey == "" {
		return nil, fmt.Errorf("s3: no credentials: an access key and a secret key are needed")
	}
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken),
		Secure:    c.Secure,
		Region:    c.Region,
		Transport: c.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	s := &Store{client: client, bucket: c.Bucket, where: c.Endpoint + "/" + c.Bucket}
	if c.Prefix != "" {
		s.prefix = strings.Trim(c.Prefix, "/") + "/"
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	ok, err := client.BucketExists(ctx, c.Bucket)
	switch {
	case err != nil:
		return nil, fmt.Errorf("s3: checking bucket %s: %w", s.where, err)
	case !ok:
		return nil, fmt.Errorf("s3: bucket %s does not exist; create it first (parley does not create buckets)", s.where)
	}
	return s, nil
}

// String says where the blobs are, without credentials:
// s3://HOST/BUCKET/PREFIX/.
func (s *Store) String() string { return "s3://" + s.where + "/" + s.prefix }

// Name is the object name of the blob of key.
func (s *Store) Name(key string) (string, error) {
	if !runtime.ValidBlobKey(key) {
		return "", fmt.Errorf("s3: %q is not a blob key", key)
	}
	return s.prefix + key[:2] + "/" + key, nil
}

// Put uploads r's bytes as the blob of key: in one request when size is
// known and at most partSize, in parts of partSize otherwise. A size
// other than what r yields fails the upload.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	name, err := s.Name(key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, r, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream", // served with the upload's type, never straight from the bucket
		PartSize:    partSize,
	})
	if err != nil {
		return fmt.Errorf("s3: storing %s in %s: %w", key, s.where, err)
	}
	return nil
}

// Open returns the blob of key, or an error of runtime.KindNotFound. The
// object is asked for at once (minio would only report a missing one at
// the first Read); its bytes are read as the caller reads and seeks, each
// seek then read a ranged GET.
func (s *Store) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	name, err := s.Name(key)
	if err != nil {
		return nil, runtime.Errorf(runtime.KindNotFound, "no such file")
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
		if err != nil {
			obj.Close()
		}
	}
	if isNoSuchKey(err) {
		return nil, runtime.Errorf(runtime.KindNotFound, "no such file")
	}
	if err != nil {
		return nil, fmt.Errorf("s3: reading %s from %s: %w", key, s.where, err)
	}
	return obj, nil
}

// Delete removes the blob of key; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := s.Name(key)
	if err != nil {
		return err
	}
	err = s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
	if err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("s3: deleting %s from %s: %w", key, s.where, err)
	}
	return nil
}

// isNoSuchKey reports whether err says the object does not exist (S3
// deletes a missing object without one; some compatible stores do not).
func isNoSuchKey(err error) bool {
	return err != nil && minio.ToErrorResponse(err).Code == minio.NoSuchKey
}
