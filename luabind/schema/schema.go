// Package schema is the Telegram TL schema that drives tglua's codec.
//
// The table is generated from gotd's _schema/telegram.tl (layer 229, copied
// next to this file) merged with legacy.tl, which holds methods that left the
// API but that scripts still call, such as auth.sendInvites#771c1d97.
// Regenerate with `go generate ./luabind/schema`.
//
// The generated table is plain static data: it costs nothing at start-up.
// Lookup maps are built once per process, on first use, and shared by every
// Lua VM.
package schema

import (
	"strings"
	"sync"
	"unsafe"
)

//go:generate go run ./internal/schemagen -out schema_gen.go

// Kind is the wire kind of a parameter or result.
type Kind uint8

// Wire kinds.
const (
	KindInvalid    Kind = iota
	KindInt             // int: int32
	KindLong            // long: int64
	KindDouble          // double: float64
	KindString          // string
	KindBytes           // bytes
	KindInt128          // int128: 16 raw bytes
	KindInt256          // int256: 32 raw bytes
	KindBool            // Bool: boxed boolTrue / boolFalse
	KindTrue            // true: a flag bit with no payload
	KindFlags           // #: a flags word computed from the conditional fields
	KindObject          // a boxed TL type: constructor ID, then fields
	KindVector          // Vector<T>: the vector constructor ID, count, elements
	KindBareVector      // vector<T>: count, elements
)

var kindNames = [...]string{
	KindInvalid:    "invalid",
	KindInt:        "int",
	KindLong:       "long",
	KindDouble:     "double",
	KindString:     "string",
	KindBytes:      "bytes",
	KindInt128:     "int128",
	KindInt256:     "int256",
	KindBool:       "Bool",
	KindTrue:       "true",
	KindFlags:      "#",
	KindObject:     "object",
	KindVector:     "Vector",
	KindBareVector: "vector",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Wire constants shared with the TL binary format.
const (
	VectorID    uint32 = 0x1cb5c415
	BoolTrueID  uint32 = 0x997275b5
	BoolFalseID uint32 = 0xbc799737
)

// TypeRef is the type of a parameter or of a method result.
//
// For KindObject, Type indexes Types. For vectors, Elem is the element kind
// and Type indexes Types when Elem is KindObject.
type TypeRef struct {
	Kind Kind
	Elem Kind
	Type uint16
}

// Param is one field of a constructor or one parameter of a method.
type Param struct {
	Name string
	Type TypeRef
	// Flag is the index in Params of the flags word this field depends on,
	// or -1 when the field is always present.
	Flag int8
	// Bit is the bit of that flags word.
	Bit uint8
}

// Conditional reports whether the field is present only when its flag bit is set.
func (p *Param) Conditional() bool { return p.Flag >= 0 }

// Constructor is a TL constructor or method.
type Constructor struct {
	ID     uint32
	Name   string // "inputPeerUser", "auth.sendInvites"
	Params []Param
	// Type is the index in Types of the type a constructor builds.
	// Unused for methods.
	Type uint16
	// Result is what a method returns. Unused for constructors.
	Result TypeRef
	Method bool
	// Legacy marks definitions that come from legacy.tl.
	Legacy bool
}

// Index returns the position of c in All(), for tables indexed by
// constructor.
func (c *Constructor) Index() int {
	return int((uintptr(unsafe.Pointer(c)) - uintptr(unsafe.Pointer(&constructors[0]))) / unsafe.Sizeof(Constructor{}))
}

// Namespace returns the part of the name before the dot, or "".
func (c *Constructor) Namespace() string {
	if i := strings.LastIndexByte(c.Name, '.'); i >= 0 {
		return c.Name[:i]
	}
	return ""
}

// Short returns the name without its namespace.
func (c *Constructor) Short() string {
	if i := strings.LastIndexByte(c.Name, '.'); i >= 0 {
		return c.Name[i+1:]
	}
	return c.Name
}

// Type is a boxed TL type and its constructors.
type Type struct {
	Name         string // "InputPeer", "auth.Authorization"
	Constructors []uint16
}

// Layer is the API layer of the generated table.
const Layer = layer

type index struct {
	byID       map[uint32]*Constructor
	byName     map[string]*Constructor
	typeByName map[string]uint16
	methods    map[string][]*Constructor // namespace -> methods, in schema order
}

var (
	idxOnce sync.Once
	idx     index
)

func getIndex() *index {
	idxOnce.Do(func() {
		idx.byID = make(map[uint32]*Constructor, len(constructors))
		idx.byName = make(map[string]*Constructor, len(constructors))
		idx.typeByName = make(map[string]uint16, len(types))
		idx.methods = map[string][]*Constructor{}
		for i := range constructors {
			c := &constructors[i]
			idx.byID[c.ID] = c
			idx.byName[c.Name] = c
			if c.Method {
				ns := c.Namespace()
				idx.methods[ns] = append(idx.methods[ns], c)
			}
		}
		for i := range types {
			idx.typeByName[types[i].Name] = uint16(i)
		}
	})
	return &idx
}

// All returns every constructor and method of the schema.
func All() []Constructor { return constructors }

// Types returns every boxed type of the schema.
func Types() []Type { return types }

// TypeAt returns the type with index i.
func TypeAt(i uint16) *Type { return &types[i] }

// ByID finds a constructor or method by its TL ID.
func ByID(id uint32) *Constructor { return getIndex().byID[id] }

// ByName finds a constructor or method by its full TL name.
func ByName(name string) *Constructor { return getIndex().byName[name] }

// TypeByName finds a boxed type by name ("InputPeer").
func TypeByName(name string) (*Type, bool) {
	i, ok := getIndex().typeByName[name]
	if !ok {
		return nil, false
	}
	return &types[i], true
}

// Namespaces returns the method namespaces ("account", "auth", ...),
// sorted, without the empty namespace. It needs no index: registering the
// namespaces in a VM costs no lookup maps.
func Namespaces() []string { return namespaces }

// Methods returns the methods of a namespace ("" for methods without one),
// in schema order. Wrappers such as invokeWithLayer are not part of the table.
func Methods(namespace string) []*Constructor { return getIndex().methods[namespace] }

// TypeName renders a TypeRef as TL writes it ("Vector<long>", "InputPeer").
func TypeName(t TypeRef) string {
	switch t.Kind {
	case KindObject:
		return types[t.Type].Name
	case KindVector, KindBareVector:
		elem := TypeName(TypeRef{Kind: t.Elem, Type: t.Type})
		if t.Kind == KindBareVector {
			return "vector<" + elem + ">"
		}
		return "Vector<" + elem + ">"
	default:
		return t.Kind.String()
	}
}

// Default is what a method's parameter p takes when a call leaves it out,
// as MadelineProto does: 0 for a plain (non-flag) int, long or double
// (hash, offset_id, add_offset...), and inputPeerEmpty for offset_peer.
// Strings, vectors, other objects and peers stay required: "" when p has
// no default. Constructors' fields have none (a missing access_hash is a
// mistake, not a zero).
func Default(c *Constructor, p *Param) string {
	if !c.Method || p.Conditional() {
		return ""
	}
	switch p.Type.Kind {
	case KindInt, KindLong, KindDouble:
		return "0"
	case KindObject:
		if p.Name == "offset_peer" && types[p.Type.Type].Name == "InputPeer" {
			return "inputPeerEmpty"
		}
	}
	return ""
}
