package dialogs

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// versionOf is a script version: the first 16 bytes of the SHA-256 of
// start.lua, in hex. Only start.lua counts: a new name or description in
// bot.yaml does not change what a run does.
func versionOf(src string) string {
	sum := sha256.Sum256([]byte(src))
	return hex.EncodeToString(sum[:16])
}

// maxOldVersions bounds the compiled versions kept besides the current
// ones (which every bot keeps in its *bot). A dialog holds its own proto,
// so an evicted entry only costs a compilation when another dialog of
// that version starts.
const maxOldVersions = 64

// versionKey names one version of one bot.
type versionKey struct {
	bot     runtime.BotID
	version string
}

// protoCache keeps the compiled old versions of scripts, least recently
// used first out. It is safe for concurrent use.
type protoCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of versionKey, most recently used at the front
	items map[versionKey]*cacheItem
}

type cacheItem struct {
	proto *lua.FunctionProto
	elem  *list.Element
}

func newProtoCache(max int) *protoCache {
	return &protoCache{max: max, order: list.New(), items: make(map[versionKey]*cacheItem)}
}

func (c *protoCache) get(k versionKey) *lua.FunctionProto {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok {
		return nil
	}
	c.order.MoveToFront(it.elem)
	return it.proto
}

func (c *protoCache) put(k versionKey, p *lua.FunctionProto) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it, ok := c.items[k]; ok {
		c.order.MoveToFront(it.elem)
		return
	}
	c.items[k] = &cacheItem{proto: p, elem: c.order.PushFront(k)}
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(versionKey))
	}
}

func (c *protoCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// protoFor returns the compiled script sc of bot b: b's own when sc is
// its current version, else an old version, compiled on first use. A
// Script whose Source does not hash to its Version, or that no longer
// compiles, is a KindDialog error: the runtime starts the conversation
// over rather than run something else.
func (e *Engine) protoFor(b *bot, sc *runtime.Script) (*lua.FunctionProto, error) {
	if sc.Version == b.script.Version && sc.Source == b.script.Source {
		return b.proto, nil
	}
	if versionOf(sc.Source) != sc.Version {
		return nil, runtime.Wrap(runtime.KindDialog,
			errors.New("script "+sc.Version+" of bot "+string(sc.Bot)+": the source does not match its version"),
			failedMessage)
	}
	k := versionKey{sc.Bot, sc.Version}
	if p := e.old.get(k); p != nil {
		return p, nil
	}
	p, err := compileSource(sc.Bot, sc.Source)
	if err != nil {
		var se *ScriptError
		if errors.As(err, &se) {
			return nil, dialogError(se)
		}
		return nil, runtime.Wrap(runtime.KindDialog, err, failedMessage)
	}
	e.old.put(k, p) // two dialogs compiling the same version at once: harmless
	return p, nil
}
