package main

import (
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"parley/runtime"
	"parley/schema"
	"parley/ws"
)

// Metrics (GET /metrics, Prometheus text format). The counters live in the
// packages that count them, as atomics read at scrape time (runtime.Stats,
// ws.Stats, schema.Stats): nothing on the hot path knows about Prometheus.

// statsCollector turns the packages' counters into metrics at each scrape.
type statsCollector struct {
	hub     func() runtime.Stats
	sockets func() ws.Stats
	store   func() schema.Stats
	// socketio is the number of connected Socket.IO sockets (nil: none).
	socketio func() int64
}

var (
	descSockets       = prometheus.NewDesc("parley_sockets", "Open WebSocket connections.", nil, nil)
	descSocketIO      = prometheus.NewDesc("parley_socketio_sockets", "Connected Socket.IO sockets (/socket.io/, WebSocket or polling).", nil, nil)
	descFramesIn      = prometheus.NewDesc("parley_frames_received_total", "Client frames read from sockets.", nil, nil)
	descFramesOut     = prometheus.NewDesc("parley_frames_sent_total", "Server frames written to sockets.", nil, nil)
	descConversations = prometheus.NewDesc("parley_conversations_live", "Conversations in memory.", nil, nil)
	descDialogs       = prometheus.NewDesc("parley_dialogs_live", "Dialogs (Lua states) in memory.", nil, nil)
	descTurns         = prometheus.NewDesc("parley_turns_total", "User messages given to a dialog.", nil, nil)
	descReplays       = prometheus.NewDesc("parley_dialog_replays_total", "Dialogs rebuilt from their journal.", nil, nil)
	descEvictions     = prometheus.NewDesc("parley_dialog_evictions_total", "Dialogs dropped from memory while idle.", nil, nil)
	descSlowDrops     = prometheus.NewDesc("parley_slow_subscribers_dropped_total", "Sockets dropped for reading too slowly (their queue was full).", nil, nil)
	descCommits       = prometheus.NewDesc("parley_db_commits_total", "Group-commit transactions committed.", nil, nil)
	descWrites        = prometheus.NewDesc("parley_db_writes_total", "Message-path writes committed (writes/commits is the mean batch).", nil, nil)
	descMaxBatch      = prometheus.NewDesc("parley_db_batch_max", "Most writes committed by one transaction.", nil, nil)
	descBatchSeconds  = prometheus.NewDesc("parley_db_batch_seconds", "Time of each group-commit batch: taking the connection, BEGIN to the end of COMMIT (the disk sync included), and any retries after a deadlock.", nil, nil)
	descWriteSeconds  = prometheus.NewDesc("parley_db_write_seconds", "Time a message-path write waits until committed: queued behind the batch in progress, then its own.", nil, nil)
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(c, ch)
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	w, h, st := c.sockets(), c.hub(), c.store()
	gauge(descSockets, float64(w.Sockets))
	if c.socketio != nil {
		gauge(descSocketIO, float64(c.socketio()))
	}
	counter(descFramesIn, float64(w.FramesIn))
	counter(descFramesOut, float64(w.FramesOut))
	gauge(descConversations, float64(h.Conversations))
	gauge(descDialogs, float64(h.Dialogs))
	counter(descTurns, float64(h.Turns))
	counter(descReplays, float64(h.Replays))
	counter(descEvictions, float64(h.Evictions))
	counter(descSlowDrops, float64(h.SlowDrops))
	counter(descCommits, float64(st.Commits))
	counter(descWrites, float64(st.Writes))
	gauge(descMaxBatch, float64(st.MaxBatch))
	histogram(ch, descBatchSeconds, st.BatchSeconds)
	histogram(ch, descWriteSeconds, st.WriteSeconds)
}

// histogram sends h as a Prometheus histogram.
func histogram(ch chan<- prometheus.Metric, d *prometheus.Desc, h schema.Histogram) {
	buckets := make(map[float64]uint64, len(h.Bounds))
	for i, b := range h.Bounds {
		buckets[b] = h.Counts[i]
	}
	ch <- prometheus.MustNewConstHistogram(d, h.Count, h.Sum, buckets)
}

// metricsHandler serves /metrics: Parley's counters, the Go runtime's and
// the process's.
func metricsHandler(c *statsCollector) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// pprofHandler serves net/http/pprof. It goes on its own listener
// (--pprof-addr), never on the public one: profiles expose internals and
// cost CPU.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
