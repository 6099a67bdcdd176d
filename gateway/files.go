package gateway

import (
	"bytes"
	"net/http"

	lua "github.com/yuin/gopher-lua"
)

// sendFile is POST /user<TOKEN>/send_file with peer, a multipart part
// "file" and send_file's options (caption, parse_mode, force_document,
// mime_type, reply_to, silent, schedule_date) as fields: Lua's
// send_file(peer, file, opts). file may also be "attach://<part>".
func sendFile(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(w, r, &g.opts)
	if perr != nil {
		writeError(w, perr)
		return
	}
	if _, ok := p.get("peer"); !ok {
		writeError(w, newError(http.StatusBadRequest, "send_file: missing parameter peer"))
		return
	}
	g.inThread(w, r, a, func(L *lua.LState, out *bytes.Buffer) error {
		args, err := p.table(L, nil)
		if err != nil {
			return newError(http.StatusBadRequest, "send_file: "+err.Error())
		}
		opts := L.CreateTable(0, 4)
		args.ForEach(func(k, v lua.LValue) {
			if k != lua.LString("peer") && k != lua.LString("file") {
				opts.RawSet(k, v)
			}
		})
		if p.files["file"] != nil && args.RawGetString("file") == lua.LNil {
			args.RawSetString("file", lua.LString(attachPrefix+"file"))
		}
		f, ok := args.RawGetString("file").(lua.LString)
		if !ok || len(f) <= len(attachPrefix) || string(f[:len(attachPrefix)]) != attachPrefix {
			return newError(http.StatusBadRequest, "send_file: file: a multipart part named file (or attach://<part>) expected")
		}
		if err := p.attachFiles(L, nil, args); err != nil {
			return err
		}
		res, err := callLua(L, L.GetGlobal("send_file"), args.RawGetString("peer"), args.RawGetString("file"), opts)
		if err != nil {
			return err
		}
		return appendJSON(out, res)
	})
}
