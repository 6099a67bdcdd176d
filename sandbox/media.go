package sandbox

import (
	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// Files: upload.saveFilePart and upload.saveBigFilePart collect parts,
// messages.sendMedia turns an uploaded document or photo into a message,
// and upload.getFile serves it back. File contents live in memory only
// (they are not in the state file): after a restart, old media answer
// FILE_REFERENCE_EXPIRED. Photos have one size, "x", of unknown dimensions.

// Limits of the in-memory file store.
const (
	maxFilePart   = 512 * 1024
	maxFileParts  = 4000
	maxStoreBytes = 256 << 20 // uploads and files together
	fileReference = "sandbox"
)

// fileStore holds uploads in progress and sent files. Requires s.mu.
type fileStore struct {
	uploads map[uploadKey]map[int][]byte
	blobs   map[int64][]byte // document and photo contents by id
	bytes   int
	nextID  int64
}

type uploadKey struct {
	user int64
	file int64
}

func (s *Server) fileStore() *fileStore {
	if s.files == nil {
		s.files = &fileStore{uploads: map[uploadKey]map[int][]byte{}, blobs: map[int64][]byte{}, nextID: 5_000_000_000}
	}
	return s.files
}

func registerMedia(h map[uint32]handlerFunc) {
	h[tg.UploadSaveFilePartRequestTypeID] = handle(func(s *Server, c *call, req *tg.UploadSaveFilePartRequest) (bin.Encoder, error) {
		return s.savePart(c, req.FileID, req.FilePart, req.Bytes)
	})
	h[tg.UploadSaveBigFilePartRequestTypeID] = handle(func(s *Server, c *call, req *tg.UploadSaveBigFilePartRequest) (bin.Encoder, error) {
		if req.FileTotalParts > maxFileParts {
			return nil, tgerr.New(400, "FILE_PARTS_INVALID")
		}
		return s.savePart(c, req.FileID, req.FilePart, req.Bytes)
	})
	h[tg.MessagesSendMediaRequestTypeID] = handle(sendMedia, func(req *tg.MessagesSendMediaRequest) error {
		if utf16Len(req.Message) > 1024 {
			return tgerr.New(400, "MEDIA_CAPTION_TOO_LONG")
		}
		return nil
	})
	h[tg.UploadGetFileRequestTypeID] = handle(getFile)
}

func (s *Server) savePart(c *call, fileID int64, part int, data []byte) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	switch {
	case part < 0 || part >= maxFileParts:
		return nil, tgerr.New(400, "FILE_PART_INVALID")
	case len(data) == 0:
		return nil, tgerr.New(400, "FILE_PART_EMPTY")
	case len(data) > maxFilePart:
		return nil, tgerr.New(400, "FILE_PART_TOO_BIG")
	}
	fs := s.fileStore()
	if fs.bytes+len(data) > maxStoreBytes {
		return nil, tgerr.New(400, "FILE_PARTS_INVALID")
	}
	k := uploadKey{me.ID, fileID}
	if fs.uploads[k] == nil {
		fs.uploads[k] = map[int][]byte{}
	}
	fs.bytes += len(data) - len(fs.uploads[k][part])
	fs.uploads[k][part] = append([]byte(nil), data...)
	return &tg.BoolTrue{}, nil
}

// takeUpload assembles an uploaded file and forgets its parts.
func (s *Server) takeUpload(user int64, f tg.InputFileClass) ([]byte, string, error) {
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
	default:
		return nil, "", tgerr.New(400, "MEDIA_INVALID")
	}
	fs := s.fileStore()
	k := uploadKey{user, id}
	got := fs.uploads[k]
	if parts <= 0 || len(got) != parts {
		return nil, "", tgerr.New(400, "FILE_PARTS_INVALID")
	}
	var out []byte
	for i := range parts {
		p, ok := got[i]
		if !ok {
			return nil, "", tgerr.New(400, "FILE_PARTS_INVALID")
		}
		out = append(out, p...)
	}
	delete(fs.uploads, k)
	fs.bytes -= len(out)
	return out, name, nil
}

// keep stores a sent file's contents and returns its id.
func (s *Server) keep(data []byte) int64 {
	fs := s.fileStore()
	fs.nextID++
	fs.blobs[fs.nextID] = data
	fs.bytes += len(data)
	return fs.nextID
}

func sendMedia(s *Server, c *call, req *tg.MessagesSendMediaRequest) (bin.Encoder, error) {
	me, peer, err := s.selfPeer(c, req.Peer)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	if err := b.freshRandomID(req.RandomID); err != nil {
		return nil, err
	}
	var media tg.MessageMediaClass
	switch m := req.Media.(type) {
	case *tg.InputMediaUploadedDocument:
		data, _, err := s.takeUpload(me.ID, m.File)
		if err != nil {
			return nil, err
		}
		mimeType := m.MimeType
		if mimeType == "" {
			mimeType = "application/octet-stream"
		}
		media = &tg.MessageMediaDocument{Document: &tg.Document{
			ID: s.keep(data), AccessHash: 1, FileReference: []byte(fileReference), Date: now(),
			MimeType: mimeType, Size: int64(len(data)), DCID: s.dc, Attributes: m.Attributes,
		}}
	case *tg.InputMediaUploadedPhoto:
		data, _, err := s.takeUpload(me.ID, m.File)
		if err != nil {
			return nil, err
		}
		media = &tg.MessageMediaPhoto{Photo: &tg.Photo{
			ID: s.keep(data), AccessHash: 1, FileReference: []byte(fileReference), Date: now(), DCID: s.dc,
			Sizes: []tg.PhotoSizeClass{&tg.PhotoSize{Type: "x", Size: len(data)}},
		}}
	default:
		return nil, tgerr.New(400, "MEDIA_INVALID") // only uploaded documents and photos
	}
	var raw bin.Buffer
	if err := media.Encode(&raw); err != nil {
		return nil, err
	}
	replyTo := 0
	if r, ok := req.ReplyTo.(*tg.InputReplyToMessage); ok {
		replyTo = r.ReplyToMsgID
	}
	ents := s.entities(me.ID, req.Message, req.Entities)
	m, ev, err := s.postMedia(me, peer, req.Message, ents, raw.Buf, replyTo, req.Silent, c.session.ID)
	if err != nil {
		return nil, err
	}
	if req.RandomID != 0 {
		b.RandomIDs[req.RandomID] = m.ID
	}
	res := s.containerMsg(me.ID, &tg.UpdateNewMessage{Message: s.renderMessage(m), Pts: ev.Pts, PtsCount: ev.Count}, m)
	res.Updates = append([]tg.UpdateClass{&tg.UpdateMessageID{ID: m.ID, RandomID: req.RandomID}}, res.Updates...)
	return res, nil
}

func getFile(s *Server, c *call, req *tg.UploadGetFileRequest) (bin.Encoder, error) {
	if _, err := s.self(c); err != nil {
		return nil, err
	}
	var (
		id  int64
		ref []byte
	)
	switch loc := req.Location.(type) {
	case *tg.InputDocumentFileLocation:
		id, ref = loc.ID, loc.FileReference
	case *tg.InputPhotoFileLocation:
		id, ref = loc.ID, loc.FileReference
	default:
		return nil, tgerr.New(400, "LOCATION_INVALID")
	}
	data, ok := s.fileStore().blobs[id]
	if !ok || string(ref) != fileReference {
		return nil, tgerr.New(400, "FILE_REFERENCE_EXPIRED")
	}
	if req.Offset < 0 || req.Limit <= 0 || req.Limit > 1<<20 {
		return nil, tgerr.New(400, "LIMIT_INVALID")
	}
	start := min(req.Offset, int64(len(data)))
	end := min(start+int64(req.Limit), int64(len(data)))
	return &tg.UploadFile{Type: &tg.StorageFileUnknown{}, Mtime: now(), Bytes: data[start:end]}, nil
}

// decodeMedia decodes a stored message's media.
func decodeMedia(raw []byte) tg.MessageMediaClass {
	if len(raw) == 0 {
		return nil
	}
	m, err := tg.DecodeMessageMedia(&bin.Buffer{Buf: raw})
	if err != nil {
		return nil
	}
	return m
}
