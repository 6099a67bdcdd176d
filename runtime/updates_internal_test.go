package runtime

import (
	"testing"

	"github.com/gotd/td/tg"

	"github.com/tglua/tglua/luabind/schema"
)

// Every method answering with a messages.affected* type has its gotd
// request type in affectedRequests, so its pts reaches the manager.
func TestAffectedRequestsCoverSchema(t *testing.T) {
	results := map[uint16]bool{}
	for _, id := range []uint32{tg.MessagesAffectedMessagesTypeID, tg.MessagesAffectedHistoryTypeID, tg.MessagesAffectedFoundMessagesTypeID} {
		results[schema.ByID(id).Type] = true
	}
	n := 0
	for i := range schema.All() {
		m := &schema.All()[i]
		if !m.Method || m.Result.Kind != schema.KindObject || !results[m.Result.Type] {
			continue
		}
		n++
		newObj, ok := affectedRequests[m.ID]
		if !ok {
			t.Errorf("%s answers %s but is not in affectedRequests", m.Name, schema.TypeAt(m.Result.Type).Name)
			continue
		}
		if obj, ok := newObj().(interface{ TypeID() uint32 }); !ok || obj.TypeID() != m.ID {
			t.Errorf("affectedRequests[%s] builds the wrong type", m.Name)
		}
	}
	if n != len(affectedRequests) {
		t.Errorf("schema has %d such methods, affectedRequests %d", n, len(affectedRequests))
	}
}
