// Package uploads holds the adapters of the runtime's files
// (runtime.Upload): Disk, the blob store on the local file system
// (disk.go), and Inspect, which tells a file's type from its bytes with
// github.com/gabriel-vasile/mimetype (inspect.go). cmd wires them into the
// hub; the rules (who may upload what, quotas, who may read) are the
// runtime's.
package uploads
