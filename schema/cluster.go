package schema

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"parley/runtime"
)

// Several nodes on one PostgreSQL database: runtime.Cluster.
//
// Leases (0004_cluster.sql). A node takes a conversation's lease by
// writing its id into the session row and raising the fence, which it
// may do when the row names no node, this node, or a node whose row in
// nodes has expired. Each node renews all its leases at once by moving
// its nodes.expires_at forward (the heartbeat), so a dead node's leases
// lapse together, a lease time after its last heartbeat. All times are
// the database's clock: the nodes' clocks do not matter.
//
// Wake-ups. Each batch of the group committer ends with a NOTIFY naming
// the conversations it wrote to and the node that wrote, in the batch's
// transaction: it is delivered exactly when the batch commits, after its
// rows are visible. Each node LISTENs on its own connection and hands the
// ids of other nodes' writes to the runtime, which reads the rows. When
// that connection is lost, notifications sent meanwhile are lost with it:
// after reconnecting the runtime is told to re-read everything live.

// ClusterConfig makes a DB one node of several.
type ClusterConfig struct {
	// NodeID names this node in leases: letters, digits, '.', '_', '-',
	// at most 64. A node that restarts with the same id takes its leases
	// back at once; two running nodes must never share one.
	NodeID string
	// LeaseTime is how long a node's leases outlive its last heartbeat
	// (default 10s). Heartbeats go every LeaseTime/5, other nodes look
	// for orphans every LeaseTime/10, so a dead node's dialogs move
	// within LeaseTime plus a sweep.
	LeaseTime time.Duration
	Logger    *slog.Logger
}

// Cluster is a node's lease and wake-up service; see runtime.Cluster.
type Cluster struct {
	db       *DB
	node     string
	lease    time.Duration
	channel  string
	listener *pq.Listener
	changes  chan []runtime.SessionID
	events   chan *runtime.Event // received broadcasts
	outbox   chan *runtime.Event // broadcasts to send
	log      *slog.Logger

	// locks holds the connections of advisory locks (Lock): a pool of its
	// own, so that callers holding a lock while they use the main pool
	// cannot take all of its connections and wait for themselves.
	locks *sqlx.DB

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// lockConns bounds the cross-node locks held at once by one node.
const lockConns = 4

var nodeIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// notifyLimit keeps a NOTIFY payload under PostgreSQL's 8000 bytes.
const notifyLimit = 7000

// StartCluster joins this store's node to the others on its database: it
// records the node's heartbeat, starts listening for their writes and
// makes the committer announce this node's. PostgreSQL only.
func (db *DB) StartCluster(ctx context.Context, cfg ClusterConfig) (*Cluster, error) {
	if db.dialect != postgresDialect {
		return nil, errors.New("schema: several nodes need PostgreSQL")
	}
	if !nodeIDPattern.MatchString(cfg.NodeID) {
		return nil, fmt.Errorf("schema: node id %q: use 1 to 64 letters, digits, '.', '_' or '-'", cfg.NodeID)
	}
	if cfg.LeaseTime <= 0 {
		cfg.LeaseTime = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var schemaName string
	if err := db.read.GetContext(ctx, &schemaName, `SELECT coalesce(current_schema(), '')`); err != nil {
		return nil, fmt.Errorf("schema: cluster: %w", err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	c := &Cluster{
		db: db, node: cfg.NodeID, lease: cfg.LeaseTime, log: cfg.Logger,
		// One channel per schema: installations sharing a database do
		// not wake each other.
		channel: "parley " + schemaName,
		changes: make(chan []runtime.SessionID, 64),
		events:  make(chan *runtime.Event, 256),
		outbox:  make(chan *runtime.Event, 256),
		ctx:     cctx, cancel: cancel,
	}
	if err := c.heartbeat(ctx, true); err != nil {
		cancel()
		return nil, fmt.Errorf("schema: cluster heartbeat: %w", err)
	}
	if err := c.giveBack(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("schema: cluster: giving back old leases: %w", err)
	}
	pc, err := pq.NewConfig(db.dsn)
	if err == nil {
		if pc.ApplicationName == "" {
			pc.ApplicationName = "parley" // as the other pools
		}
		c.locks, err = openPostgresPool(ctx, pc, lockConns, 1)
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("schema: cluster locks: %w", err)
	}
	// Named after the node in pg_stat_activity: an operator (or a test)
	// can tell which node's wake-ups a connection carries.
	name := "parley-listen-" + c.node
	c.listener = pq.NewListener(withApplicationName(db.dsn, name[:min(len(name), 63)]), 50*time.Millisecond, time.Second,
		func(ev pq.ListenerEventType, err error) {
			if err != nil {
				c.log.Warn("wake-up connection", "event", ev.String(), "err", err)
			} else if ev == pq.ListenerEventReconnected {
				c.log.Info("wake-up connection back; re-reading live conversations")
			}
		})
	if err := c.listenCtx(ctx); err != nil {
		c.listener.Close()
		c.locks.Close()
		cancel()
		return nil, fmt.Errorf("schema: LISTEN: %w", err)
	}
	announce := c.announce
	db.commit.announce.Store(&announce)
	c.wg.Add(3)
	go c.heartbeatLoop()
	go c.listenLoop()
	go c.sendLoop()
	return c, nil
}

// listenCtx is Listen bounded by ctx: Listen blocks for as long as the
// database cannot be reached.
func (c *Cluster) listenCtx(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- c.listener.Listen(c.channel) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NodeID is this node's id.
func (c *Cluster) NodeID() string { return c.node }

// SweepEvery is how often the runtime looks for orphans.
func (c *Cluster) SweepEvery() time.Duration { return c.lease / 10 }

// Changes delivers the ids other nodes wrote to; nil: re-read everything.
func (c *Cluster) Changes() <-chan []runtime.SessionID { return c.changes }

// Close stops the heartbeat and the listener and gives up every lease of
// this node, so that the others take its conversations at once rather
// than after the lease time. Call it after the runtime has stopped.
func (c *Cluster) Close(ctx context.Context) error {
	var err error
	c.once.Do(func() {
		c.db.commit.announce.Store(nil)
		c.cancel()
		c.listener.Close()
		c.wg.Wait()
		_, err1 := c.db.write.ExecContext(ctx, c.db.write.Rebind(`UPDATE sessions SET runner_node = NULL WHERE runner_node = ?`), c.node)
		_, err2 := c.db.write.ExecContext(ctx, c.db.write.Rebind(`DELETE FROM nodes WHERE id = ?`), c.node)
		err = errors.Join(err1, err2, c.locks.Close())
	})
	return err
}

// giveBack releases the leases a previous process left under this node's
// id. A node restarted within the lease time (as a supervisor restarts
// it) is live again at once, so without this its old leases would look
// held while no process runs their dialogs: another node storing a
// message could not take the conversation, and would wait for this node
// to notice it. Released, a conversation is taken by the first node that
// has work for it (a message, or the orphan sweep for work left by the
// crash). Should another running process wrongly share this id, its
// dialog writes are refused once another node takes the lease (fences).
func (c *Cluster) giveBack(ctx context.Context) error {
	res, err := c.db.write.ExecContext(ctx, `UPDATE sessions SET runner_node = NULL WHERE runner_node = $1`, c.node)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		c.log.Info("gave back the leases of this node's previous process", "node", c.node, "count", n)
	}
	return nil
}

// Acquire takes sid's lease unless another live node holds it.
func (c *Cluster) Acquire(ctx context.Context, sid runtime.SessionID) (int64, error) {
	if c.db.noSuchID(string(sid)) {
		return 0, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	var fence []int64
	err := c.db.write.SelectContext(ctx, &fence, `
		UPDATE sessions SET runner_node = $1, runner_fence = runner_fence + 1
		WHERE id = $2 AND (runner_node IS NULL OR runner_node = $1 OR NOT EXISTS (
			SELECT 1 FROM nodes n WHERE n.id = sessions.runner_node AND n.expires_at > now()))
		RETURNING runner_fence`, c.node, sid)
	if err != nil || len(fence) == 0 {
		return 0, c.db.fail(err, "conversation")
	}
	return fence[0], nil
}

// Release gives sid's lease up if this node still holds it with fence.
func (c *Cluster) Release(ctx context.Context, sid runtime.SessionID, fence int64) error {
	_, err := c.db.write.ExecContext(ctx, `
		UPDATE sessions SET runner_node = NULL
		WHERE id = $1 AND runner_node = $2 AND runner_fence = $3`, sid, c.node, fence)
	return c.db.fail(err, "conversation")
}

// Orphans lists the conversations with dialog work (PendingDialogs)
// whose lease names no node, a dead node, or this node (which may have
// lost them from memory without releasing them, while the database was
// away).
func (c *Cluster) Orphans(ctx context.Context) ([]runtime.SessionID, error) {
	var ids []string
	err := c.db.read.SelectContext(ctx, &ids, `
		SELECT DISTINCT p.id FROM (`+c.db.pendingQuery()+`) p JOIN sessions s ON s.id = p.id
		WHERE s.runner_node IS NULL OR s.runner_node = $1 OR NOT EXISTS (
			SELECT 1 FROM nodes n WHERE n.id = s.runner_node AND n.expires_at > now())`, c.node)
	if err != nil {
		return nil, c.db.fail(err, "conversation")
	}
	list := make([]runtime.SessionID, len(ids))
	for i, id := range ids {
		list[i] = runtime.SessionID(id)
	}
	return list, nil
}

// Lock takes a session-level advisory lock on a connection of its own,
// held until unlock. Keys are namespaced by schema, as the channel is.
func (c *Cluster) Lock(ctx context.Context, key string) (func(), error) {
	conn, err := c.locks.Connx(ctx)
	if err != nil {
		return nil, c.db.fail(err, "lock")
	}
	const args = `hashtext('parley ' || coalesce(current_schema(), '')), hashtext($1)`
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+args+`)`, key); err != nil {
		conn.Close()
		return nil, c.db.fail(err, "lock")
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+args+`)`, key); err != nil {
			// The lock may still be held: the connection must not go
			// back to the pool with it, and closing it ends the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// SaveTicket keeps a ticket's hash for any node to redeem once.
func (c *Cluster) SaveTicket(ctx context.Context, hash string, id runtime.Identity, expires time.Time) error {
	_, err := c.db.write.ExecContext(ctx, `INSERT INTO ws_tickets (hash, user_id, name, role, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, hash, id.UserID, id.Name, id.Role, expires.UTC())
	return c.db.fail(err, "ticket")
}

// RedeemTicket deletes the ticket: of two nodes redeeming it at once, one
// gets the row.
func (c *Cluster) RedeemTicket(ctx context.Context, hash string) (runtime.Identity, bool, error) {
	var rows []struct {
		UserID string `db:"user_id"`
		Name   string `db:"name"`
		Role   string `db:"role"`
		Live   bool   `db:"live"`
	}
	err := c.db.write.SelectContext(ctx, &rows, `DELETE FROM ws_tickets WHERE hash = $1
		RETURNING user_id, name, role, expires_at > now() AS live`, hash)
	if err != nil {
		return runtime.Identity{}, false, c.db.fail(err, "ticket")
	}
	if len(rows) == 0 || !rows[0].Live {
		return runtime.Identity{}, false, nil
	}
	r := rows[0]
	return runtime.Identity{UserID: r.UserID, Name: r.Name, Role: r.Role}, true, nil
}

// purgeTickets deletes tickets that expired unredeemed.
func (c *Cluster) purgeTickets(ctx context.Context) error {
	_, err := c.db.write.ExecContext(ctx, `DELETE FROM ws_tickets WHERE expires_at < now()`)
	return err
}

// heartbeat renews every lease of this node.
func (c *Cluster) heartbeat(ctx context.Context, first bool) error {
	var live bool
	if first {
		// A live row under this id is this node before a crash or a
		// second process with the same id: worth a line in the log.
		err := c.db.read.GetContext(ctx, &live, `SELECT EXISTS (SELECT 1 FROM nodes WHERE id = $1 AND expires_at > now())`, c.node)
		if err != nil {
			return err
		}
	}
	_, err := c.db.write.ExecContext(ctx, `
		INSERT INTO nodes (id, started_at, expires_at) VALUES ($1, now(), now() + make_interval(secs => $2))
		ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at`, c.node, c.lease.Seconds())
	if live && err == nil {
		c.log.Warn("node id was live in the database: this node restarted within the lease time, or another running node uses the same id (give each node its own --node-id)", "node", c.node)
	}
	return err
}

func (c *Cluster) heartbeatLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.lease / 5)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.lease/5)
			err := c.heartbeat(ctx, false)
			if err == nil && rand.IntN(25) == 0 {
				// Every node purges now and then; about once per five
				// lease times each is plenty.
				err = c.purgeTickets(ctx)
			}
			cancel()
			if err != nil && c.ctx.Err() == nil {
				// The leases are still fenced: should they lapse and
				// move, this node's dialog writes are refused.
				c.log.Warn("lease heartbeat failed", "err", err)
			}
		}
	}
}

// listenLoop turns notifications into batches of ids for the runtime.
// Notifications that arrive together make one batch; a conversation named
// twice in it is read once.
func (c *Cluster) listenLoop() {
	defer c.wg.Done()
	ping := time.NewTicker(c.lease / 5)
	defer ping.Stop()
	for {
		var n *pq.Notification
		select {
		case <-c.ctx.Done():
			return
		case <-ping.C:
			// A connection that died quietly (a network partition)
			// is found here; the listener then reconnects.
			go c.listener.Ping()
			continue
		case received, open := <-c.listener.Notify:
			if !open {
				return // Close closed the listener
			}
			n = received
		}
		var batch []runtime.SessionID
		resync := false
		seen := map[string]bool{}
		for more := true; more; {
			if n == nil {
				resync = true // reconnected: what was sent meanwhile is lost
			} else {
				batch = c.parse(n.Extra, batch, seen)
			}
			// A closed channel (Close) reads as nil forever: without the
			// check this loop would spin and Close would wait on it.
			select {
			case received, open := <-c.listener.Notify:
				if !open {
					return
				}
				n = received
			default:
				more = false
			}
		}
		if resync {
			batch = nil
		} else if len(batch) == 0 {
			continue
		}
		select {
		case c.changes <- batch:
		case <-c.ctx.Done():
			return
		}
	}
}

// parse adds the conversations of one payload ("node|id,id,…") to batch,
// unless this node wrote them. A broadcast ("node|!{json}") goes to the
// runtime as it is.
func (c *Cluster) parse(payload string, batch []runtime.SessionID, seen map[string]bool) []runtime.SessionID {
	node, ids, ok := strings.Cut(payload, "|")
	if !ok || node == c.node {
		return batch
	}
	if event, ok := strings.CutPrefix(ids, "!"); ok {
		var e runtime.Event
		if err := json.Unmarshal([]byte(event), &e); err != nil {
			c.log.Warn("malformed broadcast", "err", err)
			return batch
		}
		e.Node = node // presence is kept per node
		select {
		case c.events <- &e:
		default: // an indicator or an error the sockets can do without
		}
		return batch
	}
	for _, id := range strings.Split(ids, ",") {
		if id != "" && !seen[id] {
			seen[id] = true
			batch = append(batch, runtime.SessionID(id))
		}
	}
	return batch
}

// Events delivers the other nodes' broadcasts, each with the node that
// sent it.
func (c *Cluster) Events() <-chan *runtime.Event { return c.events }

// Broadcast queues e for the other nodes; when the queue is full it is
// dropped (these events are not rows: nothing durable is lost).
func (c *Cluster) Broadcast(e *runtime.Event) {
	select {
	case c.outbox <- e:
	default:
	}
}

// sendLoop sends the broadcasts in order, one NOTIFY each.
func (c *Cluster) sendLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case e := <-c.outbox:
			b, err := json.Marshal(e)
			if err != nil || len(b) > notifyLimit {
				continue // an error text cannot be that long; drop it anyway
			}
			ctx, cancel := context.WithTimeout(c.ctx, c.lease/5)
			_, err = c.db.write.ExecContext(ctx, `SELECT pg_notify($1, $2)`, c.channel, c.node+"|!"+string(b))
			cancel()
			if err != nil && c.ctx.Err() == nil {
				c.log.Debug("broadcast failed", "err", err)
			}
		}
	}
}

// announce is the committer's hook: NOTIFY statements naming sids, each
// payload under PostgreSQL's limit. Ids and node ids need no escaping
// (UUIDs, nodeIDPattern); QuoteLiteral is there all the same.
func (c *Cluster) announce(sids []string) string {
	var b strings.Builder
	ch := pq.QuoteIdentifier(c.channel)
	for len(sids) > 0 {
		payload := c.node + "|"
		for len(sids) > 0 && len(payload)+len(sids[0]) < notifyLimit {
			payload += sids[0] + ","
			sids = sids[1:]
		}
		b.WriteString("NOTIFY " + ch + ", " + pq.QuoteLiteral(payload) + "; ")
	}
	return b.String()
}

// withApplicationName sets application_name in a postgres:// URL or a
// key=value connection string, naming the connection in pg_stat_activity.
func withApplicationName(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("application_name", name)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " application_name=" + name
}
