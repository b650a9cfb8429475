package runtime

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Team is a group of bots asked one question at once (a folder of the bots
// directory with a team.yaml; package dialogs loads it). Read-only.
type Team struct {
	ID      BotID // the folder's name, as a bot's
	Name    string
	Members []BotID // bots, never teams; at least one
	// SummaryBot, when set, is asked to sum up the members' answers.
	SummaryBot BotID
	// MemberTimeout is how long each member (and the summary bot) may take
	// to answer; 0 is DefaultMemberTimeout.
	MemberTimeout time.Duration
}

// DefaultMemberTimeout is how long a team member may take to answer when
// its team.yaml does not say.
const DefaultMemberTimeout = 30 * time.Second

// TeamModeBrainstorm asks every member at once. It is the only mode.
const TeamModeBrainstorm = "brainstorm"

// TeamEngine is a DialogEngine that also loads teams. An engine without
// teams need not implement it: the hub then has none.
type TeamEngine interface {
	// Teams lists the loaded teams sorted by ID.
	Teams() []*Team
}

// TeamRequest is one question for a team.
type TeamRequest struct {
	Team    BotID
	Message string
	Mode    string // "" is TeamModeBrainstorm
}

// TeamAnswer is what a team said: each member's answer in the order of
// team.yaml, and their summary.
type TeamAnswer struct {
	Responses []TeamResponse
	Summary   string
	Mode      string
}

// TeamResponse is one member's answer: its messages of the turn joined by
// newlines. Complete is false when the member did not finish in time (or
// failed); Content then has what it said until then, and Error, when it
// failed, what went wrong (ErrorKind and ErrorMessage of the failure).
type TeamResponse struct {
	BotID     BotID
	BotName   string
	Content   string
	Complete  bool
	ErrorCode Kind
	Error     string
}

// Teams lists the loaded teams (none when the engine has no teams).
func (h *Hub) Teams() []*Team {
	if te, ok := h.engine.(TeamEngine); ok {
		return te.Teams()
	}
	return nil
}

// Team returns one team, or KindNotFound.
func (h *Hub) Team(id BotID) (*Team, error) {
	for _, t := range h.Teams() {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, Errorf(KindNotFound, "there is no team %q", id)
}

// TeamChat asks every member of a team req.Message at once, each in id's
// conversation with that bot (as a socket without session_id joins it),
// and waits for each to finish its turn or run out of time: a slow or
// failing member leaves its answer incomplete and does not hold up the
// others. The summary is the summary bot's answer to the members'
// answers, or (without one, or when it said nothing) the answers joined.
func (h *Hub) TeamChat(ctx context.Context, id Identity, req TeamRequest) (*TeamAnswer, error) {
	if req.Mode == "" {
		req.Mode = TeamModeBrainstorm
	}
	if req.Mode != TeamModeBrainstorm {
		return nil, Errorf(KindInvalid, "mode %q is not known; the only mode is %q", req.Mode, TeamModeBrainstorm)
	}
	if id.Anonymous {
		return nil, Errorf(KindUnauthorized, "teams are for authenticated callers")
	}
	if err := validateSend(SendRequest{Content: req.Message}); err != nil {
		return nil, err
	}
	team, err := h.Team(req.Team)
	if err != nil {
		return nil, err
	}
	ans := &TeamAnswer{Mode: req.Mode, Responses: make([]TeamResponse, len(team.Members))}
	var wg sync.WaitGroup
	for i, bot := range team.Members {
		wg.Go(func() { ans.Responses[i] = h.askMember(ctx, id, team, bot, req.Message) })
	}
	wg.Wait()
	ans.Summary = joinResponses(ans.Responses)
	if team.SummaryBot != "" {
		sum := h.askMember(ctx, id, team, team.SummaryBot, summaryPrompt(req.Message, ans.Responses))
		if strings.TrimSpace(sum.Content) != "" {
			ans.Summary = sum.Content
		} else {
			h.log.Warn("team summary bot said nothing; the summary is the answers joined",
				"team", team.ID, "bot", team.SummaryBot, "error", sum.Error)
		}
	}
	return ans, nil
}

// askMember runs one member's turn within the team's member timeout.
func (h *Hub) askMember(ctx context.Context, id Identity, team *Team, bot BotID, message string) TeamResponse {
	timeout := team.MemberTimeout
	if timeout <= 0 {
		timeout = DefaultMemberTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := TeamResponse{BotID: bot, BotName: string(bot)}
	if b, err := h.Bot(bot); err == nil {
		r.BotName = b.Name
	}
	replies, complete, err := h.turn(ctx, id, bot, message)
	r.Content, r.Complete = strings.Join(replies, "\n"), complete && err == nil
	if err != nil {
		r.ErrorCode, r.Error = ErrorKind(err), ErrorMessage(err)
	} else if !complete {
		r.ErrorCode, r.Error = KindUnavailable, "the bot did not finish its answer in time"
	}
	return r
}

// turn is one synchronous turn of id's conversation with bot: it joins
// the conversation as a socket would, lets a turn already under way end,
// sends content and gathers the bot's messages until the dialog waits for
// input again (complete) or ctx ends (not complete, with what it has).
//
// It is the team's own copy of what POST /api/bots/{id}/chat does; once
// that exists in the runtime, this should call it instead.
func (h *Hub) turn(ctx context.Context, id Identity, bot BotID, content string) (replies []string, complete bool, err error) {
	sub, err := h.Join(ctx, id, JoinRequest{BotID: bot})
	if err != nil {
		return nil, false, err
	}
	defer sub.Close()
	if _, complete, err := gather(ctx, sub, -1); !complete || err != nil {
		return nil, false, err // the previous turn (a greeting) did not end
	}
	m, _, err := sub.Send(ctx, SendRequest{Content: content})
	if err != nil {
		return nil, false, err
	}
	return gather(ctx, sub, m.Seq)
}

// gather collects the bot's messages after seq (none for seq < 0) until
// the dialog is idle. It reads events while it waits, so that a talkative
// bot does not fill the socket's queue. A dialog error ends the turn
// with that error.
func gather(ctx context.Context, sub *Subscription, after int64) (replies []string, complete bool, err error) {
	idle := make(chan error, 1)
	go func() { idle <- sub.WaitIdle(ctx) }()
	take := func(e *Event) {
		switch {
		case after < 0:
		case e.Type == EventMessage && e.Message.Sender == SenderBot && e.Message.Seq > after:
			replies = append(replies, e.Message.Content)
		case e.Type == EventError && err == nil:
			err = &Error{Kind: e.Code, Message: e.Text}
		}
	}
	for {
		select {
		case e := <-sub.Events():
			take(e)
		case <-sub.Done():
			return replies, false, Errorf(KindUnavailable, "the conversation stopped: %s", sub.Reason())
		case werr := <-idle:
			for drained := false; !drained; { // every event of the turn is queued by now
				select {
				case e := <-sub.Events():
					take(e)
				default:
					drained = true
				}
			}
			if werr != nil && ctx.Err() == nil {
				return replies, false, werr
			}
			return replies, werr == nil, err
		}
	}
}

// joinResponses is the summary of a team without a summary bot: each
// answer that says something, after its bot's name.
func joinResponses(rs []TeamResponse) string {
	var parts []string
	for _, r := range rs {
		if strings.TrimSpace(r.Content) != "" {
			parts = append(parts, r.BotName+": "+r.Content)
		}
	}
	return strings.Join(parts, "\n\n")
}

// summaryPrompt is what the summary bot is asked, cut to fit a message.
func summaryPrompt(question string, rs []TeamResponse) string {
	p := "Sum up these answers to: " + question + "\n\n" + joinResponses(rs)
	if len(p) <= MaxContentLen {
		return p
	}
	p = p[:MaxContentLen]
	for !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}
