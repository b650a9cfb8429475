package main

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"

	"parley/schema/schematest"
)

// The e2e suite runs twice: on SQLite as the tests themselves, and on
// PostgreSQL as the subtests of TestE2EPostgres. The tests do not know:
// testConfig, and the helpers that start the real binary (startProcess,
// newKillable), give a test running under TestE2EPostgres a schema of its
// own in the database PARLEY_TEST_DATABASE_URL names.
//
//	PARLEY_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//		go test -run E2EPostgres ./cmd/parley

// e2eTests is every test of the e2e_*_test.go files;
// TestE2EPostgresCoversSuite fails when one is missing.
var e2eTests = []func(*testing.T){
	// e2e_anon_test.go
	TestAnonymousChat, TestAnonymousOtherBotForbidden, TestAnonymousResume,
	// e2e_apikey_test.go
	TestAPIKeyLifecycle, TestRESTDeleteConversation,
	// e2e_crash_test.go
	TestCrashRecovery, TestWaitSurvivesCrash,
	// e2e_dialog_test.go
	TestHostileScriptsContained, TestRestartKeepsHistoryAndMemory,
	// e2e_durable_test.go
	TestEvictionBetweenHears, TestScriptEditedMidConversation, TestResumeAcrossRestart, TestBrokenBotKeepsLastGood,
	TestTurnBehindAnotherNodesMessage,
	// e2e_errors_test.go
	TestBadFrames, TestBadTokens, TestOtherUsersConversation, TestRESTBadBodies, TestRS256Tokens,
	// e2e_follow_test.go
	TestFollowSeveralConversations,
	// e2e_hostile_test.go
	TestHostileClients, TestHostilePatterns,
	// e2e_http_test.go
	TestHTTPFromScripts,
	// e2e_llm_test.go
	TestLLMStreamsOverWS, TestLLMErrorsOverWS, TestLLMKill,
	// e2e_llm_streams_test.go
	TestLLMOverSSEAndStreamingChat,
	// e2e_limits_test.go
	TestMessageRateLimit, TestConnectionCap, TestOrigins, TestTickets, TestTrustedProxies,
	// e2e_people_test.go
	TestConversationOfTwoUsers, TestNotificationFrames, TestTypingAndReadReceipts,
	// e2e_sse_test.go
	TestSSESameFramesAsWS, TestSSEAccess, TestSSEConnectionCap, TestSSEHeartbeat, TestSSEResumeAcrossCrash,
	// e2e_feed_test.go
	TestFeed, TestFeedResumeAcrossCrash,
	// e2e_files_test.go
	TestFilesOverTheWire, TestFilesReplayAcrossRestart,
	// e2e_support_test.go
	TestSupportQueueAndAssign,
	// e2e_authz_test.go
	TestAuthorizationTable,
	// e2e_migrate_test.go
	TestMigrationFromVersion12,
	// e2e_transfer_test.go
	TestTransferOverTheWire,
	// e2e_presence_test.go
	TestPresence,
	// e2e_desk_test.go
	TestSupportStatsEndpoint, TestSupportAutoAssign,
	// e2e_process_test.go
	TestSIGTERMDrains, TestAnonymousExpiry,
	// e2e_rest_test.go
	TestRESTConversationLifecycle, TestRESTBots,
	// e2e_chat_test.go
	TestChatOverREST, TestBotThreadOverREST,
	// e2e_careful_test.go
	TestRESTCareful,
	// e2e_user_test.go
	TestUserDevicesShareConversation, TestClientIDIdempotent,
	// e2e_uploads_test.go
	TestUploadsOverTheWire, TestUploadsRefused, TestUploadQuota, TestVisitorUploadsAndCleanup, TestUploadOrphansAndDeletedConversations,
	// e2e_uploads_s3_test.go
	TestUploadsOnS3, TestUploadStoreRefused,
	// e2e_socketio*_test.go
	TestSocketIOChat, TestSocketIONode, TestSocketIORestart, TestSocketIOSlowClient, TestSocketIOHandshake, TestSocketIOConnectionCap, TestSocketIOCredentials,
	// e2e_teams_test.go
	TestTeamsBrainstorm, TestTeamsSlowMember, TestTeamsErrors,
	// e2e_v1chat_test.go
	TestV1ChatUserAndAgent,
	// e2e_v1chat_errors_test.go
	TestV1ChatErrors, TestV1ChatCORS,
	// e2e_v1chat_media_test.go
	TestV1ChatMedia,
}

// postgresPrefix starts the name of every test running on PostgreSQL.
const postgresPrefix = "TestE2EPostgres/"

// TestE2EPostgres runs the e2e suite on PostgreSQL. It is skipped without
// PARLEY_TEST_DATABASE_URL, and fails instead under PARLEY_CI=1.
func TestE2EPostgres(t *testing.T) {
	schematest.Require(t)
	for _, f := range e2eTests {
		t.Run(funcName(f), f)
	}
}

// onPostgres reports whether t (or the test it is a subtest of) runs
// under TestE2EPostgres.
func onPostgres(t testing.TB) bool {
	return strings.HasPrefix(t.Name(), postgresPrefix)
}

// testDatabaseURL is the database URL of a new test server: empty
// (SQLite in the data directory) or, under TestE2EPostgres, a new schema.
func testDatabaseURL(t testing.TB) string {
	if !onPostgres(t) {
		return ""
	}
	return schematest.URL(t)
}

// databaseArgs are the flags that give the real binary the test's
// database: none for SQLite, --database-url under TestE2EPostgres.
func databaseArgs(t testing.TB) []string {
	if u := testDatabaseURL(t); u != "" {
		return []string{"--database-url", u}
	}
	return nil
}

func funcName(f func(*testing.T)) string {
	name := goruntime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	return name[strings.LastIndex(name, ".")+1:]
}

// TestE2EPostgresCoversSuite: a new e2e test runs on PostgreSQL too, or
// this fails until it is added to e2eTests.
func TestE2EPostgresCoversSuite(t *testing.T) {
	files, err := filepath.Glob("e2e_*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range e2eTests {
		listed = append(listed, funcName(f))
	}
	fset := gotoken.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") || strings.HasPrefix(fn.Name.Name, "TestE2EPostgres") {
				continue
			}
			if !slices.Contains(listed, fn.Name.Name) {
				t.Errorf("%s (%s) does not run on PostgreSQL: add it to e2eTests", fn.Name.Name, file)
			}
		}
	}
}
