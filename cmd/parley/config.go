package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"parley/inbound"
	"parley/runtime"
	"parley/uploads/s3"
)

// Config is every setting of the server, read once by loadConfig and
// passed down as plain values: viper stays in this package.
type Config struct {
	Addr            string        `mapstructure:"addr"`
	Data            string        `mapstructure:"data"`
	Bots            string        `mapstructure:"bots"`
	DatabaseURL     string        `mapstructure:"database-url"`
	DBMaxOpenConns  int           `mapstructure:"db-max-open-conns"`
	DBMaxIdleConns  int           `mapstructure:"db-max-idle-conns"`
	JWTSecret       string        `mapstructure:"jwt-secret"`
	JWTPublicKey    string        `mapstructure:"jwt-public-key"`
	AllowedOrigins  []string      `mapstructure:"allowed-origins"`
	TrustedProxies  []string      `mapstructure:"trusted-proxies"`
	RateLimits      string        `mapstructure:"rate-limits"`
	AnonymousTTL    time.Duration `mapstructure:"anonymous-ttl"`
	TurnTimeout     time.Duration `mapstructure:"turn-timeout"`
	DialogMemory    int           `mapstructure:"dialog-memory"`
	DialogIdleEvict time.Duration `mapstructure:"dialog-idle-evict"`
	NodeID          string        `mapstructure:"node-id"`
	LeaseTime       time.Duration `mapstructure:"lease-time"`
	PprofAddr       string        `mapstructure:"pprof-addr"`
	LogLevel        string        `mapstructure:"log-level"`
	SSEHeartbeat    time.Duration `mapstructure:"sse-heartbeat"`
	SocketIOPing    time.Duration `mapstructure:"socketio-ping"`

	// The LLM endpoint of scripts (package llm): a bot's llm section in
	// bot.yaml replaces them. No base URL: LLM answers every call with
	// nil and runtime.ErrNoLLM.
	LLMBaseURL string        `mapstructure:"llm-base-url"`
	LLMModel   string        `mapstructure:"llm-model"`
	LLMAPIKey  string        `mapstructure:"llm-api-key"`
	LLMTimeout time.Duration `mapstructure:"llm-timeout"`

	// SupportAutoAssign assigns conversations entering the support
	// queue to the agents online (runtime.Config.AutoAssign).
	SupportAutoAssign bool `mapstructure:"support-auto-assign"`

	// ChatTimeout bounds the wait of POST /api/bots/:id/chat for the
	// bot's reply (rest.Config.ChatTimeout).
	ChatTimeout time.Duration `mapstructure:"chat-timeout"`

	// Uploads (runtime.UploadLimits, package uploads). Sizes are read by
	// parseSize ("10MB"); UploadDir empty is DATA/uploads. UploadStore is
	// "" or "disk" (UploadDir) or an s3:// URL (uploadS3).
	UploadStore     string        `mapstructure:"upload-store"`
	UploadDir       string        `mapstructure:"upload-dir"`
	UploadMaxSize   string        `mapstructure:"upload-max-size"`
	UploadMaxFiles  int           `mapstructure:"upload-max-files"`
	UploadQuota     string        `mapstructure:"upload-quota"`
	UploadTypes     []string      `mapstructure:"upload-types"`
	UploadOrphanTTL time.Duration `mapstructure:"upload-orphan-ttl"`
	uploadLimits    runtime.UploadLimits
}

// configFlags registers the configuration flags every subcommand accepts
// (protocol §1). Defaults live here and nowhere else.
func configFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "path of a YAML config file (default: ./parley.yaml when it exists)")
	fs.String("addr", ":8080", "address to listen on")
	fs.String("data", "./data", "data directory: SQLite database, JWT secret, uploads")
	fs.String("bots", "", "bots directory (default ./bots when it exists, else the built-in bots)")
	fs.String("database-url", "", "empty for embedded SQLite; postgres://… for PostgreSQL")
	fs.Int("db-max-open-conns", 0, "most connections of the database pool, plus one for writes (0: max(4, CPUs) readers for SQLite, 10 for PostgreSQL)")
	fs.Int("db-max-idle-conns", 0, "pool connections kept open while idle (0: all of db-max-open-conns)")
	fs.String("jwt-secret", "", "HS256 secret (default: generated once and kept in the data directory)")
	fs.String("jwt-public-key", "", "PEM file of an RSA public key: accept RS256 tokens signed with its private key instead of HS256")
	fs.StringSlice("allowed-origins", nil, "origins browsers may connect from, comma-separated (default: same host only)")
	fs.StringSlice("trusted-proxies", nil, "addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client, comma-separated (default: none)")
	fs.String("rate-limits", "on", "on, or off to lift every rate limit and connection cap")
	fs.Duration("anonymous-ttl", 30*time.Minute, "delete anonymous conversations idle this long")
	fs.Duration("turn-timeout", 10*time.Second, "most Lua time one dialog turn may use")
	fs.Int("dialog-memory", 16, "memory budget of one dialog's Lua values, in MiB")
	fs.Duration("dialog-idle-evict", 5*time.Minute, "drop a dialog idle this long from memory (rebuilt from its journal on the next message)")
	fs.String("node-id", "", "this node's name among nodes sharing a PostgreSQL database (default: generated once and kept in the data directory)")
	fs.Duration("lease-time", 10*time.Second, "PostgreSQL: how long a dead node's conversations wait before another node takes them over")
	fs.Bool("support-auto-assign", false, "assign each conversation entering the support queue to the next agent online on this node, round robin")
	fs.Duration("sse-heartbeat", 15*time.Second, "how often an SSE stream (/api/…/events) sends event: ping, so that proxies keep it open")
	fs.Duration("socketio-ping", 25*time.Second, "how often /socket.io/ pings a client (Engine.IO's pingInterval), so that proxies keep it open; a client gone is noticed within this plus 20s")
	fs.Duration("chat-timeout", 30*time.Second, "how long POST /api/bots/:id/chat (and its stream) waits for the bot's reply before answering with what there is")
	fs.String("llm-base-url", "", "OpenAI-compatible endpoint for LLM in scripts, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (empty: LLM returns an error)")
	fs.String("llm-model", "", "model LLM asks for, unless a bot's llm.model or the script names one")
	fs.String("llm-api-key", "", "API key of the LLM endpoint (better set as PARLEY_LLM_API_KEY)")
	fs.Duration("llm-timeout", 60*time.Second, "most time one LLM call may take, to its last token")
	fs.String("upload-store", "disk", "where uploaded files are kept: disk (--upload-dir), or an S3-compatible bucket as s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX][?secure=false&region=…] (keys absent: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
	fs.String("upload-dir", "", "directory of uploaded files with --upload-store disk (default: DATA/uploads); several nodes need one they share")
	fs.String("upload-max-size", "10MB", "largest file one upload may carry (KB, MB, GB: powers of 1024)")
	fs.Int("upload-max-files", 5, "most files one upload may carry")
	fs.String("upload-quota", "1GB", "most bytes of files one user may keep; 0: no quota")
	fs.StringSlice("upload-types", runtime.DefaultUploadTypes, "content types uploads may have, sniffed from their bytes, comma-separated; a family as audio/*")
	fs.Duration("upload-orphan-ttl", 24*time.Hour, "delete an upload never sent in a message after this long")
	fs.String("pprof-addr", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060); empty: off")
	fs.String("log-level", "info", "debug, info, warn or error")
}

// loadConfig merges flags, PARLEY_* environment variables, the YAML file
// and the defaults, in that order of precedence.
func loadConfig(fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	v.SetEnvPrefix("PARLEY")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(fs); err != nil {
		return Config{}, err
	}
	if err := readConfigFile(v); err != nil {
		return Config{}, err
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	// An environment variable arrives as one string.
	if len(c.AllowedOrigins) == 1 && strings.Contains(c.AllowedOrigins[0], ",") {
		c.AllowedOrigins = strings.Split(c.AllowedOrigins[0], ",")
	}
	if len(c.TrustedProxies) == 1 && strings.Contains(c.TrustedProxies[0], ",") {
		c.TrustedProxies = strings.Split(c.TrustedProxies[0], ",")
	}
	if len(c.UploadTypes) == 1 && strings.Contains(c.UploadTypes[0], ",") {
		c.UploadTypes = strings.Split(c.UploadTypes[0], ",")
	}
	return c, c.validate()
}

func readConfigFile(v *viper.Viper) error {
	path := v.GetString("config")
	if path == "" {
		if _, err := os.Stat("parley.yaml"); err != nil {
			return nil
		}
		path = "parley.yaml"
	}
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func (c *Config) validate() error {
	switch strings.ToLower(c.RateLimits) {
	case "on", "true", "1", "yes":
		c.RateLimits = "on"
	case "off", "false", "0", "no":
		c.RateLimits = "off"
	default:
		return fmt.Errorf("config: rate-limits must be on or off, not %q", c.RateLimits)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("config: database-url must be empty (SQLite) or postgres://…")
	}
	if c.DBMaxOpenConns < 0 || c.DBMaxIdleConns < 0 {
		return fmt.Errorf("config: db-max-open-conns and db-max-idle-conns must not be negative")
	}
	if c.AnonymousTTL <= 0 || c.TurnTimeout <= 0 || c.DialogIdleEvict <= 0 || c.ChatTimeout < 0 {
		return fmt.Errorf("config: anonymous-ttl, turn-timeout, dialog-idle-evict and chat-timeout must be positive")
	}
	if c.SSEHeartbeat < 0 {
		return fmt.Errorf("config: sse-heartbeat must be positive")
	}
	if c.SocketIOPing < 0 {
		return fmt.Errorf("config: socketio-ping must be positive")
	}
	if _, err := inbound.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("config: trusted-proxies: %v", runtime.ErrorMessage(err))
	}
	if c.JWTSecret != "" && c.JWTPublicKey != "" {
		return fmt.Errorf("config: set jwt-secret (HS256) or jwt-public-key (RS256), not both: one algorithm is accepted")
	}
	if c.DialogMemory < 1 || c.DialogMemory > 4096 {
		return fmt.Errorf("config: dialog-memory must be between 1 and 4096 (MiB)")
	}
	if c.LLMBaseURL != "" {
		u, err := url.Parse(c.LLMBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: llm-base-url must be an http or https URL")
		}
	}
	if c.LLMTimeout <= 0 {
		return fmt.Errorf("config: llm-timeout must be positive")
	}
	if c.LeaseTime < time.Second {
		return fmt.Errorf("config: lease-time must be at least 1s")
	}
	for i, o := range c.AllowedOrigins {
		c.AllowedOrigins[i] = strings.TrimSpace(o)
	}
	c.Data = filepath.Clean(c.Data)
	if c.UploadDir == "" {
		c.UploadDir = filepath.Join(c.Data, "uploads")
	}
	if _, err := uploadS3(c.UploadStore); err != nil {
		return err
	}
	return c.validateUploads()
}

// uploadS3 reads --upload-store: nil for the disk store ("" or "disk"),
// or the settings of an S3-compatible bucket from an s3:// URL. Keys
// absent from the URL come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN, the variables every S3 tool reads; keys in the
// URL win. No error repeats the URL, which may hold a secret.
func uploadS3(store string) (*s3.Config, error) {
	switch strings.TrimSpace(store) {
	case "", "disk":
		return nil, nil
	}
	if !strings.HasPrefix(store, "s3://") {
		return nil, fmt.Errorf("config: upload-store must be disk or an s3:// URL such as s3://ACCESS_KEY:SECRET_KEY@minio.internal:9000/BUCKET?secure=false")
	}
	sc, err := s3.ParseURL(store)
	if err != nil {
		return nil, fmt.Errorf("config: upload-store: %v", err)
	}
	if sc.AccessKey == "" {
		sc.AccessKey, sc.SecretKey, sc.SessionToken = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
		if sc.AccessKey == "" || sc.SecretKey == "" {
			return nil, fmt.Errorf("config: upload-store: no credentials for the bucket: write s3://ACCESS_KEY:SECRET_KEY@HOST/BUCKET, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
	}
	return &sc, nil
}

// validateUploads reads the upload settings into c.uploadLimits.
func (c *Config) validateUploads() error {
	size, err := parseSize(c.UploadMaxSize)
	if err != nil || size <= 0 {
		return fmt.Errorf("config: upload-max-size must be a size such as 10MB")
	}
	quota, err := parseSize(c.UploadQuota)
	if err != nil || quota < 0 {
		return fmt.Errorf("config: upload-quota must be a size such as 1GB, or 0 for none")
	}
	if quota == 0 {
		quota = -1 // runtime.UploadLimits: < 0 is no quota, 0 the default
	}
	if c.UploadMaxFiles < 1 || c.UploadMaxFiles > 100 {
		return fmt.Errorf("config: upload-max-files must be between 1 and 100")
	}
	if c.UploadOrphanTTL <= 0 {
		return fmt.Errorf("config: upload-orphan-ttl must be positive")
	}
	var types []string
	for _, t := range c.UploadTypes {
		t = strings.ToLower(strings.TrimSpace(t))
		family, sub, ok := strings.Cut(t, "/")
		if !ok || family == "" || sub == "" || strings.ContainsAny(t, " ;,") {
			return fmt.Errorf("config: upload-types: %q is not a content type such as image/png or audio/*", t)
		}
		types = append(types, t)
	}
	if len(types) == 0 {
		return fmt.Errorf("config: upload-types must name at least one type")
	}
	c.uploadLimits = runtime.UploadLimits{MaxFiles: c.UploadMaxFiles, MaxSize: size, Quota: quota, Types: types, OrphanTTL: c.UploadOrphanTTL}
	return nil
}

// parseSize reads "10MB", "512KB", "1GB" or a number of bytes; the units
// are powers of 1024, as people mean them for files.
func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}
