package runtime_test

// upload(), download() and send_file() end to end: gotd's uploader and
// downloader in the runtime against a tgtest server that keeps uploaded
// parts, answers messages.sendMedia with a document or photo, and serves
// upload.getFile.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/runtime"
)

// fileServer is the server side of file transfers.
type fileServer struct {
	*peerServer
	t *testing.T

	mu    sync.Mutex
	parts map[int64]map[int][]byte // uploaded parts by file id and part number
	files map[int64][]byte         // downloadable files by document or photo id
	media []tg.InputMediaClass     // what messages.sendMedia got
	peers []tg.InputPeerClass
	texts []string
	ents  [][]tg.MessageEntityClass
	gets  int // upload.getFile calls
}

const (
	docID   = 777
	photoID = 888
)

func newFileServer(t *testing.T) *fileServer {
	fs := &fileServer{peerServer: newPeerServer(t), t: t, parts: map[int64]map[int][]byte{}, files: map[int64][]byte{}}
	d := fs.Dispatcher
	d.HandleFunc(tg.UploadSaveFilePartRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.UploadSaveFilePartRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		fs.mu.Lock()
		if fs.parts[r.FileID] == nil {
			fs.parts[r.FileID] = map[int][]byte{}
		}
		fs.parts[r.FileID][r.FilePart] = append([]byte(nil), r.Bytes...)
		fs.mu.Unlock()
		return s.SendBool(req, true)
	})
	d.HandleFunc(tg.MessagesSendMediaRequestTypeID, fs.sendMedia)
	d.HandleFunc(tg.UploadGetFileRequestTypeID, fs.getFile)
	return fs
}

// uploaded joins the parts of a file as messages.sendMedia names it.
func (fs *fileServer) uploaded(f tg.InputFileClass) ([]byte, string) {
	var (
		id    int64
		parts int
		name  string
	)
	switch f := f.(type) {
	case *tg.InputFile:
		id, parts, name = f.ID, f.Parts, f.Name
	case *tg.InputFileBig:
		id, parts, name = f.ID, f.Parts, f.Name
	}
	var out []byte
	for i := range parts {
		p, ok := fs.parts[id][i]
		if !ok {
			fs.t.Errorf("file %d: part %d of %d missing", id, i, parts)
		}
		out = append(out, p...)
	}
	return out, name
}

func (fs *fileServer) sendMedia(s *tgtest.Server, req *tgtest.Request) error {
	var r tg.MessagesSendMediaRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.media = append(fs.media, r.Media)
	fs.peers = append(fs.peers, r.Peer)
	fs.texts = append(fs.texts, r.Message)
	fs.ents = append(fs.ents, r.Entities)
	var media tg.MessageMediaClass
	switch m := r.Media.(type) {
	case *tg.InputMediaUploadedDocument:
		data, _ := fs.uploaded(m.File)
		fs.files[docID] = data
		media = &tg.MessageMediaDocument{Document: &tg.Document{
			ID: docID, AccessHash: 1 << 60, FileReference: []byte{1, 2, 3}, Date: 1,
			MimeType: m.MimeType, Size: int64(len(data)), DCID: 2, Attributes: m.Attributes,
		}}
	case *tg.InputMediaUploadedPhoto:
		data, _ := fs.uploaded(m.File)
		fs.files[photoID] = data
		media = &tg.MessageMediaPhoto{Photo: &tg.Photo{
			ID: photoID, AccessHash: 5, FileReference: []byte{4}, Date: 1, DCID: 2,
			Sizes: []tg.PhotoSizeClass{
				&tg.PhotoStrippedSize{Type: "i", Bytes: []byte{1}},
				&tg.PhotoSize{Type: "y", W: 1280, H: 960, Size: len(data)},
				&tg.PhotoSize{Type: "m", W: 320, H: 240, Size: 10},
			},
		}}
	default:
		return fmt.Errorf("unexpected media %T", r.Media)
	}
	msg := &tg.Message{ID: 50, PeerID: &tg.PeerUser{UserID: annID}, Message: r.Message, Media: media, Date: 1}
	msg.SetOut(true)
	return s.SendResult(req, &tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: msg, Pts: 1, PtsCount: 1}},
		Date:    1,
	})
}

func (fs *fileServer) getFile(s *tgtest.Server, req *tgtest.Request) error {
	var r tg.UploadGetFileRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.gets++
	var data []byte
	var ok bool
	switch loc := r.Location.(type) {
	case *tg.InputDocumentFileLocation:
		if !bytes.Equal(loc.FileReference, []byte{1, 2, 3}) {
			return tgerr.New(400, "FILE_REFERENCE_EXPIRED")
		}
		data, ok = fs.files[loc.ID]
	case *tg.InputPhotoFileLocation:
		if loc.ThumbSize != "y" {
			return fmt.Errorf("photo size %q requested, want the largest (y)", loc.ThumbSize)
		}
		data, ok = fs.files[loc.ID]
	}
	if !ok {
		return tgerr.New(400, "FILE_ID_INVALID")
	}
	end := min(int(r.Offset)+r.Limit, len(data))
	start := min(int(r.Offset), end)
	return s.SendResult(req, &tg.UploadFile{Type: &tg.StorageFileUnknown{}, Mtime: 1, Bytes: data[start:end]})
}

func TestUploadSendDownload(t *testing.T) {
	fs := newFileServer(t)
	dir := t.TempDir()
	report := randomBytes(t, 700_000) // several upload parts
	if err := os.WriteFile(filepath.Join(dir, "report.pdf"), report, 0o600); err != nil {
		t.Fatal(err)
	}
	pic := randomBytes(t, 20_000)
	if err := os.WriteFile(filepath.Join(dir, "pic.JPG"), pic, 0o600); err != nil {
		t.Fatal(err)
	}
	rt := rtFor(t, fs.Server, nil)
	rt.SetGlobal("dir", lua.LString(dir))
	out := luaDo(t, rt, `
		-- upload, then send what it returned, as a document with a caption.
		local f = upload(dir .. '/report.pdf')
		assert(f._ == 'inputFile' and f.name == 'report.pdf', f._)
		assert(f.parts > 1, 'parts ' .. f.parts)
		local u = send_file('@ann', f, {caption = '**the** report', parse_mode = 'markdown', reply_to = 7})
		local msg = u.updates[1].message
		assert(msg.media._ == 'messageMediaDocument')
		assert(msg.media.document.mime_type == 'application/pdf', msg.media.document.mime_type)

		-- Download: to a string, and to a file, from the message or its media.
		local data = download(msg)
		download(msg.media, dir .. '/copy.pdf')

		-- A path straight to send_file: .jpg goes as a photo; the largest
		-- size is downloaded.
		local p = send_file('@ann', dir .. '/pic.JPG')
		local photo = download(p.updates[1].message)

		-- A renamed upload of a file, and bytes as a document.
		local g = upload{path = dir .. '/report.pdf', name = 'renamed.pdf'}
		local h = send_file('@ann', {data = 'plain text', name = 'note.txt'}, {force_document = true, mime_type = 'text/plain'})
		return #data, data == io.open(dir .. '/report.pdf', 'rb'):read('*a'), #photo, g.name,
			download(h.updates[1].message.media.document)`)
	wantValues(t, out, []any{int64(len(report)), true, int64(len(pic)), "renamed.pdf", "plain text"})
	copied, err := os.ReadFile(filepath.Join(dir, "copy.pdf"))
	if err != nil || !bytes.Equal(copied, report) {
		t.Fatalf("downloaded file differs (%d bytes, %v)", len(copied), err)
	}

	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.media) != 3 {
		t.Fatalf("messages.sendMedia called %d times, want 3", len(fs.media))
	}
	doc, ok := fs.media[0].(*tg.InputMediaUploadedDocument)
	if !ok {
		t.Fatalf("first media %T", fs.media[0])
	}
	if name := doc.Attributes[0].(*tg.DocumentAttributeFilename).FileName; name != "report.pdf" {
		t.Errorf("file name %q", name)
	}
	if fs.texts[0] != "the report" || fs.texts[1] != "" {
		t.Errorf("captions %q", fs.texts)
	}
	if len(fs.ents[0]) != 1 || fs.ents[0][0].TypeName() != "messageEntityBold" {
		t.Errorf("caption entities %v, want the bold of parse_mode='markdown'", fs.ents[0])
	}
	wantUserPeer(t, fs.peers[0], annID, annHash)
	if _, ok := fs.media[1].(*tg.InputMediaUploadedPhoto); !ok {
		t.Errorf("second media %T, want a photo", fs.media[1])
	}
	note := fs.media[2].(*tg.InputMediaUploadedDocument)
	if note.MimeType != "text/plain" || !note.ForceFile {
		t.Errorf("note: mime %q, force_file %v", note.MimeType, note.ForceFile)
	}
}

func TestFileErrors(t *testing.T) {
	fs := newFileServer(t)
	rt := rtFor(t, fs.Server, nil)
	for _, tc := range []struct{ src, want string }{
		{`upload(42)`, "upload: file path or {path=...} / {data=..., name=...} expected, got number"},
		{`upload{name='x'}`, "upload: a path or data expected"},
		{`upload{data=1}`, "upload: data: string expected, got number"},
		{`upload('/no/such/file')`, "upload: "},
		{`download({_='message', id=1})`, "bad argument #1 to download (message has no media)"},
		{`download({_='user', id=1})`, "cannot download a user"},
		{`download({})`, "table without '_'"},
		{`send_file(nil, 'x')`, "bad argument #1 to send_file (peer expected)"},
		// A transfer applies flood_wait_max, as a method call does.
		{`flood_wait_max = 'soon'; upload{data='x', name='y'}`, "upload: global flood_wait_max: number of seconds expected, got string"},
		{`flood_wait_max = 'soon'; download({_='inputDocumentFileLocation', id=1, access_hash=1, file_reference='x', thumb_size=''})`, "download: global flood_wait_max: number of seconds expected, got string"},
	} {
		if err := luaFail(t, rt, tc.src); !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.src, err, tc.want)
		}
	}
	luaDo(t, rt, `flood_wait_max = nil`)
	// upload is also the upload.* namespace: both uses work, from tg too.
	out0 := luaDo(t, rt, `return type(upload.getFile), type(tg.upload.saveFilePart), tg.upload{data='x', name='y'}._`)
	wantValues(t, out0, []any{"function", "function", "inputFile"})
	// RPC errors are structured values.
	out := luaDo(t, rt, `
		local ok, e = pcall(download, {_='inputDocumentFileLocation', id=1, access_hash=1, file_reference='old', thumb_size=''})
		return ok, e.type, e.code, e.method`)
	wantValues(t, out, []any{false, "FILE_REFERENCE_EXPIRED", int64(400), "download"})
}

// Under SandboxStrict there are no local files: upload takes bytes and
// download returns them. The allowlist applies to the transfers.
func TestFilesInStrictSandbox(t *testing.T) {
	fs := newFileServer(t)
	rt := rtFor(t, fs.Server, func(o *runtime.Options) {
		o.Sandbox = runtime.SandboxStrict
		o.Allow = []string{"messages.*", "contacts.resolveUsername", "upload.*"}
	})
	out := luaDo(t, rt, `
		local u = send_file('@ann', {data = 'from memory', name = 'm.bin'})
		return download(u.updates[1].message)`)
	wantValues(t, out, []any{"from memory"})
	for _, src := range []string{`upload('/etc/hostname')`, `download({_='inputDocumentFileLocation', id=777, access_hash=1, file_reference='\1\2\3', thumb_size=''}, '/tmp/x')`} {
		if err := luaFail(t, rt, src); !strings.Contains(err.Error(), "not available in the strict sandbox") {
			t.Errorf("%s: %v", src, err)
		}
	}

	rt2 := rtFor(t, fs.Server, func(o *runtime.Options) { o.Allow = []string{"messages.*"} })
	err := luaFail(t, rt2, `upload{data='x', name='y'}`)
	if !strings.Contains(err.Error(), "upload.saveFilePart: not allowed in this sandbox (needed to transfer a file; allow upload.saveFilePart to permit it)") {
		t.Errorf("allowlist: %v", err)
	}
}
