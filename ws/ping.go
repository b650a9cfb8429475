package ws

import (
	"context"
	"time"
)

// Keepalive: the server pings each socket every PingInterval so that dead
// connections (and the NATs in between) do not linger; a pong missed
// within WriteTimeout closes the socket. A timer rather than a ticker in
// a select: between pings no goroutine waits for it. The timer's own
// goroutine waits for the pong, then sets the next ping.

// startPing sets the first ping. The timer is made stopped and then set,
// so that c.pinger is assigned before ping can run.
func (c *connection) startPing() {
	c.pinger = time.AfterFunc(time.Duration(1<<63-1), c.ping)
	c.pinger.Reset(c.h.cfg.PingInterval)
}

func (c *connection) ping() {
	ctx, cancel := context.WithTimeout(c.ctx, c.h.cfg.WriteTimeout)
	err := c.conn.Ping(ctx)
	cancel()
	if err != nil {
		c.conn.CloseNow()
		return
	}
	// The reader may stop the timer between this check and Reset; the
	// ping that then comes fails on the closed connection and sets none.
	if !c.closed.Load() {
		c.pinger.Reset(c.h.cfg.PingInterval)
	}
}
