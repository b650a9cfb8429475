package dialogs_test

import (
	"fmt"
	"io/fs"
	goruntime "runtime"
	"strings"
	"testing"

	"parley/bots"
	"parley/dialogs"
	"parley/runtime"
)

// The example bots, each through a short happy path.

func TestExampleBotsList(t *testing.T) {
	t.Parallel()
	var got []string
	for _, b := range newEngine(t, bots.FS).Bots() {
		got = append(got, string(b.ID))
		if b.Default != (b.ID == "welcome") || b.Name == "" || b.Description == "" {
			t.Errorf("bot %+v", *b)
		}
	}
	if strings.Join(got, " ") != "assistant echo pizza support welcome" {
		t.Errorf("bots %q", got)
	}
}

// The assistant asks the model with the conversation as context, and
// says what went wrong when the call fails.
func TestAssistantBot(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, bots.FS), "assistant", nil)
	c.host.history = []runtime.HistoryMessage{
		{Role: runtime.LLMAssistant, Content: "Hi!", Sender: runtime.SenderBot},
		{Role: runtime.LLMUser, Content: "What is Parley?", Sender: runtime.SenderUser},
	}
	c.begin("talk: Hi! I answer with a language model. Ask me anything.")
	system := "system: You are Parley's assistant, talking with a visitor in a web chat. Answer briefly and plainly."
	c.say("What is Parley?", "history: 20", "llm: "+system+" | assistant: Hi! | user: What is Parley?")
	c.host.llm = func(runtime.LLMRequest) (string, error) {
		return "", &runtime.LLMError{Message: "LLM: the endpoint answered 500 Internal Server Error"}
	}
	c.say("again", "history: 20", "llm: "+system+" | assistant: Hi! | user: What is Parley?",
		"talk: Sorry, I could not get an answer: LLM: the endpoint answered 500 Internal Server Error. Try again in a moment.")
}

func TestWelcomeBot(t *testing.T) {
	t.Parallel()
	e := newEngine(t, bots.FS)
	mem := newMemory()
	menu := []string{"talk: How can I help, Ada?", "suggest: Order status | Talk to support | About Parley"}

	first := startChat(t, e, "welcome", mem)
	first.begin("talk: Hello! I'm Parley's welcome bot.", "talk: What's your name?")
	first.say("  Ada ", append([]string{"talk: Nice to meet you, Ada!"}, menu...)...)
	first.say("about parley", append([]string{"typing: true", "typing: false",
		"talk: Parley runs bots written as small Lua scripts and talks to you over a WebSocket. " +
			"Your place in the conversation survives restarts."}, menu...)...)
	first.say("weather?", "talk: Please choose one of: Order status, Talk to support, About Parley.",
		"suggest: Order status | Talk to support | About Parley")

	// The same user's next visit: another dialog, the same memory.
	second := startChat(t, e, "welcome", mem)
	second.begin(append([]string{"talk: Welcome back, Ada!"}, menu...)...)
}

func TestSupportBot(t *testing.T) {
	t.Parallel()
	mem := newMemory()
	c := startChat(t, newEngine(t, bots.FS), "support", mem)
	c.begin("talk: Hi, I can look up an order for you.",
		"talk: What's your order number? You'll find it in your confirmation email.")
	c.say("123", "talk: Hmm, an order number is 5 to 8 digits, like 123456. Could you check it again?")
	c.say("#123456", "talk: Thanks! Which email address did you use for order 123456?")
	c.say("ada at example", "talk: That doesn't look like an email address. Please type it like name@example.com.")
	menu := []string{"talk: Got it: order 123456, email ada@example.com.", "now",
		"talk: Is anything wrong with it?", "suggest: It arrived damaged | Just the status"}
	c.say("ada@example.com", menu...)
	c.say("just the status", "talk: We'll email you the status within one working day. Anything else? Just write again.")
	want := `{"at":"2025-03-14T09:26:53Z","email":"ada@example.com","order":123456}`
	if got := mem.kv["last_order"]; got != want {
		t.Errorf("memory %s, want %s", got, want)
	}
	// The script has returned: the next message starts over. An order
	// that arrived damaged: a photo of it, and one back.
	c.say("123456", "talk: Hi, I can look up an order for you.",
		"talk: What's your order number? You'll find it in your confirmation email.",
		"talk: Thanks! Which email address did you use for order 123456?")
	c.say("ada@example.com", menu...)
	c.say("It arrived damaged", "talk: Sorry about that! Please send a photo of the damage.")
	c.say("it is cracked", "talk: I need a picture to pass on: please send a photo of the damage.")
	packing, err := fs.Stat(bots.FS, "support/files/packing.png")
	if err != nil {
		t.Fatal(err)
	}
	c.send(fileMsg("", photo), fmt.Sprintf("talk: Thanks, we have your photo (cup.png). "+
		"Please keep the item and its box: pack it like this, and we'll email you a return label. [files/packing.png (%d bytes)]", packing.Size()),
		"talk: We'll email you the status within one working day. Anything else? Just write again.")
	want = `{"at":"2025-03-14T09:26:53Z","email":"ada@example.com","order":123456,"photo":"up-1"}`
	if got := mem.kv["last_order"]; got != want {
		t.Errorf("memory %s, want %s", got, want)
	}
	// Two answers that are not an order number hand the conversation to a
	// person.
	c.say("hello again", "talk: Hi, I can look up an order for you.",
		"talk: What's your order number? You'll find it in your confirmation email.",
		"talk: Hmm, an order number is 5 to 8 digits, like 123456. Could you check it again?")
	c.say("lost it", "talk: Let me find a person from our team to help you. Please describe the problem here.",
		`transfer: "could not give a valid order number" 1h0m0s`,
		"talk: Ann has closed your request. Thanks for your patience! Write again any time.")
}

// The pizza bot (README's example) remembers the last order for the
// user's next conversation.
func TestPizzaBot(t *testing.T) {
	t.Parallel()
	e := newEngine(t, bots.FS)
	mem := newMemory()
	menu := []string{"talk: What size?", "suggest: Small | Medium | Large"}
	first := startChat(t, e, "pizza", mem)
	first.begin(append([]string{"talk: Hi! I take pizza orders."}, menu...)...)
	first.say("medium", "talk: How many?")
	first.say("3", "talk: Thanks! 3 × Medium, coming up.", "talk: Write to me whenever you want another order.")
	if got, want := mem.kv["last_order"], `{"count":3,"size":"Medium"}`; got != want {
		t.Errorf("memory %s, want %s", got, want)
	}
	second := startChat(t, e, "pizza", mem)
	second.begin(append([]string{"talk: Welcome back! Last time: 3 × Medium."}, menu...)...)
}

func TestEchoBot(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, bots.FS), "echo", nil)
	c.begin() // no greeting: a turn is one message in, one out
	c.say("Hello", "talk: Hello")
	c.say("  spaces  kept ", "talk:   spaces  kept ")
}

// BenchmarkTurn measures one echo turn: a user message in, TALK out.
func BenchmarkTurn(b *testing.B) {
	e := newEngine(b, bots.FS)
	d, err := e.NewDialog(&runtime.Session{ID: "bench", BotID: "echo"}, nil, nopHost{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := b.Context()
	if _, err := d.Step(ctx, nil); err != nil {
		b.Fatal(err)
	}
	msg := &runtime.Message{Sender: runtime.SenderUser, Content: "ping"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Step(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun measures a whole run of a script that returns at once: a
// fresh sandboxed state each time, as after every return or failure.
func BenchmarkRun(b *testing.B) {
	e := newEngine(b, sourceFS(`TALK "hi"`))
	d, err := e.NewDialog(&runtime.Session{ID: "bench", BotID: "t"}, nil, nopHost{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Step(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParkedDialog reports the memory a dialog parked in HEAR holds:
// its Lua state on the heap and the stack of goroutines (none: yield.go;
// the one idle worker that ran the turns is counted in before).
func BenchmarkParkedDialog(b *testing.B) {
	e := newEngine(b, bots.FS)
	const n = 1000
	var before, after goruntime.MemStats
	for b.Loop() {
		goruntime.GC() // twice: gopher-lua pools call frames in a sync.Pool,
		goruntime.GC() // which lets the last round's go only on the 2nd GC
		goruntime.ReadMemStats(&before)
		ds := make([]runtime.Dialog, n)
		for i := range ds {
			ds[i], _ = e.NewDialog(&runtime.Session{ID: "bench", BotID: "echo"}, nil, nopHost{})
			if _, err := ds[i].Step(b.Context(), nil); err != nil {
				b.Fatal(err)
			}
		}
		goruntime.GC()
		goruntime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/dialog")
		b.ReportMetric(float64(after.StackInuse-before.StackInuse)/n, "stack-B/dialog")
		for _, d := range ds {
			d.Close()
		}
		for dialogs.Busy() > 0 { // let blocked ones end before the next count
			goruntime.Gosched()
		}
	}
}
