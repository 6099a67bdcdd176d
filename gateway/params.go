package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind/schema"
)

// params are a request's parameters, read before the call so that a slow
// client holds no light thread.
type params struct {
	values map[string]string // query string and form fields
	json   map[string]any    // a JSON object body
	files  map[string]*file  // multipart file parts
}

// file is an uploaded multipart part.
type file struct {
	name string
	data []byte
}

// readParams reads the query string and the body, within the limits.
func readParams(w http.ResponseWriter, r *http.Request, o *Options) (*params, *apiError) {
	p := &params{values: map[string]string{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}
	if r.Method != http.MethodPost || r.Body == nil || r.ContentLength == 0 {
		return p, nil
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, newError(http.StatusUnsupportedMediaType, "bad Content-Type: "+err.Error())
	}
	switch ct {
	case "application/json":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.MaxBody))
		if err != nil {
			return nil, bodyError(err, o.MaxBody)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return p, nil
		}
		v, err := decodeJSON(body)
		if err != nil {
			return nil, newError(http.StatusBadRequest, "invalid JSON body: "+err.Error())
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, newError(http.StatusBadRequest, "the JSON body must be an object of parameters")
		}
		p.json = obj
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, o.MaxUpload)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, bodyError(err, o.MaxUpload)
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		for k, v := range r.MultipartForm.Value {
			p.values[k] = v[0]
		}
		for k, hs := range r.MultipartForm.File {
			f, err := readPart(hs[0])
			if err != nil {
				return nil, newError(http.StatusBadRequest, "read file "+k+": "+err.Error())
			}
			if p.files == nil {
				p.files = map[string]*file{}
			}
			p.files[k] = f
		}
	case "application/x-www-form-urlencoded", "":
		r.Body = http.MaxBytesReader(w, r.Body, o.MaxBody)
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err, o.MaxBody)
		}
		for k, v := range r.PostForm {
			p.values[k] = v[0]
		}
	default:
		return nil, newError(http.StatusUnsupportedMediaType, "unsupported Content-Type "+ct+": send application/json, a form or multipart/form-data")
	}
	return p, nil
}

func readPart(h *multipart.FileHeader) (*file, error) {
	f, err := h.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return &file{name: h.Filename, data: data}, nil
}

func bodyError(err error, limit int64) *apiError {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return newError(http.StatusRequestEntityTooLarge, "request body too large (limit "+sizeString(limit)+")")
	}
	return newError(http.StatusBadRequest, "read request body: "+err.Error())
}

func sizeString(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// get returns a parameter as text (for the gateway's own endpoints: phone,
// code, token...): a JSON string body value or a form value as sent.
func (p *params) get(name string) (string, bool) {
	if v, ok := p.json[name]; ok {
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		return s, true
	}
	if v, ok := p.values[name]; ok {
		return v, true
	}
	return "", false
}

// names lists the parameters, sorted, for deterministic tables.
func (p *params) names() []string {
	seen := map[string]bool{}
	var out []string
	for k := range p.values {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range p.json {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// table builds the Lua argument table for method m (nil for the gateway's
// own functions), typing form values by m's parameters.
func (p *params) table(L *lua.LState, m *schema.Constructor) (*lua.LTable, error) {
	t := L.CreateTable(0, len(p.values)+len(p.json))
	for _, k := range p.names() {
		var (
			v   lua.LValue
			err error
		)
		if jv, ok := p.json[k]; ok {
			v, err = toLua(L, jv, k, 0)
		} else {
			v, err = formValue(L, param(m, k), k, p.values[k])
		}
		if err != nil {
			return nil, err
		}
		t.RawSetString(k, v)
	}
	return t, nil
}

// param finds m's parameter name, or nil.
func param(m *schema.Constructor, name string) *schema.Param {
	if m == nil {
		return nil
	}
	for i := range m.Params {
		if m.Params[i].Name == name {
			return &m.Params[i]
		}
	}
	return nil
}

// formValue converts a form value: for a string or bytes parameter a JSON
// string literal is decoded and anything else taken as is; for the others
// the value is JSON, or, when it is not valid JSON, the text itself (a peer
// such as @alice, a phone number).
func formValue(L *lua.LState, p *schema.Param, key, raw string) (lua.LValue, error) {
	if p != nil && (p.Type.Kind == schema.KindString || p.Type.Kind == schema.KindBytes) {
		if strings.HasPrefix(raw, `"`) {
			var s string
			if json.Unmarshal([]byte(raw), &s) == nil {
				return lua.LString(s), nil
			}
		}
		return lua.LString(raw), nil
	}
	v, err := decodeJSON([]byte(raw))
	if err != nil {
		return lua.LString(raw), nil
	}
	return toLua(L, v, key, 0)
}

// attachPrefix refers to a multipart part from inside a parameter, as in
// Telegram's bot API: "attach://photo".
const attachPrefix = "attach://"

// attachFiles uploads the request's file parts into t: a part named after
// an InputFile parameter of m fills it, and "attach://<part>" strings
// anywhere in t are replaced by the uploaded file. Each part is uploaded
// once.
func (p *params) attachFiles(L *lua.LState, m *schema.Constructor, t *lua.LTable) error {
	if len(p.files) == 0 {
		return nil
	}
	uploaded := map[string]lua.LValue{}
	upload := func(name string) (lua.LValue, error) {
		if v, ok := uploaded[name]; ok {
			return v, nil
		}
		f, ok := p.files[name]
		if !ok {
			return nil, errors.New(attachPrefix + name + ": no such file part in the request")
		}
		arg := L.CreateTable(0, 2)
		arg.RawSetString("data", lua.LString(f.data))
		if f.name != "" {
			arg.RawSetString("name", lua.LString(f.name))
		}
		v, err := callLua(L, L.GetGlobal("upload"), arg)
		if err != nil {
			return nil, err
		}
		uploaded[name] = v
		return v, nil
	}
	if m != nil {
		for i := range m.Params {
			prm := &m.Params[i]
			if _, ok := p.files[prm.Name]; !ok || prm.Type.Kind != schema.KindObject || schema.TypeAt(prm.Type.Type).Name != "InputFile" {
				continue
			}
			if t.RawGetString(prm.Name) != lua.LNil {
				continue
			}
			v, err := upload(prm.Name)
			if err != nil {
				return err
			}
			t.RawSetString(prm.Name, v)
		}
	}
	return replaceAttach(t, upload, 0)
}

func replaceAttach(t *lua.LTable, upload func(string) (lua.LValue, error), depth int) error {
	if depth > maxJSONDepth {
		return nil
	}
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		switch v := v.(type) {
		case lua.LString:
			if name, ok := strings.CutPrefix(string(v), attachPrefix); ok {
				var up lua.LValue
				if up, err = upload(name); err == nil {
					t.RawSet(k, up)
				}
			}
		case *lua.LTable:
			err = replaceAttach(v, upload, depth+1)
		}
	})
	return err
}
