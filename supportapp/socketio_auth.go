package supportapp

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/zishang520/socket.io/servers/socket/v3"

	"parley/inbound"
	"parley/runtime"
)

// The handshake's credentials: auth.token, a JWT or an API key, as the
// app's `io(url, {auth: {token}})` sends it. A client that cannot set
// auth may send the headers /ws reads (Authorization: Bearer, X-API-Key)
// instead. Anonymous visitors are not served here: a Socket.IO client
// connects before it names a conversation, and a visitor has nothing but
// a conversation to be known by. A refusal is a connect error (the
// client's connect_error) whose message says why.

// authTimeout bounds the verification of one handshake's credentials
// (an API key is looked up in the store).
const authTimeout = 10 * time.Second

// admitted is what the middleware keeps in a socket's data: who it is,
// and how to give back its connection slot (once, whoever calls first:
// the socket's end, or its connection's close if it never connects).
type admitted struct {
	id   runtime.Identity
	free func()
}

// authenticate is the namespace's middleware: it runs before a socket
// connects, so that a refusal is the client's connect_error. It checks
// the credentials and takes one of the runtime's connection slots (the
// caps per user and address count /ws and Socket.IO alike).
func (s *SocketIO) authenticate(sock *socket.Socket, next func(*socket.ExtendedError)) {
	id, err := s.identify(sock)
	var free func()
	if err == nil {
		free, err = s.cfg.Hub.Connect(id)
	}
	if err != nil {
		next(socket.NewExtendedError(runtime.ErrorMessage(err), map[string]any{"code": runtime.ErrorKind(err)}))
		return
	}
	free = sync.OnceFunc(free)
	_ = sock.Conn().Once("close", func(...any) { free() })
	sock.SetData(admitted{id: id, free: free})
	next(nil)
}

// identify reads and verifies the handshake's credentials.
func (s *SocketIO) identify(sock *socket.Socket) (runtime.Identity, error) {
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	r := sock.Request().Request()
	var (
		id  runtime.Identity
		err error
	)
	if token := handshakeToken(sock.Handshake().Auth); token != "" {
		id, err = s.verify(ctx, token)
	} else {
		var found bool
		creds := inbound.Credentials{Auth: s.cfg.Auth, APIKeys: s.cfg.APIKeys}
		id, found, err = creds.FromHeaders(r.WithContext(ctx))
		if !found {
			err = runtime.Errorf(runtime.KindUnauthorized, "send a JWT or an API key as auth.token")
		}
	}
	if err != nil {
		return runtime.Identity{}, err
	}
	id.IP = inbound.ClientIP(r, s.cfg.TrustedProxies)
	return id, nil
}

// handshakeToken is auth.token, without a "Bearer " some apps put before it.
func handshakeToken(auth map[string]any) string {
	token, _ := auth["token"].(string)
	token = strings.TrimSpace(token)
	if rest, ok := strings.CutPrefix(token, "Bearer "); ok {
		token = strings.TrimSpace(rest)
	}
	return token
}

// verify checks a token: three dot-separated parts are a JWT, anything
// else is taken for an API key.
func (s *SocketIO) verify(ctx context.Context, token string) (runtime.Identity, error) {
	if strings.Count(token, ".") == 2 {
		if s.cfg.Auth == nil {
			return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "JWTs are not enabled on this server")
		}
		return s.cfg.Auth.Authenticate(ctx, token)
	}
	if s.cfg.APIKeys == nil {
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "API keys are not enabled on this server")
	}
	return s.cfg.APIKeys.Authenticate(ctx, token)
}
