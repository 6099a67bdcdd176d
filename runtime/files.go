package runtime

import (
	"bytes"
	"context"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram/downloader"
	"github.com/gotd/td/telegram/uploader"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// Files: upload(), download() and send_file(), over gotd's uploader and
// downloader. They speak through the same API client as peer resolution
// (flood waits, the allowlist: upload.saveFilePart, upload.getFile and
// messages.sendMedia must be allowed). Reading and writing local files
// needs SandboxNone; under SandboxStrict upload takes the bytes
// ({data=..., name=...}) and download returns them.

// registerFiles installs the file functions as globals and in `tg`.
func (r *Runtime) registerFiles() {
	fns := map[string]lua.LGFunction{
		"upload":    r.luaUpload,
		"download":  r.luaDownload,
		"send_file": r.luaSendFile,
	}
	tgt := r.binding.Table()
	for name, fn := range fns {
		fn = guardPanics(name, fn)
		if ns, ok := tgt.RawGetString(name).(*lua.LTable); ok {
			// upload is also the upload.* namespace: that table becomes
			// callable, so upload(path) and upload.getFile{...} both work.
			callable(r.L, ns, fn)
			continue
		}
		f := r.L.NewFunction(fn)
		if !r.opts.NoGlobals {
			r.L.SetGlobal(name, f)
		}
		tgt.RawSetString(name, f)
	}
}

// callable makes t callable as fn(...), keeping its other metamethods (a
// namespace's lazy method lookup).
func callable(L *lua.LState, t *lua.LTable, fn lua.LGFunction) {
	mt := L.CreateTable(0, 2)
	if old, ok := t.Metatable.(*lua.LTable); ok {
		old.ForEach(func(k, v lua.LValue) { mt.RawSet(k, v) })
	}
	mt.RawSetString("__call", L.NewFunction(func(L *lua.LState) int {
		L.Remove(1) // the table itself
		return fn(L)
	}))
	t.Metatable = mt
}

// fileAPI is the client uploads and downloads go through: flood waits and
// the allowlist apply. It runs on the VM goroutine when a transfer starts,
// and applies the flood_wait_max global, as a method call's guard does.
func (r *Runtime) fileAPI() (*tg.Client, error) {
	if err := r.api.flood.syncGlobal(r.L.G.Global); err != nil {
		return nil, err
	}
	if r.api.files == nil {
		r.api.files = tg.NewClient(allowInvoker{next: r.api.flood, allow: r.api.allow, guard: r.api.guard, why: "transfer a file"})
	}
	return r.api.files, nil
}

// luaUpload is upload(path) or upload{path=..., name=...} or
// upload{data=..., name=...}: it uploads the file in parts and returns the
// InputFile table (inputFile, or inputFileBig above 10 MB) that methods
// such as messages.sendMedia take.
func (r *Runtime) luaUpload(L *lua.LState) int {
	f, err := r.upload(L, L.Get(1))
	if err != nil {
		raiseFile(L, "upload", err)
		return 0
	}
	L.Push(f)
	return 1
}

// upload uploads what v names (see luaUpload).
func (r *Runtime) upload(L *lua.LState, v lua.LValue) (*lua.LTable, error) {
	var (
		path, name string
		data       []byte
		hasData    bool
	)
	switch v := v.(type) {
	case lua.LString:
		path = string(v)
	case *lua.LTable:
		path = lua.LVAsString(v.RawGetString("path"))
		name = lua.LVAsString(v.RawGetString("name"))
		switch d := v.RawGetString("data").(type) {
		case lua.LString:
			data, hasData = []byte(d), true
		case *lua.LNilType:
		default:
			return nil, argErr("data: string expected, got " + d.Type().String())
		}
	default:
		return nil, argErr("file path or {path=...} / {data=..., name=...} expected, got " + v.Type().String())
	}
	ctx := luaContext(L)
	api, err := r.fileAPI()
	if err != nil {
		return nil, err
	}
	up := uploader.NewUploader(api)
	var f tg.InputFileClass
	switch {
	case hasData:
		if name == "" {
			name = "file"
		}
		f, err = up.FromBytes(ctx, name, data)
	case path != "":
		if err := r.localFiles(); err != nil {
			return nil, err
		}
		f, err = uploadPath(ctx, up, path, name)
	default:
		return nil, argErr("a path or data expected")
	}
	if err != nil {
		return nil, err
	}
	return encodeToLua(L, f)
}

// uploadPath uploads a local file, named name (default: its base name).
func uploadPath(ctx context.Context, up *uploader.Uploader, path, name string) (tg.InputFileClass, error) {
	if name == "" {
		return up.FromPath(ctx, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "open")
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, errors.Wrap(err, "stat")
	}
	return up.Upload(ctx, uploader.NewUpload(name, f, info.Size()))
}

// localFiles reports whether scripts may read and write local files.
func (r *Runtime) localFiles() error {
	if r.opts.Sandbox != SandboxNone {
		return argErr("local files are not available in the strict sandbox (upload {data=..., name=...}; download without a path returns the bytes)")
	}
	return nil
}

// luaDownload is download(src [, path]). src is a message with media, a
// messageMediaPhoto or messageMediaDocument, a photo or document, or an
// input file location table. With a path it writes the file there and
// returns the path; without, it returns the contents as a string.
func (r *Runtime) luaDownload(L *lua.LState) int {
	src := L.CheckTable(1)
	path := L.OptString(2, "")
	loc, err := fileLocation(src)
	if err != nil {
		L.ArgError(1, err.Error())
		return 0
	}
	ctx := luaContext(L)
	api, err := r.fileAPI()
	if err != nil {
		L.RaiseError("download: %s", err.Error())
		return 0
	}
	d := downloader.NewDownloader().Download(api, loc)
	if path == "" {
		var buf bytes.Buffer
		if _, err := d.Stream(ctx, &buf); err != nil {
			raiseFile(L, "download", err)
			return 0
		}
		L.Push(lua.LString(buf.String()))
		return 1
	}
	if err := r.localFiles(); err != nil {
		raiseFile(L, "download", err)
		return 0
	}
	if _, err := d.ToPath(ctx, path); err != nil {
		raiseFile(L, "download", err)
		return 0
	}
	L.Push(lua.LString(path))
	return 1
}

// luaSendFile is send_file(peer, file [, opts]): it uploads file (a path,
// {data=..., name=...}, or an InputFile table from upload) and sends it
// with messages.sendMedia, as a photo for .jpg/.jpeg/.png unless
// opts.force_document, else as a document with its file name and MIME type
// (opts.mime_type, else from the extension). opts.caption is the text;
// opts.parse_mode, opts.entities, opts.reply_to (a message id or an
// InputReplyTo table), opts.silent and opts.schedule_date pass through. It
// returns what
// messages.sendMedia returns.
func (r *Runtime) luaSendFile(L *lua.LState) int {
	peer := L.Get(1)
	if peer == lua.LNil {
		L.ArgError(1, "peer expected")
		return 0
	}
	opts := L.OptTable(3, L.CreateTable(0, 0))
	var (
		file *lua.LTable
		name string
	)
	switch f := L.Get(2).(type) {
	case *lua.LTable:
		switch lua.LVAsString(f.RawGetString("_")) {
		case "inputFile", "inputFileBig":
			file, name = f, lua.LVAsString(f.RawGetString("name"))
		}
	case lua.LString:
		name = filepath.Base(string(f))
	}
	if file == nil {
		if t, ok := L.Get(2).(*lua.LTable); ok {
			name = lua.LVAsString(t.RawGetString("name"))
			if name == "" {
				name = filepath.Base(lua.LVAsString(t.RawGetString("path")))
			}
		}
		var err error
		if file, err = r.upload(L, L.Get(2)); err != nil {
			raiseFile(L, "send_file", err)
			return 0
		}
	}

	ext := strings.ToLower(filepath.Ext(name))
	media := L.CreateTable(0, 5)
	if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") && !lua.LVAsBool(opts.RawGetString("force_document")) {
		media.RawSetString("_", lua.LString("inputMediaUploadedPhoto"))
		media.RawSetString("file", file)
	} else {
		mimeType := lua.LVAsString(opts.RawGetString("mime_type"))
		if mimeType == "" {
			mimeType = mime.TypeByExtension(ext)
		}
		if mimeType == "" {
			mimeType = "application/octet-stream"
		}
		attr := L.CreateTable(0, 2)
		attr.RawSetString("_", lua.LString("documentAttributeFilename"))
		attr.RawSetString("file_name", lua.LString(name))
		attrs := L.CreateTable(1, 0)
		attrs.Append(attr)
		media.RawSetString("_", lua.LString("inputMediaUploadedDocument"))
		media.RawSetString("file", file)
		media.RawSetString("mime_type", lua.LString(mimeType))
		media.RawSetString("attributes", attrs)
		if lua.LVAsBool(opts.RawGetString("force_document")) {
			media.RawSetString("force_file", lua.LTrue)
		}
	}

	args := L.CreateTable(0, 8)
	args.RawSetString("peer", peer)
	args.RawSetString("media", media)
	args.RawSetString("message", lua.LString(lua.LVAsString(opts.RawGetString("caption"))))
	for _, k := range []string{"entities", "parse_mode", "silent", "schedule_date"} {
		if v := opts.RawGetString(k); v != lua.LNil {
			args.RawSetString(k, v)
		}
	}
	switch v := opts.RawGetString("reply_to").(type) {
	case lua.LNumber:
		rt := L.CreateTable(0, 2)
		rt.RawSetString("_", lua.LString("inputReplyToMessage"))
		rt.RawSetString("reply_to_msg_id", v)
		args.RawSetString("reply_to", rt)
	case *lua.LTable:
		args.RawSetString("reply_to", v)
	}
	res, err := r.invoke(L, "messages.sendMedia", args)
	if err != nil {
		raiseCall(L, "send_file", err)
		return 0
	}
	L.Push(res)
	return 1
}

// fileLocation finds what to download in a Lua table (see luaDownload).
func fileLocation(t *lua.LTable) (tg.InputFileLocationClass, error) {
	name := lua.LVAsString(t.RawGetString("_"))
	field := func(key string) (*lua.LTable, error) {
		v, ok := t.RawGetString(key).(*lua.LTable)
		if !ok {
			return nil, errors.Errorf("%s has no %s", name, key)
		}
		return v, nil
	}
	switch {
	case name == "message":
		media, err := field("media")
		if err != nil {
			return nil, err
		}
		return fileLocation(media)
	case name == "messageMediaPhoto":
		photo, err := field("photo")
		if err != nil {
			return nil, err
		}
		return fileLocation(photo)
	case name == "messageMediaDocument":
		doc, err := field("document")
		if err != nil {
			return nil, err
		}
		return fileLocation(doc)
	case name == "photo":
		b, err := encodeFromLua(t)
		if err != nil {
			return nil, err
		}
		p, err := tg.DecodePhoto(b)
		if err != nil {
			return nil, errors.Wrap(err, "decode photo")
		}
		photo, ok := p.(*tg.Photo)
		if !ok {
			return nil, errors.New("photo is empty")
		}
		return photo.AsInputPhotoFileLocation(largestPhotoSize(photo.Sizes)), nil
	case name == "document":
		b, err := encodeFromLua(t)
		if err != nil {
			return nil, err
		}
		d, err := tg.DecodeDocument(b)
		if err != nil {
			return nil, errors.Wrap(err, "decode document")
		}
		doc, ok := d.(*tg.Document)
		if !ok {
			return nil, errors.New("document is empty")
		}
		return doc.AsInputDocumentFileLocation(""), nil
	case strings.HasPrefix(name, "input") && strings.HasSuffix(name, "FileLocation"):
		b, err := encodeFromLua(t)
		if err != nil {
			return nil, err
		}
		return tg.DecodeInputFileLocation(b)
	case name == "":
		return nil, errors.New("a message, media, photo, document or input file location table expected, got a table without '_'")
	}
	return nil, errors.Errorf("cannot download a %s: a message, media, photo, document or input file location expected", name)
}

// largestPhotoSize is the type of the largest full size of a photo.
func largestPhotoSize(sizes []tg.PhotoSizeClass) string {
	best, area := "", -1
	for _, s := range sizes {
		var typ string
		var w, h int
		switch s := s.(type) {
		case *tg.PhotoSize:
			typ, w, h = s.Type, s.W, s.H
		case *tg.PhotoSizeProgressive:
			typ, w, h = s.Type, s.W, s.H
		case *tg.PhotoCachedSize:
			typ, w, h = s.Type, s.W, s.H
		default:
			continue // stripped and path sizes are not downloadable
		}
		if w*h > area {
			best, area = typ, w*h
		}
	}
	return best
}

// encodeFromLua encodes a TL object table with the codec.
func encodeFromLua(t *lua.LTable) (*bin.Buffer, error) {
	b, err := luabind.EncodeObject(t)
	if err != nil {
		return nil, err
	}
	return &bin.Buffer{Buf: b}, nil
}

// encodeToLua turns a gotd object into the Lua table the codec would decode.
func encodeToLua(L *lua.LState, obj bin.Encoder) (*lua.LTable, error) {
	var b bin.Buffer
	if err := obj.Encode(&b); err != nil {
		return nil, err
	}
	return luabind.DecodeObject(L, b.Buf)
}

// fileArgError is a bad argument to a file function.
type fileArgError struct{ msg string }

func (e *fileArgError) Error() string { return e.msg }

func argErr(msg string) error { return &fileArgError{msg: msg} }

// raiseFile raises err from a file function: argument errors as messages,
// RPC and transport errors as structured error values.
func raiseFile(L *lua.LState, fn string, err error) {
	var ae *fileArgError
	if errors.As(err, &ae) {
		L.RaiseError("%s: %s", fn, ae.msg)
		return
	}
	var pe *fs.PathError
	if errors.As(err, &pe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		L.RaiseError("%s: %v", fn, err) // a local file, or the run ending
		return
	}
	raiseCall(L, fn, err)
}
