package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Files in an S3-compatible bucket (--upload-store s3://…, package
// uploads/s3), against gofakes3: an S3 server in the test's process,
// in memory.

// fakeS3 is an S3 server with one bucket.
type fakeS3 struct {
	backend *s3mem.Backend
	srv     *httptest.Server
	bucket  string
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	f := &fakeS3{backend: backend, srv: srv, bucket: "parley-files"}
	if err := backend.CreateBucket(f.bucket); err != nil {
		t.Fatal(err)
	}
	return f
}

// url is the --upload-store of the fake's bucket under prefix.
func (f *fakeS3) url(prefix string) string {
	return fmt.Sprintf("s3://test-key:test%%2Fsecret@%s/%s/%s?secure=false&region=us-east-1", f.srv.Listener.Addr(), f.bucket, prefix)
}

// objects lists the names of the bucket's objects.
func (f *fakeS3) objects(t *testing.T) []string {
	t.Helper()
	list, err := f.backend.ListBucket(f.bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list.Contents {
		names = append(names, c.Key)
	}
	return names
}

// objectOf is the object name of content under prefix.
func objectOf(prefix string, content []byte) string {
	sum := sha256.Sum256(content)
	k := hex.EncodeToString(sum[:])
	return prefix + "/" + k[:2] + "/" + k
}

// Upload → send in a message → download, with a range → delete the
// conversation → the sweep deletes the object; nothing on the local disk.
// Then two nodes sharing the bucket (PostgreSQL only) each serve what the
// other received.
func TestUploadsOnS3(t *testing.T) {
	f := newFakeS3(t)
	c := testConfig(t)
	c.UploadStore = f.url("parley/uploads")
	s := mustStart(t, c)
	ann, ag, root := tokenFor(t, "ann"), tokenWithRole(t, "ag", "agent"), tokenWithRole(t, "root", "admin")
	leaf := pngOf(t, 9, 7, 21)
	st, ups, code := upload(t, s, ann, "", file{"leaf.png", leaf}, file{"contract.pdf", pdfDoc})
	if st != 201 || len(ups) != 2 {
		t.Fatalf("upload: %d %s %+v", st, code, ups)
	}
	img, doc := ups[0], ups[1]
	want := []string{objectOf("parley/uploads", leaf), objectOf("parley/uploads", pdfDoc)}
	if got := f.objects(t); !sameSet(got, want) {
		t.Fatalf("objects in the bucket: %v; want %v", got, want)
	}
	if local := blobs(t, s); len(local) != 0 {
		t.Fatalf("files on the local disk: %v", local)
	}

	sock, hello := mustDial(t, s, "bot_id=echo", ann)
	if st := api(t, s, "PATCH", "/api/conversations/"+hello.SessionID, root, map[string]string{"support_status": "waiting"}, nil); st != 200 {
		t.Fatalf("into the queue: %d", st)
	}
	sock.send(map[string]any{"type": "message", "content": "my leaf", "client_id": "s1", "attachments": []string{img.ID, doc.ID}})
	if got := sock.expectMessage("user", "my leaf"); !reflect.DeepEqual(got.Attachments, ups) {
		t.Fatalf("attachments %+v; want %+v", got.Attachments, ups)
	}
	for _, tok := range []string{ann, ag} { // the uploader, and an agent who may see the conversation
		if resp, body := download(t, s, img.URL, tok); resp.StatusCode != 200 || !bytes.Equal(body, leaf) || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("GET the image: %d %d bytes %v", resp.StatusCode, len(body), resp.Header)
		}
	}
	resp, body := download(t, s, doc.URL, ann, "Range", "bytes=5-12")
	if resp.StatusCode != 206 || string(body) != string(pdfDoc[5:13]) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 5-12/%d", len(pdfDoc)) {
		t.Fatalf("a range: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, _ := download(t, s, doc.URL, ann, "Range", "bytes=9000-"); resp.StatusCode != 416 {
		t.Fatalf("a range past the end: %d", resp.StatusCode)
	}

	if st := api(t, s, "DELETE", "/api/conversations/"+hello.SessionID, ann, nil, nil); st != 204 && st != 200 {
		t.Fatalf("DELETE the conversation: %d", st)
	}
	if err := s.hub.SweepUploads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := f.objects(t); len(left) != 0 {
		t.Fatalf("objects after the conversation was deleted: %v", left)
	}
	if resp, _ := download(t, s, img.URL, ann); resp.StatusCode != 404 {
		t.Fatalf("the file of the deleted conversation: %d", resp.StatusCode)
	}

	t.Run("two nodes", func(t *testing.T) {
		if !onPostgres(t) {
			t.Skip("several nodes need PostgreSQL (TestE2EPostgres runs this)")
		}
		// A second node: the same database and bucket, a data directory
		// (and so a node id and a disk) of its own.
		c2 := c
		c2.Data = t.TempDir()
		other := mustStart(t, c2)
		bob := tokenFor(t, "bob")
		photo, voice := pngOf(t, 5, 5, 40), pngOf(t, 6, 3, 41)
		_, onFirst, _ := upload(t, s, bob, "", file{"photo.png", photo})
		_, onSecond, _ := upload(t, other, bob, "", file{"voice.png", voice})
		if len(onFirst) != 1 || len(onSecond) != 1 {
			t.Fatalf("uploads: %v %v", onFirst, onSecond)
		}
		// Sent on the second node, with the file received by the first.
		sock, hello := mustDial(t, other, "bot_id=echo", bob)
		sock.send(map[string]any{"type": "message", "content": "both", "client_id": "n1", "attachments": []string{onFirst[0].ID, onSecond[0].ID}})
		if got := sock.expectMessage("user", "both"); len(got.Attachments) != 2 {
			t.Fatalf("attachments: %+v", got.Attachments)
		}
		for _, tc := range []struct {
			node    *testServer
			url     string
			content []byte
		}{
			{other, onFirst[0].URL, photo}, {s, onSecond[0].URL, voice}, {s, onFirst[0].URL, photo}, {other, onSecond[0].URL, voice},
		} {
			if resp, body := download(t, tc.node, tc.url, bob); resp.StatusCode != 200 || !bytes.Equal(body, tc.content) {
				t.Fatalf("GET %s on the other node: %d %d bytes", tc.url, resp.StatusCode, len(body))
			}
			if resp, body := download(t, tc.node, tc.url, bob, "Range", "bytes=1-3"); resp.StatusCode != 206 || !bytes.Equal(body, tc.content[1:4]) {
				t.Fatalf("a range of %s: %d %q", tc.url, resp.StatusCode, body)
			}
		}
		if local := append(blobs(t, s), blobs(t, other)...); len(local) != 0 {
			t.Fatalf("files on the nodes' disks: %v", local)
		}
		// Deleted on one node, swept by the other.
		if st := api(t, other, "DELETE", "/api/conversations/"+hello.SessionID, bob, nil, nil); st != 204 && st != 200 {
			t.Fatalf("DELETE the conversation: %d", st)
		}
		if err := s.hub.SweepUploads(context.Background()); err != nil {
			t.Fatal(err)
		}
		if left := f.objects(t); len(left) != 0 {
			t.Fatalf("objects after the sweep: %v", left)
		}
		if resp, _ := download(t, other, onFirst[0].URL, bob); resp.StatusCode != 404 {
			t.Fatalf("a swept file: %d", resp.StatusCode)
		}
	})
}

// A server whose bucket is missing, or whose --upload-store is not one,
// does not start, and says why.
func TestUploadStoreRefused(t *testing.T) {
	f := newFakeS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	missing := strings.Replace(f.url("p"), "/"+f.bucket+"/", "/no-such-bucket/", 1)
	noKeys := strings.Replace(f.url("p"), "test-key:test%2Fsecret@", "", 1)
	for _, tc := range []struct{ store, want string }{
		{missing, "bucket " + f.srv.Listener.Addr().String() + "/no-such-bucket does not exist"},
		{noKeys, "AWS_ACCESS_KEY_ID"},
		{"ftp://files.example.com/x", "disk or an s3:// URL"},
		{"s3://k:s@host", "names no bucket"},
	} {
		c := testConfig(t)
		c.UploadStore = tc.store
		m := &Main{Config: c}
		err := m.Run(context.Background())
		if err == nil {
			m.Close()
			t.Errorf("%s: the server started", tc.store)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "test/secret") || strings.Contains(err.Error(), "test%2Fsecret") {
			t.Errorf("%s: %v; want it to say %q, and no secret", tc.store, err, tc.want)
		}
	}
	if ok, _ := f.backend.BucketExists("no-such-bucket"); ok {
		t.Error("the server created the missing bucket")
	}
	// The keys may come from the environment instead of the URL.
	t.Setenv("AWS_ACCESS_KEY_ID", "env-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	c := testConfig(t)
	c.UploadStore = noKeys
	s := mustStart(t, c)
	if st, ups, code := upload(t, s, tokenFor(t, "ann"), "", file{"a.png", pngOf(t, 2, 2, 3)}); st != 201 || len(ups) != 1 {
		t.Fatalf("upload with keys from the environment: %d %s", st, code)
	}
	if got := f.objects(t); len(got) != 1 || !strings.HasPrefix(got[0], "p/") {
		t.Fatalf("objects: %v", got)
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s]--; seen[s] < 0 {
			return false
		}
	}
	return true
}
