package runtime

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram/peers"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// Error types of calls the runtime refuses before sending.
const (
	// TypeBotMethodInvalid: a bot session called a user-only method.
	TypeBotMethodInvalid = "BOT_METHOD_INVALID"
	// TypeNotAllowed: the method is outside Options.Allow.
	TypeNotAllowed = "METHOD_NOT_ALLOWED"
)

// apiState is what the runtime puts around the binding: the flood wait
// middleware, the peer resolver and the guard's state.
type apiState struct {
	flood *floodWait
	peers *resolver
	allow *allowList
	guard *guard
	files *tg.Client // uploads and downloads (files.go), made on first use
}

// guard is what the guard of every call reads, in one small object: the
// guard runs with cold caches (see luabind.Plan), so every other object it
// touched would cost a cache miss per call.
type guard struct {
	globals *lua.LTable // the VM's _G, for flood_wait_max
	flood   *floodWait
	bot     atomic.Bool // see Runtime.isBot
	host    atomic.Bool // the host's own code runs: no allowlist (DoStringAsHost)
}

// apiOptions builds the binding's options around inv: flood waits, peer
// resolution, the peer cache hook and the guard.
func (r *Runtime) apiOptions(inv luabind.Invoker) (luabind.Options, error) {
	allow, err := newAllowList(r.opts.Allow)
	if err != nil {
		return luabind.Options{}, err
	}
	r.api.allow = allow
	// Every change of the account after this goes through setBot (bot
	// login, logout, the updates manager learning who we are), so a
	// call's bot check reads one flag.
	bot := r.opts.Bot
	if r.session != nil {
		if _, b, ok := r.session.Self(); ok && b {
			bot = true
		}
	}
	r.api.flood = newFloodWait(inv, r.opts)
	r.api.guard = &guard{globals: r.L.G.Global, flood: r.api.flood}
	r.api.guard.bot.Store(bot)

	store := r.opts.PeerStorage
	if store == nil {
		if r.session != nil {
			store = r.session
		} else {
			store = NewPeerStorage()
		}
	}
	// The resolver's own lookups (contacts.resolveUsername...) obey the
	// allowlist too: a sandboxed script cannot reach them through a peer.
	// Calls from Lua let other light threads run while they wait.
	yield := yieldInvoker{r: r, next: r.api.flood}
	api := tg.NewClient(allowInvoker{next: yield, allow: allow, guard: r.api.guard})
	r.api.peers = &resolver{
		store:  store,
		mgr:    peers.Options{Storage: store, Logger: r.opts.Logger}.Build(api),
		api:    api,
		L:      r.L,
		before: func() error { return r.api.flood.syncGlobal(r.L.G.Global) },
		self:   r.selfUser,
		isBot:  r.isBot,
	}
	return luabind.Options{
		Invoker:   yield,
		Resolver:  r.api.peers,
		Plan:      r.plan,
		Hook:      r.api.peers.hook,
		HookIDs:   hookIDs,
		NoGlobals: r.opts.NoGlobals,
		MaxChunks: r.opts.MaxChunks,
	}, nil
}

// plan decides, once per method, what the runtime does around its calls
// (luabind.Plan): the guard, and parse_mode for methods with a formatted
// message.
func (r *Runtime) plan(m *schema.Constructor) luabind.Plan {
	p := luabind.Plan{Guard: r.api.guard.check}
	if !r.api.allow.allows(m.Name) {
		p.Refuse = r.api.guard.refuse
	}
	if hasMessageText(m) {
		p.Prepare = r.prepare
	}
	return p
}

// check runs on the VM goroutine before every call is sent: it applies the
// flood_wait_max global and the bot check.
func (g *guard) check(_ context.Context, m *schema.Constructor) error {
	if err := g.syncFlood(m); err != nil {
		return err
	}
	// The bot flag comes first: the usability table is read only for
	// bots.
	if g.bot.Load() && apidoc.MethodUsability(m.Name) == apidoc.UsabilityUser {
		return &luabind.Error{Method: m.Name, Type: TypeBotMethodInvalid, Message: "bots cannot use this method"}
	}
	return nil
}

// refuse stops the calls of methods outside the allowlist before their
// arguments are encoded (luabind.Plan.Refuse), unless the host's own code
// makes them.
func (g *guard) refuse(_ context.Context, m *schema.Constructor) error {
	if g.host.Load() {
		return nil
	}
	if err := g.syncFlood(m); err != nil {
		return err
	}
	return &luabind.Error{Method: m.Name, Type: TypeNotAllowed, Message: "not allowed in this sandbox (allow " + m.Name + " to permit it)"}
}

// syncFlood applies the flood_wait_max global; a bad value is a bad
// argument of m's call.
func (g *guard) syncFlood(m *schema.Constructor) error {
	if err := g.flood.syncGlobal(g.globals); err != nil {
		return &luabind.ArgError{Method: m.Name, Msg: err.Error()}
	}
	return nil
}

// isBot reports whether the runtime speaks for a bot: Options.Bot, the
// session file's self user when the runtime started, or the last setBot.
func (r *Runtime) isBot() bool { return r.api.guard.bot.Load() }

// setBot records whether the account is a bot, e.g. after a bot login. The
// guard then refuses user-only methods before sending them.
func (r *Runtime) setBot(bot bool) { r.api.guard.bot.Store(bot) }

// selfUser is the current account's id, when the session file knows it.
func (r *Runtime) selfUser() (int64, bool) {
	if r.session == nil {
		return 0, false
	}
	id, _, ok := r.session.Self()
	return id, ok
}

// allowInvoker refuses requests the allowlist does not allow. It guards
// calls the runtime makes on a script's behalf, such as peer lookups.
type allowInvoker struct {
	next  luabind.Invoker
	allow *allowList
	guard *guard
	why   string // what the runtime needed the call for; default: a peer
}

func (a allowInvoker) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	if a.allow != nil && !a.guard.host.Load() {
		if t, ok := in.(interface{ TypeID() uint32 }); ok {
			if c := schema.ByID(t.TypeID()); c != nil && !a.allow.allows(c.Name) {
				why := a.why
				if why == "" {
					why = "resolve a peer"
				}
				return &luabind.Error{Method: c.Name, Type: TypeNotAllowed, Message: "not allowed in this sandbox (needed to " + why + "; allow " + c.Name + " to permit it)"}
			}
		}
	}
	return a.next.Invoke(ctx, in, out)
}

// allowList is Options.Allow compiled. A nil list allows everything.
type allowList struct {
	all        bool
	namespaces map[string]bool
	methods    map[string]bool
}

func newAllowList(patterns []string) (*allowList, error) {
	if patterns == nil {
		return nil, nil
	}
	a := &allowList{namespaces: map[string]bool{}, methods: map[string]bool{}}
	known := map[string]bool{}
	for _, ns := range schema.Namespaces() {
		known[ns] = true
	}
	for _, p := range patterns {
		switch {
		case p == "*":
			a.all = true
		case strings.HasSuffix(p, ".*") && known[strings.TrimSuffix(p, ".*")]:
			a.namespaces[strings.TrimSuffix(p, ".*")] = true
		default:
			if c := schema.ByName(p); c != nil && c.Method {
				a.methods[p] = true
				continue
			}
			msg := "no such method or namespace"
			if s := luabind.Suggest(p); s != "" && !strings.HasSuffix(p, ".*") {
				msg += " (did you mean " + s + "?)"
			}
			return nil, errors.Errorf("allow %q: %s", p, msg)
		}
	}
	return a, nil
}

func (a *allowList) allows(method string) bool {
	if a == nil || a.all || a.methods[method] {
		return true
	}
	if i := strings.LastIndexByte(method, '.'); i >= 0 {
		return a.namespaces[method[:i]]
	}
	return false
}
