// Package runtimetest helps test code built on package runtime.
//
// StoreSuite (suite.go) is the conformance suite of runtime.Store: every
// backend runs it (schema on SQLite, MemStore here), so they behave alike.
// MemStore (memstore.go) is an in-memory runtime.Store for unit tests of
// other packages; it passes StoreSuite itself.
//
// The package imports only runtime and the standard library, so any
// package's tests may use it without pulling in a database driver.
package runtimetest
