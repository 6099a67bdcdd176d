package luabind_test

import (
	"context"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// usersInvoker answers users.getUsers with two users of the same
// constructor, so their tables share a key order.
type usersInvoker struct{}

func (usersInvoker) Invoke(_ context.Context, _ bin.Encoder, out bin.Decoder) error {
	var b bin.Buffer
	b.PutVectorHeader(2)
	for _, u := range []*tg.User{
		{ID: 1, AccessHash: 10, FirstName: "Ann", Username: "ann"},
		{ID: 2, AccessHash: 20, FirstName: "Bob", Bot: true},
	} {
		if err := u.Encode(&b); err != nil {
			return err
		}
	}
	return out.Decode(&b)
}

// TestSharedKeyOrderIsInvisible proves that decoded tables behave as
// ordinary tables under every kind of write, although tables of one
// constructor share their key order until they get a key of their own.
func TestSharedKeyOrderIsInvisible(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	b := luabind.Register(L, luabind.Options{Invoker: usersInvoker{}})
	if err := L.DoString(`
		local function keys(t)
			local ks = {}
			for k in pairs(t) do ks[#ks+1] = k end
			table.sort(ks)
			return table.concat(ks, ',')
		end
		local function fresh() return users.getUsers{id={'inputUserSelf'}} end

		local us = fresh()
		local a, b = us[1], us[2]
		assert(keys(a) == '_,access_hash,first_name,id,username', keys(a))
		assert(keys(b) == '_,access_hash,bot,bot_info_version,first_name,id', keys(b))

		-- Updating and clearing fields of the constructor.
		a.first_name = 'Anna'; b.first_name = nil; a.bot = true
		assert(keys(a) == '_,access_hash,bot,first_name,id,username', keys(a))
		assert(keys(b) == '_,access_hash,bot,bot_info_version,id', keys(b))

		-- The same new key on two tables of one shape, by assignment.
		a.note = 1; b.note = 2
		assert(keys(a) == '_,access_hash,bot,first_name,id,note,username', keys(a))
		assert(keys(b) == '_,access_hash,bot,bot_info_version,id,note', keys(b))
		assert(a.note == 1 and b.note == 2)

		-- ... by rawset, and after setmetatable.
		local c, d = unpack(fresh())
		rawset(c, 'x', 1); rawset(d, 'x', 2)
		assert(keys(c) == '_,access_hash,first_name,id,username,x', keys(c))
		assert(keys(d) == '_,access_hash,bot,bot_info_version,first_name,id,x', keys(d))
		local e, f = unpack(fresh())
		setmetatable(e, {}); setmetatable(f, {})
		e.y = 1; f.y = 2
		assert(keys(e) == '_,access_hash,first_name,id,username,y', keys(e))
		assert(keys(f) == '_,access_hash,bot,bot_info_version,first_name,id,y', keys(f))

		-- next() walks the same keys as pairs().
		local g = fresh()[1]
		local n, k = 0, nil
		repeat k = next(g, k); if k then n = n + 1 end until k == nil
		assert(n == 5, n)
		shaped1, shaped2 = unpack(fresh())
	`); err != nil {
		t.Fatal(err)
	}
	// From Go: SetField (and L.SetField) keep pairs right.
	t1 := L.GetGlobal("shaped1").(*lua.LTable)
	t2 := L.GetGlobal("shaped2").(*lua.LTable)
	b.SetField(t1, "from_go", lua.LTrue)
	L.SetField(t2, "from_go", lua.LTrue)
	for _, tbl := range []*lua.LTable{t1, t2} {
		found := false
		for k, _ := tbl.Next(lua.LNil); k != lua.LNil; k, _ = tbl.Next(k) {
			if k == lua.LString("from_go") {
				found = true
			}
		}
		if !found {
			t.Fatalf("pairs misses a key set from Go")
		}
	}
}
