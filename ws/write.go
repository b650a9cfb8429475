package ws

import (
	"context"
	"encoding/json"

	"github.com/coder/websocket"

	"parley/runtime"
)

// writeEvent writes one event's frame with the write timeout. The
// connected status of a conversation the socket has just joined is its
// greeting, which reads the backlog the join asked for.
func (c *connection) writeEvent(ctx context.Context, e *runtime.Event) error {
	if e.Follow != nil {
		return c.greet(ctx, e.Follow, e.Follow.After)
	}
	data, err := encodeEvent(e)
	if err != nil {
		return err
	}
	return c.write(ctx, data)
}

func (c *connection) writeJSON(ctx context.Context, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.write(ctx, data)
}

func (c *connection) write(ctx context.Context, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.h.cfg.WriteTimeout)
	defer cancel()
	c.h.framesOut.Add(1)
	return c.conn.Write(ctx, websocket.MessageText, data)
}
