package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// JSON ⇄ Lua, by the rules the Lua side already follows, so that a JSON
// client gets exactly what a script gets:
//   - a TL long within ±2^53 is a JSON number, beyond it a decimal string
//     (the codec accepts both back); no integer passes through float64;
//   - objects carry "_", in schema field order;
//   - a string that is not UTF-8 (TL bytes) is {"_":"bytes","base64":"..."},
//     accepted back as such.

// maxJSONDepth bounds nesting both ways; the codec's own limit is lower.
const maxJSONDepth = 100

// maxExact is the largest integer a float64 holds exactly.
const maxExact = 1 << 53

// bytesName marks a byte string that is not UTF-8.
const bytesName = "bytes"

// appendJSON writes v as JSON.
func appendJSON(b *bytes.Buffer, v lua.LValue) error {
	return writeValue(b, v, 0)
}

func writeValue(b *bytes.Buffer, v lua.LValue, depth int) error {
	switch v := v.(type) {
	case *lua.LNilType:
		b.WriteString("null")
	case lua.LBool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case lua.LNumber:
		writeNumber(b, float64(v))
	case lua.LString:
		writeString(b, string(v))
	case *lua.LTable:
		if depth >= maxJSONDepth {
			return fmt.Errorf("result nested deeper than %d", maxJSONDepth)
		}
		return writeTable(b, v, depth+1)
	default:
		b.WriteString("null")
	}
	return nil
}

func writeNumber(b *bytes.Buffer, f float64) {
	var buf [32]byte
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		b.WriteString("null")
	case f == math.Trunc(f) && math.Abs(f) <= maxExact:
		b.Write(strconv.AppendInt(buf[:0], int64(f), 10))
	default:
		b.Write(strconv.AppendFloat(buf[:0], f, 'g', -1, 64))
	}
}

func writeString(b *bytes.Buffer, s string) {
	if !utf8.ValidString(s) {
		b.WriteString(`{"_":"bytes","base64":"`)
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s)))
		b.WriteString(`"}`)
		return
	}
	quote(b, s)
}

const hexDigits = "0123456789abcdef"

// quote writes s, valid UTF-8, as a JSON string.
func quote(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			// Valid JSON, but not valid JavaScript source.
			b.WriteString(s[start:i])
			fmt.Fprintf(b, `\u%04x`, r)
			start = i + size
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

func writeTable(b *bytes.Buffer, t *lua.LTable, depth int) error {
	if e, ok := luabind.ErrorFromValue(t); ok {
		// An error value inside a result (a split call's partial results
		// never get here; kept for completeness).
		return writeValue(b, lua.LString(e.Error()), depth)
	}
	name, hasName := t.RawGetString("_").(lua.LString)
	if n := t.Len(); !hasName && (n > 0 || isEmpty(t)) && isArray(t, n) {
		b.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				b.WriteByte(',')
			}
			if err := writeValue(b, t.RawGetInt(i), depth); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	b.WriteByte('{')
	first := true
	field := func(k string, v lua.LValue) error {
		if !first {
			b.WriteByte(',')
		}
		first = false
		quote(b, k)
		b.WriteByte(':')
		return writeValue(b, v, depth)
	}
	var c *schema.Constructor
	if hasName {
		if err := field("_", name); err != nil {
			return err
		}
		if c = schema.ByName(string(name)); c != nil {
			for i := range c.Params {
				p := &c.Params[i]
				if p.Type.Kind == schema.KindFlags {
					continue
				}
				if v := t.RawGetString(p.Name); v != lua.LNil {
					if err := field(p.Name, v); err != nil {
						return err
					}
				}
			}
		}
	}
	// Keys the schema does not name (all of them for a plain table), sorted.
	type kv struct {
		k string
		v lua.LValue
	}
	var rest []kv
	t.ForEach(func(k, v lua.LValue) {
		ks := keyString(k)
		if hasName && (ks == "_" || schemaField(c, ks)) {
			return
		}
		rest = append(rest, kv{ks, v})
	})
	sort.Slice(rest, func(i, j int) bool { return rest[i].k < rest[j].k })
	for _, e := range rest {
		if err := field(e.k, e.v); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// schemaField reports whether constructor c (nil: none) has a field key.
func schemaField(c *schema.Constructor, key string) bool {
	if c == nil {
		return false
	}
	for i := range c.Params {
		if c.Params[i].Name == key && c.Params[i].Type.Kind != schema.KindFlags {
			return true
		}
	}
	return false
}

func isEmpty(t *lua.LTable) bool {
	k, _ := t.Next(lua.LNil)
	return k == lua.LNil
}

func isArray(t *lua.LTable, n int) bool {
	count := 0
	t.ForEach(func(lua.LValue, lua.LValue) { count++ })
	return count == n
}

func keyString(k lua.LValue) string {
	if n, ok := k.(lua.LNumber); ok {
		f := float64(n)
		if f == math.Trunc(f) && math.Abs(f) <= maxExact {
			return strconv.FormatInt(int64(f), 10)
		}
	}
	return k.String()
}

// decodeJSON parses one JSON value, keeping numbers as their text.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("invalid JSON: more than one value")
	}
	return v, nil
}

// toLua converts a decoded JSON value to Lua; path names the value in
// errors.
func toLua(L *lua.LState, v any, path string, depth int) (lua.LValue, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("%s: nested deeper than %d", path, maxJSONDepth)
	}
	switch v := v.(type) {
	case nil:
		return lua.LNil, nil
	case bool:
		return lua.LBool(v), nil
	case string:
		return lua.LString(v), nil
	case json.Number:
		return numberToLua(string(v), path)
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			lv, err := toLua(L, e, path+"["+strconv.Itoa(i+1)+"]", depth+1)
			if err != nil {
				return nil, err
			}
			t.RawSetInt(i+1, lv)
		}
		return t, nil
	case map[string]any:
		if v["_"] == bytesName {
			if s, ok := v["base64"].(string); ok && len(v) == 2 {
				data, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, fmt.Errorf("%s: bytes: invalid base64", path)
				}
				return lua.LString(data), nil
			}
		}
		t := L.CreateTable(0, len(v))
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			lv, err := toLua(L, e, p, depth+1)
			if err != nil {
				return nil, err
			}
			t.RawSetString(k, lv)
		}
		return t, nil
	}
	return nil, fmt.Errorf("%s: unsupported JSON value", path)
}

// numberToLua converts a JSON number: an integer beyond ±2^53 becomes its
// decimal string (a TL long, exact), never a rounded float.
func numberToLua(s, path string) (lua.LValue, error) {
	if !strings.ContainsAny(s, ".eE") {
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: integer %s out of range", path, s)
		}
		if i > maxExact || i < -maxExact {
			return lua.LString(s), nil
		}
		return lua.LNumber(float64(i)), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid number %s", path, s)
	}
	return lua.LNumber(f), nil
}
