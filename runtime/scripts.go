package runtime

import "context"

// saveScript stores a script version once per process, so that a run
// pinned to it can be rebuilt after the bot's folder has changed.
func (h *Hub) saveScript(ctx context.Context, sc *Script) error {
	key := string(sc.Bot) + "@" + sc.Version
	h.mu.Lock()
	saved := h.saved[key]
	h.mu.Unlock()
	if saved {
		return nil
	}
	if err := h.store.SaveScript(ctx, sc); err != nil {
		return err
	}
	h.mu.Lock()
	h.saved[key] = true
	h.mu.Unlock()
	return nil
}

// script returns version of bot's script: the current one, or an older
// one from the store.
func (h *Hub) script(ctx context.Context, bot BotID, version string) (*Script, error) {
	cur, err := h.engine.Script(bot)
	if err != nil {
		return nil, err
	}
	if version == "" || version == cur.Version {
		return cur, nil
	}
	return h.store.FindScript(ctx, bot, version)
}
