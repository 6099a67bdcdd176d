package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"

	"github.com/gotd/td/telegram/downloader"
	"github.com/gotd/td/telegram/uploader"
	"github.com/gotd/td/tg"
)

// sentMessage finds the new message in a messages.sendMedia answer.
func sentMessage(t *testing.T, res tg.UpdatesClass) *tg.Message {
	t.Helper()
	u, ok := res.(*tg.Updates)
	if !ok {
		t.Fatalf("answer %T, want updates", res)
	}
	for _, up := range u.Updates {
		if nm, ok := up.(*tg.UpdateNewMessage); ok {
			return nm.Message.(*tg.Message)
		}
	}
	t.Fatal("no updateNewMessage in the answer")
	return nil
}

// Files go up in parts with gotd's uploader, become a document or photo
// message the other side sees, and come back with gotd's downloader.
func TestMediaUploadSendDownload(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, ac, alice, sandbox := pair(t, s)
	data := make([]byte, 700_000)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	f, err := uploader.NewUploader(sc.api()).FromBytes(ctx, "data.bin", data)
	if err != nil {
		t.Fatal(err)
	}
	if f.(*tg.InputFile).Parts < 2 {
		t.Fatalf("one part; the test wants several")
	}
	res, err := sc.api().MessagesSendMedia(ctx, &tg.MessagesSendMediaRequest{
		Peer: alice, Message: "the data", RandomID: 1,
		Media: &tg.InputMediaUploadedDocument{File: f, MimeType: "application/x-test",
			Attributes: []tg.DocumentAttributeClass{&tg.DocumentAttributeFilename{FileName: "data.bin"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := sentMessage(t, res).Media.(*tg.MessageMediaDocument).Document.(*tg.Document)
	if doc.Size != int64(len(data)) || doc.MimeType != "application/x-test" {
		t.Fatalf("document %+v", doc)
	}

	// Alice has it in her history and downloads it.
	hist, err := ac.api().MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: sandbox, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	ms := hist.(*tg.MessagesMessages).Messages
	if len(ms) != 1 || ms[0].(*tg.Message).Message != "the data" || ms[0].(*tg.Message).Media == nil {
		t.Fatalf("alice's history: %+v", ms)
	}
	var got bytes.Buffer
	if _, err := downloader.NewDownloader().Download(ac.api(), doc.AsInputDocumentFileLocation("")).Stream(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("downloaded %d bytes, differ from the %d uploaded", got.Len(), len(data))
	}

	// A photo has one size, "x".
	pf, err := uploader.NewUploader(sc.api()).FromBytes(ctx, "p.jpg", data[:5000])
	if err != nil {
		t.Fatal(err)
	}
	res, err = sc.api().MessagesSendMedia(ctx, &tg.MessagesSendMediaRequest{Peer: alice, RandomID: 2, Media: &tg.InputMediaUploadedPhoto{File: pf}})
	if err != nil {
		t.Fatal(err)
	}
	photo := sentMessage(t, res).Media.(*tg.MessageMediaPhoto).Photo.(*tg.Photo)
	got.Reset()
	if _, err := downloader.NewDownloader().Download(sc.api(), photo.AsInputPhotoFileLocation("x")).Stream(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), data[:5000]) {
		t.Fatal("photo differs")
	}
}

func TestMediaErrors(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, _, alice, _ := pair(t, s)
	api := sc.api()
	ok, err := api.UploadSaveFilePart(ctx, &tg.UploadSaveFilePartRequest{FileID: 9, FilePart: 0, Bytes: []byte("part")})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	_, err = api.UploadSaveFilePart(ctx, &tg.UploadSaveFilePartRequest{FileID: 9, FilePart: 1})
	wantErr(t, err, 400, "FILE_PART_EMPTY")
	_, err = api.UploadSaveFilePart(ctx, &tg.UploadSaveFilePartRequest{FileID: 9, FilePart: -1, Bytes: []byte("x")})
	wantErr(t, err, 400, "FILE_PART_INVALID")
	send := func(m tg.InputMediaClass, id int64) error {
		_, err := api.MessagesSendMedia(ctx, &tg.MessagesSendMediaRequest{Peer: alice, Media: m, RandomID: id})
		return err
	}
	// Two parts announced, one uploaded.
	wantErr(t, send(&tg.InputMediaUploadedDocument{File: &tg.InputFile{ID: 9, Parts: 2, Name: "x"}}, 1), 400, "FILE_PARTS_INVALID")
	wantErr(t, send(&tg.InputMediaContact{PhoneNumber: "1"}, 2), 400, "MEDIA_INVALID")
	_, err = api.UploadGetFile(ctx, &tg.UploadGetFileRequest{Location: &tg.InputDocumentFileLocation{ID: 1, FileReference: []byte("old")}, Limit: 1024})
	wantErr(t, err, 400, "FILE_REFERENCE_EXPIRED")

	// Signed out: no uploads.
	_, err = newConn(s).api().UploadSaveFilePart(ctx, &tg.UploadSaveFilePartRequest{FileID: 1, Bytes: []byte("x")})
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")
}
