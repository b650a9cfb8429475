package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"parley/bots"
	"parley/dialogs"
	"parley/inbound"
	"parley/outbound"
	"parley/rest"
	"parley/runtime"
	"parley/schema"
	"parley/supportapp"
	"parley/uploads"
	"parley/ws"
)

// Main is the server program: Run opens everything and starts listening,
// Close drains and closes in the reverse order. Tests run it on port 0.
type Main struct {
	Config Config
	Stdout io.Writer // the "listening on" line
	Log    *slog.Logger

	store     *schema.DB
	cluster   *schema.Cluster // PostgreSQL only
	engine    *dialogs.Engine
	hub       *runtime.Hub
	server    *http.Server
	pprof     *http.Server // --pprof-addr
	pprofAddr string
	ln        net.Listener
	sockets   *ws.Handler // /ws; Close waits for its sockets
	sio       *supportapp.SocketIO
	served    chan error
	api       *rest.Handler // its SSE streams end as the server shuts down

	stopWatch context.CancelFunc
	patterns  []string // every route, for the OpenAPI test
}

// Run starts the server and returns once it accepts connections.
func (m *Main) Run(ctx context.Context) (err error) {
	if m.Log == nil {
		m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if m.Stdout == nil {
		m.Stdout = io.Discard
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	if m.store, err = openStore(ctx, m.Config); err != nil {
		return err
	}
	if err = m.store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if m.engine, err = loadBots(m.Config, m.Log); err != nil {
		return err
	}
	if err = m.store.SyncBots(ctx, m.engine.Bots()); err != nil {
		return err
	}
	auth, err := verifier(m.Config)
	if err != nil {
		return err
	}
	blobs, err := blobStore(ctx, m.Config)
	if err != nil {
		return err
	}
	if d, ok := blobs.(*uploads.Disk); ok {
		m.Log.Info("uploaded files are kept in " + d.Dir())
	} else {
		m.Log.Info(fmt.Sprint("uploaded files are kept in ", blobs))
	}
	hc := runtime.Config{
		Store: m.store, Engine: m.engine, Logger: m.Log, HTTP: outbound.Client{},
		Blobs: blobs, Inspect: uploads.Inspect, Uploads: m.Config.uploadLimits,
		LLM:             llmClient(m.Config),
		AnonymousTTL:    m.Config.AnonymousTTL,
		DialogIdleEvict: m.Config.DialogIdleEvict,
		AutoAssign:      m.Config.SupportAutoAssign,
		Limiter:         rest.NewLimiter(rest.LimitConfig{Off: m.Config.RateLimits == "off"}),
		// A dead node's users go offline on the others in about two
		// lease times, as its dialogs move in one.
		PresenceEvery: m.Config.LeaseTime / 2,
	}
	if m.Config.DatabaseURL != "" {
		if m.cluster, err = m.joinCluster(ctx); err != nil {
			return err
		}
		hc.Cluster = m.cluster
	}
	m.hub = runtime.New(hc)
	m.watch()
	if _, err := m.hub.Recover(ctx); err != nil {
		return fmt.Errorf("resuming dialogs: %w", err)
	}
	return m.listen(auth)
}

// joinCluster makes this server one node of those sharing its PostgreSQL
// database: any of them may run any conversation (docs/deploy.md).
func (m *Main) joinCluster(ctx context.Context) (*schema.Cluster, error) {
	id, err := nodeID(m.Config)
	if err != nil {
		return nil, err
	}
	c, err := m.store.StartCluster(ctx, schema.ClusterConfig{NodeID: id, LeaseTime: m.Config.LeaseTime, Logger: m.Log})
	if err != nil {
		return nil, err
	}
	m.Log.Info("joined the nodes of this database", "node", id, "lease_time", m.Config.LeaseTime)
	return c, nil
}

// watch reloads bots edited on disk until Close.
func (m *Main) watch() {
	ctx, cancel := context.WithCancel(context.Background())
	m.stopWatch = cancel
	go func() {
		if err := m.engine.Watch(ctx); err != nil && ctx.Err() == nil {
			m.Log.Error("watching the bots directory failed; edits need a restart", "err", err)
		}
	}()
}

// listen starts the HTTP server on the configured address.
func (m *Main) listen(auth runtime.Authenticator) error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.ln = ln
	m.server = &http.Server{
		Handler:           m.routes(auth),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	m.server.RegisterOnShutdown(m.api.Shutdown)
	m.server.RegisterOnShutdown(m.sio.Close) // a pending long-poll would hold Shutdown
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(ln) }()
	if m.Config.PprofAddr != "" {
		if err := m.listenPprof(); err != nil {
			return err
		}
	}
	line := "listening on " + m.URL()
	fmt.Fprintln(m.Stdout, line)
	m.Log.Info(line)
	return nil
}

// listenPprof serves net/http/pprof on its own address.
func (m *Main) listenPprof() error {
	ln, err := net.Listen("tcp", m.Config.PprofAddr)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	m.pprof = &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 10 * time.Second}
	m.pprofAddr = ln.Addr().String()
	go m.pprof.Serve(ln)
	m.Log.Info("profiles on http://" + ln.Addr().String() + "/debug/pprof/")
	return nil
}

// routes is the whole HTTP surface.
func (m *Main) routes(auth runtime.Authenticator) http.Handler {
	mux := rest.NewMux()
	keys := &rest.APIKeys{Store: m.store, Logger: m.Log}
	proxies, _ := inbound.ParseTrustedProxies(m.Config.TrustedProxies) // checked by Config.validate
	sockets := ws.New(ws.Config{Hub: m.hub, Auth: auth, APIKeys: keys, Logger: m.Log,
		AllowedOrigins: m.Config.AllowedOrigins, TrustedProxies: proxies})
	mux.Handle("/ws", sockets)
	m.sockets = sockets
	m.sio = supportapp.NewSocketIO(supportapp.SocketIOConfig{Hub: m.hub, Auth: auth, APIKeys: keys, Logger: m.Log,
		AllowedOrigins: m.Config.AllowedOrigins, TrustedProxies: proxies, PingInterval: m.Config.SocketIOPing})
	mux.Handle("/socket.io/", m.sio)
	mux.Handle("GET /metrics", metricsHandler(&statsCollector{hub: m.hub.Stats, sockets: sockets.Stats, store: m.store.Stats, socketio: m.sio.Open}))
	api := rest.New(rest.Config{Hub: m.hub, Auth: auth, APIKeys: keys, Logger: m.Log, TrustedProxies: proxies,
		SSEHeartbeat: m.Config.SSEHeartbeat, ChatTimeout: m.Config.ChatTimeout})
	mux.Handle("/api/", api)
	m.api = api
	// The support app's API (docs/socketio.md): its own prefix, which
	// ServeMux prefers to /api/ as the longer pattern.
	chat := supportapp.NewREST(supportapp.RESTConfig{Hub: m.hub, Auth: auth, APIKeys: keys, Logger: m.Log, TrustedProxies: proxies,
		AllowedOrigins: m.Config.AllowedOrigins})
	mux.Handle(supportapp.RESTBase+"/", chat)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", m.readyz)
	mux.Handle("/", webHandler(m.Config.AllowedOrigins, m.Log))
	m.patterns = append(append(mux.Patterns(), api.Patterns()...), chat.Patterns()...)
	return mux
}

// readyz is 200 while the database answers. Its body lists bots whose
// folder no longer compiles (they keep running their last good version).
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := m.store.Ping(ctx); err != nil {
		m.Log.Warn("not ready", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
	for _, p := range m.engine.Problems() {
		fmt.Fprintln(w, "bot problem (last good version running):", p)
	}
}

// URL is the server's base URL, with a host a client can dial.
func (m *Main) URL() string {
	addr := m.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Close drains (protocol §1): stop accepting, tell every socket the server
// is shutting down and close it with 1001, let dialogs finish the messages
// already stored, then close the database.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if m.stopWatch != nil {
		m.stopWatch()
	}
	if m.pprof != nil {
		m.pprof.Close()
	}
	if m.server != nil {
		errs = append(errs, m.server.Shutdown(ctx))
	}
	if m.hub != nil {
		errs = append(errs, m.hub.Close(ctx))
	}
	if m.cluster != nil {
		// After the hub: its dialogs have stopped writing.
		errs = append(errs, m.cluster.Close(ctx))
	}
	if m.sockets != nil {
		m.sockets.Wait() // every socket closed and its subscription released
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

// openStore opens the configured database: PostgreSQL when a database
// URL is set, else SQLite in the data directory.
func openStore(ctx context.Context, c Config) (*schema.DB, error) {
	sc := schema.Config{MaxOpenConns: c.DBMaxOpenConns, MaxIdleConns: c.DBMaxIdleConns}
	if c.DatabaseURL != "" {
		sc.Driver, sc.DSN = "postgres", c.DatabaseURL
		return schema.Open(ctx, sc)
	}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, err
	}
	sc.Driver, sc.DSN = "sqlite", filepath.Join(c.Data, "parley.db")
	return schema.Open(ctx, sc)
}

// loadBots compiles the configured bots: --bots, else ./bots when it
// exists, else the bots built into the binary.
func loadBots(c Config, log *slog.Logger) (*dialogs.Engine, error) {
	e, err := dialogs.New(dialogs.Config{Bots: botsFS(c), Dir: botsDir(c), Logger: log, TurnTimeout: c.TurnTimeout, MemoryBudget: int64(c.DialogMemory) << 20})
	if err != nil {
		return nil, fmt.Errorf("bots: %w", err)
	}
	return e, nil
}

func botsFS(c Config) fs.FS {
	if dir := botsDir(c); dir != "" {
		return os.DirFS(dir)
	}
	return bots.FS
}

// botsDir is the bots directory on disk, or "" for the built-in bots.
func botsDir(c Config) string {
	if c.Bots != "" {
		return c.Bots
	}
	if st, err := os.Stat("bots"); err == nil && st.IsDir() {
		return "bots"
	}
	return ""
}
