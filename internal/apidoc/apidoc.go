// Package apidoc is an offline table of Telegram API documentation: method,
// constructor and type descriptions, method parameters and RPC errors, and
// which kind of account (user, bot or both) may call each method. It backs
// MadelineProto-style documentation pages such as `tglua doc auth.sendInvites`.
//
// The table is generated into apidoc_gen.go by `go generate ./internal/apidoc`
// from github.com/gotd/getdoc's scrape of core.telegram.org (layer 223), the
// usability table data/method-usability.csv and hand-written entries in
// data/extra.json (see package internal/apidocgen). getdoc itself is not
// linked: the documentation is stored compressed in a string constant and
// decoded once, on first lookup.
//
// Usability comes only from the CSV (and extra.json for methods the CSV
// lacks); a method in neither has UsabilityUnknown. getdoc's "bots can use
// this method" flag is not used: it is unset for every method in layer 223.
//
// All functions are safe for concurrent use; returned values are copies.
package apidoc

//go:generate go run ./gen

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Usability says who may call a method.
type Usability uint8

// Usability values.
const (
	UsabilityUnknown Usability = iota // no data: never guessed
	UsabilityUser                     // user accounts only
	UsabilityBot                      // bot accounts only
	UsabilityBoth                     // users and bots
)

var usabilityNames = [...]string{"unknown", "user", "bot", "both"}

// String returns "unknown", "user", "bot" or "both".
func (u Usability) String() string {
	if int(u) < len(usabilityNames) {
		return usabilityNames[u]
	}
	return fmt.Sprintf("Usability(%d)", uint8(u))
}

// BotsCanUse answers "can bots use this method?" as documentation pages do:
// "YES" for bot and both, "NO" for user, "unknown" otherwise.
func (u Usability) BotsCanUse() string {
	switch u {
	case UsabilityBot, UsabilityBoth:
		return "YES"
	case UsabilityUser:
		return "NO"
	default:
		return "unknown"
	}
}

// parseUsability parses a String() value other than "unknown".
func parseUsability(s string) (Usability, bool) {
	switch s {
	case "user":
		return UsabilityUser, true
	case "bot":
		return UsabilityBot, true
	case "both":
		return UsabilityBoth, true
	}
	return UsabilityUnknown, false
}

// Error is a possible RPC error of a method.
type Error struct {
	Type        string // e.g. "MESSAGE_EMPTY", "FLOOD_WAIT_%d"
	Description string // empty when unknown
}

// Method documents an API method such as "messages.sendMessage".
type Method struct {
	Name        string
	Description string            // plain text; paragraphs separated by "\n"
	Params      map[string]string // TL parameter name -> description
	Errors      []Error           // sorted by Type
	BotUsable   Usability
}

// Constructor documents a constructor such as "inputPeerUser".
type Constructor struct {
	Name        string
	Description string
	Fields      map[string]string // TL field name -> description
}

// Type documents an abstract type such as "InputPeer".
type Type struct {
	Name        string
	Description string
}

// Payload record kinds and separators; see internal/apidocgen.
const (
	recordSep = "\x1e"
	fieldSep  = "\x1f"

	kindMethod      = 'M'
	kindConstructor = 'C'
	kindType        = 'T'
	kindParam       = 'P'
	kindError       = 'E'
)

// table is the decoded documentation. Each entry maps a name to its record
// group (head record plus its P/E records), still unparsed: a lookup parses
// only the entry it returns.
type table struct {
	methods      map[string]string
	constructors map[string]string
	types        map[string]string
	names        []string
}

// lazyTable decodes docBlob once, on first use.
type lazyTable struct {
	once sync.Once
	t    *table
}

func (l *lazyTable) get() *table {
	l.once.Do(func() {
		t, err := decode(docBlob)
		if err != nil {
			// The blob is generated and tested; failing here is a build bug.
			panic("apidoc: corrupt generated table: " + err.Error())
		}
		l.t = t
	})
	return l.t
}

// lazyUsability parses usabilityTable once, on first use.
type lazyUsability struct {
	once sync.Once
	m    map[string]Usability
}

func (l *lazyUsability) get() map[string]Usability {
	l.once.Do(func() { l.m = parseUsabilityTable(usabilityTable) })
	return l.m
}

// Package state; tests replace these to exercise the first-use paths.
var (
	docTable  = &lazyTable{}
	usability = &lazyUsability{}
)

func docs() *table { return docTable.get() }

func inflate(blob string) (string, error) {
	z, err := base64.StdEncoding.DecodeString(blob) // ignores the line breaks
	if err != nil {
		return "", err
	}
	var buf strings.Builder
	buf.Grow(4 * len(z))
	r := flate.NewReader(bytes.NewReader(z))
	if _, err := io.Copy(&buf, r); err != nil {
		return "", err
	}
	if err := r.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func decode(blob string) (*table, error) {
	p, err := inflate(blob)
	if err != nil {
		return nil, err
	}
	t := &table{
		methods:      make(map[string]string, 1024),
		constructors: make(map[string]string, 2048),
		types:        make(map[string]string, 1024),
	}
	var (
		cur   map[string]string
		name  string
		start int
	)
	flush := func(end int) {
		if cur != nil {
			cur[name] = p[start:end]
		}
	}
	for i := 0; i < len(p); {
		n := strings.Index(p[i:], recordSep)
		if n < 0 {
			return nil, fmt.Errorf("unterminated record at %d", i)
		}
		rec := p[i : i+n]
		head, _, ok := strings.Cut(rec, fieldSep)
		if !ok || len(head) < 2 {
			return nil, fmt.Errorf("bad record at %d", i)
		}
		var next map[string]string
		switch head[0] {
		case kindMethod:
			next = t.methods
		case kindConstructor:
			next = t.constructors
		case kindType:
			next = t.types
		case kindParam, kindError:
			if cur == nil {
				return nil, fmt.Errorf("orphan record at %d", i)
			}
		default:
			return nil, fmt.Errorf("unknown record kind %q at %d", head[0], i)
		}
		if next != nil {
			flush(i)
			cur, name, start = next, head[1:], i
			t.names = append(t.names, name)
		}
		i += n + len(recordSep)
	}
	flush(len(p))
	slices.Sort(t.names)
	t.names = slices.Compact(t.names)
	return t, nil
}

// entry is a parsed record group.
type entry struct {
	name, desc string
	params     map[string]string
	errors     []Error
}

func parseEntry(group string) entry {
	var e entry
	for i, rec := range strings.Split(strings.TrimSuffix(group, recordSep), recordSep) {
		head, desc, _ := strings.Cut(rec, fieldSep)
		kind, name := head[0], head[1:]
		switch {
		case i == 0:
			e.name, e.desc = name, desc
		case kind == kindParam:
			if e.params == nil {
				e.params = make(map[string]string)
			}
			e.params[name] = desc
		case kind == kindError:
			e.errors = append(e.errors, Error{Type: name, Description: desc})
		}
	}
	return e
}

// LookupMethod returns the documentation of the named method
// ("messages.sendMessage").
func LookupMethod(name string) (Method, bool) {
	g, ok := docs().methods[name]
	if !ok {
		return Method{}, false
	}
	e := parseEntry(g)
	return Method{
		Name:        e.name,
		Description: e.desc,
		Params:      e.params,
		Errors:      e.errors,
		BotUsable:   MethodUsability(name),
	}, true
}

// LookupConstructor returns the documentation of the named constructor
// ("inputPeerUser").
func LookupConstructor(name string) (Constructor, bool) {
	g, ok := docs().constructors[name]
	if !ok {
		return Constructor{}, false
	}
	e := parseEntry(g)
	return Constructor{Name: e.name, Description: e.desc, Fields: e.params}, true
}

// LookupType returns the documentation of the named type ("InputPeer").
func LookupType(name string) (Type, bool) {
	g, ok := docs().types[name]
	if !ok {
		return Type{}, false
	}
	e := parseEntry(g)
	return Type{Name: e.name, Description: e.desc}, true
}

// MethodUsability reports who may call the named method, UsabilityUnknown
// when there is no data. It does not decode the documentation table.
func MethodUsability(name string) Usability {
	return usability.get()[name]
}

func parseUsabilityTable(s string) map[string]Usability {
	m := make(map[string]Usability, strings.Count(s, "\n"))
	for line := range strings.Lines(s) {
		name, u, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if v, ok := parseUsability(u); ok {
			m[name] = v
		}
	}
	return m
}

// Names returns all documented names (methods, constructors and types),
// sorted, e.g. for "did you mean" suggestions.
func Names() []string {
	return slices.Clone(docs().names)
}
