package schema

import "testing"

func TestTable(t *testing.T) {
	if Layer != 229 {
		t.Fatalf("layer %d", Layer)
	}
	m := ByName("auth.sendInvites")
	if m == nil || m.ID != 0x771c1d97 || !m.Method || !m.Legacy || m.Result.Kind != KindBool {
		t.Fatalf("auth.sendInvites = %+v", m)
	}
	if ByID(0x771c1d97) != m {
		t.Fatal("ByID")
	}
	if got := TypeName(ByName("photos.deletePhotos").Result); got != "Vector<long>" {
		t.Fatalf("photos.deletePhotos returns %s", got)
	}
	if got := TypeName(ByName("contacts.getContactIDs").Result); got != "Vector<int>" {
		t.Fatalf("contacts.getContactIDs returns %s", got)
	}
	for _, w := range []string{"invokeWithLayer", "initConnection", "invokeAfterMsg", "invokeWithoutUpdates"} {
		if ByName(w) != nil {
			t.Errorf("%s must not be exposed", w)
		}
	}
	want := []string{"account", "auth", "bots", "channels", "chatlists", "contacts", "folders", "fragment",
		"help", "langpack", "messages", "payments", "phone", "photos", "premium", "smsjobs", "stats",
		"stickers", "stories", "updates", "upload", "users"}
	have := map[string]bool{}
	for _, ns := range Namespaces() {
		have[ns] = true
	}
	for _, ns := range want {
		if !have[ns] {
			t.Errorf("namespace %s missing", ns)
		}
	}
	p := ByName("messages.sendMessage")
	var silent *Param
	for i := range p.Params {
		if p.Params[i].Name == "silent" {
			silent = &p.Params[i]
		}
	}
	if silent == nil || silent.Type.Kind != KindTrue || !silent.Conditional() || silent.Bit != 5 {
		t.Fatalf("silent = %+v", silent)
	}
}
