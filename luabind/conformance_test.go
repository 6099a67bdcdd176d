package luabind_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// TestConformance checks, for every constructor and method in gotd's tg
// package, that gotd's bytes survive our decode (to Lua) and encode (from
// Lua) byte for byte. Each is filled with random data several times, with
// optional fields both set and unset, and with flag bits set on zero values.
func TestConformance(t *testing.T) {
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	ctors := tg.TypesConstructorMap()
	names := tg.TypesMap()
	ids := make([]uint32, 0, len(ctors))
	for id := range ctors {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return names[ids[i]] < names[ids[j]] })

	f := newFiller(ctors)
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()

	var covered, methods int
	excluded := map[string]string{}
	for _, id := range ids {
		c := schema.ByID(id)
		if c == nil {
			excluded[names[id]] = "not part of the Lua API: an MTProto wrapper with a generic query (!X)"
			continue
		}
		if why, ok := gotdDeviations[c.Name]; ok {
			excluded[names[id]] = why
			continue
		}
		covered++
		if c.Method {
			methods++
		}
		for round := range rounds {
			f.rng = rand.New(rand.NewPCG(uint64(id), uint64(round)))
			obj := ctors[id]()
			f.fill(reflect.ValueOf(obj).Elem(), 0)
			f.setFlagsOnZero(reflect.ValueOf(obj).Elem(), c)
			var b bin.Buffer
			if err := obj.Encode(&b); err != nil {
				t.Fatalf("%s: gotd encode: %v", c.Name, err)
			}
			want := append([]byte(nil), b.Buf...)
			tbl, err := luabind.DecodeObject(L, want)
			if err != nil {
				t.Errorf("%s (round %d): decode: %v", c.Name, round, err)
				break
			}
			got, err := luabind.EncodeObject(tbl)
			if err != nil {
				t.Errorf("%s (round %d): encode: %v", c.Name, round, err)
				break
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (round %d): bytes differ\n got %x\nwant %x", c.Name, round, got, want)
				break
			}
		}
	}
	t.Logf("byte-exact round trips: %d of %d gotd definitions (%d constructors, %d methods), %d rounds each",
		covered, len(ids), covered-methods, methods, rounds)
	var ex []string
	for name, why := range excluded {
		ex = append(ex, name+": "+why)
	}
	sort.Strings(ex)
	t.Logf("excluded (%d):\n%s", len(ex), strings.Join(ex, "\n"))
	if len(excluded) != 11+len(gotdDeviations) {
		t.Errorf("%d exclusions, want the 11 MTProto wrappers and %d known gotd deviations", len(excluded), len(gotdDeviations))
	}
}

// gotdDeviations are definitions where gotd's encoder departs from the
// schema, so its bytes are not a reference.
var gotdDeviations = map[string]string{
	"accessPointRule":   "gotd encodes the elements of ips:vector<IpPort> bare but decodes them boxed; the schema (and our codec) box them",
	"help.configSimple": "holds accessPointRule (see there)",
}

// filler puts random values into gotd structs.
type filler struct {
	rng   *rand.Rand
	all   []reflect.Type // pointer types of every constructor
	impls map[reflect.Type][]reflect.Type
}

func newFiller(ctors map[uint32]func() bin.Object) *filler {
	f := &filler{impls: map[reflect.Type][]reflect.Type{}}
	for _, mk := range ctors {
		f.all = append(f.all, reflect.TypeOf(mk()))
	}
	sort.Slice(f.all, func(i, j int) bool { return f.all[i].String() < f.all[j].String() })
	return f
}

var fieldsType = reflect.TypeOf(bin.Fields(0))

const maxDepth = 4

func (f *filler) fill(v reflect.Value, depth int) {
	for i := 0; i < v.NumField(); i++ {
		fv := v.Field(i)
		if !fv.CanSet() || fv.Type() == fieldsType {
			continue
		}
		// Leave a third of the fields zero, so optional ones are often unset.
		if f.rng.IntN(3) == 0 && fv.Kind() != reflect.Interface && fv.Kind() != reflect.Struct {
			continue
		}
		f.value(fv, depth)
	}
}

func (f *filler) value(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Int:
		edges := []int64{0, 1, -1, math.MaxInt32, math.MinInt32}
		if f.rng.IntN(4) == 0 {
			v.SetInt(edges[f.rng.IntN(len(edges))])
		} else {
			v.SetInt(int64(int32(f.rng.Uint32())))
		}
	case reflect.Int64:
		edges := []int64{0, 1 << 53, -(1 << 53), 1<<53 + 1, -(1<<53 + 1), math.MaxInt64, math.MinInt64}
		switch f.rng.IntN(3) {
		case 0:
			v.SetInt(edges[f.rng.IntN(len(edges))])
		case 1:
			v.SetInt(f.rng.Int64N(1 << 40))
		default:
			v.SetInt(int64(f.rng.Uint64()))
		}
	case reflect.Float64:
		v.SetFloat(f.rng.NormFloat64() * 1e6)
	case reflect.String:
		v.SetString(string(f.bytes()))
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 0)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			v.Index(i).SetUint(uint64(f.rng.IntN(256)))
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(f.bytes())
			return
		}
		n := f.rng.IntN(3)
		if depth >= maxDepth {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.value(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		f.fill(v, depth+1)
	case reflect.Ptr:
		if depth >= maxDepth && f.rng.IntN(2) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Interface:
		impl := f.pick(v.Type(), depth)
		p := reflect.New(impl.Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	default:
		panic("filler: unsupported kind " + v.Kind().String() + " " + v.Type().String())
	}
}

func (f *filler) bytes() []byte {
	b := make([]byte, f.rng.IntN(300))
	for i := range b {
		b[i] = byte(f.rng.IntN(256))
	}
	return b
}

// pick chooses an implementation of an interface; past maxDepth, the one
// with the fewest nested values, so recursion ends.
func (f *filler) pick(iface reflect.Type, depth int) reflect.Type {
	impls, ok := f.impls[iface]
	if !ok {
		for _, t := range f.all {
			if t.Implements(iface) {
				impls = append(impls, t)
			}
		}
		sort.Slice(impls, func(i, j int) bool { return nesting(impls[i]) < nesting(impls[j]) })
		f.impls[iface] = impls
	}
	if len(impls) == 0 {
		panic("filler: no implementation of " + iface.String())
	}
	if depth >= maxDepth {
		return impls[0]
	}
	return impls[f.rng.IntN(len(impls))]
}

func nesting(t reflect.Type) int {
	n := 0
	s := t.Elem()
	for i := 0; i < s.NumField(); i++ {
		switch s.Field(i).Type.Kind() {
		case reflect.Interface, reflect.Ptr, reflect.Struct, reflect.Slice:
			n++
		}
	}
	return n
}

// setFlagsOnZero sets, at random, flag bits of primitive optional fields
// even when their value is zero: gotd keeps such bits, and so must we.
func (f *filler) setFlagsOnZero(v reflect.Value, c *schema.Constructor) {
	for i := range c.Params {
		p := &c.Params[i]
		if !p.Conditional() || f.rng.IntN(4) != 0 {
			continue
		}
		switch p.Type.Kind {
		case schema.KindObject:
			continue // a nil object cannot be encoded
		}
		flagName := c.Params[p.Flag].Name // "flags", "flags2"
		fv := v.FieldByName(strings.ToUpper(flagName[:1]) + flagName[1:])
		if !fv.IsValid() {
			continue
		}
		fl := fv.Addr().Interface().(*bin.Fields)
		fl.Set(int(p.Bit))
	}
}
