package docpage

import "github.com/tglua/tglua/luabind/schema"

// ValueKind is what an example Value is.
type ValueKind uint8

const (
	// ValueLiteral is a number or a boolean whose Text is spelled alike in
	// Lua, JSON and Go: 42, 0.5, true.
	ValueLiteral ValueKind = iota
	// ValueString is a string; Text holds its contents.
	ValueString
	// ValueBytes is a TL bytes value; Text holds its contents.
	ValueBytes
	// ValueZeros is Size zero bytes: an int128 or int256.
	ValueZeros
	// ValueNow is the current Unix time.
	ValueNow
	// ValueNil is no value: an object type without constructors.
	ValueNil
	// ValueList is a vector of Elems.
	ValueList
	// ValueObject is the constructor named Constructor with its required
	// Fields.
	ValueObject
)

// Value is an example value of a parameter or field. The Lua example of a
// method page and the Lua literal of a constructor page are rendered from
// it (Lua); internal/docsite renders the same values as JSON and Go, so
// that every example of a method passes the same arguments.
type Value struct {
	Kind ValueKind
	// Text is the literal of a ValueLiteral and the contents of a
	// ValueString or ValueBytes.
	Text string
	// Size is the length of a ValueZeros.
	Size int
	// Elems are the elements of a ValueList.
	Elems []Value
	// Constructor and Fields make up a ValueObject.
	Constructor string
	Fields      []Field
}

// Field is a parameter of an example call, or a field of an example
// object, and its value.
type Field struct {
	Name string
	// Type is the parameter's TL type: a string parameter's value is a
	// ValueString, but so is a peer shorthand of an InputPeer.
	Type  schema.TypeRef
	Value Value
}
