package luabind

import (
	"fmt"
	"strconv"
	"unsafe"

	"github.com/gotd/td/bin"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind/schema"
)

// ObjectHook sees every TL object as it is decoded, with its Lua table. The
// runtime uses it to feed the peer cache from users, chats and channels in
// any result. It must not keep t beyond the call unless it copies it.
type ObjectHook func(c *schema.Constructor, t *lua.LTable)

// decoder reads TL bytes into Lua values, driven by the schema.
type decoder struct {
	L    *lua.LState
	hook ObjectHook
	hot  []uint32 // constructor IDs the hook wants
	// src holds the same bytes as the buffer being decoded, as one string:
	// decoded strings are substrings of it, so they cost no copy.
	src string
	// vals and idx are stacks of decoded fields, shared by nested objects.
	vals []lua.LValue
	idx  []int
	slabs
	// shapes, when set, gives decoded tables a shared key order (shape.go).
	shapes *shapes
	// depth counts the tables being built (MaxDepth); tables the tables
	// built so far (MaxAnswerTables).
	depth, tables int
}

// newDecoder decodes src; the returned buffer reads it and must never be
// written to.
func newDecoder(L *lua.LState, src string) (*decoder, *bin.Buffer) {
	d := &decoder{L: L, src: src}
	return d, &bin.Buffer{Buf: unsafe.Slice(unsafe.StringData(src), len(src))}
}

// decodeError is a malformed or unexpected server answer.
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return "decode result: " + e.msg }

func (d *decoder) value(b *bin.Buffer, t schema.TypeRef) (lua.LValue, error) {
	switch t.Kind {
	case schema.KindInt:
		v, err := b.Int32()
		if err != nil {
			return nil, err
		}
		return d.long(int64(v)), nil
	case schema.KindLong:
		v, err := b.Long()
		if err != nil {
			return nil, err
		}
		return d.long(v), nil
	case schema.KindDouble:
		v, err := b.Double()
		if err != nil {
			return nil, err
		}
		return d.number(v), nil
	case schema.KindString, schema.KindBytes:
		return d.str(b)
	case schema.KindInt128, schema.KindInt256:
		size := 16
		if t.Kind == schema.KindInt256 {
			size = 32
		}
		if b.Len() < size {
			return nil, &decodeError{msg: "unexpected end of " + t.Kind.String()}
		}
		v := d.src[d.pos(b) : d.pos(b)+size]
		b.Skip(size)
		return lua.LString(v), nil
	case schema.KindBool:
		v, err := b.Bool()
		if err != nil {
			return nil, err
		}
		return lua.LBool(v), nil
	case schema.KindVector, schema.KindBareVector, schema.KindObject:
		if d.depth == MaxDepth {
			return nil, &decodeError{msg: "answer nested deeper than " + strconv.Itoa(MaxDepth) + " levels"}
		}
		if d.tables == MaxAnswerTables {
			return nil, &decodeError{msg: "answer has more than " + strconv.Itoa(MaxAnswerTables) + " objects"}
		}
		d.depth++
		d.tables++
		var v lua.LValue
		var err error
		if t.Kind == schema.KindObject {
			v, err = d.object(b, t.Type)
		} else {
			v, err = d.vector(b, t)
		}
		d.depth--
		return v, err
	default:
		return nil, &decodeError{msg: "unsupported type " + t.Kind.String()}
	}
}

func (d *decoder) vector(b *bin.Buffer, t schema.TypeRef) (lua.LValue, error) {
	var n int
	var err error
	if t.Kind == schema.KindVector {
		n, err = b.VectorHeader()
	} else {
		n, err = b.Int()
	}
	if err != nil {
		return nil, err
	}
	// Every element takes at least 4 bytes, except true which never
	// appears in vectors: refuse counts the buffer cannot hold.
	if n < 0 || n > b.Len()/4+1 {
		return nil, &decodeError{msg: "vector length " + strconv.Itoa(n) + " exceeds the data"}
	}
	tbl, arr := arrayTable(d.L, n)
	elem := schema.TypeRef{Kind: t.Elem, Type: t.Type}
	for i := 0; i < n; i++ {
		v, err := d.value(b, elem)
		if err != nil {
			return nil, err
		}
		if arr != nil {
			arr[i] = v
		} else {
			tbl.RawSetInt(i+1, v)
		}
	}
	return tbl, nil
}

// object reads a boxed object of type ti: its constructor ID, then its
// fields.
func (d *decoder) object(b *bin.Buffer, ti uint16) (lua.LValue, error) {
	id, err := b.ID()
	if err != nil {
		return nil, err
	}
	var c *schema.Constructor
	// Most types have a few constructors: comparing their IDs beats
	// hashing into the map of all.
	if cs := schema.TypeAt(ti).Constructors; len(cs) <= 8 {
		all := schema.All()
		for _, ci := range cs {
			if all[ci].ID == id {
				c = &all[ci]
				break
			}
		}
	}
	if c == nil {
		c = schema.ByID(id)
	}
	if c == nil || c.Method {
		return nil, &decodeError{msg: fmt.Sprintf("unknown constructor %#08x", id)}
	}
	return d.fields(b, c)
}

// fields reads the fields of c into a new table with '_' set to its name.
func (d *decoder) fields(b *bin.Buffer, c *schema.Constructor) (*lua.LTable, error) {
	params := c.Params
	base := len(d.vals)
	defer func() {
		clear(d.vals[base:])
		d.vals = d.vals[:base]
		d.idx = d.idx[:base]
	}()
	in := infoOf(c)
	var flags [4]uint32 // by ctorInfo.slot
	for i := range params {
		p := &params[i]
		if p.Type.Kind == schema.KindFlags {
			v, err := b.Uint32()
			if err != nil {
				return nil, err
			}
			if sl := in.slot[i]; int(sl) < len(flags) {
				flags[sl] = v
			}
			continue
		}
		if p.Flag >= 0 {
			if sl := in.slot[i]; int(sl) >= len(flags) || flags[sl]&(1<<p.Bit) == 0 {
				continue
			}
			if p.Type.Kind == schema.KindTrue {
				d.vals = append(d.vals, lua.LTrue)
				d.idx = append(d.idx, i)
				continue
			}
		}
		v, err := d.value(b, p.Type)
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
		d.idx = append(d.idx, i)
	}
	var tbl *lua.LTable
	if d.shapes != nil {
		tbl = d.shapes.table(d.slabs.table(), c, d.idx[base:], d.vals[base:])
	} else {
		tbl = objectTable(c, d.idx[base:], d.vals[base:])
	}
	for _, id := range d.hot {
		if id == c.ID {
			d.hook(c, tbl)
			break
		}
	}
	return tbl, nil
}

// pos is the offset of the buffer's read position in src.
func (d *decoder) pos(b *bin.Buffer) int { return len(d.src) - len(b.Buf) }

// str reads a TL string or bytes as a substring of src.
func (d *decoder) str(b *bin.Buffer) (lua.LValue, error) {
	buf := b.Buf
	if len(buf) < 1 {
		return nil, &decodeError{msg: "unexpected end of string"}
	}
	n, header := int(buf[0]), 1
	if n == 254 {
		if len(buf) < 4 {
			return nil, &decodeError{msg: "unexpected end of string"}
		}
		n, header = int(buf[1])|int(buf[2])<<8|int(buf[3])<<16, 4
	}
	total := header + n
	if pad := total % 4; pad != 0 {
		total += 4 - pad
	}
	if len(buf) < total {
		return nil, &decodeError{msg: "unexpected end of string"}
	}
	start := d.pos(b) + header
	b.Skip(total)
	if n == 0 {
		return emptyString, nil
	}
	return d.string(d.src[start : start+n]), nil
}

var emptyString lua.LValue = lua.LString("")
